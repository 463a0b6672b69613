"""The cultivation funnel (docs/reports.md): each month's pool against capacity, the
touch-base calls due and made, and what the calls led to; per person for managers.

Four queries whatever the data size: calls, pools, referrals, and the people's names.
"""

import calendar
from datetime import datetime, time

from django.conf import settings
from django.db.models import Count, Q
from django.db.models.functions import Coalesce, TruncMonth

from cultivation.models import Direction, Method, Outcome, Referral, Touch, TouchPlan

from .common import attributed, colleagues, month_label, month_of, of_people, percent, summed
from .scope import Chart, Figure, Series, Table, next_month

TREND_MONTHS = 12

# What each call counted as, in the database; "reported" calls have an outcome recorded.
CALL_COUNTS = {
    "made": Q(),
    "unreported": Q(outcome=""),
    "reached": ~Q(outcome__in=["", Outcome.NOT_REACHED]),
    "no_need": Q(outcome=Outcome.NO_NEED),
    "need_found": Q(outcome=Outcome.NEED_FOUND),
    "meetings": Q(outcome=Outcome.MEETING_AGREED),
    "asked_to_stop": Q(outcome=Outcome.ASKED_TO_STOP),
    "not_qualified": Q(still_qualifies=False),
}
REFERRAL_COUNTS = ("given", "received")


def build(scope):
    trend_first = _months_back(scope.end, TREND_MONTHS)
    calls = _calls(scope, min(scope.first, trend_first))
    referrals = _referrals(scope)
    pools = _pools(scope)
    months = scope.months
    by_month = _by_month(calls, referrals, pools, months)
    figures = [
        _pool_figure(scope, by_month),
        _calls_figure(by_month),
    ]
    if len(months) < TREND_MONTHS:  # else the calls figure above already is the trend
        figures.append(_trend_figure(calls, _months_from(trend_first, scope.end)))
    if scope.user_ids is None:
        figures.append(_people_figure(scope, calls, referrals, pools, months))
    return figures


# The database's answers: {(month, person): {count: n}} and {person: [pool per month]}


def _calls(scope, first):
    """Touch-base calls we made, by month and by the person they count for."""
    calls = Touch.objects.filter(
        method=Method.CALL,
        direction=Direction.OURS,
        at__gte=_moment(first, scope),
        at__lt=scope.ends_at,
    ).annotate(person=attributed(), month=TruncMonth("at", tzinfo=scope.zone))
    calls = of_people(calls, "person", scope)
    counts = {name: Count("pk", filter=rule) for name, rule in CALL_COUNTS.items()}
    rows = calls.values("month", "person").annotate(**counts).order_by()
    return {(month_of(row.pop("month")), row.pop("person")): row for row in rows}


def _referrals(scope):
    """Referrals in the ledger, given (by the colleague) and received (by the colleague)."""
    referrals = Referral.objects.filter(on__gte=scope.first, on__lt=scope.end).annotate(
        colleague=Coalesce("by_user", "to_user"), month=TruncMonth("on")
    )
    referrals = of_people(referrals, "colleague", scope)
    rows = (
        referrals.values("month", "colleague")
        .annotate(
            given=Count("pk", filter=Q(direction=Referral.Direction.GIVEN)),
            received=Count("pk", filter=Q(direction=Referral.Direction.RECEIVED)),
        )
        .order_by()
    )
    return {(month_of(row.pop("month")), row.pop("colleague")): row for row in rows}


def _pools(scope):
    """Each owner's live plans at each month's end: started before it, not ended by it."""
    ends = [_moment(next_month(month), scope) for month in scope.months]
    plans = TouchPlan.objects.filter(started_at__lt=ends[-1]).filter(
        Q(ended_at=None) | Q(ended_at__gte=ends[0])
    )
    plans = of_people(plans, "contact__owner", scope)
    at_ends = {
        f"m{index}": Count(
            "pk", filter=Q(started_at__lt=end) & (Q(ended_at=None) | Q(ended_at__gte=end))
        )
        for index, end in enumerate(ends)
    }
    rows = plans.values("contact__owner").annotate(**at_ends).order_by()
    return {row["contact__owner"]: [row[f"m{i}"] for i in range(len(ends))] for row in rows}


# Rows for the tables


def calls_due(pool, month):
    """The pool's share of touch-base calls in `month`: pool × days ÷ TOUCH_BASE_DAYS."""
    days = calendar.monthrange(month.year, month.month)[1]
    return round(pool * days / settings.CONVIVIO["TOUCH_BASE_DAYS"])


def _by_month(calls, referrals, pools, months):
    """Everyone in scope summed, month by month."""
    rows = []
    for index, month in enumerate(months):
        row = summed([counts for (m, _), counts in calls.items() if m == month], CALL_COUNTS)
        row.update(summed([c for (m, _), c in referrals.items() if m == month], REFERRAL_COUNTS))
        row["pool"] = sum(pool[index] for pool in pools.values())
        row["due"] = calls_due(row["pool"], month)
        row["month"] = month
        rows.append(row)
    return rows


def _funnel_cells(row):
    reported = row["made"] - row["unreported"]
    return [
        row["due"],
        row["made"],
        row["unreported"],
        row["reached"],
        percent(row["reached"], reported),
        row["no_need"],
        percent(row["no_need"], row["reached"]),
        row["need_found"],
        row["meetings"],
        row["given"],
        row["received"],
        row["asked_to_stop"],
        row["not_qualified"],
    ]


FUNNEL_HEADERS = [
    "Calls due",
    "Calls made",
    "Outcome not recorded",
    "Reached",
    "Reached %",
    "No need",
    "No need % (of reached)",
    "Need found",
    "Meetings agreed",
    "Referrals given",
    "Referrals received",
    "Asked to stop",
    "No longer qualifies",
]


# Figures


def _pool_figure(scope, rows):
    labels = [month_label(row["month"]) for row in rows]
    pools = [row["pool"] for row in rows]
    one_person = scope.user_ids is not None and len(scope.user_ids) == 1
    note = (
        "People in cultivation (a live touch plan) at each month's end, against the "
        f"method's limits: {_limits_text()}."
        if one_person
        else f"Everyone's pools added up; each person's against {_limits_text()} is under "
        "By person."
    )
    return Figure(
        slug="pool",
        title="Pool at each month's end",
        note=note,
        table=Table(
            ["Month", "Pool at month's end", "Calls due"],
            [[label, row["pool"], row["due"]] for label, row in zip(labels, rows, strict=True)],
        ),
        chart=Chart(
            "bars",
            labels,
            [Series("Pool", pools)],
            unit="people",
            targets=capacity_targets() if one_person else {},
        ),
    )


def _limits_text():
    return " / ".join(str(value) for value in capacity_targets().values())


def capacity_targets():
    limits = settings.CONVIVIO
    return {
        f"Warning {limits['CAPACITY_WARN']}": limits["CAPACITY_WARN"],
        f"Target {limits['CAPACITY_TARGET']}": limits["CAPACITY_TARGET"],
        f"Most {limits['CAPACITY_MAX']}": limits["CAPACITY_MAX"],
    }


def _calls_figure(rows):
    labels = [month_label(row["month"]) for row in rows]
    series = [
        Series(name, [row[key] for row in rows])
        for name, key in (
            ("Calls due", "due"),
            ("Calls made", "made"),
            ("Reached", "reached"),
            ("Meetings agreed", "meetings"),
        )
    ]
    return Figure(
        slug="calls",
        title="Touch-base calls by month",
        note=f"The method expects about {_expected_calls()} calls a month for a pool of "
        f"{settings.CONVIVIO['CAPACITY_TARGET']}: about half reach the person, about half of "
        "those have no need now, and the rest lead to a meeting or a referral. Reached % "
        "counts only calls whose outcome was recorded.",
        table=Table(
            ["Month", *FUNNEL_HEADERS],
            [[label, *_funnel_cells(row)] for label, row in zip(labels, rows, strict=True)],
        ),
        chart=Chart("bars", labels, series, unit="calls"),
    )


def _expected_calls():
    """A month's calls for a pool at the target (240 people, quarterly: 80)."""
    limits = settings.CONVIVIO
    return round(limits["CAPACITY_TARGET"] * 30 / limits["TOUCH_BASE_DAYS"])


def _month_calls(calls, month):
    return summed([counts for (m, _), counts in calls.items() if m == month], CALL_COUNTS)


def _trend_figure(calls, months):
    rows = [_month_calls(calls, month) for month in months]
    labels = [month_label(month) for month in months]
    keys = (("Calls made", "made"), ("Reached", "reached"), ("Meetings agreed", "meetings"))
    return Figure(
        slug="trend",
        title=f"{TREND_MONTHS}-month trend",
        note=f"The {TREND_MONTHS} months up to the end of the period.",
        table=Table(
            ["Month", *(name for name, _ in keys)],
            [
                [label, *(row[key] for _, key in keys)]
                for label, row in zip(labels, rows, strict=True)
            ],
        ),
        chart=Chart("lines", labels, [Series(n, [r[k] for r in rows]) for n, k in keys], "calls"),
    )


def _people_figure(scope, calls, referrals, pools, months):
    rows = []
    for pk, name in colleagues(scope):
        row = summed([c for (m, p), c in calls.items() if p == pk and m in months], CALL_COUNTS)
        row.update(summed([c for (_, p), c in referrals.items() if p == pk], REFERRAL_COUNTS))
        pool = pools.get(pk, [0] * len(months))
        row["pool"] = pool[-1]
        row["due"] = sum(calls_due(size, month) for size, month in zip(pool, months, strict=True))
        rows.append((name, row))
    ranked = sorted(rows, key=lambda item: -item[1]["pool"])
    return Figure(
        slug="people",
        title="By person",
        note=f"Each person's pool at the end of the period against {_limits_text()}, and "
        "their calls over the whole period.",
        table=Table(
            ["Person", "Pool at the end", *FUNNEL_HEADERS],
            [[name, row["pool"], *_funnel_cells(row)] for name, row in ranked],
        ),
        chart=Chart(
            "hbars",
            [name for name, _ in ranked],
            [Series("Pool at the end", [row["pool"] for _, row in ranked])],
            unit="people",
            targets=capacity_targets(),
        ),
    )


def _moment(day, scope):
    return datetime.combine(day, time.min, tzinfo=scope.zone)


def _months_back(end, count):
    """The 1st `count` months before `end` (a 1st)."""
    index = end.year * 12 + end.month - 1 - count
    return end.replace(year=index // 12, month=index % 12 + 1)


def _months_from(first, end):
    months = []
    while first < end:
        months.append(first)
        first = next_month(first)
    return months
