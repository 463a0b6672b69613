"""Benchmark duplicate matching, the "Possible duplicates" page and a merge at 100,000 people.

    python -m benchmarks.people_duplicates [--people 100000] [--repeat 20]

Uses a database of its own (`var/people_duplicates_benchmark.sqlite3`, or
`<name>_people_duplicates_benchmark` on PostgreSQL via DATABASE_URL), fills it with
`--people` people at 5,000 organisations (about 2% of them recorded twice: the same
email in another case, the same LinkedIn profile written differently, or the same
name spelled differently at the same organisation; on PostgreSQL the table is then
analysed, as autovacuum does after a bulk load), and reports the median server
time of:

- `possible_duplicates` (what the person forms call) by email, by LinkedIn, by name
  at an organisation, and by all three at once, with its query plan;
- the "Possible duplicates" page (`GET /contacts/duplicates/?by=...`, Django's test
  client: middleware, view, queries, template) for each reason, first and last page;
- the merge confirmation page and `contact_merge` itself for pairs with a few touches.

It drops the database when done.
"""

import argparse
import os
import random
import statistics
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "convivio.settings")
django.setup()

from django.core.paginator import Paginator  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from benchmarks import own_database  # noqa: E402
from cultivation.factories import ManagerFactory  # noqa: E402
from cultivation.matching import (  # noqa: E402
    DUPLICATE_KINDS,
    duplicate_groups,
    duplicate_keys,
    matches_query,
    possible_duplicates,
)
from cultivation.models import Contact, Organisation, Touch  # noqa: E402
from cultivation.services import contact_merge  # noqa: E402
from cultivation.views.duplicates import GROUPS_PER_PAGE  # noqa: E402

HOST = {"HTTP_HOST": "127.0.0.1"}
FIRST = ["Ana", "Sam", "José", "Priya", "Dev", "Maria", "Tom", "Lena", "Omar", "Zoë", "Kai"]
LAST = ["O'Neill", "Smith", "Müller", "Shah", "Patel", "García", "Nowak", "Lee", "Dubois"]
ORGANISATIONS = 5_000
BATCH = 5_000


def _median_ms(samples):
    return statistics.median(samples) * 1000


def _timed(call, repeat):
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return samples


def _person(n, organisations, rng):
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)}-{n}"
    return Contact(
        name=name,
        organisation=organisations[n % len(organisations)],
        email=f"person{n}@example.org",
        linkedin_url=f"https://www.linkedin.com/in/person-{n}/" if n % 3 == 0 else "",
    )


def _twin(person, n):
    """A second record of `person`: one way in three each, as people get recorded twice."""
    way = n % 3
    return Contact(
        name=person.name.upper() if way == 2 else f"{person.name} (2)",
        organisation=person.organisation,
        email=person.email.upper() if way == 0 else f"other{n}@example.org",
        linkedin_url=person.linkedin_url.replace("https://www.", "")
        if way == 1 and person.linkedin_url
        else "",
    )


def populate(people):
    """`people` records: every 50th is a second record of the one before it (2%)."""
    rng = random.Random(14)
    organisations = Organisation.objects.bulk_create(
        Organisation(name=f"Organisation {n}") for n in range(ORGANISATIONS)
    )
    batch = []
    for n in range(people):
        twin = n % 50 == 49
        batch.append(_twin(batch[-1], n) if twin else _person(n, organisations, rng))
        if len(batch) == BATCH or n == people - 1:
            Contact.objects.bulk_create(batch)
            batch = []
    if connection.vendor == "postgresql":
        # What autovacuum does after a bulk load: without statistics the planner hashes
        # every key instead of walking the key's index.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE cultivation_contact")


def _plan(queryset):
    return " ".join(queryset.explain().split())


def measure_matching(repeat):
    someone = Contact.objects.filter(linkedin_key__gt="").order_by("pk")[1000]
    asks = {
        "email": {"email": someone.email.upper()},
        "LinkedIn": {"linkedin_url": someone.linkedin_url},
        "name + organisation": {"name": someone.name, "organisation": someone.organisation},
    }
    asks["all three"] = {key: value for ask in asks.values() for key, value in ask.items()}
    rows = []
    for label, ask in asks.items():
        with CaptureQueriesContext(connection) as queries:
            found = possible_duplicates(**ask)
        assert found and found[0].contact == someone, (label, found)
        samples = _timed(lambda ask=ask: possible_duplicates(**ask), repeat)
        rows.append((label, _median_ms(samples), len(queries), _plan(matches_query(**ask))))
    return rows


def _page(client, url, repeat):
    client.get(url)  # warm templates
    queries = []
    # Counted at the cursor: a request's start empties the debug log CaptureQueriesContext reads.
    with connection.execute_wrapper(
        lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)
    ):
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return _median_ms(_timed(lambda: client.get(url), repeat)), len(queries)


def measure_pages(client, repeat):
    rows = []
    for kind in DUPLICATE_KINDS:
        url = f"{reverse('cultivation:contact-duplicates')}?by={kind.slug}"
        pages = Paginator(duplicate_keys(kind), GROUPS_PER_PAGE).num_pages
        ms, count = _page(client, url, repeat)
        rows.append((f"{kind.label}, page 1 of {pages}", ms, count))
        ms, count = _page(client, f"{url}&page={pages}", repeat)
        rows.append((f"{kind.label}, last page", ms, count))
    return rows


def measure_merge(client, manager, repeat):
    pairs = []
    for kind in DUPLICATE_KINDS:
        keys = duplicate_keys(kind)[:GROUPS_PER_PAGE]
        pairs += [pair for group in duplicate_groups(kind, keys) for pair in group.pairs]
    pairs = pairs[:repeat]
    Touch.objects.bulk_create(
        Touch(contact=person, method="email") for pair in pairs for person in pair for _ in "abc"
    )
    survivor, duplicate = pairs[0]
    url = f"{reverse('cultivation:contact-merge')}?survivor={survivor.pk}&duplicate={duplicate.pk}"
    ms, count = _page(client, url, repeat)
    merges = []
    for survivor, duplicate in pairs:
        started = time.perf_counter()
        contact_merge(survivor=survivor, duplicate=duplicate, by=manager)
        merges.append(time.perf_counter() - started)
    return [
        ("merge confirmation page", ms, count),
        (f"contact_merge (service, {len(pairs)} pairs)", _median_ms(merges), ""),
    ]


def run(people, repeat):
    started = time.perf_counter()
    populate(people)
    vendor = connection.vendor
    manager = ManagerFactory(username="bench-manager")
    client = Client(**HOST)
    client.force_login(manager)
    total = Contact.objects.count()
    print(f"\n{total:,} people on {vendor}, filled in {time.perf_counter() - started:.0f} s")
    print(f"(median of {repeat}, milliseconds)\n")
    print("| possible_duplicates by | ms | queries |\n|---|---:|---:|")
    plans = []
    for label, ms, count, plan in measure_matching(repeat):
        print(f"| {label} | {ms:.2f} | {count} |")
        plans.append(f"- {label}: {plan}")
    print("\nQuery plans:\n" + "\n".join(plans))
    print("\n| page | ms | queries |\n|---|---:|---:|")
    for label, ms, count in measure_pages(client, repeat) + measure_merge(client, manager, repeat):
        print(f"| {label} | {ms:.1f} | {count} |", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    with own_database("people_duplicates_benchmark"):
        run(args.people, args.repeat)


if __name__ == "__main__":
    main()
