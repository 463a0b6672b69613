"""Convivio's own people export, recognised by its header and read back as it was written."""

import datetime

import pytest
import time_machine

from cultivation.importing import values
from cultivation.importing.readers import read_people

HEADER = (
    "id,name,email,phone,organisation,role,linkedin_url,how_we_know_them,"
    "what_makes_them_tick,needs,tags,owner,opted_in,opted_in_at,opt_in_how,referred_by,"
    "referred_by_id,referred_by_colleague,asked_to_stop_at,created_at"
)
NOW = datetime.datetime(2026, 11, 26, 9, tzinfo=datetime.UTC)


def _read(*lines, header=HEADER):
    data = ("\ufeff" + "\r\n".join([header, *lines]) + "\r\n").encode("utf-8")
    return read_people(data, filename="people.csv")


def test_the_header_is_recognised_and_what_must_not_come_in_is_left_out():
    people = _read("7,Ann,,,,,,,,,,alice,no,,,,,,,2024-01-01T00:00:00+00:00")

    assert (people.layout, people.layout_label, people.needs_mapping) == (
        "convivio",
        "Convivio export",
        False,
    )
    left_out = {header for header, field in people.mapping.items() if not field}
    assert left_out == {
        "id",
        "owner",
        "referred_by",
        "referred_by_id",
        "referred_by_colleague",
        "created_at",
    }
    assert people.mapping["asked_to_stop_at"] == "asked_to_stop_at"
    assert people.mapping["what_makes_them_tick"] == "what_makes_them_tick"
    assert people.mapping["opted_in_at"] == "opted_in_at"


@time_machine.travel(NOW, tick=False)
def test_every_column_reads_back_as_the_export_wrote_it():
    [row] = _read(
        '1,\'=Zoë "Z" Dubois,zoe@example.org,\'+44 20 7946 0000,"Acme, Ltd",\'-,'
        'https://www.linkedin.com/in/zoe,"Dinner\nat the club",Jazz; sailing,"Office\n'
        'A lawyer","Clients, +VIP; gold",alice,yes,2024-03-14T09:30:00+01:00,at lunch,'
        "Sam,3,bob,,2024-01-01T00:00:00+00:00"
    ).rows()

    assert (row.name, row.email, row.phone) == (
        '=Zoë "Z" Dubois',
        "zoe@example.org",
        "+44 20 7946 0000",
    )
    assert (row.organisation, row.role) == ("Acme, Ltd", "-")
    assert row.how_we_know_them == "Dinner\nat the club"
    assert (row.what_makes_them_tick, row.needs) == ("Jazz; sailing", "Office\nA lawyer")
    assert row.tags == ["Clients", "+VIP; gold"]
    assert row.opted_in is True
    assert row.opted_in_at == datetime.datetime(2024, 3, 14, 8, 30, tzinfo=datetime.UTC)
    assert row.opt_in_how == "at lunch"
    assert row.errors == []


def test_another_files_quote_is_its_own_and_its_lines_are_one():
    [row] = _read(
        '\'+44 20 7946 0000,Ann,"Met\nat dinner",Clients; Alliance',
        header="Phone,Name,How we know them,Tags",
    ).rows()

    assert row.phone == "'+44 20 7946 0000"
    assert row.how_we_know_them == "Met at dinner"
    assert row.tags == ["Clients", "Alliance"]


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-14T09:30:00+00:00", datetime.datetime(2024, 3, 14, 9, 30, tzinfo=datetime.UTC)),
        ("2024-03-14T09:30:00Z", datetime.datetime(2024, 3, 14, 9, 30, tzinfo=datetime.UTC)),
        ("14 Mar 2024", datetime.datetime(2024, 3, 14, tzinfo=datetime.UTC)),
        ("2021-06-30 14:05:00 UTC", datetime.datetime(2021, 6, 30, tzinfo=datetime.UTC)),
        ("", None),
    ],
)
def test_moments(settings, text, expected):
    settings.TIME_ZONE = "UTC"
    assert values.parse_moment(text, "dmy") == expected


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2027-01-01T00:00:00+00:00", "2027-01-01T00:00:00+00:00 is still to come"),
        ("30 Feb 2024", "30 Feb 2024 is not a date"),
        ("soon", "“soon” is not a date Convivio can read"),
    ],
)
def test_moments_that_cannot_be_consent_dates(text, message):
    with pytest.raises(values.Unreadable) as refused:
        values.parse_moment(text, "dmy")
    assert str(refused.value) == message


@time_machine.travel(NOW, tick=False)
def test_a_consent_date_still_to_come_is_the_rows_error():
    [row] = _read("1,Ann,,,,,,,,,,,yes,2030-01-01T00:00:00+00:00,at lunch,,,,,").rows()

    assert row.errors == ["opted_in_at: 2030-01-01T00:00:00+00:00 is still to come"]
