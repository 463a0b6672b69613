"""Helpers for the reader tests: the test files and rows read from them."""

from pathlib import Path

import pytest

from cultivation.importing.readers import read_people

FILES = Path(__file__).parent / "files"


@pytest.fixture
def read_file():
    """read_people on one of files/, returning the ImportFile."""

    def read(name, **options):
        return read_people((FILES / name).read_bytes(), filename=name, **options)

    return read


def rows_by_number(import_file):
    return {row.number: row for row in import_file.rows()}
