"""Benchmark the pickers' suggestions and the pages that pick or list people at 100,000 people.

    python -m benchmarks.people [--people 100000] [--repeat 20] [--only "contact list" ...]

Uses a database of its own (`var/people_benchmark.sqlite3`, or
`<name>_people_benchmark` on PostgreSQL via DATABASE_URL), fills it with bulk
inserts (`--people` people at 10,000 organisations, 1% of them erased; a touch
plan for a third, two touches each, follow-ups and promises for a tenth; one
well-known person with 40 touches, 10 promises, 12 acquaintances and 3 cards)
and reports the median server time (Django's test client: middleware, view,
queries, template; no network) of:

- the person picker's suggestions (`GET /pick/contacts/?q=`) for searches that
  find many, few and no one, by name, a later word of a name, email and
  organisation, and within a card's "people not on it yet" restriction;
- the organisation picker's suggestions;
- the touch form (`/touches/new/`, empty and for a person), the contact list
  (`/contacts/`: first page, a search, a filter, a page far in) and a person's page.

Each row also gives this process's CPU time for the request (on SQLite, all of the
server's work: a fairer figure than the wall time when the machine is busy, as the
load averages printed before and after show), the queries it ran and the size of
the answer. PostgreSQL is vacuumed and analysed after the bulk load, as autovacuum
would soon do (index-only scans need the visibility map); SQLite gathers no
statistics, as Django never asks it to. It drops the database when done.
"""

import argparse
import os
import random
import re
import statistics
import time
from datetime import timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "convivio.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from benchmarks import own_database  # noqa: E402
from cultivation.models import (  # noqa: E402
    Acquaintance,
    Contact,
    FollowUp,
    Organisation,
    PlanItem,
    Promise,
    Touch,
    TouchPlan,
)
from opportunities.factories import OpportunityFactory  # noqa: E402
from opportunities.forms import AddContactForm  # noqa: E402
from opportunities.models import Opportunity, OpportunityContact  # noqa: E402
from opportunities.selectors import addable_contacts  # noqa: E402

HOST = {"HTTP_HOST": "127.0.0.1"}
BATCH = 5_000
ORGANISATIONS = 10_000
STAFF = 50


def _words(text):
    return text.split()


FIRST = _words(
    "Aisha Alex Amelia Ana Anna Ben Carlos Chen Chloé Dan Dev Elena Emma Eve Farah Felix "
    "Grace Hannah Hugo Ian Isla Jack James Jamal Jane José Kai Kate Lena Leo Lucy Maria "
    "Mark Marta Mia Noah Nora Olivia Omar Oscar Paul Priya Rosa Ruth Sam Sara Sofia Tom "
    "Zoë"
)
LAST = _words(
    "Abbott Baker Bianchi Brown Byrne Campbell Chen Clarke Costa Davies Dubois Evans "
    "Fischer García Green Hall Hughes Jones Kaur Khan Kowalski Lee Martin Müller Murphy "
    "Nowak O'Neill Patel Price Robinson Rossi Santos Schmidt Shah Silva Smith Taylor "
    "Thomas Walker White Williams Wilson Wood Wright Young Zhang"
)
WORDS = _words(
    "Harbour Northern Atlas Bright Cedar Delta Granite Meridian Oak Summit Thames Vale "
    "Willow Apex Beacon Crown Falcon Harbourside Keystone Lighthouse"
)
KINDS = _words("Logistics Partners Legal Accounting Engineering Trust Holdings Design Health Foods")


def _median_ms(samples):
    return statistics.median(samples) * 1000


def _organisations():
    rows = [
        Organisation(
            name=f"{WORDS[n % len(WORDS)]} {KINDS[n // len(WORDS) % len(KINDS)]} {n}",
            sector=KINDS[n % len(KINDS)],
        )
        for n in range(ORGANISATIONS)
    ]
    return Organisation.objects.bulk_create(rows, batch_size=BATCH)


def _people(count, organisations, users, rng, now):
    def person(n):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        ascii_last = last.replace("'", "").replace("ü", "u").replace("í", "i").lower()
        return Contact(
            name=f"{first} {last}",
            organisation=organisations[n % ORGANISATIONS] if n % 10 else None,
            role="Finance director" if n % 3 else "Partner",
            email=f"{first.lower()}.{ascii_last}{n}@example.org",
            owner=users[n % STAFF],
            erased_at=now if n % 100 == 99 else None,
        )

    return Contact.objects.bulk_create((person(n) for n in range(count)), batch_size=BATCH)


def _cultivation(people, now, rng):
    today = timezone.localdate(now)
    plans = TouchPlan.objects.bulk_create(
        (TouchPlan(contact=p, started_at=now - timedelta(days=200)) for p in people[::3]),
        batch_size=BATCH,
    )
    PlanItem.objects.bulk_create(
        (
            PlanItem(
                plan=plan,
                method="call",
                interval_days=90,
                next_due_on=today + timedelta(n % 90 - 10),
            )
            for n, plan in enumerate(plans)
        ),
        batch_size=BATCH,
    )
    Touch.objects.bulk_create(
        (
            Touch(contact=p, method=method, at=now - timedelta(days=rng.randint(20, 400)))
            for p in people
            for method in ("call", "note")
        ),
        batch_size=BATCH,
    )
    FollowUp.objects.bulk_create(
        (
            FollowUp(
                contact=p,
                owner=p.owner,
                met_at=now - timedelta(days=10),
                next_due_at=now + timedelta(hours=rng.randint(-72, 14 * 24)),
            )
            for p in people[::10]
        ),
        batch_size=BATCH,
    )
    Promise.objects.bulk_create(
        (
            Promise(
                contact=p,
                owner=p.owner,
                what="Send the report",
                due_on=today + timedelta(rng.randint(-5, 25)),
            )
            for p in people[5::10]
        ),
        batch_size=BATCH,
    )


def _well_known(people, users, now):
    """One person with a long history, many acquaintances and a few cards: their page."""
    person = people[1234]
    Touch.objects.bulk_create(
        Touch(contact=person, method="email", at=now - timedelta(days=n * 7)) for n in range(40)
    )
    Promise.objects.bulk_create(
        Promise(
            contact=person,
            owner=person.owner,
            what=f"Promise {n}",
            due_on=timezone.localdate(now) + timedelta(days=n),
        )
        for n in range(10)
    )
    for other in people[2000:2012]:
        person.knows.add(other, through_defaults={"how": Acquaintance.How.CLIENT})
    for n in range(3):
        card = OpportunityFactory(
            title=f"Review {n}", owner=users[0], organisation=person.organisation
        )
        OpportunityContact.objects.create(opportunity=card, contact=person, is_primary=True)
    return person


def seed(count):
    rng = random.Random(14)
    now = timezone.now()
    password = make_password("benchmark")
    users = get_user_model().objects.bulk_create(
        get_user_model()(
            username=f"staff{n}", password=password, first_name="Staff", last_name=str(n)
        )
        for n in range(STAFF)
    )
    with transaction.atomic():
        organisations = _organisations()
        people = _people(count, organisations, users, rng, now)
        _cultivation(people, now, rng)
        person = _well_known(people, users, now)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # as autovacuum would, soon after a bulk load
    return users[0], person


class Counter:
    """Counts the queries run (Django empties `connection.queries` as each request starts)."""

    def __init__(self):
        self.queries = 0

    def __call__(self, execute, sql, params, many, context):
        self.queries += 1
        return execute(sql, params, many, context)


def _request(client, url, repeat):
    client.get(url)  # warm templates and caches
    queries = Counter()
    with connection.execute_wrapper(queries):
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(url)
        samples.append(time.perf_counter() - started)
    found = len(re.findall(rb'role="option" aria-selected', response.content))
    return _median_ms(samples), max(samples) * 1000, queries.queries, len(response.content), found


def _cpu_ms(client, url, repeat):
    """The median CPU time of this process for one request: on SQLite all the server's
    work, whatever else the machine is running (PostgreSQL's own work is not in it)."""
    samples = []
    for _ in range(repeat):
        started = time.process_time()
        client.get(url)
        samples.append(time.process_time() - started)
    return _median_ms(samples)


def _restricted_url(card):
    """The suggestion URL of the card page's "add a person" picker (people not on it)."""
    form = AddContactForm(choices=addable_contacts(card))
    html = str(form["contact"])
    return re.search(r'hx-get="([^"]+)"', html).group(1).replace("&amp;", "&")


def targets(person):
    card = Opportunity.objects.order_by("pk").first()
    organisation = Organisation.objects.order_by("pk")[5].name
    return [
        ("suggestions: nothing typed (the floor)", "/pick/contacts/?q="),
        ("suggestions: one letter (many match)", "/pick/contacts/?q=m"),
        ("suggestions: a first name", "/pick/contacts/?q=olivia"),
        ("suggestions: a whole name", "/pick/contacts/?q=" + person.name.replace(" ", "+")),
        ("suggestions: a later word (surname)", "/pick/contacts/?q=kowal"),
        ("suggestions: an accent typed without it", "/pick/contacts/?q=muller"),
        ("suggestions: an email", f"/pick/contacts/?q={person.email[:12]}"),
        ("suggestions: an organisation", "/pick/contacts/?q=" + organisation.replace(" ", "+")),
        ("suggestions: no one matches", "/pick/contacts/?q=qqxz"),
        ("suggestions: not on a card yet", _restricted_url(card) + "&q=olivia"),
        ("organisations: a name", "/pick/organisations/?q=harbour"),
        ("organisations: no match", "/pick/organisations/?q=qqxz"),
        ("touch form", "/touches/new/"),
        ("touch form for a person", f"/touches/new/?contact={person.pk}"),
        ("contact list", "/contacts/"),
        ("contact list: search", "/contacts/?q=smith"),
        ("contact list: overdue only", "/contacts/?overdue=on"),
        ("contact list: page 2,000", "/contacts/?page=2000"),
        ("a person's page", f"/contacts/{person.pk}/"),
    ]


def run(count, repeat, only=()):
    started = time.perf_counter()
    user, person = seed(count)
    vendor = connection.vendor
    print(
        f"\nSeeded {Contact.objects.count():,} people at {ORGANISATIONS:,} organisations "
        f"on {vendor} in {time.perf_counter() - started:.0f} s.\n"
    )
    client = Client(**HOST)
    client.force_login(user)
    print(f"Load average before: {' '.join(f'{n:.1f}' for n in os.getloadavg())}\n")
    print(f"| {vendor}: request | median ms | CPU ms | slowest ms | queries | KB | suggestions |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, url in targets(person):
        if only and not any(word in label for word in only):
            continue
        median, slowest, queries, size, found = _request(client, url, repeat)
        cpu = _cpu_ms(client, url, repeat)
        shown = found if url.startswith("/pick/") else ""
        print(
            f"| {label} | {median:.1f} | {cpu:.1f} | {slowest:.1f} | {queries} "
            f"| {size / 1024:.1f} | {shown} |",
            flush=True,
        )
    print(f"\nLoad average after: {' '.join(f'{n:.1f}' for n in os.getloadavg())}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--only", nargs="*", default=(), help="rows whose label has a word")
    args = parser.parse_args()

    with own_database("people_benchmark"):
        run(args.people, args.repeat, args.only)


if __name__ == "__main__":
    main()
