"""The referrals report: fair's fair by partner and colleague, outcome thirds (all names and
those from exchange lunches), alliances against the target and lunches a week. The scope
is March to June 2026 in London; every number is worked out by hand below."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cultivation.models import Alliance, Exchange, Referral
from opportunities.reports import referrals, registry
from opportunities.reports.scope import Scope
from tests import factories

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
UTC = ZoneInfo("UTC")
Outcome = Referral.Outcome


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def spring(user_ids=None):
    return Scope(first=date(2026, 3, 1), end=date(2026, 7, 1), zone=LONDON, user_ids=user_ids)


def received(on, partner, colleague, outcome="", exchange=None):
    return _referral(
        on, outcome, exchange, direction="received", from_person=partner, to_user=colleague
    )


def given(on, colleague, partner, outcome="", exchange=None):
    return _referral(on, outcome, exchange, direction="given", by_user=colleague, to_person=partner)


def _referral(on, outcome, exchange, **sides):
    return Referral.objects.create(
        on=on,
        person=factories.ContactFactory(),
        outcome=outcome,
        outcome_at=utc(2026, 7, 5) if outcome else None,
        exchange=exchange,
        **sides,
    )


def lunch(partner, on, by):
    return Exchange.objects.create(partner=partner, on=on, by=by)


@pytest.fixture
def ledger(settings, owner, teammate):
    settings.TIME_ZONE = "Europe/London"
    settings.CONVIVIO = {**settings.CONVIVIO, "ALLIANCE_TARGET": 4, "EXCHANGE_LUNCH_DAYS": 91}
    alice, bob = owner, teammate
    pat, quinn, rae, sam, toni = (
        factories.ContactFactory(name=name, owner=keeper)
        for name, keeper in [
            ("Pat", alice),
            ("Quinn", bob),
            ("Rae", alice),
            ("Sam", bob),
            ("Toni", bob),
        ]
    )
    e1 = lunch(pat, date(2026, 4, 2), alice)
    e2 = lunch(quinn, date(2026, 5, 1), bob)
    lunch(pat, date(2026, 6, 15), alice)
    lunch(rae, date(2026, 3, 20), alice)
    lunch(sam, date(2026, 7, 2), bob)  # July: outside
    lunch(quinn, date(2026, 1, 20), bob)  # January: in Q1, before the scope's months
    lunch(toni, date(2026, 4, 20), bob)

    received(date(2026, 3, 10), pat, alice, Outcome.NO_FUTURE)  # 1
    received(date(2026, 4, 2), pat, alice, Outcome.STAY_IN_TOUCH, e1)  # 2
    received(date(2026, 4, 2), pat, bob, Outcome.NEXT_STEP, e1)  # 3
    given(date(2026, 4, 5), alice, pat, Outcome.BECAME_CLIENT)  # 4
    received(date(2026, 5, 1), quinn, bob, exchange=e2)  # 5: not followed up
    given(date(2026, 5, 2), bob, quinn)  # 6: not followed up
    given(date(2026, 6, 30), alice, rae, Outcome.NEXT_STEP)  # 7
    received(date(2026, 7, 1), rae, alice)  # July: outside
    received(date(2026, 2, 28), pat, alice)  # February: outside

    Alliance.objects.create(contact=pat, since=utc(2026, 1, 10))
    # Since 00:30 on 1 April in London: live at the end of Q2, not of Q1.
    Alliance.objects.create(contact=quinn, since=utc(2026, 3, 31, 23, 30))
    Alliance.objects.create(contact=rae, since=utc(2025, 6, 1), ended_at=utc(2026, 5, 10))
    Alliance.objects.create(contact=sam, since=utc(2026, 2, 1), ended_at=utc(2026, 3, 15))
    Alliance.objects.create(contact=toni, since=utc(2026, 4, 15))
    return alice, bob


def rows(figure):
    return figure.table.rows


def test_given_and_received_by_partner_busiest_first(ledger):
    assert rows(referrals.by_partner(referrals._referrals(spring()))) == [
        ["Pat", 1, 3, -2],  # given 4; received 1, 2, 3
        ["Quinn", 1, 1, 0],  # given 6; received 5
        ["Rae", 1, 0, 1],  # given 7 (her referral in July is outside)
    ]


def test_given_and_received_by_colleague(ledger):
    assert rows(referrals.by_colleague(referrals._referrals(spring()))) == [
        ["Alice Owner", 2, 2, 0],  # given 4, 7; received 1, 2
        ["Bob Teammate", 1, 2, -1],  # given 6; received 3, 5
    ]


def test_one_persons_referrals_are_those_with_them(ledger):
    alice, _bob = ledger
    mine = referrals._referrals(spring((alice.pk,)))
    assert rows(referrals.by_partner(mine)) == [["Pat", 1, 2, -1], ["Rae", 1, 0, 1]]
    assert rows(referrals.by_colleague(mine)) == [["Alice Owner", 2, 2, 0]]


def test_outcome_thirds_of_the_names_in_the_period(ledger):
    figure = referrals.outcomes(referrals._referrals(spring()), slug="outcomes", title="")
    # Seven names; five followed up.
    assert rows(figure) == [
        ["No future", 1, 14, 20],
        ["Stay in touch", 1, 14, 20],
        ["Next step", 2, 29, 40],
        ["Became a client", 1, 14, 20],
        ["Not yet followed up", 2, 29, None],
    ]


def test_outcome_thirds_of_the_names_from_exchange_lunches(ledger):
    figures = registry.build("referrals", spring())
    figure = next(f for f in figures if f.slug == "exchange-outcomes")
    # Names 2, 3 (lunch e1) and 5 (lunch e2); two followed up.
    assert rows(figure) == [
        ["No future", 0, 0, 0],
        ["Stay in touch", 1, 33, 50],
        ["Next step", 1, 33, 50],
        ["Became a client", 0, 0, 0],
        ["Not yet followed up", 1, 33, None],
    ]


def test_outcomes_of_no_names_have_no_percentages(ledger):
    empty = Scope(first=date(2025, 1, 1), end=date(2025, 2, 1), zone=LONDON)
    figure = referrals.outcomes(referrals._referrals(empty), slug="outcomes", title="")
    assert [row[1:] for row in rows(figure)] == [[0, None, None]] * 4 + [[0, None, None]]


def test_alliances_by_quarter_against_the_target(ledger):
    assert rows(referrals.alliances_by_quarter(spring())) == [
        # Live on 1 April (London): Pat, Rae (Quinn's began 30 minutes later, Sam's ended).
        # Met at a lunch in Q1: Rae (March), Quinn (January).
        ["Q1 2026", 2, 4, 2, 100],
        # Live on 1 July: Pat, Quinn, Toni (Rae's ended in May). Met: Pat, Quinn, Toni.
        ["Q2 2026", 3, 4, 3, 100],
    ]


def test_one_persons_alliances_are_of_the_partners_they_keep(ledger):
    alice, _bob = ledger
    figure = referrals.alliances_by_quarter(spring((alice.pk,)))
    # Pat and Rae are alice's; her lunches: Rae (Q1), Pat twice (Q2). No firm target.
    assert rows(figure) == [["Q1 2026", 2, 1, 50], ["Q2 2026", 1, 1, 100]]  # no Target column
    assert "Target" not in figure.table.headers
    assert figure.chart.targets == {}


def test_exchange_lunches_a_week_by_month(ledger):
    figure = referrals.lunches_by_month(spring())
    # March: Rae's (1 in 31/7 weeks = 0.2); April: Pat's and Toni's (2 in 30/7 = 0.5);
    # May: Quinn's (0.2); June: Pat's (0.2).
    assert rows(figure) == [
        ["Mar 2026", 1, 0.2],
        ["Apr 2026", 2, 0.5],
        ["May 2026", 1, 0.2],
        ["Jun 2026", 1, 0.2],
    ]
    # 4 alliances, one lunch each every 91 days: 4 × 7 / 91 = 0.3 a week.
    assert figure.chart.targets == {"Target": 0.3}


def test_one_persons_lunches(ledger):
    alice, _bob = ledger
    figure = referrals.lunches_by_month(spring((alice.pk,)))
    assert [row[1] for row in rows(figure)] == [1, 1, 0, 1]
    assert figure.chart.targets == {}


def test_the_busiest_partners_are_named_and_the_rest_summed(settings, owner):
    partners = [factories.ContactFactory(name=f"Partner {n:02}") for n in range(33)]
    for n, partner in enumerate(partners):
        for _ in range(2 if n < 30 else 1):
            received(date(2026, 4, 1), partner, owner)
    table = rows(referrals.by_partner(referrals._referrals(spring())))
    assert len(table) == referrals.PARTNERS_SHOWN + 1
    assert table[0] == ["Partner 00", 0, 2, -2]
    assert table[-1] == ["3 others", 0, 3, -3]


def _queries(the_scope):
    with CaptureQueriesContext(connection) as queries:
        registry.build("referrals", the_scope)
    return len(queries)


def test_the_report_runs_the_same_queries_whatever_the_data_size(ledger):
    alice, bob = ledger
    small = [_queries(spring()), _queries(spring((alice.pk,)))]
    for n in range(10):
        partner = factories.ContactFactory(owner=alice)
        Alliance.objects.create(contact=partner, since=utc(2026, 1, 1))
        e = lunch(partner, date(2026, 4, 1 + n), alice)
        received(date(2026, 4, 1 + n), partner, alice, Outcome.NEXT_STEP, e)
        given(date(2026, 5, 1 + n), bob, partner)
    large = [_queries(spring()), _queries(spring((alice.pk,)))]
    assert small == large
    assert max(large) <= 10
