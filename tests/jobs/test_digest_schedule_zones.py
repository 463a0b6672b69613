"""The weekly email on each person's own clock: their day and hour in their zone, exactly once
per week of theirs, across London's, New York's and Sydney's clock changes in 2026 and 2027,
after a change of zone, day or hour mid-week, and never when turned off.

Time is driven with explicit `now=`: the beat's sweep runs at :05 past every hour (UTC), as
settings.CELERY_BEAT_SCHEDULE has it, and each person's task it queues runs at once.
"""

from datetime import UTC, date, datetime, time, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command

from cultivation import jobs
from cultivation.jobs import digest
from cultivation.models import JobRun, Preferences, WeeklyDigest
from tests import factories

pytestmark = pytest.mark.django_db

LONDON, NEW_YORK, SYDNEY = "Europe/London", "America/New_York", "Australia/Sydney"
MINUTE = next(iter(settings.CELERY_BEAT_SCHEDULE["weekly-digest"]["schedule"].minute))

# Each zone's clock changes (all on Sundays), and which way the clocks go.
CLOCK_CHANGES = [
    (LONDON, date(2026, 3, 29), "forward"),
    (LONDON, date(2026, 10, 25), "back"),
    (LONDON, date(2027, 3, 28), "forward"),
    (LONDON, date(2027, 10, 31), "back"),
    (NEW_YORK, date(2026, 3, 8), "forward"),
    (NEW_YORK, date(2026, 11, 1), "back"),
    (NEW_YORK, date(2027, 3, 14), "forward"),
    (NEW_YORK, date(2027, 11, 7), "back"),
    (SYDNEY, date(2026, 4, 5), "back"),
    (SYDNEY, date(2026, 10, 4), "forward"),
    (SYDNEY, date(2027, 4, 4), "back"),
    (SYDNEY, date(2027, 10, 3), "forward"),
]
# The local hour each change skips (forward) or repeats (back).
CHANGE_HOUR = {(LONDON, "forward"): 1, (LONDON, "back"): 1, (NEW_YORK, "forward"): 2}
CHANGE_HOUR |= {(NEW_YORK, "back"): 1, (SYDNEY, "forward"): 2, (SYDNEY, "back"): 2}


def person(username, zone, **choices):
    """Someone with something always due (a promise long overdue) and these preferences."""
    user = factories.UserFactory(username=username)
    contact = factories.ContactFactory(owner=user)
    factories.PromiseFactory(contact=contact, due_on=date(2020, 1, 1))
    Preferences.objects.create(user=user, time_zone=zone, **choices)
    return user


def choose(user, **choices):
    Preferences.objects.filter(user=user).update(**choices)


def run_beat(start, end, changes=()):
    """Every sweep from `start` to `end` (UTC), each person's queued task run at once;
    `changes` is [(moment, function)] applied as the clock passes them. Returns
    [(username, moment sent)]."""
    sends, queued = [], []
    changes = sorted(changes, key=lambda change: change[0])
    now = start.replace(minute=MINUTE, second=0, microsecond=0)
    while now < end:
        while changes and changes[0][0] <= now:
            changes.pop(0)[1]()
        queued.clear()
        jobs.weekly_digest_fan_out(enqueue=lambda *task: queued.append(task), now=now)
        for user_id, week_start in queued:
            result = jobs.weekly_digest_send_to(
                user_id=user_id, week_start=date.fromisoformat(week_start), now=now
            )
            sends += [(username, now) for username in (result.sent if result else [])]
        now += timedelta(hours=1)
    assert len(mail.outbox) == len(sends)
    return sends


def local(moment, zone):
    return moment.astimezone(ZoneInfo(zone))


def weeks_of(username):
    """The weeks (their Mondays) an email was sent for."""
    sent = WeeklyDigest.objects.filter(user__username=username).exclude(sent_at=None)
    return sorted(sent.values_list("week_start", flat=True))


@pytest.mark.parametrize(
    "zone, change, way", CLOCK_CHANGES, ids=[f"{z.split('/')[1]}-{d}" for z, d, _ in CLOCK_CHANGES]
)
def test_each_email_comes_at_the_chosen_local_hour_across_the_clock_change(zone, change, way):
    hour = CHANGE_HOUR[(zone, way)]
    person("monday", zone)  # the default: Monday 07:00
    person("sunday", zone, weekly_email_weekday=6)  # 07:00 on the day the clocks change
    person("night", zone, weekly_email_weekday=6, weekly_email_hour=hour)  # in the change
    monday = change - timedelta(days=6)
    start = datetime.combine(monday, time.min, ZoneInfo(zone)).astimezone(UTC)

    sends = run_beat(start, start + timedelta(days=15))

    def seen(username):
        return [local(moment, zone) for name, moment in sends if name == username]

    mondays = [monday, change + timedelta(days=1), change + timedelta(days=8)]
    assert [(f"{at:%a %H:%M}", at.date()) for at in seen("monday")] == [
        ("Mon 07:05", day) for day in mondays
    ]
    assert [(f"{at:%a %H:%M}", at.date()) for at in seen("sunday")] == [
        ("Sun 07:05", change),
        ("Sun 07:05", change + timedelta(days=7)),
    ]
    on_the_day, a_week_later = seen("night")
    if way == "forward":  # the chosen hour does not exist that night: the hour after it
        assert f"{on_the_day:%H:%M}" == f"{hour + 1:02d}:05"
    else:  # it happens twice: the first time, still on summer time
        assert f"{on_the_day:%H:%M}" == f"{hour:02d}:05"
        assert on_the_day.utcoffset() > a_week_later.utcoffset()
    assert on_the_day.date() == change
    assert f"{a_week_later:%a %H:%M}" == f"Sun {hour:02d}:05"
    assert weeks_of("monday") == mondays


@pytest.mark.parametrize("zone", [LONDON, NEW_YORK, SYDNEY])
def test_at_0605_local_nothing_at_0705_the_email(zone):
    alice = person("alice", zone)
    seven = datetime(2026, 11, 23, 7, MINUTE, tzinfo=ZoneInfo(zone)).astimezone(UTC)
    queued = []

    def sweep(now):
        return jobs.weekly_digest_fan_out(enqueue=lambda *task: queued.append(task), now=now)

    WeeklyDigest.objects.create(user=alice, week_start=date(2026, 11, 16), item_count=1)
    assert sweep(seven - timedelta(hours=1)) == 0
    assert sweep(seven) == 1
    assert queued == [(alice.pk, "2026-11-23")]


# Week of Monday 23 November 2026 (no clock changes near it). The moments are UTC.
WEEK = date(2026, 11, 23)
START = datetime(2026, 11, 22, 0, 0, tzinfo=UTC)  # before anyone's week of 23 Nov begins
END = datetime(2026, 12, 8, 0, 0, tzinfo=UTC)


def _last_week_sent(*users):
    """Everyone had last week's email: the run starts mid-stream."""
    for user in users:
        WeeklyDigest.objects.create(user=user, week_start=WEEK - timedelta(days=7), item_count=1)


def test_moving_east_after_this_weeks_email_gets_no_second_one():
    alice = person("alice", NEW_YORK)
    _last_week_sent(alice)
    wednesday = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)

    sends = run_beat(START, END, [(wednesday, lambda: choose(alice, time_zone=SYDNEY))])

    assert [moment for _, moment in sends] == [
        datetime(2026, 11, 23, 12, 5, tzinfo=UTC),  # Mon 07:05 in New York
        datetime(2026, 11, 29, 20, 5, tzinfo=UTC),  # Mon 30 Nov 07:05 in Sydney
        datetime(2026, 12, 6, 20, 5, tzinfo=UTC),  # Mon 7 Dec 07:05 in Sydney
    ]
    assert weeks_of("alice") == [WEEK, WEEK + timedelta(days=7), WEEK + timedelta(days=14)]


def test_moving_east_before_this_weeks_email_gets_it_once_on_the_new_clock():
    alice = person("alice", NEW_YORK, weekly_email_weekday=4)  # Friday 07:00
    _last_week_sent(alice)
    wednesday = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)

    sends = run_beat(START, END, [(wednesday, lambda: choose(alice, time_zone=SYDNEY))])

    assert [moment for _, moment in sends] == [
        datetime(2026, 11, 26, 20, 5, tzinfo=UTC),  # Fri 27 Nov 07:05 in Sydney
        datetime(2026, 12, 3, 20, 5, tzinfo=UTC),  # Fri 4 Dec 07:05 in Sydney
    ]


def test_moving_east_past_the_chosen_hour_catches_up_at_once():
    alice = person("alice", NEW_YORK, weekly_email_weekday=2, weekly_email_hour=20)  # Wed 20:00
    _last_week_sent(alice)
    # Wednesday 12:00 in New York is already Thursday 04:00 in Sydney: past Wednesday 20:00.
    moved = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)

    sends = run_beat(START, END, [(moved, lambda: choose(alice, time_zone=SYDNEY))])

    assert [moment for _, moment in sends] == [
        datetime(2026, 11, 25, 17, 5, tzinfo=UTC),
        datetime(2026, 12, 2, 9, 5, tzinfo=UTC),  # Wed 2 Dec 20:05 in Sydney
    ]


def test_moving_west_after_this_weeks_email_gets_no_second_one():
    alice = person("alice", SYDNEY)
    _last_week_sent(alice)
    wednesday = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)

    sends = run_beat(START, END, [(wednesday, lambda: choose(alice, time_zone=NEW_YORK))])

    assert [moment for _, moment in sends] == [
        datetime(2026, 11, 22, 20, 5, tzinfo=UTC),  # Mon 23 Nov 07:05 in Sydney
        datetime(2026, 11, 30, 12, 5, tzinfo=UTC),  # Mon 30 Nov 07:05 in New York
        datetime(2026, 12, 7, 12, 5, tzinfo=UTC),
    ]


def test_moving_west_before_this_weeks_email_gets_it_once_on_the_new_clock():
    alice = person("alice", SYDNEY, weekly_email_weekday=4)  # Friday 07:00
    _last_week_sent(alice)
    wednesday = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)

    sends = run_beat(START, END, [(wednesday, lambda: choose(alice, time_zone=NEW_YORK))])

    assert [moment for _, moment in sends] == [
        datetime(2026, 11, 27, 12, 5, tzinfo=UTC),  # Fri 27 Nov 07:05 in New York
        datetime(2026, 12, 4, 12, 5, tzinfo=UTC),
    ]


def test_moving_west_across_the_weeks_end_never_sends_an_older_week_after_a_newer_one():
    # Alice turns the email on in Sydney early on Monday 30 November, gets that week's, then
    # moves to New York, where it is still Sunday 29 November: the week of 23 November
    # there, never claimed. It has been covered by the email she just had.
    alice = person("alice", SYDNEY, weekly_email=False)
    changes = [
        (datetime(2026, 11, 29, 19, 0, tzinfo=UTC), lambda: choose(alice, weekly_email=True)),
        (datetime(2026, 11, 29, 21, 0, tzinfo=UTC), lambda: choose(alice, time_zone=NEW_YORK)),
    ]

    sends = run_beat(START, END, changes)

    assert [moment for _, moment in sends] == [
        datetime(2026, 11, 29, 20, 5, tzinfo=UTC),  # Mon 30 Nov 07:05 in Sydney
        datetime(2026, 12, 7, 12, 5, tzinfo=UTC),  # Mon 7 Dec 07:05 in New York
    ]
    assert weeks_of("alice") == [WEEK + timedelta(days=7), WEEK + timedelta(days=14)]


def test_changing_the_day_after_this_weeks_email_waits_for_next_week():
    alice = person("alice", LONDON)
    _last_week_sent(alice)
    tuesday = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)

    sends = run_beat(START, END, [(tuesday, lambda: choose(alice, weekly_email_weekday=4))])

    assert [moment for _, moment in sends] == [
        datetime(2026, 11, 23, 7, 5, tzinfo=UTC),
        datetime(2026, 12, 4, 7, 5, tzinfo=UTC),  # Friday of the next week
    ]


def test_moving_the_day_earlier_past_today_sends_this_weeks_at_once():
    alice = person("alice", LONDON, weekly_email_weekday=4, weekly_email_hour=9)  # Fri 09:00
    _last_week_sent(alice)
    wednesday = datetime(2026, 11, 25, 12, 30, tzinfo=UTC)
    to_monday = lambda: choose(alice, weekly_email_weekday=0, weekly_email_hour=7)  # noqa: E731

    sends = run_beat(START, END, [(wednesday, to_monday)])

    assert [moment for _, moment in sends] == [
        datetime(2026, 11, 25, 13, 5, tzinfo=UTC),  # the next sweep
        datetime(2026, 11, 30, 7, 5, tzinfo=UTC),
        datetime(2026, 12, 7, 7, 5, tzinfo=UTC),
    ]


def test_email_turned_off_sends_nothing_and_the_commands_say_so():
    alice = person("alice", LONDON, weekly_email=False)

    assert run_beat(START, END) == []
    by_hand = jobs.weekly_digest_send(now=datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    assert by_hand.turned_off == ["alice"] and by_hand.sent == []
    assert dict(jobs.weekly_digest_preview(now=START))[alice] is None

    out = StringIO()
    call_command("send_weekly_digest", "--dry-run", "--user", "alice", stdout=out)
    assert "alice: weekly email turned off, no email." in out.getvalue()
    out = StringIO()
    call_command("send_weekly_digest", "--user", "alice", stdout=out)
    assert "Weekly email turned off, nothing sent: alice." in out.getvalue()
    assert mail.outbox == []
    assert not WeeklyDigest.objects.filter(user=alice).exists()


def test_a_week_with_nothing_due_is_decided_once_not_every_hour(owner):
    Preferences.objects.create(user=owner, time_zone=NEW_YORK)
    _last_week_sent(owner)
    monday = datetime(2026, 11, 23, 12, 5, tzinfo=UTC)
    queued = []

    def sweep(now):
        return jobs.weekly_digest_fan_out(enqueue=lambda *task: queued.append(task), now=now)

    assert sweep(monday) == 1
    result = jobs.weekly_digest_send_to(user_id=owner.pk, week_start=WEEK, now=monday)
    assert result.nothing_due == 1 and mail.outbox == []
    assert sweep(monday + timedelta(hours=1)) == 0
    assert WeeklyDigest.objects.get(user=owner, week_start=WEEK).item_count == 0
    assert not jobs.unsent_digests(now=monday + timedelta(days=1)).exists()


def test_a_task_queued_for_a_week_the_person_has_left_does_nothing(owner, due_things):
    due_things(owner)
    Preferences.objects.create(user=owner, time_zone=SYDNEY)
    sunday_night = datetime(2026, 11, 29, 14, 0, tzinfo=UTC)  # Monday 30 Nov in Sydney

    assert jobs.weekly_digest_send_to(user_id=owner.pk, week_start=WEEK, now=sunday_night) is None
    assert mail.outbox == []


def test_a_claim_for_an_older_week_than_one_already_claimed_is_refused(owner):
    # A run that saw alice in her old zone races one that saw her in her new one.
    WeeklyDigest.objects.create(user=owner, week_start=WEEK + timedelta(days=7), item_count=3)

    assert digest._claim(owner, WEEK, 3) is None
    assert digest._claim(owner, WEEK + timedelta(days=7), 3) is None
    assert digest._claim(owner, WEEK + timedelta(days=14), 3).week_start == date(2026, 12, 7)


def test_a_broker_refusing_the_queue_is_recorded_and_raised(owner):
    Preferences.objects.create(user=owner, time_zone=LONDON)
    _last_week_sent(owner)

    def enqueue(*task):
        raise ConnectionError("Redis is down")

    with pytest.raises(ConnectionError):
        jobs.weekly_digest_fan_out(enqueue=enqueue, now=datetime(2026, 11, 23, 9, 0, tzinfo=UTC))

    run = JobRun.objects.get(name=jobs.WEEKLY_DIGEST)
    assert "queueing the weekly emails failed: ConnectionError('Redis is down')" in run.last_error


def test_the_email_lists_the_week_on_the_persons_own_clock():
    # Monday 07:05 in Sydney is still Sunday evening in London, the firm's zone: on the
    # firm's clock a promise due that Monday would not even be in this week.
    alice = factories.UserFactory(username="alice")
    Preferences.objects.create(user=alice, time_zone=SYDNEY)
    _last_week_sent(alice)
    contact = factories.ContactFactory(owner=alice, name="Priya Shah")
    factories.PromiseFactory(contact=contact, due_on=WEEK, what="Send the survey")
    factories.PromiseFactory(contact=contact, due_on=date(2026, 11, 29), what="Call back")

    sends = run_beat(datetime(2026, 11, 22, 19, 0, tzinfo=UTC), END)

    assert sends[0] == ("alice", datetime(2026, 11, 22, 20, 5, tzinfo=UTC))
    message = mail.outbox[0]
    assert message.subject == "Your week in Convivio: 2 things due"
    assert "Send the survey" in message.body and "Call back" in message.body
    assert "OVERDUE" not in message.body
