"""The touch plan's pages: start a plan, add a kind of touch, end it, snooze a due touch.

Each through its URL as a person uses it: allowed (with its history row), refused
(nothing changed, no history row), twice, and as the person's owner, a teammate,
a manager and an anonymous visitor.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from cultivation.models import ContactEvent, PlanItem, TouchPlan
from cultivation.services import plan_end, touch_log, touch_plan_start
from tests import factories
from tests.pages import said

pytestmark = pytest.mark.django_db
Action = ContactEvent.Action
TODAY = date(2026, 6, 10)  # a Wednesday


@pytest.fixture(autouse=True)
def frozen():
    moment = datetime(2026, 6, 10, 10, 0, tzinfo=ZoneInfo("Europe/London"))
    with time_machine.travel(moment, tick=False):
        yield


@pytest.fixture
def plan(person, owner):
    return touch_plan_start(contact=person, by=owner)


def _events(contact, action):
    return list(contact.events.filter(action=action).values_list("by__username", "note"))


def _is_sign_in(response):
    return response.status_code == 302 and response.url.startswith(reverse("login"))


# Starting a plan ------------------------------------------------------------------------


def _start(client, contact, kind="cultivating"):
    url = reverse("cultivation:plan-start", args=[contact.pk])
    return client.post(url, {"kind": kind}, follow=True)


def test_the_owner_starts_a_plan_and_sees_it_on_the_contact_page(as_role, person):
    response = _start(as_role("owner"), person, kind="referral_partner")

    assert response.redirect_chain[-1][0] == person.get_absolute_url()
    assert said(response, "success", "Priya Shah")
    assert "Referral partner since 10 Jun 2026" in response.content.decode()
    plan = TouchPlan.objects.get(contact=person)
    assert (plan.kind, plan.is_live) == ("referral_partner", True)
    assert list(plan.items.values_list("method", "interval_days")) == [("call", 90)]
    assert _events(person, Action.PLAN_STARTED) == [("alice", "Referral partner")]


def test_starting_a_plan_twice_keeps_one_plan_and_one_history_row(as_role, person):
    client = as_role("owner")

    for _ in range(2):
        _start(client, person)

    assert TouchPlan.objects.filter(contact=person).count() == 1
    assert PlanItem.objects.filter(plan__contact=person).count() == 1
    assert len(_events(person, Action.PLAN_STARTED)) == 1


def test_a_manager_starts_a_plan_for_someone_elses_person(as_role, person):
    _start(as_role("manager"), person)

    assert TouchPlan.objects.get(contact=person).started_by.username == "maria"
    assert _events(person, Action.PLAN_STARTED) == [("maria", "Cultivating")]


def test_a_teammate_may_not_start_a_plan_for_someone_elses_person(as_role, person):
    client = as_role("teammate")

    responses = [_start(client, person) for _ in range(2)]

    assert [r.status_code for r in responses] == [403, 403]
    assert "Only Alice Owner" in responses[0].content.decode()
    assert not TouchPlan.objects.filter(contact=person).exists()
    assert not person.events.exists()


def test_an_anonymous_visitor_is_sent_to_sign_in_and_no_plan_starts(as_role, person):
    response = as_role("anonymous").post(
        reverse("cultivation:plan-start", args=[person.pk]), {"kind": "cultivating"}
    )

    assert _is_sign_in(response)
    assert not TouchPlan.objects.exists()


@pytest.mark.parametrize("kind", ["", "friend", "x" * 50])
def test_an_unknown_kind_of_relationship_is_refused_and_no_plan_starts(as_role, person, kind):
    response = _start(as_role("owner"), person, kind=kind)

    assert said(response, "error", "")
    assert f'href="{person.get_absolute_url()}"' in response.content.decode()
    assert not TouchPlan.objects.exists()
    assert not person.events.exists()


def test_someone_who_asked_us_to_stop_gets_no_plan_however_often_it_is_tried(as_role, person):
    person.asked_to_stop_at = datetime(2026, 5, 1, tzinfo=ZoneInfo("UTC"))
    person.save(update_fields=["asked_to_stop_at"])
    client = as_role("owner")

    for _ in range(2):
        response = _start(client, person)
        assert said(response, "error", "asked us to stop")

    assert not TouchPlan.objects.exists()
    assert not person.events.exists()


def test_a_person_nobody_owns_gets_a_plan_from_anyone_without_a_capacity_warning(as_role):
    nobodys = factories.ContactFactory(owner=None, name="Nadia Free")

    response = _start(as_role("teammate"), nobodys)

    assert said(response, "success", "Nadia Free")
    assert TouchPlan.objects.get(contact=nobodys).is_live
    assert _events(nobodys, Action.PLAN_STARTED) == [("bob", "Cultivating")]


def test_an_ended_plan_started_again_starts_afresh_with_one_plan_row(as_role, plan, owner):
    plan_end(plan=plan, by=owner, reason="Moved abroad")

    _start(as_role("owner"), plan.contact)

    plan.refresh_from_db()
    assert (plan.is_live, plan.end_reason) == (True, "")
    assert TouchPlan.objects.filter(contact=plan.contact).count() == 1
    assert len(_events(plan.contact, Action.PLAN_STARTED)) == 2


# Adding a kind of touch -----------------------------------------------------------------


def _add(client, plan, method="note", interval_days="60"):
    url = reverse("cultivation:plan-item-add", args=[plan.pk])
    return client.post(url, {"method": method, "interval_days": interval_days}, follow=True)


def test_the_owner_adds_a_kind_of_touch_and_a_second_time_is_refused(as_role, plan):
    client = as_role("owner")

    first, second = _add(client, plan), _add(client, plan)

    assert first.redirect_chain[-1][0] == plan.contact.get_absolute_url() + "#plan"
    assert said(first, "success", "Handwritten note every 60 days")
    assert said(second, "error", "already in the plan")
    assert plan.items.filter(method="note").count() == 1
    [(by, note)] = _events(plan.contact, Action.PLAN_CHANGED)
    assert (by, "60 days" in note) == ("alice", True)


def test_a_kind_of_touch_done_lately_is_next_due_one_interval_after_it(as_role, plan, owner):
    sent = datetime(2026, 6, 1, 12, 0, tzinfo=ZoneInfo("Europe/London"))
    touch_log(contact=plan.contact, method="note", by=owner, at=sent)

    _add(as_role("owner"), plan, interval_days="30")

    assert plan.items.get(method="note").next_due_on == date(2026, 7, 1)


def test_a_kind_of_touch_last_done_long_ago_is_due_today_not_in_the_past(as_role, plan, owner):
    sent = datetime(2025, 1, 6, 12, 0, tzinfo=ZoneInfo("Europe/London"))
    touch_log(contact=plan.contact, method="note", by=owner, at=sent)

    _add(as_role("owner"), plan, interval_days="30")

    assert plan.items.get(method="note").next_due_on == TODAY


@pytest.mark.parametrize(
    ("method", "interval_days"),
    [("note", "0"), ("note", "731"), ("note", "often"), ("fax", "30"), ("", "30")],
)
def test_an_unreadable_kind_or_interval_is_refused_and_nothing_is_added(
    as_role, plan, method, interval_days
):
    response = _add(as_role("owner"), plan, method, interval_days)

    assert said(response, "error", "")
    assert list(plan.items.values_list("method", flat=True)) == ["call"]
    assert not plan.contact.events.filter(action=Action.PLAN_CHANGED).exists()


def test_nothing_is_added_to_an_ended_plan(as_role, plan, owner):
    plan_end(plan=plan, by=owner, reason="Moved abroad")

    response = _add(as_role("owner"), plan)

    assert said(response, "error", "ended")
    assert not plan.items.filter(method="note").exists()


def test_a_manager_may_add_a_kind_of_touch_and_a_teammate_may_not(as_role, plan):
    refused = _add(as_role("teammate"), plan)
    allowed = _add(as_role("manager"), plan)

    assert refused.status_code == 403
    assert allowed.status_code == 200
    assert [by for by, _ in _events(plan.contact, Action.PLAN_CHANGED)] == ["maria"]


def test_an_anonymous_visitor_adds_nothing_to_a_plan(as_role, plan):
    url = reverse("cultivation:plan-item-add", args=[plan.pk])

    response = as_role("anonymous").post(url, {"method": "note", "interval_days": "60"})

    assert _is_sign_in(response)
    assert plan.items.count() == 1


# Ending a plan --------------------------------------------------------------------------


def _end(client, plan, reason="Retired to Portugal"):
    url = reverse("cultivation:plan-end", args=[plan.pk])
    return client.post(url, {"reason": reason}, follow=True)


def test_the_owner_ends_a_plan_with_a_reason_and_a_second_end_is_refused(as_role, plan):
    client = as_role("owner")

    first, second = _end(client, plan), _end(client, plan)

    assert first.redirect_chain[-1][0] == plan.contact.get_absolute_url()
    assert said(first, "success", "Priya Shah")
    assert "An earlier plan ended 10 Jun 2026: Retired to Portugal" in first.content.decode()
    assert said(second, "error", "already ended")
    plan.refresh_from_db()
    assert (plan.is_live, plan.end_reason) == (False, "Retired to Portugal")
    assert _events(plan.contact, Action.PLAN_ENDED) == [("alice", "Retired to Portugal")]


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_plan_is_not_ended_without_a_reason(as_role, plan, reason):
    response = _end(as_role("owner"), plan, reason)

    assert said(response, "error", "reason")
    plan.refresh_from_db()
    assert plan.is_live
    assert not plan.contact.events.filter(action=Action.PLAN_ENDED).exists()


def test_a_manager_may_end_a_plan_and_a_teammate_may_not(as_role, plan):
    refused = _end(as_role("teammate"), plan)
    plan.refresh_from_db()
    assert (refused.status_code, plan.is_live) == (403, True)

    _end(as_role("manager"), plan)

    plan.refresh_from_db()
    assert not plan.is_live
    assert _events(plan.contact, Action.PLAN_ENDED) == [("maria", "Retired to Portugal")]


def test_an_anonymous_visitor_ends_no_plan(as_role, plan):
    url = reverse("cultivation:plan-end", args=[plan.pk])

    response = as_role("anonymous").post(url, {"reason": "Retired"})

    assert _is_sign_in(response)
    plan.refresh_from_db()
    assert plan.is_live


def test_a_plan_that_does_not_exist_is_404(as_role):
    response = as_role("owner").post(reverse("cultivation:plan-end", args=[99999]), {"reason": "x"})

    assert response.status_code == 404


# Snoozing a due touch -------------------------------------------------------------------


def _snooze(client, item, until, next_url="/my-week/"):
    url = reverse("cultivation:plan-item-snooze", args=[item.pk])
    return client.post(url, {"until": until, "next": next_url}, follow=True)


def test_the_owner_snoozes_a_touch_and_is_sent_back_where_they_were(as_role, plan):
    item = plan.items.get()
    due = item.next_due_on

    response = _snooze(
        as_role("owner"), item, "2026-06-24", next_url=plan.contact.get_absolute_url()
    )

    assert response.redirect_chain[-1][0] == plan.contact.get_absolute_url()
    assert said(response, "success", "Wed 24 Jun")
    item.refresh_from_db()
    assert (item.next_due_on, item.snoozed_from) == (date(2026, 6, 24), due)
    [(by, note)] = _events(plan.contact, Action.SNOOZED)
    assert (by, f"{due:%-d %b}" in note, "24 Jun 2026" in note) == ("alice", True, True)


@pytest.mark.parametrize("until", ["2026-06-10", "2026-06-09"])
def test_a_touch_is_not_snoozed_to_today_or_earlier(as_role, plan, until):
    item = plan.items.get()
    due = item.next_due_on

    for _ in range(2):
        response = _snooze(as_role("owner"), item, until)
        assert said(response, "error", "after today")

    item.refresh_from_db()
    assert (item.next_due_on, item.snoozed_from) == (due, None)
    assert not plan.contact.events.filter(action=Action.SNOOZED).exists()


@pytest.mark.parametrize("until", ["", "next week", "2026-02-30", "2127-01-01", "1899-12-31"])
def test_an_unreadable_snooze_date_is_refused(as_role, plan, until):
    item = plan.items.get()
    due = item.next_due_on

    response = _snooze(as_role("owner"), item, until)

    assert said(response, "error", "date")
    item.refresh_from_db()
    assert item.next_due_on == due


def test_a_touch_of_an_ended_plan_is_not_snoozed(as_role, plan, owner):
    item = plan.items.get()
    plan_end(plan=plan, by=owner, reason="Moved abroad")

    response = _snooze(as_role("owner"), item, "2026-06-24")

    assert said(response, "error", "ended")
    assert not plan.contact.events.filter(action=Action.SNOOZED).exists()


def test_a_manager_may_snooze_a_touch_and_a_teammate_may_not(as_role, plan):
    item = plan.items.get()

    refused = _snooze(as_role("teammate"), item, "2026-06-24")
    assert refused.status_code == 403
    assert not plan.contact.events.filter(action=Action.SNOOZED).exists()

    _snooze(as_role("manager"), item, "2026-06-24")
    item.refresh_from_db()
    assert item.next_due_on == date(2026, 6, 24)
    assert [by for by, _ in _events(plan.contact, Action.SNOOZED)] == ["maria"]


def test_an_anonymous_visitor_snoozes_nothing(as_role, plan):
    item = plan.items.get()
    url = reverse("cultivation:plan-item-snooze", args=[item.pk])

    response = as_role("anonymous").post(url, {"until": "2026-06-24"})

    assert _is_sign_in(response)
    assert PlanItem.objects.get(pk=item.pk).next_due_on == item.next_due_on


def test_a_snooze_page_reached_by_a_link_is_refused_as_a_get(as_role, plan):
    url = reverse("cultivation:plan-item-snooze", args=[plan.items.get().pk])

    assert as_role("owner").get(url).status_code == 405
