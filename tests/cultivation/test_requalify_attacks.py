"""The "still worth cultivating?" answer under hostile or careless input."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from cultivation.models import ContactEvent, Touch, TouchPlan
from tests import factories

pytestmark = pytest.mark.django_db
FULL = reverse("cultivation:touch-new")
NOW = datetime(2026, 6, 10, 10, 0, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def plan(person):
    plan = factories.TouchPlanFactory(contact=person)
    factories.TouchFactory(contact=person, method="email")
    factories.PlanItemFactory(plan=plan, method="call", next_due_on=NOW.date())
    return plan


def _data(person, **change):
    return {
        "contact": person.pk,
        "method": "call",
        "direction": "ours",
        "on": "2026-06-10",
        "outcome": "need_found",
        "still_qualifies": "no",
        **change,
    }


@pytest.mark.parametrize(
    "change",
    [
        {"still_qualifies": "no\x00"},
        {"still_qualifies": "false"},
        {"on": "2026-06-11"},  # tomorrow
        {"on": "2026-02-30"},
        {"contact": "1\x00"},
        {"contact": "99999999999999999999999"},
    ],
)
def test_bad_input_is_400_and_the_plan_goes_on(owner_client, person, plan, change):
    response = owner_client.post(FULL, _data(person, **change))

    assert response.status_code == 400
    plan.refresh_from_db()
    assert plan.is_live
    assert not Touch.objects.filter(method="call").exists()


def test_a_double_post_ends_the_plan_once(owner_client, person, plan):
    for _ in range(2):
        owner_client.post(FULL, _data(person))

    plan.refresh_from_db()
    assert plan.end_reason == "No longer qualifies."
    ended = ContactEvent.objects.filter(contact=person, action=ContactEvent.Action.PLAN_ENDED)
    assert ended.count() == 1
    assert not TouchPlan.objects.live().filter(contact=person).exists()


def test_a_teammate_cannot_end_someone_elses_plan_this_way(teammate_client, person, plan):
    response = teammate_client.post(FULL, _data(person))

    assert 400 <= response.status_code < 500
    plan.refresh_from_db()
    assert plan.is_live
