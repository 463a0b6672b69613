"""Snoozing twice to the same day (a double click, a resent form) changes nothing more."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from cultivation.models import ContactEvent
from cultivation.services import touch_plan_start
from tests import factories

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def test_snoozing_a_touch_again_to_the_same_date_keeps_its_first_due_date_and_one_row(
    owner_client, person, owner
):
    with time_machine.travel(datetime(2026, 6, 10, 10, tzinfo=LONDON)):
        item = touch_plan_start(contact=person, by=owner).items.get()
        due = item.next_due_on
        url = reverse("cultivation:plan-item-snooze", args=[item.pk])
        for _ in range(2):
            owner_client.post(url, {"until": "2026-06-24"})
    item.refresh_from_db()
    assert (item.next_due_on, item.snoozed_from) == (date(2026, 6, 24), due)
    assert person.events.filter(action=ContactEvent.Action.SNOOZED).count() == 1


def test_snoozing_a_touch_a_second_time_keeps_the_date_it_was_first_due(
    owner_client, person, owner
):
    with time_machine.travel(datetime(2026, 6, 10, 10, tzinfo=LONDON)):
        item = touch_plan_start(contact=person, by=owner).items.get()
        due = item.next_due_on
        url = reverse("cultivation:plan-item-snooze", args=[item.pk])
        owner_client.post(url, {"until": "2026-06-24"})
        owner_client.post(url, {"until": "2026-07-01"})
    item.refresh_from_db()
    assert (item.next_due_on, item.snoozed_from) == (date(2026, 7, 1), due)
    assert person.events.filter(action=ContactEvent.Action.SNOOZED).count() == 2


def test_snoozing_a_follow_up_twice_to_the_same_day_records_one_snooze(owner_client, person, owner):
    with time_machine.travel(datetime(2026, 6, 10, 10, tzinfo=LONDON), tick=False):
        follow_up = factories.FollowUpFactory(
            contact=person, owner=owner, next_due_at=datetime(2026, 6, 12, 11, tzinfo=LONDON)
        )
        url = reverse("cultivation:follow-up-snooze", args=[follow_up.pk])
        for _ in range(2):
            owner_client.post(url, {"until": "2026-06-17"})
    follow_up.refresh_from_db()
    assert follow_up.next_due_at == datetime(2026, 6, 17, 9, tzinfo=LONDON)
    assert person.events.filter(action=ContactEvent.Action.SNOOZED).count() == 1
