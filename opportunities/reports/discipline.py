"""Discipline (docs/reports.md): first follow-ups made by their deadline, follow-ups
exhausted, promises kept on time, and touches overdue today; per person for managers.

Five queries whatever the data size: follow-ups begun, follow-ups exhausted, promises,
overdue touches, and the people's names.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from cultivation.models import FollowUp, PlanItem, Priority, Promise, Touch

from .common import colleagues, in_period, month_label, month_of, of_people, percent, summed
from .scope import Chart, Figure, Series, Table

FOLLOW_UP_COUNTS = ("judged", "on_time")
PROMISE_COUNTS = ("due", "kept_on_time")
ANSWER_COUNTS = (FOLLOW_UP_COUNTS, ("exhausted",), PROMISE_COUNTS)


def build(scope, *, now=None):
    now = now or timezone.now()
    follow_ups = _first_follow_ups(scope, now)
    exhausted = _exhausted(scope, now)
    promises = _promises(scope, now)
    overdue = _overdue(scope, now)
    rows = _by_month(scope, follow_ups, exhausted, promises)
    figures = [_follow_ups_figure(rows), _exhausted_figure(rows), _promises_figure(rows)]
    if scope.user_ids is None:
        people = colleagues(scope)
        figures.append(_people_figure(people, follow_ups, exhausted, promises, overdue))
        figures.append(_overdue_figure(people, overdue))
    else:
        figures.append(_overdue_figure(colleagues(scope), overdue))
    return figures


# The database's answers: {(month, person): {count: n}}, and {person: overdue now}


def _deadline_met(path):
    """The first attempt (at `path`) came within the follow-up's hours, by its priority."""
    met = Q()
    for priority, hours in settings.CONVIVIO["FOLLOW_UP_HOURS"].items():
        deadline = F("met_at") + timedelta(hours=hours)
        met |= Q(priority=priority, **{f"{path}__lte": deadline})
    return met


def _missed(now):
    """With no touch yet, the deadline passed by `now` while the follow-up was still running
    (one closed before its deadline, as a card moved on, missed nothing)."""
    missed = Q()
    for priority, hours in settings.CONVIVIO["FOLLOW_UP_HOURS"].items():
        deadline = F("met_at") + timedelta(hours=hours)
        still_running = Q(ended_at=None) | Q(ended_at__gt=deadline)
        missed |= Q(priority=priority, met_at__lte=now - timedelta(hours=hours)) & still_running
    return missed


def _first_follow_ups(scope, now):
    """Follow-ups begun in each month (met then), by their owner: of those with a first
    touch (ours, or theirs if they reached us first) or whose deadline passed while they
    waited for one, how many had it on time."""
    first = Touch.objects.filter(follow_up=OuterRef("pk")).order_by("at").values("at")[:1]
    follow_ups = (
        FollowUp.objects.filter(in_period("met_at", scope))
        .annotate(first_at=Subquery(first), month=TruncMonth("met_at", tzinfo=scope.zone))
        .filter(Q(first_at__isnull=False) | (Q(first_at=None) & _missed(now)))
    )
    follow_ups = of_people(follow_ups, "owner", scope)
    rows = (
        follow_ups.values("month", "owner")
        .annotate(judged=Count("pk"), on_time=Count("pk", filter=_deadline_met("first_at")))
        .order_by()
    )
    return {(month_of(row.pop("month")), row.pop("owner")): row for row in rows}


def _exhausted(scope, now):
    """Follow-ups whose third attempt went unanswered, by the month that happened in: not
    answered or closed before their `exhausts_at`."""
    follow_ups = FollowUp.objects.filter(
        in_period("exhausts_at", scope), exhausts_at__lte=now
    ).filter(Q(ended_at=None) | Q(ended_at__gte=F("exhausts_at")))
    follow_ups = of_people(follow_ups, "owner", scope)
    rows = (
        follow_ups.annotate(month=TruncMonth("exhausts_at", tzinfo=scope.zone))
        .values("month", "owner")
        .annotate(exhausted=Count("pk"))
        .order_by()
    )
    return {(month_of(row.pop("month")), row.pop("owner")): row for row in rows}


def _promises(scope, now):
    """Promises due in each month, by their owner, and how many were kept by their day
    (in the firm's zone). Released promises are left out: letting go openly is allowed;
    open ones count once their day is past."""
    today = timezone.localdate(now, scope.zone)
    promises = Promise.objects.filter(
        due_on__gte=scope.first, due_on__lt=scope.end, released_at=None
    ).filter(Q(kept_at__isnull=False) | Q(due_on__lt=today))
    promises = of_people(promises, "owner", scope)
    kept_on = TruncDate("kept_at", tzinfo=scope.zone)
    rows = (
        promises.annotate(month=TruncMonth("due_on"), kept_on=kept_on)
        .values("month", "owner")
        .annotate(due=Count("pk"), kept_on_time=Count("pk", filter=Q(kept_on__lte=F("due_on"))))
        .order_by()
    )
    return {(month_of(row.pop("month")), row.pop("owner")): row for row in rows}


def _overdue(scope, now):
    """Plan touches overdue today (in the firm's zone), by the plan's person's owner."""
    today = timezone.localdate(now, scope.zone)
    items = PlanItem.objects.overdue_on(today).of_people_in_touch()
    items = of_people(items, "plan__contact__owner", scope)
    rows = items.values("plan__contact__owner").annotate(overdue=Count("pk")).order_by()
    return {row["plan__contact__owner"]: row["overdue"] for row in rows}


# Rows and figures


def _by_month(scope, *answers):
    rows = []
    for month in scope.months:
        row = {"month": month}
        for answer, keys in zip(answers, ANSWER_COUNTS, strict=True):
            row.update(summed([c for (m, _), c in answer.items() if m == month], keys))
        rows.append(row)
    return rows


def _follow_ups_figure(rows):
    labels = [month_label(row["month"]) for row in rows]
    shares = [percent(row["on_time"], row["judged"]) for row in rows]
    return Figure(
        slug="follow-ups",
        title="First follow-ups on time",
        note="Of the follow-ups begun each month (after meeting someone), the share whose "
        f"first attempt came in time, by priority: {_deadlines_text()}.",
        table=Table(
            ["Month", "Follow-ups judged", "First attempt on time", "On time %"],
            [
                [label, row["judged"], row["on_time"], share]
                for label, row, share in zip(labels, rows, shares, strict=True)
            ],
        ),
        chart=Chart("lines", labels, [Series("On time %", shares)], unit="%"),
    )


def _deadlines_text():
    """ "hot lead 48 hours, referral partner 7 days, …" from the settings."""
    hours = settings.CONVIVIO["FOLLOW_UP_HOURS"]
    parts = []
    for priority in Priority:
        if priority.value in hours:
            count = hours[priority.value]
            span = f"{count // 24} days" if count % 24 == 0 and count > 48 else f"{count} hours"
            parts.append(f"{priority.label.lower()} {span}")
    return ", ".join(parts)


def _exhausted_figure(rows):
    labels = [month_label(row["month"]) for row in rows]
    return Figure(
        slug="exhausted",
        title="Follow-ups exhausted",
        note="Three attempts unanswered: each waits for a person to decide (back to Research, "
        "or Lost).",
        table=Table(
            ["Month", "Exhausted"],
            [[label, row["exhausted"]] for label, row in zip(labels, rows, strict=True)],
        ),
        chart=Chart(
            "bars", labels, [Series("Exhausted", [row["exhausted"] for row in rows])], "follow-ups"
        ),
    )


def _promises_figure(rows):
    labels = [month_label(row["month"]) for row in rows]
    shares = [percent(row["kept_on_time"], row["due"]) for row in rows]
    return Figure(
        slug="promises",
        title="Promises kept on time",
        note="Of the promises due each month (released ones left out), the share kept on or "
        "before their day.",
        table=Table(
            ["Month", "Promises due", "Kept on time", "Kept on time %"],
            [
                [label, row["due"], row["kept_on_time"], share]
                for label, row, share in zip(labels, rows, shares, strict=True)
            ],
        ),
        chart=Chart("lines", labels, [Series("Kept on time %", shares)], unit="%"),
    )


def _people_figure(people, follow_ups, exhausted, promises, overdue):
    rows = []
    for pk, name in people:
        row = summed([c for (_, p), c in follow_ups.items() if p == pk], FOLLOW_UP_COUNTS)
        row.update(summed([c for (_, p), c in exhausted.items() if p == pk], ("exhausted",)))
        row.update(summed([c for (_, p), c in promises.items() if p == pk], PROMISE_COUNTS))
        rows.append(
            [
                name,
                row["judged"],
                percent(row["on_time"], row["judged"]),
                row["exhausted"],
                row["due"],
                percent(row["kept_on_time"], row["due"]),
                overdue.get(pk, 0),
            ]
        )
    return Figure(
        slug="people",
        title="By person",
        note="Each person's numbers over the whole period; overdue touches as of today.",
        table=Table(
            [
                "Person",
                "Follow-ups judged",
                "On time %",
                "Exhausted",
                "Promises due",
                "Kept on time %",
                "Overdue touches today",
            ],
            rows,
        ),
    )


def _overdue_figure(people, overdue):
    ranked = sorted(((name, overdue.get(pk, 0)) for pk, name in people), key=lambda r: -r[1])
    return Figure(
        slug="overdue",
        title="Overdue touches today",
        note="Planned touches whose day has passed, by the owner of the person; as of today, "
        "whatever the period.",
        table=Table(["Person", "Overdue touches"], [list(row) for row in ranked]),
        chart=Chart("hbars", [r[0] for r in ranked], [Series("Overdue", [r[1] for r in ranked])]),
    )
