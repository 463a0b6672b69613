"""Benchmark the daily due scan and the weekly email on a large firm.

    python -m benchmarks.scan [--contacts 100000] [--staff 50]

Creates a database of its own (Django's test database: `var/benchmark.sqlite3`,
or `<name>_benchmark` on PostgreSQL via DATABASE_URL), seeds it with bulk
inserts (contacts, each with a touch plan and touches; some follow-ups, a third
of them past their third attempt, and promises), times the jobs (the scan
stamps exhausted follow-ups; the email reads My week live), prints a table,
and drops the database again.
"Python" is the wall time minus the time spent inside database calls and
commits (on SQLite, rows fetched after a query count as Python: an upper bound).
"CPU" is this process's CPU time (`time.process_time`): on a machine other work
keeps busy it is the steadier figure (PostgreSQL's own work is not in it).

The weekly email, 50 staff, 492 items an email on average, measured on 2026-11-26 on
the project's 2-core machine; time (CPU) and the load average at the end:

    before (template engine for every line), nearly idle:  PostgreSQL 10.13 s (load 2.4),
        SQLite 24.99 s (load 6.3)
    before, busy machine:  PostgreSQL 40.64 s (6.47 s CPU, load 15),
        SQLite 120.65 s (7.43 s CPU, load 23)
    after (lines built in Python, cultivation/jobs/digest_render.py), busy machine:
        PostgreSQL 19.84 s (2.11 s CPU, load 19), SQLite 9.69 s (2.65 s CPU, load 12);
        again at 04:05, PostgreSQL 10.33 s (2.30 s CPU, load 10.5)
    after, with each person's own week and zone, nearly idle machine (04:23):
        PostgreSQL 4.17 s (2.37 s CPU, load 2.3), 405 queries

    python -m benchmarks.scan
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/convivio python -m benchmarks.scan
"""

import argparse
import os
import random
import time
from contextlib import contextmanager
from datetime import timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "convivio.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Avg  # noqa: E402
from django.utils import timezone  # noqa: E402

from benchmarks import own_database  # noqa: E402
from cultivation import jobs  # noqa: E402
from cultivation.models import (  # noqa: E402
    Contact,
    FollowUp,
    PlanItem,
    Promise,
    Touch,
    TouchPlan,
    WeeklyDigest,
)

BATCH = 5000


class Meter:
    """Counts queries, and the time spent inside them and in commits."""

    def __init__(self):
        self.queries, self.db_seconds = 0, 0.0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries += 1
            self.db_seconds += time.perf_counter() - start

    def timed_commit(self, commit):
        def timed():
            start = time.perf_counter()
            try:
                return commit()
            finally:
                self.db_seconds += time.perf_counter() - start

        return timed


@contextmanager
def measured(rows_out):
    meter = Meter()
    commit = connection._commit
    # PostgreSQL checks deferred foreign keys at COMMIT: database time, not Python's.
    connection._commit = meter.timed_commit(commit)
    start, cpu = time.perf_counter(), time.process_time()
    try:
        with connection.execute_wrapper(meter):
            yield meter
    finally:
        meter.seconds = time.perf_counter() - start
        meter.cpu_seconds = time.process_time() - cpu
        del connection._commit
    rows_out.append(meter)


def seed(*, contacts, staff, now, rng):
    today = timezone.localdate(now)
    password = make_password("benchmark")
    users = get_user_model().objects.bulk_create(
        get_user_model()(
            username=f"staff{n}", email=f"staff{n}@example.com", password=password, first_name="S"
        )
        for n in range(staff)
    )
    people = Contact.objects.bulk_create(
        (Contact(name=f"Contact {n}", owner=users[n % staff]) for n in range(contacts)),
        batch_size=BATCH,
    )
    plans = TouchPlan.objects.bulk_create(
        (TouchPlan(contact=person, started_at=now - timedelta(days=200)) for person in people),
        batch_size=BATCH,
    )
    items = [
        # The quarterly call, due dates spread evenly over the coming 90 days and 10 overdue.
        PlanItem(
            plan=plan, method="call", interval_days=90, next_due_on=today + timedelta(n % 90 - 10)
        )
        for n, plan in enumerate(plans)
    ] + [
        PlanItem(plan=plan, method="note", interval_days=60, next_due_on=today + timedelta(n % 60))
        for n, plan in enumerate(plans[::2])
    ]
    PlanItem.objects.bulk_create(items, batch_size=BATCH)
    Touch.objects.bulk_create(
        (
            Touch(contact=person, method=method, at=now - timedelta(days=rng.randint(20, 400)))
            for person in people
            for method in ("call", "note")
        ),
        batch_size=BATCH,
    )
    FollowUp.objects.bulk_create(
        (_follow_up(n, person, now=now, rng=rng) for n, person in enumerate(people[::10])),
        batch_size=BATCH,
    )
    Promise.objects.bulk_create(
        (
            Promise(
                contact=person,
                owner=person.owner,
                what="Send the report",
                due_on=today + timedelta(rng.randint(-5, 25)),
            )
            for person in people[5::10]
        ),
        batch_size=BATCH,
    )
    return {"plan items": len(items), "touches": 2 * contacts}


def _follow_up(n, person, *, now, rng):
    """Two in three wait for their next attempt; one in three had its third attempt, and
    the week of waiting for an answer ends between three days ago and 90 days on."""
    follow_up = FollowUp(contact=person, owner=person.owner, met_at=now - timedelta(days=10))
    if n % 3:
        follow_up.next_due_at = now + timedelta(hours=rng.randint(-72, 14 * 24))
    else:
        follow_up.attempt_count = 3
        follow_up.exhausts_at = now + timedelta(hours=rng.randint(-72, 90 * 24))
    return follow_up


def _scan(results, label, when):
    with measured(results) as meter:
        meter.label, meter.rows = label, jobs.due_scan(now=when).exhausted


def run(contacts, staff):
    rng = random.Random(7)
    now = timezone.now()
    results = []
    with measured([]) as seeding, transaction.atomic():
        counts = seed(contacts=contacts, staff=staff, now=now, rng=rng)
    with connection.cursor() as cursor:
        # Fresh planner statistics, as autovacuum would gather within a minute of a bulk load.
        cursor.execute("ANALYZE")
    print(
        f"Seeded {contacts:,} contacts ({counts['plan items']:,} plan items, "
        f"{counts['touches']:,} touches) and {staff} staff in {seeding.seconds:.1f} s "
        f"on {connection.vendor}."
    )

    _scan(results, "scan, first run (backlog)", now)
    _scan(results, "scan, same day again", now + timedelta(minutes=5))
    _scan(results, "scan, next day", now + timedelta(days=1))
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with measured(results) as meter:
        sent = jobs.weekly_digest_send(now=now + timedelta(days=1))
    meter.label, meter.rows = f"weekly email, {staff} staff", len(sent.sent)
    items = WeeklyDigest.objects.aggregate(average=Avg("item_count"))["average"] or 0
    _scan(results, "scan, 90 days later (all the rest at once)", now + timedelta(days=90))

    print()
    print("| step | follow-ups stamped / emails | time | queries | of which Python | CPU |")
    print("|---|---:|---:|---:|---:|---:|")
    for m in results:
        python = m.seconds - m.db_seconds
        print(
            f"| {m.label} | {m.rows:,} | {m.seconds:.2f} s | {m.queries} | {python:.2f} s "
            f"| {m.cpu_seconds:.2f} s |"
        )
    print(f"\nEach weekly email listed {items:.0f} items on average.")
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(f"Load average (1, 5, 15 min) at the end: {load}.")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--staff", type=int, default=50)
    args = parser.parse_args()

    with own_database("benchmark"):
        run(args.contacts, args.staff)


if __name__ == "__main__":
    main()
