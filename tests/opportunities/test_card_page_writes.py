"""The card page's forms without JavaScript: move, edit, add a person, add and mark an idea.

Allowed (with its history row), refused (nothing changed, no history row), twice,
and as the card's owner, a teammate who is not on it, a colleague on it, a manager
and an anonymous visitor.
"""

import pytest
from django.urls import reverse

from convivio.errors import RuleViolation
from opportunities.models import CardChange, ConnectionIdea, Opportunity, Stage, StageChange
from opportunities.services import connection_idea_mark
from tests import factories
from tests.pages import said

pytestmark = pytest.mark.django_db


@pytest.fixture
def card(owner):
    return factories.OpportunityFactory(
        owner=owner,
        title="Pension review",
        organisation__name="Hartley Ltd",
        pain="",
        gain="",
        history=False,
    )


def _is_sign_in(response):
    return response.status_code == 302 and response.url.startswith(reverse("login"))


def _snapshot(card):
    card = Opportunity.objects.get(pk=card.pk)
    return (
        card.stage,
        card.version,
        card.title,
        StageChange.objects.filter(opportunity=card).count(),
        CardChange.objects.filter(opportunity=card).count(),
        card.links.count(),
        card.connection_ideas.count(),
    )


# Moving from the card page --------------------------------------------------------------


def _move(client, card, to_stage, note="", version=None):
    url = reverse("opportunities:card-move", args=[card.pk]) + f"?next={card.get_absolute_url()}"
    data = {"to_stage": to_stage, "version": version or card.version, "note": note}
    return client.post(url, data, follow=True)


def test_the_move_form_on_the_card_page_moves_it_and_comes_back_to_the_card(as_role, card):
    response = _move(as_role("owner"), card, "connecting")

    assert response.redirect_chain[-1][0] == card.get_absolute_url()
    assert said(response, "success", "Connecting")
    change = StageChange.objects.get(opportunity=card)
    assert (change.from_stage, change.to_stage, change.by.username) == (
        "research",
        "connecting",
        "alice",
    )


@pytest.mark.parametrize(
    ("to_stage", "note"), [("lost", ""), ("lost", "   "), ("won", ""), ("cultivating", "")]
)
def test_a_move_against_the_rules_from_the_card_page_says_why_and_changes_nothing(
    as_role, card, to_stage, note
):
    before = _snapshot(card)
    client = as_role("owner")

    for _ in range(2):
        response = _move(client, card, to_stage, note)
        assert response.status_code == 422
        assert said(response, "error", "")
        assert f'href="{card.get_absolute_url()}"' in response.content.decode()

    assert _snapshot(card) == before


def test_a_teammate_not_on_the_card_is_refused_a_move_with_a_page_naming_who_may(as_role, card):
    before = _snapshot(card)

    response = _move(as_role("teammate"), card, "connecting")

    assert response.status_code == 403
    assert "Only Alice Owner" in response.content.decode()
    assert _snapshot(card) == before


def test_a_manager_moves_someone_elses_card_from_its_page(as_role, card):
    _move(as_role("manager"), card, "lost", note="Chose a bigger firm")

    card.refresh_from_db()
    assert (card.stage, card.lost_reason) == (Stage.LOST, "Chose a bigger firm")
    assert StageChange.objects.get(opportunity=card).by.username == "maria"


# Editing ----------------------------------------------------------------------------------


def _edit(client, card, version, **changes):
    data = {
        "title": "Pension review",
        "organisation": card.organisation_id,
        "owner": card.owner_id,
        "colleagues": list(card.colleagues.values_list("pk", flat=True)),
        "priority": "referral",
        "estimated_value": "",
        "pain": "",
        "gain": "",
        "version": version,
    } | changes
    return client.post(card.get_absolute_url(), data)


def test_the_same_edit_sent_twice_is_saved_once_and_the_second_is_stale(as_role, card):
    client = as_role("owner")

    first = _edit(client, card, card.version, title="Pension review 2027")
    second = _edit(client, card, card.version, title="Pension review 2027")

    assert first.status_code == 302
    assert second.status_code == 409
    card.refresh_from_db()
    assert (card.title, card.version) == ("Pension review 2027", 2)
    changes = CardChange.objects.filter(opportunity=card)
    assert list(changes.values_list("field", "old", "new", "by__username")) == [
        ("title", "Pension review", "Pension review 2027", "alice")
    ]


@pytest.mark.parametrize(
    "changes",
    [{"title": ""}, {"estimated_value": "-5"}, {"priority": "urgent"}, {"owner": ""}],
    ids=["no-title", "negative-value", "unknown-priority", "no-owner"],
)
def test_an_edit_the_form_cannot_read_is_a_400_and_nothing_is_saved(as_role, card, changes):
    before = _snapshot(card)

    response = _edit(as_role("owner"), card, card.version, **changes)

    assert response.status_code == 400
    assert response.context["form"].errors
    assert _snapshot(card) == before


def test_a_teammate_not_on_the_card_sees_no_edit_form_and_a_post_is_refused(as_role, card):
    client = as_role("teammate")
    before = _snapshot(card)

    page = client.get(card.get_absolute_url())
    refused = _edit(client, card, card.version, title="Mine now")

    assert page.context["may_change"] is False
    assert "Save card" not in page.content.decode()
    assert refused.status_code == 403
    assert _snapshot(card) == before


def test_a_colleague_on_the_card_edits_it_but_cannot_hand_it_on(as_role, card, teammate):
    card.colleagues.add(teammate)
    client = as_role("teammate")

    page = client.get(card.get_absolute_url())
    response = _edit(client, card, card.version, title="Pension review 2027", owner=teammate.pk)

    assert page.context["form"].fields["owner"].disabled
    assert response.status_code == 302
    card.refresh_from_db()
    assert (card.title, card.owner.username) == ("Pension review 2027", "alice")
    assert CardChange.objects.get(opportunity=card).by == teammate


def test_a_manager_hands_a_card_to_someone_else_with_a_history_row(as_role, card, teammate):
    response = _edit(as_role("manager"), card, card.version, owner=teammate.pk)

    assert response.status_code == 302
    card.refresh_from_db()
    assert card.owner == teammate
    change = CardChange.objects.get(opportunity=card, field="owner")
    assert (change.old, change.new, change.by.username) == ("Alice Owner", "Bob Teammate", "maria")


def test_an_anonymous_visitor_edits_nothing(as_role, card):
    before = _snapshot(card)

    response = _edit(as_role("anonymous"), card, card.version, title="Defaced")

    assert _is_sign_in(response)
    assert _snapshot(card) == before


# Adding a person --------------------------------------------------------------------------


def _add_person(client, card, contact_id, role=""):
    url = reverse("opportunities:card-contact-add", args=[card.pk])
    return client.post(url, {"contact": contact_id, "role": role}, follow=True)


def test_a_person_added_twice_is_on_the_card_once_with_one_history_row(as_role, card):
    sam = factories.ContactFactory(name="Sam Newton", organisation=card.organisation)
    client = as_role("owner")

    first, second = _add_person(client, card, sam.pk), _add_person(client, card, sam.pk)

    assert first.redirect_chain[-1][0] == card.get_absolute_url()
    assert said(first, "success", "Sam Newton")
    assert second.status_code == 400
    assert second.context["add_contact_form"].errors
    assert card.links.filter(contact=sam).count() == 1
    assert list(CardChange.objects.filter(opportunity=card).values_list("field", "new")) == [
        ("contacts", "Sam Newton")
    ]


@pytest.mark.parametrize("contact_id", ["", "abc", "999999"])
def test_adding_no_one_or_someone_who_does_not_exist_is_a_400_and_changes_nothing(
    as_role, card, contact_id
):
    before = _snapshot(card)

    response = _add_person(as_role("owner"), card, contact_id)

    assert response.status_code == 400
    assert response.context["add_contact_form"].errors
    assert _snapshot(card) == before


def test_a_teammate_not_on_the_card_may_not_add_a_person_and_a_manager_may(as_role, card):
    sam = factories.ContactFactory(name="Sam Newton")

    refused = _add_person(as_role("teammate"), card, sam.pk)
    assert refused.status_code == 403
    assert not card.links.exists()

    _add_person(as_role("manager"), card, sam.pk)
    assert CardChange.objects.get(opportunity=card, field="contacts").by.username == "maria"


def test_an_anonymous_visitor_adds_no_one(as_role, card):
    sam = factories.ContactFactory(name="Sam Newton")
    url = reverse("opportunities:card-contact-add", args=[card.pk])

    response = as_role("anonymous").post(url, {"contact": sam.pk})

    assert _is_sign_in(response)
    assert not card.links.exists()


# Ideas to connect -------------------------------------------------------------------------


def _add_idea(client, card, description="Coffee about their Leeds office", kind="coffee"):
    url = reverse("opportunities:card-idea-add", args=[card.pk])
    return client.post(url, {"kind": kind, "description": description, "via": ""})


@pytest.mark.parametrize(
    ("kind", "description"), [("coffee", ""), ("cold_call", "Ring them"), ("coffee", "x" * 301)]
)
def test_an_idea_the_form_cannot_read_is_a_400_on_the_card_page_and_nothing_is_added(
    as_role, card, kind, description
):
    response = _add_idea(as_role("owner"), card, description, kind)

    assert response.status_code == 400
    assert response.context["idea_form"].errors
    assert not ConnectionIdea.objects.exists()


def test_a_teammate_not_on_the_card_may_not_add_an_idea_and_a_manager_may(as_role, card):
    refused = _add_idea(as_role("teammate"), card)
    assert refused.status_code == 403
    assert not ConnectionIdea.objects.exists()

    allowed = _add_idea(as_role("manager"), card)
    assert allowed.status_code == 302
    assert ConnectionIdea.objects.get().created_by.username == "maria"


def _mark(client, idea, status):
    return client.post(reverse("opportunities:idea-mark", args=[idea.pk]), {"status": status})


def test_marking_an_idea_twice_leaves_it_marked(as_role, card):
    idea = ConnectionIdea.objects.create(opportunity=card, description="Coffee")
    client = as_role("owner")

    responses = [_mark(client, idea, "tried") for _ in range(2)]

    assert [r.status_code for r in responses] == [302, 302]
    idea.refresh_from_db()
    assert idea.status == "tried"


def test_a_teammate_not_on_the_card_may_not_mark_an_idea(as_role, card):
    idea = ConnectionIdea.objects.create(opportunity=card, description="Coffee")

    response = _mark(as_role("teammate"), idea, "worked")

    assert response.status_code == 403
    idea.refresh_from_db()
    assert idea.status == "idea"


def test_an_anonymous_visitor_marks_no_idea(as_role, card):
    idea = ConnectionIdea.objects.create(opportunity=card, description="Coffee")

    response = _mark(as_role("anonymous"), idea, "worked")

    assert _is_sign_in(response)
    idea.refresh_from_db()
    assert idea.status == "idea"


def test_the_service_refuses_a_status_an_idea_cannot_have(card, owner):
    idea = ConnectionIdea.objects.create(opportunity=card, description="Coffee")

    with pytest.raises(RuleViolation, match="is not a status an idea can have"):
        connection_idea_mark(idea=idea, status="maybe", by=owner)

    idea.refresh_from_db()
    assert idea.status == "idea"
