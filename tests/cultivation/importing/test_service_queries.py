"""The import reads and writes a chunk in a fixed number of queries, never one per row."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cultivation.services import import_confirm, import_run, import_upload
from tests import factories
from tests.cultivation.importing.conftest import csv_file

pytestmark = pytest.mark.django_db


def rows(size, tag):
    """`size` rows: new people with tags, a bucket that starts a plan and a last-contacted
    date, people we have (updated), a duplicate and an error."""
    lines = []
    for n in range(size):
        if n % 5 == 0:
            lines.append(f"Had {tag}{n},had{tag}{n}@example.org,Org {n},Partner,,,vip,")
        else:
            lines.append(f"New {tag}{n},new{tag}{n}@example.org,Org {n},,,2026-01-05,golf,A-list")
    return [*lines, f"New {tag}1,NEW{tag}1@example.org,,,,,,", ",,,,,,,"]


def queries_to_import(owner, settings, size, tag):
    for n in range(0, size, 5):
        factories.ContactFactory(
            name=f"Had {tag}{n}", email=f"had{tag}{n}@example.org", owner=owner
        )
    settings.IMPORT_CHUNK_ROWS = size + 2
    data = csv_file(*rows(size, tag))
    with CaptureQueriesContext(connection) as preview:
        batch = import_upload(by=owner, owner=owner, file_name="p.csv", data=data)
    import_confirm(
        batch=batch,
        by=owner,
        on_match="update",
        bucket_plans={"A-list": "quarterly"},
        enqueue=False,
    )
    with CaptureQueriesContext(connection) as run:
        import_run(batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.counts["new"] == size - size // 5
    assert batch.counts["updated"] == size // 5
    return len(preview), len(run)


def test_a_chunk_takes_the_same_queries_whatever_its_size(owner, settings):
    # Sizes whose bulk inserts fit one statement on SQLite too (Django splits them at 999
    # parameters there: about 38 people); PostgreSQL has no such split.
    small = queries_to_import(owner, settings, 10, "a")
    large = queries_to_import(owner, settings, 35, "b")
    assert small == large
