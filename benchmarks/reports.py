"""Benchmark the four reports on a large firm: each built for everyone and for one person
over 12 months, timed and its queries counted.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/convivio python -m benchmarks.reports
    python -m benchmarks.reports --scale 0.02        # SQLite, a small firm

Uses a database of its own (`<name>_bench` on PostgreSQL, `var/bench.sqlite3` on
SQLite) and drops it when done (`--keep` leaves it; `--reuse` times an earlier kept one
without seeding again). It seeds, with COPY on PostgreSQL (bulk_create on SQLite):

- 50 staff and a manager; 100,000 people, each with a touch plan (a quarterly call, half
  of them a note every two months; 3% are clients, 10% of plans ended);
- 1,000,000 touches over two years: half of them calls, whose outcomes follow the
  method's funnel (half not reached, of the rest about half no need, a few "let's stop",
  the rest a need, a meeting or a referral), a reached call saying whether the person
  still qualifies;
- 20,000 cards with their moves (Research → Connecting → Cultivating → Won or Lost, some
  brought back), values and lost reasons written in several cases;
- 40 alliances (28 live), two exchange lunches a week with five names each way, 24,000
  referrals in all with their outcomes; 30,000 follow-ups; 50,000 promises.

Then, for each report in the registry, `registry.build(slug, scope)` (best of 3, wall
time of this process: Python and the database) and its number of queries; and, if
`/reports/<slug>/` resolves, the page through Django's test client as the manager
(best of 3). A report whose builder is not on this branch shows "not built".

Measured: the README's "Reports at 100,000 people" (numbers and load at the time).
"""

import argparse
import os
import random
import time
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "convivio.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import Resolver404, resolve  # noqa: E402
from django.utils import timezone  # noqa: E402

from benchmarks import own_database  # noqa: E402
from cultivation.models import (  # noqa: E402
    Alliance,
    Contact,
    Exchange,
    FollowUp,
    PlanItem,
    Promise,
    Referral,
    Touch,
    TouchPlan,
)
from cultivation.models.people import name_match_key  # noqa: E402
from cultivation.policy import MANAGERS  # noqa: E402
from opportunities.groups import STAFF  # noqa: E402
from opportunities.models import Opportunity, StageChange  # noqa: E402
from opportunities.reports import registry  # noqa: E402
from opportunities.reports.scope import Scope, next_month  # noqa: E402

HOST = {"HTTP_HOST": "127.0.0.1"}
DAYS = 730  # two years of history
BATCH = 5000
LOST_REASONS = [
    "Budget frozen",
    "budget frozen ",
    "BUDGET FROZEN",
    "Went with a competitor",
    "went with a competitor",
    "No need after all",
    "Timing: next year",
    "Chose to do it in-house",
    "No reply after three attempts",
    "They were acquired",
    "Price",
    "price",
    "Key person left",
    "Not a fit for us",
    "Project cancelled",
] + [f"Other reason {n}" for n in range(40)]


# Inserting fast


def _defaults(model, columns):
    """The other columns of `model`'s table, each with its default, prepared once."""
    now = timezone.now()
    rest = []
    for field in model._meta.concrete_fields:
        if field.attname in columns:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = now
        elif field.has_default():
            value = field.get_default()
        elif field.null:
            value = None
        else:
            value = ""
        rest.append((field.column, field.get_db_prep_save(value, connection)))
    return rest


def insert(model, columns, rows):
    """Insert `rows` (tuples for `columns`, "id" first) into `model`'s table: COPY on
    PostgreSQL, bulk_create elsewhere. Returns the number of rows."""
    rest = _defaults(model, columns)
    table = model._meta.db_table
    count = 0
    if connection.vendor == "postgresql":
        names = ", ".join(f'"{c}"' for c in [*columns, *(c for c, _v in rest)])
        tail = tuple(v for _c, v in rest)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy,
        ):
            for row in rows:
                copy.write_row(row + tail)
                count += 1
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'(SELECT MAX(id) FROM "{table}"))'
            )
        return count
    batch = []
    for row in rows:
        batch.append(model(**dict(zip(columns, row, strict=True))))
        count += 1
        if len(batch) == BATCH:
            model.objects.bulk_create(batch)
            batch = []
    model.objects.bulk_create(batch)
    return count


# The firm


class Firm:
    """Sizes, the clock and the random numbers the seed shares."""

    def __init__(self, scale, now):
        self.staff = 50
        self.people = int(100_000 * scale)
        self.touches = int(1_000_000 * scale)
        self.cards = int(20_000 * scale)
        self.referrals = int(24_000 * scale)
        self.follow_ups = int(30_000 * scale)
        self.promises = int(50_000 * scale)
        self.partners = max(100, int(2_000 * scale))
        self.now = now
        self.today = timezone.localdate(now)
        self.rng = random.Random(12)
        self.user_ids = []

    def moment(self, days=DAYS):
        """A random moment in the last `days` days."""
        return self.now - timedelta(seconds=self.rng.uniform(0, days * 86400))

    def owner_of(self, contact_id):
        return self.user_ids[(contact_id - 1) % self.staff]


def seed_staff(firm):
    User = get_user_model()
    password = make_password("benchmark")
    users = User.objects.bulk_create(
        User(username=f"staff{n}", first_name="Staff", last_name=str(n), password=password)
        for n in range(firm.staff)
    )
    manager = User.objects.create(username="manager", first_name="Mia", password=password)
    staff, _ = Group.objects.get_or_create(name=STAFF)
    managers, _ = Group.objects.get_or_create(name=MANAGERS)
    staff.user_set.add(*users)
    managers.user_set.add(manager)
    firm.user_ids = [user.pk for user in users]
    return manager


def seed_people(firm):
    n = insert(
        Contact,
        ["id", "name", "name_key", "owner_id"],
        (
            (i, f"Person {i}", name_match_key(f"Person {i}"), firm.owner_of(i))
            for i in range(1, firm.people + 1)
        ),
    )
    rng = firm.rng

    def plan(i):
        kind = "client" if i % 33 == 0 else "referral_partner" if i % 50 == 1 else "cultivating"
        ended = firm.moment(300) if i % 10 == 7 else None
        return (i, i, kind, firm.now - timedelta(days=rng.randint(300, DAYS)), ended)

    insert(
        TouchPlan,
        ["id", "contact_id", "kind", "started_at", "ended_at"],
        (plan(i) for i in range(1, firm.people + 1)),
    )
    calls = ((i, i, "call", 90, firm.today + timedelta(days=i % 90 - 10)) for i in range(1, n + 1))
    notes = (
        (n + k, i, "note", 60, firm.today + timedelta(days=i % 60))
        for k, i in enumerate(range(1, n + 1, 2), 1)
    )
    columns = ["id", "plan_id", "method", "interval_days", "next_due_on"]
    insert(PlanItem, columns, calls)
    insert(PlanItem, columns, notes)
    return n


METHODS = ["call"] * 50 + ["note"] * 15 + ["email"] * 15 + ["thinking_of_you"] * 8
METHODS += ["lunch"] * 5 + ["meeting"] * 3 + ["newsletter"] * 4
# Of 100 calls: 50 not reached; of 50 reached, 24 no need, 2 "let's stop", the rest a
# need, a meeting or a referral.
OUTCOMES = ["not_reached"] * 50 + ["no_need"] * 24 + ["asked_to_stop"] * 2
OUTCOMES += ["need_found"] * 9 + ["meeting_agreed"] * 8 + ["referral_given"] * 7


def seed_touches(firm):
    rng = firm.rng

    def touch(i):
        contact = rng.randint(1, firm.people)
        method = rng.choice(METHODS)
        outcome, qualifies = "", None
        if method == "call":
            outcome = rng.choice(OUTCOMES)
            if outcome not in ("not_reached", "asked_to_stop"):
                qualifies = rng.random() < 0.9
        roll = rng.random()
        by = (
            firm.owner_of(contact)
            if roll < 0.85
            else None
            if roll < 0.95
            else rng.choice(firm.user_ids)
        )
        direction = "theirs" if rng.random() < 0.08 else "ours"
        return (i, contact, method, direction, firm.moment(), outcome, qualifies, by)

    columns = [
        "id",
        "contact_id",
        "method",
        "direction",
        "at",
        "outcome",
        "still_qualifies",
        "by_id",
    ]
    return insert(Touch, columns, (touch(i) for i in range(1, firm.touches + 1)))


NEXT = {
    # stage: [(to, chance), …] (what is left: it stays), mean days before the move
    "research": ([("connecting", 0.65), ("lost", 0.15)], 14),
    "connecting": ([("cultivating", 0.55), ("won", 0.10), ("lost", 0.20), ("research", 0.05)], 21),
    "cultivating": ([("won", 0.30), ("lost", 0.25), ("research", 0.05)], 45),
    "lost": ([("research", 0.10)], 60),
    "won": ([], 1),
}


def _path(firm, source):
    """A card's moves: [(at, from, to, note)], starting at a random moment."""
    rng = firm.rng
    at = firm.moment()
    stage = (
        "research"
        if source == "research"
        else rng.choice(["research", "connecting", "cultivating"])
    )
    moves = [(at, "", stage, "")]
    for _ in range(8):
        choices, mean = NEXT[stage]
        roll, to = rng.random(), None
        for candidate, chance in choices:
            if roll < chance:
                to = candidate
                break
            roll -= chance
        at = at + timedelta(days=rng.expovariate(1 / mean))
        if to is None or at > firm.now:
            break
        note = rng.choice(LOST_REASONS) if to == "lost" else ""
        moves.append((at, stage, to, note))
        stage = to
    return moves


def seed_cards(firm):
    rng = firm.rng
    cards, moves = [], []
    for i in range(1, firm.cards + 1):
        source = rng.choices(["research", "inbound", "referral"], [60, 20, 20])[0]
        path = _path(firm, source)
        at, _from, stage, note = path[-1]
        owner = rng.choice(firm.user_ids)
        value = Decimal(rng.randrange(1000, 50000, 500)) if rng.random() < 0.6 else None
        created = path[0][0]
        cards.append((i, f"Card {i}", owner, stage, source, value, note, i * 1024, at, created, at))
        moves.extend((i, owner, *move) for move in path)
    columns = ["id", "title", "owner_id", "stage", "source", "estimated_value", "lost_reason"]
    columns += ["position", "stage_entered_at", "created_at", "updated_at"]
    insert(Opportunity, columns, iter(cards))
    columns = ["id", "opportunity_id", "by_id", "at", "from_stage", "to_stage", "note"]
    return insert(StageChange, columns, ((n, *row) for n, row in enumerate(moves, 1)))


def seed_alliances(firm):
    """40 alliances (the first 40 partners), 28 still live; two lunches a week with them,
    each with five names offered each way. Returns the lunches: (id, partner, by, on)."""
    rng = firm.rng
    rows = []
    for i in range(1, 41):
        live = i <= 28
        since = firm.now - timedelta(days=rng.randint(30, DAYS + 200))
        ended = None if live else since + (firm.now - since) * rng.random()
        next_lunch = firm.today + timedelta(days=i * 3) if live else None
        rows.append((i, i, since, ended, "" if live else "Moved away", next_lunch))
    columns = ["id", "contact_id", "since", "ended_at", "end_reason", "next_lunch_on"]
    insert(Alliance, columns, iter(rows))
    lunches = []
    for week in range(DAYS // 7):
        for n in range(2):
            partner = (week * 2 + n) % 40 + 1
            on = firm.today - timedelta(days=week * 7 + rng.randint(0, 6))
            lunches.append((len(lunches) + 1, partner, firm.owner_of(partner), on))
    insert(Exchange, ["id", "partner_id", "by_id", "on"], iter(lunches))
    return lunches


REFERRAL_OUTCOMES = ["no_future"] * 30 + ["stay_in_touch"] * 27 + ["next_step"] * 30
REFERRAL_OUTCOMES += ["became_client"] * 13


def seed_referrals(firm, lunches):
    rng = firm.rng

    def referral(i, on, partner, colleague, exchange, received):
        outcome = "" if rng.random() < 0.2 else rng.choice(REFERRAL_OUTCOMES)
        outcome_at = (
            datetime.combine(on, datetime.min.time(), tzinfo=UTC) + timedelta(days=10)
            if outcome
            else None
        )
        person = rng.randint(firm.partners + 1, firm.people)
        sides = (partner, colleague, None, None) if received else (None, None, colleague, partner)
        return (
            i,
            "received" if received else "given",
            person,
            *sides,
            on,
            exchange,
            outcome,
            outcome_at,
        )

    def rows():
        i = 0
        for exchange, partner, by, on in lunches:
            for n in range(10):
                i += 1
                yield referral(i, on, partner, by, exchange, received=n < 5)
        while i < firm.referrals:
            i += 1
            partner = rng.randint(1, firm.partners)
            on = timezone.localdate(firm.moment())
            yield referral(i, on, partner, rng.choice(firm.user_ids), None, rng.random() < 0.6)

    columns = ["id", "direction", "person_id", "from_person_id", "to_user_id", "by_user_id"]
    columns += ["to_person_id", "on", "exchange_id", "outcome", "outcome_at"]
    return insert(Referral, columns, rows())


def seed_follow_ups(firm):
    rng = firm.rng

    def follow_up(i):
        contact = firm.partners + i  # one each: at most one live follow-up a person
        met = firm.moment()
        roll = rng.random()
        status, ended, due, exhausts, attempts = "answered", None, None, None, 1
        if roll < 0.40:
            ended = met + timedelta(days=rng.uniform(1, 20))
        elif roll < 0.60:
            status, ended, attempts = "closed", met + timedelta(days=rng.uniform(5, 40)), 3
        elif roll < 0.85:
            status, attempts = "open", rng.randint(0, 2)
            due = met + timedelta(days=rng.choice([2, 7, 21]))
        else:
            status, attempts, exhausts = "exhausted", 3, met + timedelta(days=30)
        last = met + timedelta(days=attempts * 5) if attempts else None
        owner = firm.owner_of(contact)
        return (i, contact, owner, met, status, attempts, last, due, exhausts, ended)

    columns = ["id", "contact_id", "owner_id", "met_at", "status", "attempt_count"]
    columns += ["last_attempt_at", "next_due_at", "exhausts_at", "ended_at"]
    return insert(FollowUp, columns, (follow_up(i) for i in range(1, firm.follow_ups + 1)))


def seed_promises(firm):
    rng = firm.rng

    def promise(i):
        contact = rng.randint(1, firm.people)
        due = timezone.localdate(firm.moment()) + timedelta(days=14)
        made = datetime.combine(due, datetime.min.time(), tzinfo=UTC) - timedelta(days=14)
        roll, kept, released, reason = rng.random(), None, None, ""
        if roll < 0.7:
            kept = made + timedelta(days=rng.uniform(1, 20))
        elif roll < 0.8:
            released, reason = made + timedelta(days=5), "No longer needed"
        owner = firm.owner_of(contact)
        return (i, contact, owner, "Send the article", due, made, kept, released, reason)

    columns = ["id", "contact_id", "owner_id", "what", "due_on", "made_at", "kept_at"]
    columns += ["released_at", "release_reason"]
    return insert(Promise, columns, (promise(i) for i in range(1, firm.promises + 1)))


def seed(firm):
    manager = seed_staff(firm)
    counts = {"people": seed_people(firm), "touches": seed_touches(firm)}
    counts["card moves"] = seed_cards(firm)
    lunches = seed_alliances(firm)
    counts["referrals"] = seed_referrals(firm, lunches)
    counts["follow-ups"] = seed_follow_ups(firm)
    counts["promises"] = seed_promises(firm)
    return manager, counts


# Measuring


class Counter:
    def __init__(self):
        self.queries = 0

    def __call__(self, execute, sql, params, many, context):
        self.queries += 1
        return execute(sql, params, many, context)


def best_of(call, repeat=3):
    """The fastest of `repeat` runs, in seconds, and the queries of one."""
    times, counter = [], Counter()
    for n in range(repeat):
        started = time.perf_counter()
        if n == 0:
            with connection.execute_wrapper(counter):
                call()
        else:
            call()
        times.append(time.perf_counter() - started)
    return min(times), counter.queries


def _page(slug):
    try:
        resolve(f"/reports/{slug}/")
    except Resolver404:
        return None
    return f"/reports/{slug}/"


def measure(firm, manager):
    zone = timezone.get_default_timezone()
    this_month = date(firm.today.year, firm.today.month, 1)
    first = this_month
    for _ in range(11):
        first = date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)
    person = firm.user_ids[0]
    scopes = [
        ("everyone", Scope(first=first, end=next_month(this_month), zone=zone), ""),
        (
            "one person",
            Scope(first=first, end=next_month(this_month), zone=zone, user_ids=(person,)),
            f"?person={person}",
        ),
    ]
    client = Client(**HOST)
    client.force_login(manager)
    rows = []
    for slug in registry.REPORTS:
        for who, scope, query in scopes:
            try:
                seconds, queries = best_of(lambda s=scope, slug=slug: registry.build(slug, s))
            except ImportError:
                rows.append((slug, who, None, None, None))
                continue
            page = _page(slug)
            page_seconds = None
            if page:
                page_seconds, _q = best_of(lambda url=page + query: _get(client, url))
            rows.append((slug, who, seconds, queries, page_seconds))
    return rows


def _get(client, url):
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    return response


@contextmanager
def database(keep, reuse):
    """The benchmark's database: made fresh (or, reusing, the kept one), dropped unless kept."""
    if not reuse and not keep:
        with own_database("bench"):
            yield True
        return
    db = settings.DATABASES["default"]
    name = (
        f"{db['NAME']}_bench"
        if connection.vendor != "sqlite"
        else str(settings.BASE_DIR / "var" / "bench.sqlite3")
    )
    if not reuse:
        db["TEST"] = {**db.get("TEST", {}), "NAME": name}
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    else:
        connection.close()
        db["NAME"] = connection.settings_dict["NAME"] = name
    yield not reuse


def _ms(seconds):
    return "–" if seconds is None else f"{seconds * 1000:,.0f} ms"


def run(scale, keep, reuse):
    firm = Firm(scale, timezone.now())
    with database(keep, reuse) as fresh:
        if fresh:
            started = time.perf_counter()
            with transaction.atomic():
                manager, counts = seed(firm)
            with connection.cursor() as cursor:
                # Fresh planner statistics, as autovacuum would gather after a bulk load.
                cursor.execute("ANALYZE")
            seeded = ", ".join(f"{n:,} {what}" for what, n in counts.items())
            print(
                f"Seeded {seeded} in {time.perf_counter() - started:.0f} s on {connection.vendor}."
            )
        else:
            manager = get_user_model().objects.get(username="manager")
            firm.user_ids = list(
                get_user_model()
                .objects.filter(username__startswith="staff")
                .order_by("pk")
                .values_list("pk", flat=True)
            )
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, HOST["HTTP_HOST"]]
        rows = measure(firm, manager)
    print()
    print("| report | for | build (best of 3) | queries | page (best of 3) |")
    print("|---|---|---:|---:|---:|")
    for slug, who, seconds, queries, page in rows:
        if seconds is None:
            print(f"| {slug} | {who} | not built | – | – |")
            continue
        print(f"| {slug} | {who} | {_ms(seconds)} | {queries} | {_ms(page)} |")
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(f"\nLoad average (1, 5, 15 min) at the end: {load}.")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0: 100,000 people")
    parser.add_argument("--keep", action="store_true", help="leave the database for --reuse")
    parser.add_argument("--reuse", action="store_true", help="time the kept database again")
    args = parser.parse_args()
    run(args.scale, args.keep, args.reuse)


if __name__ == "__main__":
    main()
