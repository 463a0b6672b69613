"""The beat schedule across both clock changes: one scan a local day, one email a local week.

The beat's own crontab entries from settings decide when each task fires; time
is moved in five-minute steps with time-machine, and the task functions run at
each firing, as a worker would run them.
"""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.utils import timezone

from convivio.celery import app
from cultivation import tasks
from cultivation.models import ContactEvent, WeeklyDigest
from tests import factories

pytestmark = pytest.mark.django_db

STEP = timedelta(minutes=5)
# Europe/London: clocks go forward on Sunday 29 March 2026, back on Sunday 25 October 2026.
SPRING = date(2026, 3, 29)
AUTUMN = date(2026, 10, 25)


def beat_firings(entry, start, days):
    """Run time forward from `start` (UTC) as beat would, yielding each time `entry` fires."""
    schedule = settings.CELERY_BEAT_SCHEDULE[entry]["schedule"]
    now = last_run = datetime.combine(start, time.min, UTC)
    end = now + timedelta(days=days)
    with time_machine.travel(now, tick=False) as traveller:
        while now + STEP < end:
            now += STEP
            traveller.move_to(now)
            if schedule.is_due(last_run).is_due:
                last_run = now
                yield timezone.localtime(now)


def test_the_beat_schedule_names_real_tasks_in_utc():
    assert app.conf.timezone == "UTC"
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks
    # The scan keeps clear of the clock changes; the email sweep runs every hour.
    assert not {1, 2} & settings.CELERY_BEAT_SCHEDULE["due-scan"]["schedule"].hour
    assert settings.CELERY_BEAT_SCHEDULE["weekly-digest"]["schedule"].hour == set(range(24))


@pytest.mark.parametrize("change", [SPRING, AUTUMN], ids=["spring", "autumn"])
def test_one_scan_per_local_day_across_the_clock_change(change, owner):
    days = [change + timedelta(days=n) for n in range(-4, 5)]
    for day in days:
        # Waited out at 03:00 local on `day`: that day's scan (04:15 or 05:15) stamps it.
        factories.FollowUpFactory(
            contact=factories.ContactFactory(owner=owner),
            attempt_count=3,
            next_due_at=None,
            exhausts_at=timezone.make_aware(datetime.combine(day, time(3))),
        )

    firings, stamped = [], []
    for fired in beat_firings("due-scan", days[0], len(days)):
        firings.append(fired)
        stamped.append(tasks.due_scan())

    assert [fired.date() for fired in firings] == days
    assert {f"{fired:%H:%M}" for fired in firings if fired.date() < change} == {
        "04:15" if change == SPRING else "05:15"
    }
    assert {f"{fired:%H:%M}" for fired in firings if fired.date() > change} == {
        "05:15" if change == SPRING else "04:15"
    }
    assert stamped == [1] * len(days)
    events = ContactEvent.objects.filter(action=ContactEvent.Action.FOLLOW_UP_EXHAUSTED)
    # Each stamped by the scan of its own local day, not a day early or late.
    assert sorted(timezone.localdate(event.at) for event in events) == days


@pytest.mark.parametrize("change", [SPRING, AUTUMN], ids=["spring", "autumn"])
def test_one_email_per_local_week_on_monday_morning_across_the_clock_change(
    change, owner, weekly_digest_task
):
    contact = factories.ContactFactory(owner=owner)
    factories.PromiseFactory(contact=contact, due_on=change - timedelta(days=30))  # always due
    start = change - timedelta(days=6)  # a Monday: the first week's email is due that morning

    sends = []
    for fired in beat_firings("weekly-digest", start, 15):
        before = len(mail.outbox)
        weekly_digest_task()
        if len(mail.outbox) > before:
            sends.append(fired)

    mondays = [change - timedelta(days=6), change + timedelta(days=1), change + timedelta(days=8)]
    assert [fired.date() for fired in sends] == mondays
    assert {f"{fired:%a %H:%M}" for fired in sends} == {"Mon 07:05"}
    assert len(mail.outbox) == 3
    assert sorted(WeeklyDigest.objects.values_list("week_start", flat=True)) == mondays
