"""Benchmark the import at 100,000 rows: preview, import, queries per chunk, worker memory.

    python -m benchmarks.importing [--rows 100000] [--existing 5000]

Uses a database of its own (`var/importing_benchmark.sqlite3`, or
`<name>_importing_benchmark` on PostgreSQL via DATABASE_URL), adds `--existing` people,
then writes a LinkedIn `Connections.csv` of `--rows` rows (its "Notes:" preamble, many
rows without email, 5% of rows repeating an earlier person with the email in another
case, 1% without name or email, and `--existing / 2` people we already have), and
reports:

- the preview (`import_upload`: read, judge every row, match, count), in seconds;
- the import (`import_run`, the worker's task body) in a process of its own, in seconds,
  with that process's peak memory (getrusage maxrss);
- the queries of one chunk of 100 rows and one of 1,000 (CaptureQueriesContext): the
  same number whatever the chunk's size.

It drops the database when done.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "convivio.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402

from benchmarks import own_database  # noqa: E402
from cultivation.factories import ManagerFactory  # noqa: E402
from cultivation.models import Contact, ImportBatch, Organisation  # noqa: E402
from cultivation.services import import_confirm, import_run, import_upload  # noqa: E402

FIRST = ["Ana", "Sam", "José", "Priya", "Dev", "Maria", "Tom", "Lena", "Omar", "Zoë", "Kai"]
LAST = ["O'Neill", "Smith", "Müller", "Shah", "Patel", "García", "Nowak", "Lee", "Dubois"]
HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On"
PREAMBLE = (
    "Notes:\n"
    '"When exporting your connection data, you may notice that some of the email addresses '
    'are missing."\n\n'
)


def _person(n):
    first, last = FIRST[n % len(FIRST)], f"{LAST[n % len(LAST)]}{n}"
    email = f"person{n}@example.org" if n % 3 else ""  # many LinkedIn rows have no email
    company = f"Company {n % 2000}"
    return first, last, f"https://www.linkedin.com/in/person-{n}", email, company


def connections_csv(rows, existing):
    lines, random_ = [PREAMBLE + HEADER], random.Random(11)
    for i in range(rows):
        if i % 100 == 50:  # 1% bad rows: no name and no email
            lines.append(f",,,,Company {i},Partner,14 Mar 2024")
            continue
        if i % 20 == 19:  # 5% duplicates within the file: an earlier row, email's case changed
            earlier = random_.randrange(i // 2) * 2 + 1  # an odd row: a new person's
            while earlier % 20 == 19 or earlier % 100 == 50:
                earlier -= 2
            first, last, url, email, company = _person(earlier)
            email = email.upper()
        elif i % 2 == 0 and i // 2 < existing:  # people we already have
            first, last, url, email, company = _person(1_000_000 + i // 2)
        else:
            first, last, url, email, company = _person(i)
        lines.append(f'{first},"{last}",{url},{email},{company},Partner,14 Mar 2024')
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def seed(existing):
    organisations = Organisation.objects.bulk_create(
        Organisation(name=f"Company {n}") for n in range(2000)
    )
    people = []
    for i in range(existing):
        first, last, url, email, company = _person(1_000_000 + i)
        people.append(
            Contact(
                name=f"{first} {last}",
                email=email,
                linkedin_url=url,
                organisation=organisations[(1_000_000 + i) % 2000],
            )
        )
    Contact.objects.bulk_create(people, batch_size=5000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def database_url():
    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    host = f"{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
    return f"postgres://{db['USER']}{password}@{host}/{db['NAME']}"


def run_in_worker_process(batch_id):
    """The task body in a process of its own: (seconds, its CPU seconds, peak memory in MB)."""
    env = {**os.environ, "DATABASE_URL": database_url()}
    command = [sys.executable, "-m", "benchmarks.importing", "--worker", str(batch_id)]
    out = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    return result["seconds"], result["cpu"], result["peak_mb"]


def worker(batch_id):
    import resource

    settings.DEBUG = False  # as a production worker: no log of every query's SQL in memory
    started, cpu = time.perf_counter(), time.process_time()
    while not import_run(batch_id=batch_id):
        pass
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mb": peak}))


def queries_per_chunk(by, size, offset):
    data = connections_csv(size, 0).replace(b"person", f"q{offset}-".encode())
    with override_settings(IMPORT_CHUNK_ROWS=size):
        batch = import_upload(by=by, owner=by, file_name="chunk.csv", data=data)
        import_confirm(batch=batch, by=by, on_match="fill", enqueue=False)
        with CaptureQueriesContext(connection) as queries:
            import_run(batch_id=batch.pk)
    return len(queries)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--existing", type=int, default=5_000)
    parser.add_argument("--worker", type=int)
    options = parser.parse_args()
    if options.worker:
        return worker(options.worker)
    with own_database("importing_benchmark"):
        seed(options.existing)
        by = ManagerFactory(username="bench")
        data = connections_csv(options.rows, options.existing)
        print(
            f"{connection.vendor}: {options.rows:,} rows ({len(data) / 1e6:.1f} MB), "
            f"{options.existing:,} people already there"
        )
        settings.DEBUG = False  # as in production: no log of every query's SQL in memory
        started, cpu = time.perf_counter(), time.process_time()
        batch = import_upload(by=by, owner=None, file_name="Connections.csv", data=data)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        print(f"preview: {seconds:.1f} s ({cpu:.1f} s CPU in this process)  counts: {batch.counts}")
        import_confirm(batch=batch, by=by, on_match="fill", enqueue=False)
        seconds, cpu, peak = run_in_worker_process(batch.pk)
        batch = ImportBatch.objects.get(pk=batch.pk)
        print(
            f"import: {seconds:.1f} s ({cpu:.1f} s CPU in the worker), worker peak memory "
            f"{peak:.0f} MB, status {batch.status}"
        )
        print(f"load average: {os.getloadavg()}")
        print(f"  counts: {batch.counts}")
        small, large = queries_per_chunk(by, 100, 1), queries_per_chunk(by, 1000, 2)
        print(f"queries for one chunk: {small} (100 rows), {large} (1,000 rows)")


if __name__ == "__main__":
    main()
