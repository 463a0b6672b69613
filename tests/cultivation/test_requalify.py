"""A recall to requalify: a touch-base call that reached the person says whether they are
still worth cultivating; "no longer qualifies" ends their plan, not for good."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from convivio.errors import PermissionRefused, RuleViolation
from cultivation.models import ContactEvent, Touch, TouchPlan
from cultivation.services import touch_log, touch_plan_start
from tests import factories

pytestmark = pytest.mark.django_db
QUICK = reverse("cultivation:touch-quick")
FULL = reverse("cultivation:touch-new")
MY_WEEK = reverse("cultivation:my-week")
NOW = datetime(2026, 6, 10, 10, 0, tzinfo=ZoneInfo("Europe/London"))
ONLY_REACHED = "Only a call that reached the person says whether they are still worth cultivating."


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def plan(person):
    """Priya is cultivated; an email went before, so a call is not cold."""
    plan = factories.TouchPlanFactory(contact=person)
    factories.TouchFactory(contact=person, method="email")
    factories.PlanItemFactory(plan=plan, method="call", next_due_on=timezone.localdate())
    return plan


def _call(person, by, **extra):
    return touch_log(contact=person, method="call", outcome="no_need", by=by, **extra)


def test_a_reached_call_that_still_qualifies_keeps_the_plan(person, owner, plan):
    touch = _call(person, owner, still_qualifies=True)

    plan.refresh_from_db()
    assert (touch.still_qualifies, plan.is_live) == (True, True)
    assert not ContactEvent.objects.filter(action=ContactEvent.Action.PLAN_ENDED).exists()


def test_no_longer_qualifies_ends_the_plan_but_not_for_good(person, owner, plan):
    touch = _call(person, owner, still_qualifies=False)

    plan.refresh_from_db()
    person.refresh_from_db()
    assert touch.still_qualifies is False
    assert (plan.is_live, plan.end_reason) == (False, "No longer qualifies.")
    assert person.asked_to_stop_at is None
    event = ContactEvent.objects.get(action=ContactEvent.Action.PLAN_ENDED)
    assert (event.contact, event.by, event.note) == (person, owner, "No longer qualifies.")
    assert not ContactEvent.objects.filter(action=ContactEvent.Action.ASKED_TO_STOP).exists()
    # They may come back: a new plan later is allowed.
    again = touch_plan_start(contact=person, by=owner)
    assert (again.pk, again.is_live, again.end_reason) == (plan.pk, True, "")


def test_a_touch_without_a_requalification_leaves_it_empty(person, owner, plan):
    touch = _call(person, owner)

    assert touch.still_qualifies is None
    assert TouchPlan.objects.live().filter(contact=person).count() == 1


@pytest.mark.parametrize(
    ("method", "outcome"),
    [("call", "not_reached"), ("email", ""), ("note", "")],
)
@pytest.mark.parametrize("still_qualifies", [True, False])
def test_only_a_reached_call_requalifies(person, owner, plan, method, outcome, still_qualifies):
    with pytest.raises(RuleViolation) as refused:
        touch_log(
            contact=person,
            method=method,
            outcome=outcome,
            by=owner,
            still_qualifies=still_qualifies,
        )

    assert str(refused.value) == ONLY_REACHED
    assert Touch.objects.filter(contact=person).count() == 1  # the email before
    plan.refresh_from_db()
    assert plan.is_live


def test_only_the_owner_or_a_manager_says_someone_no_longer_qualifies(
    person, owner, teammate, manager, plan
):
    with pytest.raises(PermissionRefused) as refused:
        _call(person, teammate, still_qualifies=False)

    assert str(refused.value) == (
        "Only Alice Owner, Priya Shah's owner, or a manager can record that Priya Shah no "
        "longer qualifies. Log the call as still worth cultivating and tell them."
    )
    plan.refresh_from_db()
    assert plan.is_live
    assert _call(person, teammate, still_qualifies=True).still_qualifies is True
    _call(person, manager, still_qualifies=False)
    plan.refresh_from_db()
    assert plan.end_reason == "No longer qualifies."


def _quick(person, **extra):
    return {"contact": person.pk, "method": "call", "outcome": "no_need", "next": MY_WEEK} | extra


def test_the_quick_log_asks_still_worth_cultivating_with_yes_preset(owner_client, person):
    response = owner_client.get(QUICK, {"contact": person.pk, "method": "call"})

    page = response.content.decode()
    assert response.status_code == 200
    assert '<fieldset class="cv-requalify">' in page
    assert "Still worth cultivating?" in page
    assert 'name="still_qualifies" value="yes" class="btn-check"' in page
    assert 'value="yes" class="btn-check" id="id_still_qualifies_0" checked' in page


def test_the_quick_log_takes_yes_without_a_tap(owner_client, person, plan):
    response = owner_client.post(QUICK, _quick(person))

    assert (response.status_code, response.url) == (302, MY_WEEK)
    assert Touch.objects.get(method="call").still_qualifies is True
    plan.refresh_from_db()
    assert plan.is_live


def test_the_quick_log_no_longer_qualifies_ends_the_plan(owner_client, person, plan):
    response = owner_client.post(QUICK, _quick(person, still_qualifies="no"))

    assert (response.status_code, response.url) == (302, MY_WEEK)
    assert Touch.objects.get(method="call").still_qualifies is False
    plan.refresh_from_db()
    assert (plan.is_live, plan.end_reason) == (False, "No longer qualifies.")


@pytest.mark.parametrize(
    "extra",
    [{"outcome": "not_reached"}, {"method": "email", "outcome": ""}],
)
def test_the_quick_log_drops_the_answer_when_the_call_did_not_reach_them(
    owner_client, person, plan, extra
):
    response = owner_client.post(QUICK, _quick(person, still_qualifies="no", **extra))

    assert response.status_code == 302
    assert set(Touch.objects.values_list("still_qualifies", flat=True)) == {None}
    plan.refresh_from_db()
    assert plan.is_live


@pytest.mark.parametrize("raw", ["maybe", "1\x00", "n" * 100_000])
def test_a_nonsense_answer_is_a_400_and_nothing_is_written(owner_client, person, plan, raw):
    response = owner_client.post(QUICK, _quick(person, still_qualifies=raw))

    assert response.status_code == 400
    assert not Touch.objects.filter(method="call").exists()
    plan.refresh_from_db()
    assert plan.is_live


def test_a_teammate_refused_on_the_quick_log_sees_the_sentence(teammate_client, person, plan):
    response = teammate_client.post(QUICK, _quick(person, still_qualifies="no"))

    assert response.status_code == 400
    assert "or a manager can record that Priya Shah no longer qualifies" in (
        response.content.decode()
    )
    assert not Touch.objects.filter(method="call").exists()


def test_the_full_form_records_no_longer_qualifies(owner_client, person, plan):
    page = owner_client.get(FULL, {"contact": person.pk}).content.decode()
    assert 'id="div_id_still_qualifies"' in page
    data = {
        "contact": person.pk,
        "method": "call",
        "direction": "ours",
        "on": "2026-06-10",
        "outcome": "need_found",
        "still_qualifies": "no",
    }

    response = owner_client.post(FULL, data)

    assert response.status_code == 302
    touch = Touch.objects.get(method="call")
    assert (touch.outcome, touch.still_qualifies) == ("need_found", False)
    plan.refresh_from_db()
    assert plan.end_reason == "No longer qualifies."


def test_the_full_form_ignores_the_answer_for_a_note(owner_client, person, plan):
    data = {
        "contact": person.pk,
        "method": "note",
        "direction": "ours",
        "on": "2026-06-10",
        "still_qualifies": "no",
    }

    response = owner_client.post(FULL, data)

    assert response.status_code == 302
    assert Touch.objects.get(method="note").still_qualifies is None
    plan.refresh_from_db()
    assert plan.is_live


def test_the_persons_page_shows_the_call_that_found_them_no_longer_qualifying(
    owner_client, person, owner, plan
):
    _call(person, owner, still_qualifies=False)

    page = owner_client.get(person.get_absolute_url()).content.decode()

    assert "</strong> from us: reached, no need, no longer qualifies" in page
    assert "No longer qualifies." in page  # the plan's end, in the history
