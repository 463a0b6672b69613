"""The admin is an edge like the board and the person's page: every change goes through
the same service, meets the same refusal and leaves the same history row.

Managers may do everything the policy allows, so the refusals tested here are the
method's rules (a stale version, capacity, a release without a reason, ...).
"""

from datetime import timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from cultivation.models import (
    Contact,
    ContactEvent,
    FollowUp,
    PlanItem,
    Promise,
    Touch,
    TouchPlan,
)
from cultivation.services import touch_plan_start
from opportunities.models import (
    CardChange,
    ConnectionIdea,
    Opportunity,
    OpportunityContact,
    Stage,
    StageChange,
)
from opportunities.services import opportunity_update
from tests import factories
from tests.admin_forms import card_form, person_form

Action = ContactEvent.Action

pytestmark = pytest.mark.django_db


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _page(response):
    return unescape(response.content.decode())


def _events(person, action):
    return list(ContactEvent.objects.filter(contact=person, action=action))


def _tomorrow(days=1):
    return timezone.localdate() + timedelta(days=days)


@pytest.fixture
def card(owner):
    return factories.OpportunityFactory(
        title="Harbour", owner=owner, stage=Stage.RESEARCH, organisation=None, version=1
    )


@pytest.fixture
def priya(owner):
    return factories.ContactFactory(name="Priya Shah", owner=owner, organisation=None)


# The card's change form ------------------------------------------------------------


def _card_rows(card):
    return list(CardChange.objects.filter(opportunity=card).values_list("field", "old", "new"))


def test_the_card_form_carries_the_loaded_version_and_no_rule_bearing_field(manager_client, card):
    page = _page(manager_client.get(_url(Opportunity, "change", card.pk)))

    assert 'name="loaded_version" value="1"' in page
    for field in ("version", "position", "stage", "stage_entered_at", "lost_reason"):
        assert f'name="{field}"' not in page


def test_a_stale_admin_save_is_refused_like_the_board_and_saves_nothing(
    owner, manager_client, card
):
    opportunity_update(opportunity=card, by=owner, version=1, title="Harbour Partners")

    response = manager_client.post(
        _url(Opportunity, "change", card.pk),
        card_form(card, title="Harbour (admin)", loaded_version=1),
        follow=True,
    )

    assert "Nothing was saved: Someone else changed “Harbour Partners”" in _page(response)
    card.refresh_from_db()
    assert (card.title, card.version) == ("Harbour Partners", 2)
    assert _card_rows(card) == [("title", "Harbour", "Harbour Partners")]


def test_an_admin_save_of_the_current_version_goes_through_and_leaves_a_row(manager_client, card):
    url = _url(Opportunity, "change", card.pk)
    response = manager_client.post(url, card_form(card, title="Harbour (admin)", loaded_version=1))

    assert response.status_code == 302
    card.refresh_from_db()
    assert (card.title, card.version) == ("Harbour (admin)", 2)
    assert _card_rows(card) == [("title", "Harbour", "Harbour (admin)")]

    # The same form sent again is now stale: refused, nothing more written.
    again = manager_client.post(url, card_form(card, title="Twice", loaded_version=1), follow=True)
    assert "Nothing was saved" in _page(again)
    card.refresh_from_db()
    assert card.title == "Harbour (admin)" and len(_card_rows(card)) == 1


def test_an_admin_save_that_does_not_say_its_version_is_refused(manager_client, card):
    response = manager_client.post(
        _url(Opportunity, "change", card.pk), card_form(card, title="No version")
    )

    assert response.status_code == 200
    assert "did not say which version of the card it edits" in _page(response)
    card.refresh_from_db()
    assert (card.title, card.version) == ("Harbour", 1) and _card_rows(card) == []


# People and ideas on a card, through the inlines -------------------------------------


def _with_person(card, person, *, role="Partner"):
    return {
        "links-TOTAL_FORMS": 1,
        "links-0-contact": person.pk,
        "links-0-role": role,
        "links-0-is_primary": "on",
    }


def test_a_person_added_to_a_connecting_card_in_the_admin_gets_a_follow_up_and_a_row(
    manager_client, card, priya
):
    Opportunity.objects.filter(pk=card.pk).update(stage=Stage.CONNECTING)
    card.refresh_from_db()
    url = _url(Opportunity, "change", card.pk)

    response = manager_client.post(
        url, card_form(card, loaded_version=1, **_with_person(card, priya))
    )

    assert response.status_code == 302, _page(response)[:2000]
    link = OpportunityContact.objects.get(opportunity=card)
    assert (link.contact, link.role, link.is_primary) == (priya, "Partner", True)
    assert _card_rows(card) == [("contacts", "", "Priya Shah")]
    assert FollowUp.objects.get(contact=priya).status == FollowUp.Status.OPEN
    assert len(_events(priya, Action.FOLLOW_UP_STARTED)) == 1

    # Added again: refused, and nothing more is written.
    card.refresh_from_db()
    again = manager_client.post(
        url,
        card_form(card, loaded_version=card.version, **_with_person(card, priya)),
        follow=True,
    )
    assert "Nothing was saved: Priya Shah is already on this card." in _page(again)
    assert Opportunity.objects.get(pk=card.pk).version == card.version
    assert OpportunityContact.objects.filter(opportunity=card).count() == 1
    assert len(_card_rows(card)) == 1 and FollowUp.objects.filter(contact=priya).count() == 1


def test_people_already_on_a_card_are_read_only_in_the_admin(manager_client, card, priya):
    link = factories.OpportunityContactFactory(opportunity=card, contact=priya, role="Partner")
    other = factories.ContactFactory(name="Tom Other")

    page = _page(manager_client.get(_url(Opportunity, "change", card.pk)))
    assert 'name="links-0-contact"' not in page and 'name="links-0-DELETE"' not in page

    fields = card_form(card, loaded_version=1)
    fields.update(
        {
            "links-TOTAL_FORMS": 1,
            "links-INITIAL_FORMS": 1,
            "links-0-id": link.pk,
            "links-0-opportunity": card.pk,
            "links-0-contact": other.pk,
            "links-0-role": "Swapped",
            "links-0-DELETE": "on",
        }
    )
    manager_client.post(_url(Opportunity, "change", card.pk), fields)

    link.refresh_from_db()
    assert (link.contact, link.role) == (priya, "Partner")
    assert [row for row in _card_rows(card) if row[0] == "contacts"] == []


def test_an_idea_added_through_the_card_inline_goes_through_the_service(
    manager, manager_client, card
):
    fields = card_form(card, loaded_version=1)
    fields.update(
        {
            "connection_ideas-TOTAL_FORMS": 1,
            "connection_ideas-0-kind": ConnectionIdea.Kind.COFFEE,
            "connection_ideas-0-description": "  Coffee at the harbour  ",
        }
    )

    response = manager_client.post(_url(Opportunity, "change", card.pk), fields)

    assert response.status_code == 302
    idea = ConnectionIdea.objects.get(opportunity=card)
    assert (idea.description, idea.status, idea.created_by) == (
        "Coffee at the harbour",
        ConnectionIdea.Status.IDEA,
        manager,
    )


def test_an_idea_is_added_and_marked_in_its_admin_through_the_services(
    manager, manager_client, card
):
    add = manager_client.post(
        _url(ConnectionIdea, "add"),
        {"opportunity": card.pk, "kind": "event", "description": "Trade fair", "via": ""},
    )
    assert add.status_code == 302
    idea = ConnectionIdea.objects.get()
    assert idea.created_by == manager

    page = _page(manager_client.get(_url(ConnectionIdea, "change", idea.pk)))
    assert 'name="description"' not in page and 'name="status"' in page

    manager_client.post(_url(ConnectionIdea, "change", idea.pk), {"status": "worked"})
    idea.refresh_from_db()
    assert (idea.status, idea.description) == (ConnectionIdea.Status.WORKED, "Trade fair")


# People: the organisation's inline and the owner -------------------------------------


def test_the_organisation_inline_cannot_change_a_person_or_their_owner(
    teammate, manager_client, priya
):
    organisation = factories.OrganisationFactory(name="Quayside")
    Contact.objects.filter(pk=priya.pk).update(organisation=organisation)
    url = _url(organisation, "change", organisation.pk)
    assert 'name="contacts-0-owner"' not in _page(manager_client.get(url))

    manager_client.post(
        url,
        {
            "name": "Quayside",
            "sector": "",
            "website": "",
            "notes": "",
            "contacts-TOTAL_FORMS": 1,
            "contacts-INITIAL_FORMS": 1,
            "contacts-0-id": priya.pk,
            "contacts-0-organisation": organisation.pk,
            "contacts-0-name": "Renamed",
            "contacts-0-owner": teammate.pk,
        },
    )

    priya.refresh_from_db()
    assert (priya.name, priya.owner_id) != ("Renamed", teammate.pk)
    assert priya.name == "Priya Shah" and _events(priya, Action.REASSIGNED) == []


def test_an_owner_change_in_the_admin_meets_the_capacity_rule(
    settings, owner, teammate, manager_client, priya
):
    settings.CONVIVIO = {**settings.CONVIVIO, "CAPACITY_MAX": 1}
    touch_plan_start(contact=priya, by=owner)
    touch_plan_start(contact=factories.ContactFactory(owner=teammate), by=teammate)
    url = _url(Contact, "change", priya.pk)

    refused = manager_client.post(url, person_form(priya, owner=teammate.pk), follow=True)

    assert "Nothing was saved: Priya Shah cannot move" in _page(refused)
    priya.refresh_from_db()
    assert priya.owner == owner and _events(priya, Action.REASSIGNED) == []

    settings.CONVIVIO = {**settings.CONVIVIO, "CAPACITY_MAX": 2}
    accepted = manager_client.post(url, person_form(priya, owner=teammate.pk))

    assert accepted.status_code == 302
    priya.refresh_from_db()
    assert priya.owner == teammate and len(_events(priya, Action.REASSIGNED)) == 1


# Promises ----------------------------------------------------------------------------


def _act(client, model, action, rows, **fields):
    return client.post(
        _url(model, "changelist"),
        {"action": action, "_selected_action": [row.pk for row in rows], **fields},
        follow=True,
    )


def test_a_promise_is_read_only_once_made(manager_client, priya):
    promise = factories.PromiseFactory(contact=priya)

    page = _page(manager_client.get(_url(Promise, "change", promise.pk)))

    for field in ("kept_at", "released_at", "release_reason", "what", "due_on", "owner"):
        assert f'name="{field}"' not in page


def test_a_promise_added_in_the_admin_is_made_through_the_service(owner, manager_client, priya):
    response = manager_client.post(
        _url(Promise, "add"),
        {
            "contact": priya.pk,
            "owner": owner.pk,
            "what": "  Send the report ",
            "due_on": _tomorrow(),
        },
    )

    assert response.status_code == 302
    promise = Promise.objects.get()
    assert promise.what == "Send the report"
    assert len(_events(priya, Action.PROMISE_MADE)) == 1


def test_keep_action_keeps_the_promise_with_a_touch_and_refuses_a_second_keep(
    manager_client, priya
):
    promise = factories.PromiseFactory(contact=priya, what="Send the report")

    missing = _act(manager_client, Promise, "keep", [promise])
    assert "Choose how the promise was kept first." in _page(missing)
    assert Touch.objects.count() == 0

    # As on the person's page: a call needs an outcome, so it cannot keep a promise here.
    by_call = _act(manager_client, Promise, "keep", [promise], method="call")
    assert "Say how the call went" in _page(by_call)
    promise.refresh_from_db()
    assert promise.kept_at is None and Touch.objects.count() == 0

    kept = _act(manager_client, Promise, "keep", [promise], method="email")
    assert "1 promise(s) kept." in _page(kept)
    promise.refresh_from_db()
    assert promise.kept_at is not None and promise.kept_touch.method == "email"
    assert len(_events(priya, Action.PROMISE_KEPT)) == 1

    again = _act(manager_client, Promise, "keep", [promise], method="email")
    assert "This promise was already kept." in _page(again)
    assert Touch.objects.count() == 1 and len(_events(priya, Action.PROMISE_KEPT)) == 1


def test_release_action_needs_a_reason_and_goes_row_by_row(manager_client, priya):
    open_promise = factories.PromiseFactory(contact=priya, what="Send the report")
    kept = factories.PromiseFactory(contact=priya, what="Call back", kept_at=timezone.now())

    refused = _act(manager_client, Promise, "release", [open_promise])
    assert "a reason is required" in _page(refused)
    open_promise.refresh_from_db()
    assert open_promise.released_at is None and _events(priya, Action.PROMISE_RELEASED) == []

    response = _act(
        manager_client, Promise, "release", [open_promise, kept], reason="They hired in-house."
    )
    page = _page(response)
    assert "“Call back (to Priya Shah)”: This promise was already kept." in page
    assert "1 promise(s) released." in page
    open_promise.refresh_from_db()
    kept.refresh_from_db()
    assert open_promise.release_reason == "They hired in-house."
    assert kept.released_at is None
    assert len(_events(priya, Action.PROMISE_RELEASED)) == 1


# Touch plans -------------------------------------------------------------------------


@pytest.fixture
def plan(owner, priya):
    plan = factories.TouchPlanFactory(contact=priya)
    factories.PlanItemFactory(plan=plan, method="call", next_due_on=_tomorrow(3))
    return plan


def test_a_plan_and_its_items_show_their_dates_read_only(manager_client, plan):
    page = _page(manager_client.get(_url(TouchPlan, "change", plan.pk)))

    for field in ("ended_at", "started_at", "end_reason", "items-0-next_due_on", "items-0-DELETE"):
        assert f'name="{field}"' not in page


def test_end_plan_action_needs_a_reason_then_ends_the_plan_once(manager_client, plan, priya):
    refused = _act(manager_client, TouchPlan, "end_plan", [plan])
    assert "a reason is required" in _page(refused)
    plan.refresh_from_db()
    assert plan.ended_at is None and _events(priya, Action.PLAN_ENDED) == []

    ended = _act(manager_client, TouchPlan, "end_plan", [plan], reason="Retired.")
    assert "1 touch plan(s) ended." in _page(ended)
    plan.refresh_from_db()
    assert plan.ended_at is not None and plan.end_reason == "Retired."

    again = _act(manager_client, TouchPlan, "end_plan", [plan], reason="Retired.")
    assert "This touch plan has already ended." in _page(again)
    assert len(_events(priya, Action.PLAN_ENDED)) == 1


def test_snooze_item_action_moves_the_chosen_touch_to_a_later_date(manager_client, plan, priya):
    item = plan.items.get()
    before = item.next_due_on

    today = _act(
        manager_client, TouchPlan, "snooze_item", [plan], method="call", until=_tomorrow(0)
    )
    assert "Snooze to a date after today." in _page(today)
    no_email = _act(
        manager_client, TouchPlan, "snooze_item", [plan], method="email", until=_tomorrow(9)
    )
    assert "This plan has no email to snooze." in _page(no_email)
    item.refresh_from_db()
    assert item.next_due_on == before and _events(priya, Action.SNOOZED) == []

    _act(manager_client, TouchPlan, "snooze_item", [plan], method="call", until=_tomorrow(9))
    item.refresh_from_db()
    assert (item.next_due_on, item.snoozed_from) == (_tomorrow(9), before)
    assert len(_events(priya, Action.SNOOZED)) == 1


def test_a_touch_added_to_a_plan_in_the_admin_goes_through_the_service(manager_client, plan, priya):
    item = plan.items.get()
    fields = {
        "items-TOTAL_FORMS": 2,
        "items-INITIAL_FORMS": 1,
        "items-0-id": item.pk,
        "items-0-plan": plan.pk,
        "items-1-method": "email",
        "items-1-interval_days": 30,
    }

    response = manager_client.post(_url(TouchPlan, "change", plan.pk), fields)

    assert response.status_code == 302, _page(response)[:2000]
    assert set(PlanItem.objects.filter(plan=plan).values_list("method", flat=True)) == {
        "call",
        "email",
    }
    assert len(_events(priya, Action.PLAN_CHANGED)) == 1


# Follow-ups --------------------------------------------------------------------------


def test_a_follow_up_is_read_only_and_snoozed_by_the_action(manager_client, priya):
    follow_up = factories.FollowUpFactory(contact=priya)
    answered = factories.FollowUpFactory(
        contact=factories.ContactFactory(name="Tom Answered"),
        status=FollowUp.Status.ANSWERED,
        next_due_at=None,
    )
    page = _page(manager_client.get(_url(FollowUp, "change", follow_up.pk)))
    assert 'name="status"' not in page and 'name="next_due_at_0"' not in page

    missing = _act(manager_client, FollowUp, "snooze", [follow_up])
    assert "Choose the date to snooze to first" in _page(missing)

    response = _act(manager_client, FollowUp, "snooze", [follow_up, answered], until=_tomorrow(4))
    page = _page(response)
    assert "There is no follow-up attempt due to snooze." in page
    assert "1 follow-up(s) snoozed" in page
    follow_up.refresh_from_db()
    assert timezone.localtime(follow_up.next_due_at).date() == _tomorrow(4)
    assert len(_events(priya, Action.SNOOZED)) == 1
    answered.refresh_from_db()
    assert answered.next_due_at is None


# Nothing here deletes a card or history ---------------------------------------------


def _one_of(model, card, priya, owner):
    makers = {
        Opportunity: lambda: card,
        StageChange: lambda: StageChange.objects.create(opportunity=card, to_stage=card.stage),
        CardChange: lambda: CardChange.objects.create(opportunity=card, field="title"),
        ConnectionIdea: lambda: ConnectionIdea.objects.create(opportunity=card, description="x"),
        Contact: lambda: priya,
        Touch: lambda: factories.TouchFactory(contact=priya),
        ContactEvent: lambda: ContactEvent.objects.create(contact=priya, action=Action.UPDATED),
        Promise: lambda: factories.PromiseFactory(contact=priya),
        FollowUp: lambda: factories.FollowUpFactory(contact=priya),
        TouchPlan: lambda: factories.TouchPlanFactory(contact=priya),
    }
    return makers[model]()


NEVER_DELETED = [
    Opportunity,
    StageChange,
    CardChange,
    ConnectionIdea,
    Contact,
    Touch,
    ContactEvent,
    Promise,
    FollowUp,
    TouchPlan,
]


@pytest.mark.parametrize("model", NEVER_DELETED, ids=lambda m: m._meta.label)
def test_the_admin_deletes_no_card_and_no_history(model, manager_client, card, priya, owner):
    row = _one_of(model, card, priya, owner)

    assert manager_client.get(_url(model, "delete", row.pk)).status_code == 403
    assert manager_client.post(_url(model, "delete", row.pk), {"post": "yes"}).status_code == 403
    changelist = _page(manager_client.get(_url(model, "changelist")))
    assert 'value="delete_selected"' not in changelist
    assert model.objects.filter(pk=row.pk).exists()
