"""The pipeline report (docs/reports.md, "Pipeline"): how cards move across the board.

Every figure is counted in the database, a fixed number of queries whatever the data
size. A card counts for its owner; months are the firm's (`scope.zone`).
"""

from django.db import connection
from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import Lower, Trim, TruncMonth

from cultivation.models import FollowUp, Promise, Referral, Touch, TouchPlan
from cultivation.models.touches import Direction, Method, Outcome

from ..models import Opportunity, Source, Stage, StageChange
from .common import in_period, month_label, month_of, of_people, percent
from .scope import Chart, Figure, Series, Table

# "Reached at least": a card that went on to a later stage passed the earlier ones (an
# inbound card may start in Connecting or Cultivating; a card is won from either).
REACHED = (
    ("Connecting or beyond", (Stage.CONNECTING, Stage.CULTIVATING, Stage.WON)),
    ("Cultivating or won", (Stage.CULTIVATING, Stage.WON)),
    ("Won", (Stage.WON,)),
)
TIMED_STAGES = (Stage.RESEARCH, Stage.CONNECTING, Stage.CULTIVATING)
TOP_REASONS = 10
SECONDS_A_DAY = 86400


def build(scope):
    return [
        cohort(scope),
        days_in_stage(scope),
        won_by_month(scope),
        lost_reasons(scope),
        win_rate_by_source(scope),
        six_functions(scope),
    ]


def _moves(scope):
    """Moves of the scope's cards (creation included: `from_stage` blank)."""
    return of_people(StageChange.objects.order_by(), "opportunity__owner_id", scope)


# 1. Cohort conversion


def cohort(scope):
    """Cards that entered the pipeline in the period, and how far they have got by now."""
    entered = _moves(scope).filter(in_period("at", scope), from_stage="")
    counts = (
        StageChange.objects.order_by()
        .filter(opportunity_id__in=entered.values("opportunity_id"))
        .aggregate(
            entered=Count("opportunity_id", distinct=True),
            **{
                f"reached{n}": Count("opportunity_id", distinct=True, filter=Q(to_stage__in=stages))
                for n, (_label, stages) in enumerate(REACHED)
            },
            lost=Count("opportunity_id", distinct=True, filter=Q(to_stage=Stage.LOST)),
        )
    )
    total, rows, before = counts["entered"], [], counts["entered"]
    rows.append(["Entered the pipeline", total, percent(total, total), None])
    for n, (label, _stages) in enumerate(REACHED):
        reached = counts[f"reached{n}"]
        rows.append([label, reached, percent(reached, total), percent(reached, before)])
        before = reached
    rows.append(["Lost (at some point)", counts["lost"], percent(counts["lost"], total), None])
    return Figure(
        slug="cohort",
        title="Conversion of the cards that entered in the period",
        table=Table(["Step", "Cards", "% of those entered", "% of the step before"], rows),
        chart=Chart(
            kind="bars",
            labels=[row[0] for row in rows],
            series=[Series("Cards", [row[1] for row in rows])],
        ),
        note="Each card counts once at the furthest step it has reached by today; a card "
        "lost and brought back counts as lost too.",
    )


# 2. Days in each stage


# PostgreSQL's continuous percentiles (ordered-set aggregates, which Django does not
# name) over the stays, each stay's length worked out once (MATERIALIZED: else the
# planner copies the subquery into each aggregate).
STAY_PERCENTILES = """
    WITH ended AS MATERIALIZED (%s)
    SELECT from_stage, COUNT(stay),
        PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY days),
        PERCENTILE_CONT(0.9) WITHIN GROUP (ORDER BY days)
    FROM (SELECT from_stage, stay, EXTRACT(EPOCH FROM stay) / 86400.0 AS days
          FROM ended) AS stays
    GROUP BY from_stage
"""


def percentile(values, fraction):
    """`fraction`'s percentile of sorted `values`, interpolated as PERCENTILE_CONT does."""
    if not values:
        return None
    position = fraction * (len(values) - 1)
    low = int(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


def _stays(scope):
    """Each stay that ended in the period: the move that ended it, annotated with how long
    the card had been in `from_stage` (since the card's move before it)."""
    before = StageChange.objects.filter(opportunity_id=OuterRef("opportunity_id")).filter(
        Q(at__lt=OuterRef("at")) | Q(at=OuterRef("at"), pk__lt=OuterRef("pk"))
    )
    started = Subquery(before.order_by("-at", "-pk").values("at")[:1])
    return (
        _moves(scope)
        .filter(in_period("at", scope), from_stage__in=TIMED_STAGES)
        .annotate(stay=ExpressionWrapper(F("at") - started, output_field=DurationField()))
        .values_list("from_stage", "stay")
    )


def _stay_days_by_stage(scope):
    """{stage: (stays, median days, 90th percentile days)}: one query."""
    stays = _stays(scope)
    if connection.vendor == "postgresql":
        sql, params = stays.query.sql_with_params()
        with connection.cursor() as cursor:
            # Django wrote `sql` and passes the values separately: nothing is spliced in.
            cursor.execute(STAY_PERCENTILES % sql, params)  # nosec B608
            return {stage: (n, median, p90) for stage, n, median, p90 in cursor.fetchall()}
    # SQLite has no percentile: fetch only the durations, sorted, and interpolate here.
    days = {}
    for stage, stay in stays.order_by("from_stage", "stay"):
        if stay is not None:  # a stay whose start was not recorded
            days.setdefault(stage, []).append(stay.total_seconds() / SECONDS_A_DAY)
    return {
        stage: (len(values), percentile(values, 0.5), percentile(values, 0.9))
        for stage, values in days.items()
    }


def _days(value):
    return None if value is None else round(value, 1)


def days_in_stage(scope):
    by_stage = _stay_days_by_stage(scope)
    rows = []
    for stage in TIMED_STAGES:
        n, median, p90 = by_stage.get(stage, (0, None, None))
        rows.append([Stage(stage).label, n, _days(median), _days(p90)])
    return Figure(
        slug="days-in-stage",
        title="Days in each stage",
        table=Table(["Stage", "Stays ended in the period", "Median days", "90th percentile"], rows),
        chart=Chart(
            kind="bars",
            labels=[row[0] for row in rows],
            series=[
                Series("Median", [row[2] for row in rows]),
                Series("90th", [row[3] for row in rows]),
            ],
            unit="days",
        ),
        note="A stay is the time from the move into a stage to the move out of it; only "
        "stays that ended in the period count.",
    )


# 3. Won value by month


def won_by_month(scope):
    rows = (
        _moves(scope)
        .filter(in_period("at", scope), to_stage=Stage.WON)
        .annotate(month=TruncMonth("at", tzinfo=scope.zone))
        .values("month")
        .annotate(cards=Count("opportunity_id"), value=Sum("opportunity__estimated_value"))
        .values_list("month", "cards", "value")
    )
    by_month = {month_of(month): (cards, value or 0) for month, cards, value in rows}
    table = [[month_label(month), *by_month.get(month, (0, 0))] for month in scope.months]
    return Figure(
        slug="won-by-month",
        title="Won, by month",
        table=Table(["Month", "Cards won", "Won value"], table),
        chart=Chart(
            kind="bars",
            labels=[row[0] for row in table],
            series=[Series("Won value", [float(row[2]) for row in table])],
            unit="£",
        ),
        note="Each card's estimated value, counted in the month it was moved to Won.",
    )


# 4. Lost reasons


def lost_reasons(scope):
    """Reasons given for the moves to Lost in the period, trimmed and case-folded, most
    frequent first: the top ten and the rest as "Other reasons". Two queries."""
    lost = _moves(scope).filter(in_period("at", scope), to_stage=Stage.LOST)
    total = lost.count()
    top = (
        lost.annotate(reason=Lower(Trim("note")))
        .values("reason")
        .annotate(n=Count("pk"))
        .order_by("-n", "reason")
        .values_list("reason", "n")[:TOP_REASONS]
    )
    rows = [[reason[:1].upper() + reason[1:] if reason else "(none given)", n] for reason, n in top]
    shown = sum(row[1] for row in rows)
    if total > shown:
        rows.append(["Other reasons", total - shown])
    rows = [[reason, n, percent(n, total)] for reason, n in rows]
    return Figure(
        slug="lost-reasons",
        title="Why cards were lost",
        table=Table(["Reason", "Cards", "% of those lost"], rows),
        chart=Chart(
            kind="hbars",
            labels=[row[0] for row in rows],
            series=[Series("Cards", [row[1] for row in rows])],
        ),
        note="The reason given when each card was moved to Lost in the period; the same "
        "words in any case count together.",
    )


# 5. Win rate by source


def win_rate_by_source(scope):
    """Cards won ÷ (won + lost) of those closed in the period and still closed: one query."""
    closed = of_people(Opportunity.objects.order_by(), "owner_id", scope).filter(
        in_period("stage_entered_at", scope), stage__in=(Stage.WON, Stage.LOST)
    )
    rows = closed.values("source").annotate(
        won=Count("pk", filter=Q(stage=Stage.WON)), lost=Count("pk", filter=Q(stage=Stage.LOST))
    )
    by_source = {row["source"]: (row["won"], row["lost"]) for row in rows}
    table = []
    for source in Source:
        won, lost = by_source.get(source.value, (0, 0))
        table.append([source.label, won, lost, percent(won, won + lost)])
    won, lost = sum(row[1] for row in table), sum(row[2] for row in table)
    table.append(["All sources", won, lost, percent(won, won + lost)])
    return Figure(
        slug="win-rate",
        title="Win rate by source",
        table=Table(["Source", "Won", "Lost", "Win rate %"], table),
        chart=Chart(
            kind="hbars",
            labels=[row[0] for row in table],
            series=[Series("Win rate", [row[3] for row in table])],
            unit="%",
        ),
        note="Won ÷ (won + lost) of the cards closed in the period (a lost card since "
        "brought back to Research no longer counts).",
    )


# 6. The six client-development functions

FUNCTIONS = (
    (
        "Fueling",
        "fueling",
        "Referrals received, and cards created in Research: new people who may buy or refer.",
    ),
    (
        "Qualifying",
        "qualifying",
        "Cards moved into Connecting, and touch-base calls that requalified someone "
        "(still qualifies, or not).",
    ),
    (
        "Cultivating",
        "cultivating",
        "Touches we made with anyone but clients: keeping in touch, following up.",
    ),
    ("Converting", "converting", "Meetings agreed on a call, and cards won."),
    (
        "Servicing",
        "servicing",
        "Clients with a live client touch plan at the end of the period, and touches we "
        "made with clients.",
    ),
    (
        "Managing",
        "managing",
        "Promises kept, and follow-ups answered: doing what we said we would.",
    ),
)


def _touch_counts(scope):
    """Touches in the period, counted for whoever made them (the person's owner when
    nobody is named): one pass over the period's touches for everyone; for some people,
    two small ones (those they made, through the index on maker and moment, and those
    nobody is named on with the people they keep)."""
    touches = (
        Touch.objects.order_by().filter(in_period("at", scope)).exclude(method=Method.IMPORTED)
    )
    if scope.user_ids is None:
        return _counted(touches)
    made = _counted(touches.filter(by_id__in=scope.user_ids))
    unnamed = _counted(touches.filter(by_id=None, contact__owner_id__in=scope.user_ids))
    return {key: made[key] + unnamed[key] for key in made}


def _counted(touches):
    """The touches' counts for the functions: one query. The clients are a set of ids in a
    subquery, not a join, so the touches are read once (PostgreSQL hashes the set)."""
    clients = TouchPlan.objects.filter(kind=TouchPlan.Kind.CLIENT).values("contact_id")
    ours = Q(direction=Direction.OURS)
    counts = touches.aggregate(
        requalified=Count("pk", filter=Q(method=Method.CALL, still_qualifies__isnull=False)),
        ours=Count("pk", filter=ours),
        meetings=Count("pk", filter=Q(outcome=Outcome.MEETING_AGREED)),
        clients=Count("pk", filter=ours & Q(contact_id__in=clients)),
    )
    counts["cultivating"] = counts["ours"] - counts["clients"]
    return counts


def _move_counts(scope):
    return (
        _moves(scope)
        .filter(in_period("at", scope))
        .aggregate(
            created=Count("pk", filter=Q(from_stage="", to_stage=Stage.RESEARCH)),
            connecting=Count("pk", filter=~Q(from_stage="") & Q(to_stage=Stage.CONNECTING)),
            won=Count("pk", filter=Q(to_stage=Stage.WON)),
        )
    )


def _function_counts(scope):
    """{function: count}: six queries."""
    moves, touches = _move_counts(scope), _touch_counts(scope)
    received = of_people(Referral.objects.received(), "to_user_id", scope).filter(
        on__gte=scope.first, on__lt=scope.end
    )
    clients = of_people(TouchPlan.objects.order_by(), "contact__owner_id", scope).filter(
        Q(ended_at=None) | Q(ended_at__gte=scope.ends_at),
        kind=TouchPlan.Kind.CLIENT,
        started_at__lt=scope.ends_at,
    )
    kept = of_people(Promise.objects.order_by(), "owner_id", scope).filter(
        in_period("kept_at", scope)
    )
    answered = of_people(FollowUp.objects.order_by(), "owner_id", scope).filter(
        in_period("ended_at", scope), status=FollowUp.Status.ANSWERED
    )
    return {
        "fueling": received.count() + moves["created"],
        "qualifying": moves["connecting"] + touches["requalified"],
        "cultivating": touches["cultivating"],
        "converting": touches["meetings"] + moves["won"],
        "servicing": clients.count() + touches["clients"],
        "managing": kept.count() + answered.count(),
    }


def six_functions(scope):
    counts = _function_counts(scope)
    rows = [[label, counts[key], what] for label, key, what in FUNCTIONS]
    return Figure(
        slug="six-functions",
        title="The six client-development functions",
        table=Table(["Function", "Count", "What it counts"], rows),
        chart=Chart(
            kind="hbars",
            labels=[row[0] for row in rows],
            series=[Series("Count", [row[1] for row in rows])],
        ),
        note="Work done in the period in each of the method's six functions.",
    )
