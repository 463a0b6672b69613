"""Every change to a card or a person leaves a history row: who, when, which field, from, to.

Shown on the card page, the person page and in the admin; a refused change
leaves no row; saving what is already there records nothing.
"""

from decimal import Decimal
from html import unescape

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from convivio.errors import PermissionRefused, RuleViolation
from cultivation import policy
from cultivation.models import ContactEvent, TouchPlan
from cultivation.services import contact_reassign, contact_update, plan_end, promise_keep
from cultivation.services import touch_plan_start as plan_start
from opportunities import groups
from opportunities.models import Opportunity, Stage
from opportunities.services import opportunity_move, opportunity_reassign, opportunity_update
from tests import factories
from tests.admin_forms import card_form, person_form

pytestmark = pytest.mark.django_db

BOARD = {"HX-Request": "true", "HX-Target": "board"}


@pytest.fixture
def card(owner):
    return factories.OpportunityFactory(title="Harbour", owner=owner, organisation=None)


@pytest.fixture
def priya(owner):
    return factories.ContactFactory(
        name="Priya Shah", owner=owner, email="priya@example.org", has_opted_in=False
    )


def _rows(card):
    return list(card.changes.order_by("pk").values_list("field", "old", "new", "by__username"))


def _edit(client, card, **fields):
    data = {
        "title": card.title,
        "organisation": card.organisation_id or "",
        "owner": card.owner_id,
        "colleagues": list(card.colleagues.values_list("pk", flat=True)),
        "priority": card.priority,
        "estimated_value": card.estimated_value or "",
        "pain": card.pain,
        "gain": card.gain,
        "version": card.version,
        **fields,
    }
    return client.post(card.get_absolute_url(), data)


# Cards -----------------------------------------------------------------------


def test_editing_a_card_records_each_field_from_and_to(owner, teammate, owner_client, card):
    response = _edit(
        owner_client,
        card,
        title="Harbour Partners",
        estimated_value="12000",
        owner=teammate.pk,
        colleagues=[teammate.pk],
    )

    assert response.status_code == 302
    assert _rows(card) == [
        ("title", "Harbour", "Harbour Partners", "alice"),
        ("estimated_value", "", "12,000", "alice"),
        ("colleagues", "", "Bob Teammate", "alice"),
        ("owner", "Alice Owner", "Bob Teammate", "alice"),
    ]
    card.refresh_from_db()
    assert (card.title, card.estimated_value, card.owner) == (
        "Harbour Partners",
        Decimal("12000"),
        teammate,
    )


def test_a_value_change_reads_as_the_board_shows_money(owner_client, card):
    Opportunity.objects.filter(pk=card.pk).update(estimated_value=Decimal("25000.00"))
    card.refresh_from_db()

    _edit(owner_client, card, estimated_value="30000.5")

    assert _rows(card) == [("estimated_value", "25,000", "30,000.50", "alice")]


def test_saving_a_card_unchanged_twice_records_nothing(owner_client, card):
    _edit(owner_client, card)
    card.refresh_from_db()
    _edit(owner_client, card)

    assert _rows(card) == []


def test_removing_a_colleague_records_who_was_there_before(owner, teammate, manager, card):
    card.colleagues.add(teammate, manager)

    opportunity_update(opportunity=card, by=owner, version=card.version, colleagues=[manager])

    assert _rows(card) == [("colleagues", "Bob Teammate, Maria Manager", "Maria Manager", "alice")]


def test_a_colleague_edits_the_card_but_cannot_hand_it_on(owner, teammate, manager, card):
    card.colleagues.add(teammate)
    opportunity_update(opportunity=card, by=teammate, version=card.version, title="Harbour Ltd")
    card.refresh_from_db()

    with pytest.raises(PermissionRefused, match="Only Alice Owner, the card's owner, or a manager"):
        opportunity_update(
            opportunity=card, by=teammate, version=card.version, title="Mine", owner=teammate
        )

    card.refresh_from_db()
    assert (card.title, card.owner) == ("Harbour Ltd", owner)
    assert _rows(card) == [("title", "Harbour", "Harbour Ltd", "bob")]


def test_a_refused_edit_leaves_no_row_and_changes_nothing(teammate, teammate_client, card):
    for _ in range(2):
        response = _edit(teammate_client, card, title="Bob's now")

        assert response.status_code == 403
        sentence = (
            "Only Alice Owner, the card's owner, its colleagues or a manager can edit “Harbour”."
        )
        assert sentence in unescape(response.content.decode())
    card.refresh_from_db()
    assert (card.title, card.version) == ("Harbour", 1)
    assert _rows(card) == []


def test_reassigning_records_the_owner_change_and_the_same_owner_records_nothing(
    owner, teammate, manager, card
):
    opportunity_reassign(opportunity=card, owner=teammate, by=manager)
    opportunity_reassign(opportunity=card, owner=teammate, by=manager)

    assert _rows(card) == [("owner", "Alice Owner", "Bob Teammate", "maria")]


def test_reassignment_through_the_admin_action_leaves_a_row(owner, teammate, manager_client, card):
    url = reverse("admin:opportunities_opportunity_changelist")
    manager_client.post(
        url, {"action": "reassign_owner", "_selected_action": [card.pk], "owner": teammate.pk}
    )

    assert _rows(card) == [("owner", "Alice Owner", "Bob Teammate", "maria")]


def _admin_card_form(card, **fields):
    return card_form(card, **{"loaded_version": card.version, **fields})


def test_a_card_edited_in_the_admin_leaves_rows_and_keeps_its_stage(
    owner, teammate, manager_client, card
):
    url = reverse("admin:opportunities_opportunity_change", args=[card.pk])
    response = manager_client.post(
        url, _admin_card_form(card, title="Harbour (admin)", colleagues=[teammate.pk])
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert _rows(card) == [
        ("title", "Harbour", "Harbour (admin)", "maria"),
        ("colleagues", "", "Bob Teammate", "maria"),
    ]
    card.refresh_from_db()
    assert (card.stage, card.version) == (Stage.RESEARCH, 2)


def test_an_admin_edit_the_rules_refuse_is_a_message_and_saves_nothing(
    owner, teammate, manager_client, card
):
    teammate.is_active = False
    teammate.save()
    url = reverse("admin:opportunities_opportunity_change", args=[card.pk])

    response = manager_client.post(
        url, _admin_card_form(card, title="Renamed", owner=teammate.pk), follow=True
    )

    assert "Nothing was saved" in response.content.decode()
    card.refresh_from_db()
    assert (card.title, card.owner) == ("Harbour", owner)
    assert _rows(card) == []


def test_the_card_page_shows_moves_and_changes_together(owner, teammate, owner_client, card):
    opportunity_update(opportunity=card, by=owner, version=1, title="Harbour Partners")
    opportunity_move(opportunity=card, to_stage=Stage.CONNECTING, by=owner, version=2)

    page = owner_client.get(card.get_absolute_url()).content.decode()

    assert "Title: <del>Harbour</del> → <strong>Harbour Partners</strong>" in page
    assert page.index("<strong>Connecting</strong>") < page.index("Title: <del>")


def test_the_card_page_hides_controls_from_those_who_may_not_use_them(teammate_client, card):
    page = unescape(teammate_client.get(card.get_absolute_url()).content.decode())

    assert "Save card" not in page and 'name="to_stage"' not in page
    assert "Add to card" not in page
    assert "Only Alice Owner, the card's owner, its colleagues or a manager can change" in page


def test_a_drag_by_someone_not_on_the_card_is_403_with_the_board_and_the_sentence(
    teammate_client, card
):
    url = reverse("opportunities:card-move", args=[card.pk])

    response = teammate_client.post(url, {"to_stage": "connecting", "version": 1}, headers=BOARD)

    assert response.status_code == 403
    assert response["HX-Retarget"] == "#board"
    page = response.content.decode()
    assert 'id="board"' in page and "Only Alice Owner, the card&#x27;s owner" in page
    assert Opportunity.objects.get(pk=card.pk).stage == Stage.RESEARCH


def test_a_colleague_moving_a_card_to_cultivating_starts_the_persons_plan(owner, teammate):
    card = factories.OpportunityFactory(owner=owner, stage=Stage.CONNECTING)
    card.colleagues.add(teammate)
    person = factories.OpportunityContactFactory(opportunity=card).contact

    opportunity_move(opportunity=card, to_stage=Stage.CULTIVATING, by=teammate, version=1)

    assert TouchPlan.objects.get(contact=person).started_by == teammate


# People ----------------------------------------------------------------------


def _person_rows(person):
    return [
        (event.action, event.changes, event.by.username)
        for event in person.events.order_by("pk")
        if event.action in (ContactEvent.Action.UPDATED, ContactEvent.Action.REASSIGNED)
    ]


def test_editing_a_person_records_each_field_and_saving_it_again_records_nothing(owner, priya):
    for _ in range(2):
        contact_update(contact=priya, by=owner, email="priya@harbour.example", role="Chair")

    [(action, changes, by)] = _person_rows(priya)
    assert (action, by) == (ContactEvent.Action.UPDATED, "alice")
    assert {(c["field"], c["to"]) for c in changes} == {
        ("email", "priya@harbour.example"),
        ("role", "Chair"),
    }
    # Consent is not a detail: it has its own services and rows (tests/cultivation/test_consent.py).


def test_a_refused_person_edit_leaves_no_row(teammate, priya):
    with pytest.raises(
        PermissionRefused, match="Only Alice Owner, Priya Shah's owner, or a manager"
    ):
        contact_update(contact=priya, by=teammate, email="bob@example.org")

    priya.refresh_from_db()
    assert priya.email == "priya@example.org"
    assert _person_rows(priya) == []


def test_a_person_edit_the_model_refuses_is_a_rule_and_saves_nothing(owner, priya):
    with pytest.raises(RuleViolation):
        contact_update(contact=priya, by=owner, email="not an email")

    priya.refresh_from_db()
    assert priya.email == "priya@example.org" and _person_rows(priya) == []


def test_a_person_edited_in_the_admin_leaves_a_row_for_details_and_one_for_the_owner(
    owner, teammate, manager_client, priya
):
    url = reverse("admin:cultivation_contact_change", args=[priya.pk])

    response = manager_client.post(
        url, person_form(priya, role="Managing partner", owner=teammate.pk)
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    rows = _person_rows(priya)
    assert [(action, by) for action, _, by in rows] == [
        (ContactEvent.Action.UPDATED, "maria"),
        (ContactEvent.Action.REASSIGNED, "maria"),
    ]
    assert rows[0][1][0]["field"] == "role" and rows[0][1][0]["to"] == "Managing partner"
    assert (rows[1][1][0]["from"], rows[1][1][0]["to"]) == ("Alice Owner", "Bob Teammate")


def test_the_person_page_shows_the_change(owner, owner_client, priya):
    contact_update(contact=priya, by=owner, role="Chair")

    page = owner_client.get(priya.get_absolute_url()).content.decode()

    assert "Details changed" in page and "<strong>Chair</strong>" in page


def test_the_person_page_hides_plan_and_promise_controls_from_others(owner, teammate_client, priya):
    plan_start(contact=priya, by=owner)
    factories.PromiseFactory(contact=priya, owner=owner)

    page = unescape(teammate_client.get(priya.get_absolute_url()).content.decode())

    assert "End plan" not in page and ">Kept</button>" not in page and ">Snooze<" not in page
    assert "Only Alice Owner, Priya Shah's owner, or a manager" in page


# Policy decisions --------------------------------------------------------------


def test_a_promise_may_be_kept_by_its_own_owner_on_someone_elses_person(teammate, priya):
    promise = factories.PromiseFactory(contact=priya, owner=teammate, what="Send the deck")

    promise_keep(promise=promise, by=teammate, method="note")

    promise.refresh_from_db()
    assert promise.kept_at is not None


def test_anyone_may_act_for_a_person_nobody_owns(owner, teammate):
    person = factories.ContactFactory(owner=None)
    plan = plan_start(contact=person, by=teammate)

    plan_end(plan=plan, by=teammate, reason="Not a fit")
    contact_reassign(contact=person, owner=teammate, by=teammate)

    person.refresh_from_db()
    assert person.owner == teammate
    with pytest.raises(PermissionRefused):
        contact_reassign(contact=person, owner=owner, by=owner)


def test_no_one_and_anonymous_change_nothing(priya):
    from django.contrib.auth.models import AnonymousUser

    for nobody in (None, AnonymousUser()):
        with pytest.raises(PermissionRefused):
            contact_update(contact=priya, by=nobody, role="Chair")


def test_a_superuser_and_a_member_of_managers_are_managers_and_no_one_else(owner, teammate):
    boss = factories.UserFactory(username="root", is_superuser=True)
    owner.groups.add(Group.objects.get(name=groups.MANAGERS))

    assert [policy.is_manager(user) for user in (boss, owner, teammate, None)] == [
        True,
        True,
        False,
        False,
    ]
    assert groups.is_manager is policy.is_manager and groups.MANAGERS == policy.MANAGERS


def test_an_htmx_refusal_is_the_sentence_alone(teammate, priya, owner):
    plan = plan_start(contact=priya, by=owner)
    client = Client()
    client.force_login(teammate)

    response = client.post(
        reverse("cultivation:plan-end", args=[plan.pk]),
        {"reason": "Mine now"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 403
    assert response.content.decode() == (
        "Only Alice Owner, Priya Shah's owner, or a manager can end the touch plan for Priya Shah."
    )
