"""Touch plans: next due dates, two-way touches, snoozing, and spreading first due dates."""

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from convivio.errors import RuleViolation
from cultivation import schedule
from cultivation.models import Alliance, ContactEvent, PlanItem, TouchPlan
from cultivation.services import plan_item_add, plan_item_snooze, touch_log, touch_plan_start
from opportunities.models import Stage
from opportunities.services import opportunity_move
from tests import factories

LONDON = ZoneInfo("Europe/London")
ZONES = st.sampled_from(
    [LONDON, ZoneInfo("America/New_York"), ZoneInfo("Australia/Sydney"), ZoneInfo("UTC")]
)
MOMENTS = st.datetimes(
    min_value=datetime(1996, 1, 1), max_value=datetime(2060, 12, 31), timezones=st.just(UTC)
)
# The hours around daylight-saving changes and leap days, where off-by-one bugs live.
EDGES = st.sampled_from(
    [
        datetime(2026, 3, 29, 0, 30, tzinfo=UTC),
        datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
        datetime(2028, 2, 29, 23, 30, tzinfo=UTC),
        datetime(2027, 12, 31, 23, 59, tzinfo=UTC),
    ]
)


@given(moment=st.one_of(MOMENTS, EDGES), interval=st.integers(1, 730), tz=ZONES)
def test_next_due_is_the_local_day_of_the_last_touch_plus_the_interval(moment, interval, tz):
    due = schedule.next_due_on(moment, interval, tz)

    assert (due - moment.astimezone(tz).date()).days == interval


@given(moment=st.one_of(MOMENTS, EDGES), hours=st.sampled_from([48, 168, 504]))
def test_follow_up_is_due_after_exactly_that_many_hours_of_elapsed_time(moment, hours):
    due = schedule.follow_up_due_at(moment.astimezone(LONDON), hours)

    assert (due - moment).total_seconds() == hours * 3600


def test_a_touch_late_in_the_evening_before_the_clocks_change_counts_on_its_local_day():
    # 23:30 BST on 24 Oct 2026 is 22:30 UTC; the local day is the 24th, not the 25th.
    moment = datetime(2026, 10, 24, 22, 30, tzinfo=UTC)

    assert schedule.next_due_on(moment, 90, LONDON) == date(2027, 1, 22)


DAYS = st.dates(min_value=date(1996, 1, 1), max_value=date(2060, 12, 31))
LOADS = st.dictionaries(st.integers(1, 120), st.integers(0, 6), max_size=40)


@given(
    today=st.one_of(DAYS, st.sampled_from([date(2028, 2, 28), date(2026, 3, 28)])),
    interval=st.integers(1, 365),
    offsets=LOADS,
)
def test_first_due_is_a_least_loaded_weekday_inside_the_interval(today, interval, offsets):
    load = Counter({today + timedelta(days=n): count for n, count in offsets.items()})

    due = schedule.spread_first_due(today=today, interval_days=interval, load=load)

    window = [today + timedelta(days=n) for n in range(1, interval + 1)]
    weekdays = [day for day in window if day.weekday() < 5] or window
    assert due in weekdays
    assert load[due] == min(load[day] for day in weekdays)


@settings(max_examples=40, deadline=None)
@given(today=DAYS, pool=st.integers(60, 260))
def test_a_pool_spread_one_by_one_falls_about_a_third_in_each_month(today, pool):
    load = Counter()
    for _ in range(pool):
        load[schedule.spread_first_due(today=today, interval_days=90, load=load)] += 1

    per_day = [load[today + timedelta(days=n)] for n in range(1, 91)]
    weekday_loads = [c for n, c in enumerate(per_day, 1) if (today + timedelta(n)).weekday() < 5]
    assert max(weekday_loads) - min(weekday_loads) <= 1
    months = [sum(per_day[i : i + 30]) for i in (0, 30, 60)]
    assert all(abs(month - pool / 3) <= pool * 0.06 + 2 for month in months), months


@pytest.mark.django_db
def test_card_entering_cultivating_gives_its_person_a_quarterly_touch_base_call(person, owner, met):
    card = met(person)
    touch_log(contact=person, method="email", by=owner)

    opportunity_move(opportunity=card, to_stage=Stage.CULTIVATING, by=owner, version=card.version)

    item = PlanItem.objects.get(plan__contact=person)
    assert (item.method, item.interval_days, item.label) == ("call", 90, "Touch-base call")
    assert timezone.localdate() < item.next_due_on <= timezone.localdate() + timedelta(days=90)
    assert person.events.filter(action=ContactEvent.Action.PLAN_STARTED).count() == 1


@pytest.mark.django_db
def test_strategic_alliance_also_gets_a_quarterly_lunch(person, owner):
    plan = touch_plan_start(contact=person, by=owner, kind=TouchPlan.Kind.ALLIANCE)

    assert sorted(plan.items.values_list("method", flat=True)) == ["call", "lunch"]


@pytest.mark.django_db
def test_a_live_alliance_partners_plan_has_no_lunch_of_its_own(person, owner):
    # The exchange lunch booked with them is the lunch (services/alliances.py).
    Alliance.objects.create(contact=person)

    plan = touch_plan_start(contact=person, by=owner, kind=TouchPlan.Kind.ALLIANCE)

    assert sorted(plan.items.values_list("method", flat=True)) == ["call"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "direction", "outcome", "resets_call"),
    [
        ("call", "ours", "no_need", True),
        ("call", "ours", "not_reached", True),
        ("meeting", "ours", "", True),
        ("lunch", "ours", "", True),
        ("email", "theirs", "", True),
        ("newsletter", "ours", "", False),
        ("note", "ours", "", False),
    ],
)
def test_two_way_touches_reset_the_touch_base_clock_and_one_way_touches_do_not(
    method, direction, outcome, resets_call, person, owner
):
    plan = touch_plan_start(contact=person, by=owner)
    before = plan.items.get(method="call").next_due_on
    at = timezone.now()

    touch_log(contact=person, method=method, direction=direction, outcome=outcome, by=owner, at=at)

    after = plan.items.get(method="call").next_due_on
    expected = timezone.localdate(at) + timedelta(days=90)
    assert after == (expected if resets_call else before)


@pytest.mark.django_db
def test_a_touch_of_a_planned_kind_sets_that_kinds_next_due_date(person, owner):
    plan = touch_plan_start(contact=person, by=owner)
    plan_item_add(plan=plan, method="note", interval_days=180, by=owner)

    touch_log(contact=person, method="note", by=owner)

    item = plan.items.get(method="note")
    assert item.next_due_on == timezone.localdate() + timedelta(days=180)
    with pytest.raises(RuleViolation, match="already in the plan"):
        plan_item_add(plan=plan, method="note", interval_days=90, by=owner)


@pytest.mark.django_db
def test_snoozing_moves_the_due_date_and_records_it(person, owner):
    item = touch_plan_start(contact=person, by=owner).items.get()
    until = timezone.localdate() + timedelta(days=10)

    plan_item_snooze(item=item, until=until, by=owner)

    item.refresh_from_db()
    assert item.next_due_on == until
    assert person.events.filter(action=ContactEvent.Action.SNOOZED).count() == 1


@pytest.mark.django_db
def test_snoozing_to_today_or_earlier_is_refused_and_nothing_changes(person, owner):
    item = touch_plan_start(contact=person, by=owner).items.get()
    due = item.next_due_on

    with pytest.raises(RuleViolation, match="a date after today"):
        plan_item_snooze(item=item, until=timezone.localdate(), by=owner)

    item.refresh_from_db()
    assert item.next_due_on == due
    assert not person.events.filter(action=ContactEvent.Action.SNOOZED).exists()


@pytest.mark.django_db
def test_snooze_is_one_click_from_my_week(owner_client, person, owner):
    item = touch_plan_start(contact=person, by=owner).items.get()
    PlanItem.objects.filter(pk=item.pk).update(next_due_on=timezone.localdate())
    until = timezone.localdate() + timedelta(days=14)

    response = owner_client.post(
        f"/plan-items/{item.pk}/snooze/",
        {"until": until.isoformat(), "next": "/my-week/"},
        follow=True,
    )

    assert f"snoozed to {until:%a %-d %b}" in response.content.decode()
    assert "No planned touches due." in response.content.decode()


@pytest.mark.django_db
def test_new_plans_of_one_owner_are_spread_not_bunched(owner):
    people = factories.ContactFactory.create_batch(30, owner=owner)

    for contact in people:
        touch_plan_start(contact=contact, by=owner)

    due_dates = Counter(PlanItem.objects.values_list("next_due_on", flat=True))
    assert max(due_dates.values()) == 1
