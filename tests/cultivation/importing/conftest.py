"""Helpers for the import tests.

The reader tests read the files in files/ with the real `read_people`. The service's
tests (test_service_*.py) read their hand-built files through a stand-in
(stand_in_reader.py: plain columns named as PersonRow's fields), so each test states its
rows exactly; the readers' own tests cover the real layouts.
"""

import sys
from pathlib import Path

import pytest

from cultivation.importing.readers import read_people
from tests.cultivation.importing import stand_in_reader

FILES = Path(__file__).parent / "files"
HEADER = "name,email,organisation,role,linkedin_url,last_contacted,tags,buckets"


@pytest.fixture
def read_file():
    """read_people on one of files/, returning the ImportFile."""

    def read(name, **options):
        return read_people((FILES / name).read_bytes(), filename=name, **options)

    return read


def rows_by_number(import_file):
    return {row.number: row for row in import_file.rows()}


@pytest.fixture(autouse=True)
def stand_in_reader_for_service_tests(request, monkeypatch):
    if request.module.__name__.rsplit(".", 1)[-1].startswith("test_service_"):
        monkeypatch.setitem(sys.modules, "cultivation.importing.readers", stand_in_reader)


def csv_file(*lines, header=HEADER):
    return ("\n".join([header, *lines]) + "\n").encode()
