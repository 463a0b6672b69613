"""The import on a real worker on Redis, killed mid-import: the next worker resumes after
the last committed chunk, and everyone in the file is there exactly once."""

import os

from django.db.models import Count

from cultivation import tasks
from cultivation.models import Contact, ImportBatch, ImportedPerson
from cultivation.services import import_confirm, import_upload

from .conftest import settled, unacked, wait_for

VISIBILITY_TIMEOUT = int(os.environ.get("KILL_TEST_VISIBILITY_TIMEOUT", "6"))
ROWS = 3000
HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On"


def connections_csv():
    lines = ["Notes:", '"Some email addresses are missing."', "", HEADER]
    for n in range(ROWS):
        email = f"person{n}@example.org" if n % 3 else ""
        url = f"https://www.linkedin.com/in/person-{n}"
        lines.append(f"Ann,Person{n},{url},{email},Company {n % 50},Partner,14 Mar 2024")
    return ("\r\n".join(lines) + "\r\n").encode()


def _rows_done(batch):
    return ImportBatch.objects.values_list("rows_done", flat=True).get(pk=batch.pk)


def test_a_worker_killed_mid_import_is_resumed_and_nobody_is_duplicated(
    celery_worker, queue, redis_url, manager
):
    batch = import_upload(
        by=manager, owner=None, file_name="Connections.csv", data=connections_csv()
    )
    assert (batch.status, batch.total_rows, batch.counts["new"]) == ("previewed", ROWS, ROWS)
    import_confirm(batch=batch, by=manager, on_match="skip", enqueue=False)
    limits = {
        "IMPORT_CHUNK_ROWS": "100",
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "CELERY_TASK_TIME_LIMIT": str(VISIBILITY_TIMEOUT // 2),
        "CELERY_TASK_SOFT_TIME_LIMIT": str(VISIBILITY_TIMEOUT // 2 - 1),
    }

    (first,) = celery_worker(**limits)
    tasks.import_people.apply_async((batch.pk,), queue=queue)
    wait_for(lambda: _rows_done(batch) >= 200, "two chunks committed", [first])
    first.kill()
    killed_at = _rows_done(batch)
    assert 200 <= killed_at < ROWS, "the worker finished before it could be killed"
    in_hand = unacked(redis_url, queue)

    (second,) = celery_worker(**limits)
    wait_for(
        lambda: (
            ImportBatch.objects.get(pk=batch.pk).status == "done"
            and settled([second], redis_url, queue)
        ),
        "the import to finish after the kill",
        [second],
        timeout=VISIBILITY_TIMEOUT + 120,
    )

    batch.refresh_from_db()
    print(f"\nkilled after {killed_at} rows ({in_hand} task in hand); resumed and finished")
    assert (batch.rows_done, batch.counts["new"], batch.counts["errors"]) == (ROWS, ROWS, 0)
    assert Contact.objects.count() == ROWS
    twice = Contact.objects.values("linkedin_key").annotate(n=Count("pk")).filter(n__gt=1)
    assert not twice.exists()
    assert ImportedPerson.objects.filter(batch=batch).count() == ROWS
    assert bytes(batch.data) == b""
