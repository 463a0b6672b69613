"""The service's tests read their hand-built files through a stand-in for the readers'
`read_people` (stand_in_reader.py: plain columns named as PersonRow's fields), so each
test states its rows exactly; the readers' own tests cover the real layouts."""

import sys

import pytest

from tests.cultivation.importing import stand_in_reader

HEADER = "name,email,organisation,role,linkedin_url,last_contacted,tags,buckets"


@pytest.fixture(autouse=True)
def reader(monkeypatch):
    monkeypatch.setitem(sys.modules, "cultivation.importing.readers", stand_in_reader)


def csv_file(*lines, header=HEADER):
    return ("\n".join([header, *lines]) + "\n").encode()
