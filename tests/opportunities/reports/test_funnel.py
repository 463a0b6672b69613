"""The funnel's numbers against a small hand-built month of calls, plans and referrals."""

from datetime import date

import pytest

from opportunities.reports import funnel
from tests import factories

from .helpers import at, call, column, figure, referral, scope

MARCH, APRIL, MAY = date(2026, 3, 1), date(2026, 4, 1), date(2026, 5, 1)


@pytest.fixture
def april_calls(owner, teammate):
    """Alice's 12 calls in April: 4 not reached, 1 with no outcome recorded, 7 reached
    (3 no need, one of whom no longer qualifies; 1 need found; 2 meetings; 1 asked to stop).
    One was logged by nobody: it counts for the person's owner."""
    for _ in range(4):
        call(owner, "2026-04-02 10:00", "not_reached")
    call(owner, "2026-04-03 10:00", "")
    call(owner, "2026-04-04 10:00", "no_need", still_qualifies=False)
    call(owner, "2026-04-05 10:00", "no_need", by=None)
    call(owner, "2026-04-06 10:00", "no_need")
    call(owner, "2026-04-07 10:00", "need_found")
    call(owner, "2026-04-08 10:00", "meeting_agreed")
    call(owner, "2026-04-09 10:00", "meeting_agreed")
    call(owner, "2026-04-10 10:00", "asked_to_stop")
    # Not Alice's April calls: Bob's call to her person, an email, a call from them, March.
    contact = factories.ContactFactory(owner=owner)
    factories.TouchFactory(contact=contact, method="call", by=teammate, at=at("2026-04-11 10:00"))
    factories.TouchFactory(contact=contact, method="email", at=at("2026-04-11 10:00"))
    factories.TouchFactory(
        contact=contact, method="call", direction="theirs", at=at("2026-04-11 10:00")
    )
    call(owner, "2026-03-15 10:00", "no_need")


def _plan(owner, started, ended=None):
    contact = factories.ContactFactory(owner=owner)
    return factories.TouchPlanFactory(
        contact=contact, started_at=at(started), ended_at=ended and at(ended)
    )


@pytest.fixture
def pools(owner, teammate):
    """Alice at the end of March: 3 from February + 1 ended in April = 4. At the end of
    April: the 3 + 2 started in April = 5 (one ended in March counts in neither)."""
    for _ in range(3):
        _plan(owner, "2026-02-01 10:00")
    _plan(owner, "2026-01-10 10:00", ended="2026-04-05 10:00")
    _plan(owner, "2026-02-10 10:00", ended="2026-03-20 10:00")
    _plan(owner, "2026-04-10 10:00")
    _plan(owner, "2026-04-30 21:00")
    _plan(teammate, "2026-02-01 10:00")


def test_calls_made_reached_and_what_they_led_to(owner, april_calls):
    figures = funnel.build(scope(MARCH, MAY, users=(owner.pk,)))
    calls = figure(figures, "calls")
    row = dict(zip(calls.table.headers, calls.table.rows[1], strict=True))
    assert row["Month"] == "Apr 2026"
    assert row["Calls made"] == 12
    assert row["Outcome not recorded"] == 1
    assert row["Reached"] == 7
    assert row["Reached %"] == 64  # 7 of the 11 whose outcome was recorded
    assert row["No need"] == 3
    assert row["No need % (of reached)"] == 43  # 3 of 7
    assert row["Need found"] == 1
    assert row["Meetings agreed"] == 2
    assert row["Asked to stop"] == 1
    assert row["No longer qualifies"] == 1
    assert column(calls, "Calls made")["Mar 2026"] == 1


def test_pool_at_each_months_end_and_calls_due(owner, pools):
    pool = figure(funnel.build(scope(MARCH, MAY, users=(owner.pk,))), "pool")
    assert column(pool, "Pool at month's end") == {"Mar 2026": 4, "Apr 2026": 5}
    # 4 × 31 ÷ 90 = 1.4 → 1; 5 × 30 ÷ 90 = 1.7 → 2
    assert column(pool, "Calls due") == {"Mar 2026": 1, "Apr 2026": 2}
    assert set(pool.chart.targets.values()) == {150, 240, 250}


def test_referrals_given_and_received_by_colleague(owner, teammate):
    referral("given", owner, date(2026, 4, 3))
    referral("given", owner, date(2026, 4, 30))
    referral("received", owner, date(2026, 3, 31))
    referral("given", teammate, date(2026, 4, 3))
    referral("given", owner, date(2026, 5, 1))  # after the period
    calls = figure(funnel.build(scope(MARCH, MAY, users=(owner.pk,))), "calls")
    assert column(calls, "Referrals given") == {"Mar 2026": 0, "Apr 2026": 2}
    assert column(calls, "Referrals received") == {"Mar 2026": 1, "Apr 2026": 0}


def test_everyone_sums_people_and_lists_each_with_their_pool(owner, teammate, pools, april_calls):
    figures = funnel.build(scope(MARCH, MAY))
    assert column(figure(figures, "calls"), "Calls made")["Apr 2026"] == 13  # with Bob's
    assert column(figure(figures, "pool"), "Pool at month's end")["Apr 2026"] == 6
    assert figure(figures, "pool").chart.targets == {}  # targets are per person
    people = figure(figures, "people")
    assert column(people, "Pool at the end")["Alice Owner"] == 5
    # Over the whole period: her 12 in April and 1 in March.
    assert column(people, "Calls made") == {"Alice Owner": 13, "Bob Teammate": 1}
    assert people.chart.labels[0] == "Alice Owner"  # ranked by pool


def test_one_persons_funnel_has_no_per_person_figure(owner):
    slugs = [f.slug for f in funnel.build(scope(MARCH, MAY, users=(owner.pk,)))]
    assert slugs == ["pool", "calls", "trend"]


def test_trend_covers_the_twelve_months_to_the_periods_end(owner, april_calls):
    trend = figure(funnel.build(scope(APRIL, MAY, users=(owner.pk,))), "trend")
    made = column(trend, "Calls made")
    assert list(made)[0] == "May 2025" and list(made)[-1] == "Apr 2026"
    assert made["Mar 2026"] == 1 and made["Apr 2026"] == 12
    assert [s.name for s in trend.chart.series] == ["Calls made", "Reached", "Meetings agreed"]


def test_limits_and_expectations_come_from_the_settings(settings, owner):
    settings.CONVIVIO = {**settings.CONVIVIO, "CAPACITY_TARGET": 180, "TOUCH_BASE_DAYS": 60}
    figures = funnel.build(scope(MARCH, MAY, users=(owner.pk,)))
    assert set(figure(figures, "pool").chart.targets.values()) == {150, 180, 250}
    assert "150 / 180 / 250" in figure(figures, "pool").note
    assert "about 90 calls a month for a pool of 180" in figure(figures, "calls").note


def test_by_person_table_is_ranked_as_its_chart_is(owner, teammate):
    # Bob keeps 2 on plans, Alice 1: Bob comes first in the chart and in the table, though
    # Alice comes first by name.
    _plan(owner, "2026-02-01 10:00")
    _plan(teammate, "2026-02-01 10:00")
    _plan(teammate, "2026-02-01 10:00")
    people = figure(funnel.build(scope(MARCH, MAY)), "people")
    assert people.chart.labels == ["Bob Teammate", "Alice Owner"]
    assert [row[0] for row in people.table.rows] == people.chart.labels


def test_the_trend_is_drawn_only_for_a_period_shorter_than_it(owner):
    short = [f.slug for f in funnel.build(scope(MARCH, MAY, users=(owner.pk,)))]
    year = [f.slug for f in funnel.build(scope(date(2025, 5, 1), MAY, users=(owner.pk,)))]
    assert "trend" in short and "trend" not in year and "calls" in year
