"""Booking preferral-exchange lunches: a quarter after the last, moved into the firm's
quietest week, never in the past, weekdays only; 25 partners fill about two a week."""

from collections import Counter
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from cultivation import schedule
from cultivation.models import Alliance, Exchange
from cultivation.services import alliance_mark, alliance_reschedule
from tests import factories

pytestmark = pytest.mark.django_db
# Monday 4 January 2027, mid-morning in London.
NOW = datetime(2027, 1, 4, 10, 0, tzinfo=timezone.get_fixed_timezone(0))
TODAY = date(2027, 1, 4)


def _partner(owner, n=0):
    contact = factories.ContactFactory(owner=owner, name=f"Partner {n}")
    return alliance_mark(
        contact=contact, criteria={"respects_us": True}, preferral_profile="", by=owner, now=NOW
    ).alliance


def test_lunch_day_prefers_the_quiet_week_then_the_quiet_day_then_the_ideal():
    ideal = date(2027, 4, 7)  # a Wednesday
    busy = {date(2027, 4, 5): 1, date(2027, 4, 7): 1}  # two lunches in the ideal's week
    earliest, latest = schedule.lunch_window(today=TODAY, ideal=ideal, quarter_days=91)

    day = schedule.lunch_day(earliest=earliest, latest=latest, ideal=ideal, load=busy)

    assert (earliest, latest) == (date(2027, 3, 24), date(2027, 4, 21))
    # The weeks before and after are empty; of their weekdays, Friday 2 April is as near
    # as Monday 12 April (5 days away): the earlier wins.
    assert day == date(2027, 4, 2)


def test_lunch_day_is_never_a_weekend_nor_in_the_past():
    saturday = date(2027, 1, 9)

    earliest, latest = schedule.lunch_window(today=TODAY, ideal=date(2026, 10, 1), quarter_days=91)
    day = schedule.lunch_day(earliest=earliest, latest=latest, ideal=saturday, load={})

    assert earliest == TODAY + timedelta(days=1)
    assert day.weekday() < 5 and day > TODAY


def test_a_new_partner_gets_the_quietest_week_of_the_coming_quarter(owner):
    first = _partner(owner, 1)
    second = _partner(owner, 2)

    assert first.next_lunch_on == date(2027, 1, 5)  # tomorrow: every week is empty
    assert schedule.week_of(second.next_lunch_on) == date(2027, 1, 11)  # the next week


def test_twenty_five_partners_fall_about_two_a_week_and_never_more_than_three(owner):
    for n in range(25):
        _partner(owner, n)

    days = list(Alliance.objects.values_list("next_lunch_on", flat=True))
    weeks = Counter(schedule.week_of(day) for day in days)
    assert all(day.weekday() < 5 and TODAY < day <= TODAY + timedelta(days=91) for day in days)
    assert max(weeks.values()) <= 3
    # The quarter runs Tuesday 5 January to Monday 5 April: 14 weeks, some of them part
    # weeks. 25 lunches fill 11 of them with two and 3 with one.
    assert len(weeks) == 14
    assert sorted(weeks.values()) == [1] * 3 + [2] * 11
    assert len(set(days)) == 25  # a week's two lunches fall on different days


def test_after_a_lunch_the_next_is_a_quarter_on_in_a_quiet_week(owner):
    alliance = _partner(owner, 1)
    Exchange.objects.create(partner=alliance.contact, on=date(2027, 1, 4), by=owner)
    ideal = date(2027, 1, 4) + timedelta(days=91)  # Monday 5 April
    others = [_partner(owner, n) for n in range(2, 5)]
    Alliance.objects.filter(pk__in=[a.pk for a in others]).update(next_lunch_on=ideal)

    alliance = alliance_reschedule(alliance=alliance, now=NOW)

    assert schedule.week_of(alliance.next_lunch_on) != schedule.week_of(ideal)
    assert abs((alliance.next_lunch_on - ideal).days) <= schedule.LUNCH_SLACK_DAYS
    # The weeks either side are empty: the nearest weekday in them is Friday 2 April.
    assert alliance.next_lunch_on == date(2027, 4, 2)


def test_rescheduling_books_the_week_in_one_aggregate(owner, django_assert_num_queries):
    alliance = _partner(owner, 1)
    for n in range(2, 8):
        _partner(owner, n)

    # Savepoint, lock, last exchange, booked weeks, save, release.
    with django_assert_num_queries(6):
        alliance_reschedule(alliance=alliance, now=NOW)


def test_an_ended_alliance_is_not_booked(owner):
    alliance = _partner(owner, 1)
    Alliance.objects.filter(pk=alliance.pk).update(ended_at=NOW, next_lunch_on=None)

    alliance = alliance_reschedule(alliance=alliance, now=NOW)

    assert alliance.next_lunch_on is None
