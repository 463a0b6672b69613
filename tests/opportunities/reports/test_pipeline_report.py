"""The pipeline report's cohort, days in stage, won by month, lost reasons and win rate,
each number worked out by hand from a few cards whose moves we place in time.

The firm's zone is Europe/London (BST from 29 March 2026): 23:30 UTC on 31 March is
00:30 on 1 April there, so it is April's. The scope is April to June 2026.
"""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opportunities.models import Opportunity, Source, Stage, StageChange
from opportunities.reports import pipeline, registry
from opportunities.reports.scope import Scope
from tests import factories

pytestmark = pytest.mark.django_db
UTC = ZoneInfo("UTC")
LONDON = ZoneInfo("Europe/London")


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def card(owner, source, moves, value=None):
    """A card with its moves: (at, from_stage, to_stage, note); it stands where the last
    move left it."""
    last_at, _from, stage, note = moves[-1]
    opportunity = factories.OpportunityFactory(
        owner=owner,
        source=source,
        stage=stage,
        estimated_value=value,
        stage_entered_at=last_at,
        lost_reason=note.strip() if stage == Stage.LOST else "",
        history=False,
    )
    StageChange.objects.bulk_create(
        StageChange(opportunity=opportunity, at=at, from_stage=f, to_stage=t, note=n, by=owner)
        for at, f, t, n in moves
    )
    return opportunity


R, CON, CUL, WON, LOST = Stage.RESEARCH, Stage.CONNECTING, Stage.CULTIVATING, Stage.WON, Stage.LOST


@pytest.fixture
def settings_london(settings):
    settings.TIME_ZONE = "Europe/London"
    return settings


@pytest.fixture
def cards(settings_london, owner, teammate):
    """alice (owner) and bob (teammate)'s cards: A–G, see each line."""
    alice, bob = owner, teammate
    # A: entered 23:30 UTC on 31 March (April in London); 10 days in Research, 10 in
    # Connecting, 30 in Cultivating, won in May.
    card(
        alice,
        Source.RESEARCH,
        [
            (utc(2026, 3, 31, 23, 30), "", R, ""),
            (utc(2026, 4, 10, 23, 30), R, CON, ""),
            (utc(2026, 4, 20, 23, 30), CON, CUL, ""),
            (utc(2026, 5, 20, 23, 30), CUL, WON, ""),
        ],
        value=Decimal("1000"),
    )
    # B: inbound, straight into Connecting; won after 20 days, in April.
    card(
        alice,
        Source.INBOUND,
        [(utc(2026, 4, 5, 12), "", CON, ""), (utc(2026, 4, 25, 12), CON, WON, "")],
        value=Decimal("500"),
    )
    # C: a referral, lost from Research after 4 days ("  Budget frozen ", untrimmed).
    card(
        alice,
        Source.REFERRAL,
        [(utc(2026, 4, 10, 12), "", R, ""), (utc(2026, 4, 14, 12), R, LOST, "  Budget frozen ")],
    )
    # D: bob's; 2 days in Research, 30 in Connecting, lost ("budget FROZEN") in June.
    card(
        bob,
        Source.RESEARCH,
        [
            (utc(2026, 5, 1, 12), "", R, ""),
            (utc(2026, 5, 3, 12), R, CON, ""),
            (utc(2026, 6, 2, 12), CON, LOST, "budget FROZEN"),
        ],
    )
    # E: entered 22:30 UTC on 31 March (23:30 in London: March, so not in the cohort);
    # 3 days in Research, 10 in Connecting, lost ("No need"), then back to Research.
    card(
        alice,
        Source.RESEARCH,
        [
            (utc(2026, 3, 31, 22, 30), "", R, ""),
            (utc(2026, 4, 3, 22, 30), R, CON, ""),
            (utc(2026, 4, 13, 22, 30), CON, LOST, "No need"),
            (utc(2026, 4, 20, 12), LOST, R, "Worth another go"),
        ],
    )
    # F: bob's, won at 23:30 UTC on 30 June: 1 July in London, outside the scope.
    card(
        bob,
        Source.REFERRAL,
        [
            (utc(2026, 2, 1, 12), "", R, ""),
            (utc(2026, 2, 10, 12), R, CON, ""),
            (utc(2026, 6, 30, 23, 30), CON, WON, ""),
        ],
        value=Decimal("2000"),
    )
    # G: bob's, inbound in February; won at 23:30 UTC on 31 March (April in London)
    # after exactly 45 days in Connecting.
    card(
        bob,
        Source.INBOUND,
        [(utc(2026, 2, 14, 23, 30), "", CON, ""), (utc(2026, 3, 31, 23, 30), CON, WON, "")],
        value=Decimal("300"),
    )
    return alice, bob


def scope(user_ids=None, first=date(2026, 4, 1), end=date(2026, 7, 1)):
    return Scope(first=first, end=end, zone=LONDON, user_ids=user_ids)


def figure(figures, slug):
    return next(f for f in figures if f.slug == slug)


def test_cohort_counts_cards_that_entered_in_the_period_by_the_furthest_step(cards):
    rows = pipeline.cohort(scope()).table.rows
    # A, B, C, D entered (E entered in March, London time); A, B, D reached Connecting;
    # A (Cultivating) and B (won from Connecting) got further; A and B won; C and D lost.
    assert rows == [
        ["Entered the pipeline", 4, 100, None],
        ["Connecting or beyond", 3, 75, 75],
        ["Cultivating or won", 2, 50, 67],
        ["Won", 2, 50, 100],
        ["Lost (at some point)", 2, 50, None],
    ]


def test_cohort_for_one_person_counts_only_their_cards(cards):
    alice, _bob = cards
    rows = pipeline.cohort(scope((alice.pk,))).table.rows
    # A, B, C are alice's.
    assert rows == [
        ["Entered the pipeline", 3, 100, None],
        ["Connecting or beyond", 2, 67, 67],
        ["Cultivating or won", 2, 67, 100],
        ["Won", 2, 67, 100],
        ["Lost (at some point)", 1, 33, None],
    ]


def test_cohort_of_an_empty_period_is_all_zero_without_percentages(cards):
    rows = pipeline.cohort(scope(first=date(2025, 1, 1), end=date(2025, 2, 1))).table.rows
    assert [row[1] for row in rows] == [0, 0, 0, 0, 0]
    assert {row[2] for row in rows} == {None}


def test_days_in_stage_are_the_median_and_90th_percentile_of_stays_ended_in_the_period(cards):
    rows = pipeline.days_in_stage(scope()).table.rows
    # Research stays: A 10, C 4, D 2, E 3 (ended 22:30 UTC on 3 April) → 2, 3, 4, 10:
    #   median 3.5; 90th: 0.9 × 3 = 2.7 → 4 + 0.7 × 6 = 8.2.
    # Connecting: A 10, B 20, D 30, E 10, G 45 (ended 1 April in London; F's ended in
    #   July) → 10, 10, 20, 30, 45: median 20; 90th: 3.6 → 30 + 0.6 × 15 = 39.
    # Cultivating: A 30. E's stay in Lost is not a pipeline stage.
    assert rows == [
        ["Research", 4, 3.5, 8.2],
        ["Connecting", 5, 20.0, 39.0],
        ["Cultivating", 1, 30.0, 30.0],
    ]


def test_days_in_stage_for_one_person(cards):
    _alice, bob = cards
    rows = pipeline.days_in_stage(scope((bob.pk,))).table.rows
    # bob: Research D 2; Connecting D 30, G 45 → median 37.5, 90th 30 + 0.9 × 15 = 43.5.
    assert rows == [
        ["Research", 1, 2.0, 2.0],
        ["Connecting", 2, 37.5, 43.5],
        ["Cultivating", 0, None, None],
    ]


def test_percentile_interpolates_as_postgresql_does():
    assert pipeline.percentile([], 0.5) is None
    assert pipeline.percentile([7.0], 0.9) == 7.0
    assert pipeline.percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert pipeline.percentile([0.0, 10.0], 0.9) == 9.0


def test_won_by_month_counts_in_the_firms_months(cards):
    table = pipeline.won_by_month(scope()).table
    # April: B (500) and G (300, won 23:30 UTC on 31 March); May: A (1000); June: none,
    # F's win is 1 July in London.
    assert table.rows == [
        ["Apr 2026", 2, Decimal("800")],
        ["May 2026", 1, Decimal("1000")],
        ["Jun 2026", 0, 0],
    ]


def test_won_by_month_for_one_person(cards):
    _alice, bob = cards
    rows = pipeline.won_by_month(scope((bob.pk,))).table.rows
    assert rows == [["Apr 2026", 1, Decimal("300")], ["May 2026", 0, 0], ["Jun 2026", 0, 0]]


def test_lost_reasons_are_trimmed_and_case_folded(cards):
    rows = pipeline.lost_reasons(scope()).table.rows
    # C "  Budget frozen ", D "budget FROZEN", E "No need": 3 moves to Lost.
    assert rows == [["Budget frozen", 2, 67], ["No need", 1, 33]]


def test_lost_reasons_beyond_the_top_ten_are_other(settings_london, owner):
    reasons = ["Reason a", "reason A"] + [f"Reason {letter}" for letter in "bcdefghijkl"]
    for n, reason in enumerate(reasons):
        at = utc(2026, 4, 2 + n, 12)
        card(owner, Source.RESEARCH, [(utc(2026, 4, 1, 12), "", R, ""), (at, R, LOST, reason)])
    rows = pipeline.lost_reasons(scope()).table.rows
    # 13 moves: "reason a" twice, then b…j (nine, alphabetical) in the top ten; k and l other.
    assert rows[0] == ["Reason a", 2, 15]
    assert [row[0] for row in rows[1:10]] == [f"Reason {letter}" for letter in "bcdefghij"]
    assert rows[10] == ["Other reasons", 2, 15]
    assert sum(row[1] for row in rows) == 13


def test_win_rate_by_source_counts_cards_closed_in_the_period(cards):
    rows = pipeline.win_rate_by_source(scope()).table.rows
    # Closed in the period and still closed: A won (research), D lost (research), B and G
    # won (inbound), C lost (referral). E was brought back; F closed in July.
    assert rows == [
        ["Our research", 1, 1, 50],
        ["Inbound (they contacted us)", 2, 0, 100],
        ["Referral", 0, 1, 0],
        ["All sources", 3, 2, 60],
    ]


def test_win_rate_for_one_person(cards):
    alice, _bob = cards
    rows = pipeline.win_rate_by_source(scope((alice.pk,))).table.rows
    assert rows == [
        ["Our research", 1, 0, 100],
        ["Inbound (they contacted us)", 1, 0, 100],
        ["Referral", 0, 1, 0],
        ["All sources", 2, 1, 67],
    ]


def _queries(build, the_scope):
    with CaptureQueriesContext(connection) as queries:
        build(the_scope)
    return len(queries)


def test_the_report_runs_the_same_queries_whatever_the_data_size(cards):
    alice, bob = cards
    small = [_queries(pipeline.build, scope()), _queries(pipeline.build, scope((alice.pk,)))]
    for n in range(12):
        start = utc(2026, 4, 1 + n, 12)
        card(bob, Source.INBOUND, [(start, "", CON, ""), (utc(2026, 5, 1 + n, 12), CON, WON, "")])
        card(alice, Source.RESEARCH, [(start, "", R, ""), (utc(2026, 6, 1 + n), R, LOST, f"R{n}")])
    large = [_queries(pipeline.build, scope()), _queries(pipeline.build, scope((alice.pk,)))]
    assert small == large
    assert max(large) <= 14


def test_the_registry_builds_the_pipeline(cards):
    figures = registry.build("pipeline", scope())
    assert [f.slug for f in figures] == [
        "cohort",
        "days-in-stage",
        "won-by-month",
        "lost-reasons",
        "win-rate",
        "six-functions",
    ]
    for f in figures:
        assert f.chart is None or len(f.chart.labels) == len(f.table.rows)
        assert all(len(row) == len(f.table.headers) for row in f.table.rows)
    # The chart draws floats; its table keeps the exact amounts.
    won = figure(figures, "won-by-month")
    assert won.chart.series[0].values == [800.0, 1000.0, 0.0]
    assert all(isinstance(value, float) for value in won.chart.series[0].values)
    assert won.table.rows[0][2] == Decimal("800")
    assert Opportunity.objects.count() == 7
