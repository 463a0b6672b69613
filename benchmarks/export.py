"""Benchmark the contact list's exports (CSV and vCard) at 100,000 people.

    python -m benchmarks.export [--people 100000] [--repeat 3]

Uses a database of its own (`var/export_benchmark.sqlite3`, or
`<name>_export_benchmark` on PostgreSQL via DATABASE_URL), fills it with bulk
inserts (`--people` people at 10,000 organisations, every field the person form
has filled in, two tags each for half of them, an owner each, a third opted in),
then downloads `/contacts/export.csv` and `/contacts/export.vcf` through Django's
test client (middleware, view, queries, the whole streamed body read; no network)
and reports, for each:

- the wall and CPU time of the whole download (median of `--repeat`), and the CPU
  time PostgreSQL's backend spent on it when it runs on this machine (from
  /proc): on a busy machine the wall time mostly waits for a CPU, and the two
  CPU times are what the export costs;
- the queries it ran (one to read the people, one per chunk for their tags);
- the size of the file;
- the peak of the memory Python allocated while it ran (tracemalloc, a separate
  run since tracing slows Python down), for everyone and for one owner's people
  (a fiftieth of them): streaming keeps the two about the same.

It drops the database when done.
"""

import argparse
import os
import statistics
import time
import tracemalloc

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "convivio.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from benchmarks import own_database  # noqa: E402
from cultivation.models import Contact, Organisation, Tag  # noqa: E402

HOST = {"HTTP_HOST": "127.0.0.1"}
BATCH = 5_000
ORGANISATIONS = 10_000
STAFF = 50
TAGS = ("Clients", "Alliance", "Board members", "Referral partner", "Newsletter", "Charity")


def _person(n, organisations, users, now):
    return Contact(
        name=f"Person {n} Müller-O'Brien",
        organisation=organisations[n % ORGANISATIONS] if n % 10 else None,
        role="Finance director, EMEA" if n % 3 else "Partner",
        email=f"person{n}@example.org",
        phone=f"+44 20 7946 {n % 10_000:04}",
        linkedin_url=f"https://www.linkedin.com/in/person-{n}",
        how_we_know_them="Met at the Law Society dinner; introduced by Sam",
        what_makes_them_tick='Sailing, and their "quiet" charity work',
        needs="Office move\nA tax adviser",
        owner=users[n % STAFF],
        has_opted_in=n % 3 == 0,
        opted_in_at=now if n % 3 == 0 else None,
        opt_in_how="asked at lunch" if n % 3 == 0 else "",
    )


def seed(count):
    now = timezone.now()
    password = make_password("benchmark")
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"staff{n}", password=password) for n in range(STAFF)
    )
    with transaction.atomic():
        organisations = Organisation.objects.bulk_create(
            (Organisation(name=f"Organisation {n}") for n in range(ORGANISATIONS)),
            batch_size=BATCH,
        )
        people = Contact.objects.bulk_create(
            (_person(n, organisations, users, now) for n in range(count)), batch_size=BATCH
        )
        tags = Tag.objects.bulk_create(Tag(name=name) for name in TAGS)
        Link = Contact.tags.through
        links = (
            Link(contact_id=person.pk, tag_id=tags[(n + k) % len(tags)].pk)
            for n, person in enumerate(people)
            if n % 2 == 0
            for k in range(2)
        )
        Link.objects.bulk_create(links, batch_size=BATCH)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return users[0]


def backend_cpu(pid):
    """CPU seconds PostgreSQL's backend process `pid` has used, if it runs on this machine."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


class Counter:
    """Counts the queries, and notes the database's CPU time before the first of them
    (PostgreSQL: its backend process for this connection, read from /proc)."""

    def __init__(self):
        self.queries = 0
        self.pid = self.database_start = None

    def __call__(self, execute, sql, params, many, context):
        if self.queries == 0 and connection.vendor == "postgresql":
            self.pid = connection.connection.info.backend_pid
            self.database_start = backend_cpu(self.pid)
        self.queries += 1
        return execute(sql, params, many, context)

    def database_cpu(self):
        """The database's CPU seconds since the first query (None where unknown)."""
        end = backend_cpu(self.pid) if self.pid else None
        return None if end is None or self.database_start is None else end - self.database_start


def download(client, url, counter=None):
    """Read the whole streamed file, keeping only its size: (bytes, rows, database CPU s)."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    size = lines = 0
    for piece in response.streaming_content:
        size += len(piece)
        lines += piece.count(b"\r\n")
    database = counter.database_cpu() if counter else None  # before the connection may close
    response.close()
    return size, lines, database


def timed(client, url, repeat):
    walls, cpus, database = [], [], []
    for _ in range(repeat):
        counter = Counter()
        wall, cpu = time.perf_counter(), time.process_time()
        with connection.execute_wrapper(counter):
            size, lines, server = download(client, url, counter)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        if server is not None:
            database.append(server)
    server = f"{statistics.median(database):.2f}" if database else "n/a"
    median = statistics.median
    return median(walls), median(cpus), server, counter.queries, size, lines


def peak_memory(client, url):
    """The peak of Python's allocations while the file is read (MB)."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    download(client, url)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def run(count, repeat):
    started = time.perf_counter()
    user = seed(count)
    vendor = connection.vendor
    print(f"\nSeeded {count:,} people on {vendor} in {time.perf_counter() - started:.0f} s.")
    client = Client(**HOST)
    client.force_login(user)
    print(f"Load average before: {' '.join(f'{n:.1f}' for n in os.getloadavg())}\n")
    print(
        f"| {vendor}: export | people | wall s | CPU s | database CPU s | queries | MB | "
        "peak MB | peak MB, one owner's people |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, url in [("CSV", "/contacts/export.csv"), ("vCard", "/contacts/export.vcf")]:
        wall, cpu, server, queries, size, lines = timed(client, url, repeat)
        peak = peak_memory(client, url)
        peak_one_owner = peak_memory(client, f"{url}?owner={user.pk}")  # 1/50 of them
        people = lines - 1 if label == "CSV" else _cards(client, url)
        print(
            f"| {label} | {people:,} | {wall:.2f} | {cpu:.2f} | {server} | {queries} | "
            f"{size / 2**20:.1f} | {peak:.1f} | {peak_one_owner:.1f} |",
            flush=True,
        )
    print(f"\nLoad average after: {' '.join(f'{n:.1f}' for n in os.getloadavg())}")


def _cards(client, url):
    response = client.get(url)
    cards = sum(piece.count(b"BEGIN:VCARD") for piece in response.streaming_content)
    response.close()
    return cards


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    with own_database("export_benchmark"):
        run(args.people, args.repeat)


if __name__ == "__main__":
    main()
