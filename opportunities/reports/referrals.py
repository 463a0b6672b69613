"""The referrals report (docs/reports.md, "Referrals and alliances"): fair's fair with each
partner, what became of the names, and the alliances against the firm's target.

Counted in the database, a fixed number of queries whatever the data size. A referral
counts for the colleague it is with (who received it, or who gave it); an exchange lunch
for the colleague who went; an alliance for the owner of the partner.
"""

from datetime import date, datetime, time

from django.conf import settings
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth, TruncQuarter

from cultivation.models import Alliance, Exchange, Referral
from cultivation.policy import full_name
from cultivation.referral_selectors import balances_by_colleague, balances_by_partner

from .common import month_label, month_of, of_people, percent
from .scope import Chart, Figure, Series, Table, next_month

PARTNERS_SHOWN = 30
NOT_FOLLOWED_UP = "Not yet followed up"


def build(scope):
    referrals = _referrals(scope)
    return [
        by_partner(referrals),
        by_colleague(referrals),
        outcomes(referrals, slug="outcomes", title="What became of the names"),
        outcomes(
            referrals.exclude(exchange=None),
            slug="exchange-outcomes",
            title="What became of the names from exchange lunches",
        ),
        alliances_by_quarter(scope),
        lunches_by_month(scope),
    ]


def _referrals(scope):
    """Referrals made in the period, either way, with the scope's colleagues."""
    referrals = Referral.objects.order_by().filter(on__gte=scope.first, on__lt=scope.end)
    if scope.user_ids is None:
        return referrals
    return referrals.filter(Q(to_user_id__in=scope.user_ids) | Q(by_user_id__in=scope.user_ids))


def _balance_rows(balances, name):
    rows = [[name(b.who), b.given, b.received, b.difference] for b in balances]
    if len(rows) > PARTNERS_SHOWN:
        rest = rows[PARTNERS_SHOWN:]
        given, received = sum(r[1] for r in rest), sum(r[2] for r in rest)
        rows = rows[:PARTNERS_SHOWN] + [[f"{len(rest)} others", given, received, given - received]]
    return rows


def _balance_figure(rows, *, slug, title, who, note):
    return Figure(
        slug=slug,
        title=title,
        table=Table([who, "Given", "Received", "Balance"], rows),
        chart=Chart(
            kind="hbars",
            labels=[row[0] for row in rows],
            series=[
                Series("Given", [row[1] for row in rows]),
                Series("Received", [row[2] for row in rows]),
            ],
        ),
        note=note,
    )


def by_partner(referrals):
    """Given to and received from each partner, busiest first: two queries."""
    rows = _balance_rows(balances_by_partner(referrals), str)
    return _balance_figure(
        rows,
        slug="partners",
        title="Given and received, by partner",
        who="Partner",
        note="Fair's fair: the balance is what we gave less what we received; the busiest "
        f"{PARTNERS_SHOWN} partners are named.",
    )


def by_colleague(referrals):
    """Given and received by each colleague: two queries."""
    rows = _balance_rows(balances_by_colleague(referrals), full_name)
    return _balance_figure(
        rows,
        slug="colleagues",
        title="Given and received, by colleague",
        who="Colleague",
        note="Each referral counts for the colleague who received it or gave it.",
    )


OUTCOMES = [*Referral.Outcome.choices, ("", NOT_FOLLOWED_UP)]


def outcomes(referrals, *, slug, title):
    """How many names ended in each outcome third, and those not followed up yet: one query."""
    counts = referrals.aggregate(
        **{
            f"n{n}": Count("pk", filter=Q(outcome=value))
            for n, (value, _label) in enumerate(OUTCOMES)
        }
    )
    total = sum(counts.values())
    followed = total - counts[f"n{len(OUTCOMES) - 1}"]
    rows = []
    for n, (value, label) in enumerate(OUTCOMES):
        names = counts[f"n{n}"]
        rows.append(
            [label, names, percent(names, total), percent(names, followed) if value else None]
        )
    return Figure(
        slug=slug,
        title=title,
        table=Table(["Outcome", "Names", "% of all", "% of those followed up"], rows),
        chart=Chart(
            kind="hbars",
            labels=[row[0] for row in rows],
            series=[Series("Names", [row[1] for row in rows])],
        ),
        note="Names introduced either way in the period. Followed up, the method expects about "
        "a third with no future, a third to stay in touch with and a third wanting a next step.",
    )


# Alliances and exchange lunches


def quarter_starts(scope):
    """The first day of each calendar quarter that the scope touches, oldest first."""
    starts = []
    for month in scope.months:
        start = date(month.year, (month.month - 1) // 3 * 3 + 1, 1)
        if start not in starts:
            starts.append(start)
    return starts


def quarter_end(start):
    return next_month(next_month(next_month(start)))


def quarter_label(start):
    return f"Q{(start.month - 1) // 3 + 1} {start.year}"


def _live_at_ends(scope, quarters):
    """{quarter: alliances live at its end}: one query."""
    alliances = of_people(Alliance.objects.order_by(), "contact__owner_id", scope)
    counts = {}
    for n, start in enumerate(quarters):
        end = datetime.combine(quarter_end(start), time.min, tzinfo=scope.zone)
        counts[f"q{n}"] = Count(
            "pk", filter=Q(since__lt=end) & (Q(ended_at=None) | Q(ended_at__gte=end))
        )
    live = alliances.aggregate(**counts)
    return {start: live[f"q{n}"] for n, start in enumerate(quarters)}


def _exchanges(scope, first, end):
    return of_people(Exchange.objects.order_by(), "by_id", scope).filter(on__gte=first, on__lt=end)


def alliances_by_quarter(scope):
    """Live alliances at each quarter's end against the target, and how many partners we
    had an exchange lunch with in the quarter: two queries."""
    quarters = quarter_starts(scope)
    live = _live_at_ends(scope, quarters)
    met = (
        _exchanges(scope, quarters[0], quarter_end(quarters[-1]))
        .annotate(quarter=TruncQuarter("on"))
        .values("quarter")
        .annotate(partners=Count("partner_id", distinct=True))
        .values_list("quarter", "partners")
    )
    met = {month_of(quarter): partners for quarter, partners in met}
    target = settings.CONVIVIO["ALLIANCE_TARGET"] if scope.user_ids is None else None
    rows = []
    for start in quarters:
        partners = met.get(start, 0)
        row = [quarter_label(start), live[start], target, partners, percent(partners, live[start])]
        rows.append(row if target else row[:2] + row[3:])  # one person has no target
    headers = ["Quarter", "Live alliances", "Target", "Partners met at a lunch"]
    headers = [*(headers if target else headers[:2] + headers[3:]), "% of alliances met"]
    met_at = 3 if target else 2
    return Figure(
        slug="alliances",
        title="Strategic alliances, and partners met at an exchange lunch",
        table=Table(headers, rows),
        chart=Chart(
            kind="bars",
            labels=[row[0] for row in rows],
            series=[
                Series("Live alliances", [row[1] for row in rows]),
                Series("Met", [row[met_at] for row in rows]),
            ],
            targets={"Target": target} if target else {},
        ),
        note="Alliances live at the end of each quarter, and the partners we had a "
        "preferral-exchange lunch with in it: the method aims for each, once a quarter.",
    )


def lunches_by_month(scope):
    """Exchange lunches each month, and per week: one query."""
    rows = (
        _exchanges(scope, scope.first, scope.end)
        .annotate(month=TruncMonth("on"))
        .values("month")
        .annotate(lunches=Count("pk"))
        .values_list("month", "lunches")
    )
    by_month = {month_of(month): lunches for month, lunches in rows}
    firm = scope.user_ids is None
    target = None
    if firm:
        target = round(
            settings.CONVIVIO["ALLIANCE_TARGET"] * 7 / settings.CONVIVIO["EXCHANGE_LUNCH_DAYS"], 1
        )
    table = []
    for month in scope.months:
        weeks = (next_month(month) - month).days / 7
        lunches = by_month.get(month, 0)
        table.append([month_label(month), lunches, round(lunches / weeks, 1)])
    return Figure(
        slug="lunches",
        title="Exchange lunches a week",
        table=Table(["Month", "Lunches", "A week"], table),
        chart=Chart(
            kind="lines",
            labels=[row[0] for row in table],
            series=[Series("Lunches a week", [row[2] for row in table])],
            targets={"Target": target} if target else {},
        ),
        note="A lunch with each alliance about once a quarter comes to about two a week "
        "across the firm.",
    )
