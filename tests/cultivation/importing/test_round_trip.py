"""An export read back into an empty Convivio gives the same people (issue 11, item 7).

The files are the real ones: downloaded through the contacts list's export view, then
imported as the command does (import_upload, import_confirm, import_run).
"""

import datetime

import pytest

from cultivation.models import Contact, ContactEvent, ImportBatch, Organisation, Outcome, Tag
from cultivation.services import (
    contact_tag,
    import_confirm,
    import_run,
    import_upload,
    touch_log,
)
from tests import factories

pytestmark = pytest.mark.django_db

JAN_15 = datetime.datetime(2026, 1, 15, 10, 30, tzinfo=datetime.UTC)
FIELDS = (
    "name",
    "email",
    "phone",
    "role",
    "linkedin_url",
    "how_we_know_them",
    "what_makes_them_tick",
    "needs",
    "has_opted_in",
    "opted_in_at",
    "opt_in_how",
)
# What a re-export may change: the ids and dates of the Convivio it is in.
NOT_CARRIED = {"id", "created_at"}


@pytest.fixture
def people(owner):
    """Every field set, in the ways a CSV or a spreadsheet gets wrong."""
    harbour = factories.OrganisationFactory(name='Harbour, "Logistics" & Søn')
    asa = factories.ContactFactory(
        name="Åsa O'Brien-Núñez",
        owner=owner,
        organisation=harbour,
        role='Director, "Special" Projects',
        email="asa@harbour.example",
        phone="+44 20 7946 0000",
        linkedin_url="https://www.linkedin.com/in/asa-obrien",
        how_we_know_them='Met at the Law Society dinner\nSat beside us; talked "shipping", long',
        what_makes_them_tick="Sailing, jazz and 猫",
        needs="Office move\nA tax adviser, in Zürich",
        has_opted_in=True,
        opted_in_at=JAN_15,
        opt_in_how="asked at lunch, in person",
    )
    formula = factories.ContactFactory(
        name='=HYPERLINK("http://evil.example","Zed")',
        owner=owner,
        organisation=factories.OrganisationFactory(name="@Mention Ltd"),
        role="-",
        email="zed@example.org",
        phone="+1 (555) 010-0199",
        linkedin_url="https://www.linkedin.com/in/zed",
        how_we_know_them="@zed on a panel",
        what_makes_them_tick="-dashes first",
        needs="=Nothing yet",
        has_opted_in=False,
        opted_in_at=None,
        opt_in_how="",
    )
    blank = factories.ContactFactory(
        name="Ölaf",
        owner=owner,
        organisation=None,
        role="",
        email="",
        phone="",
        linkedin_url="",
        how_we_know_them="",
        what_makes_them_tick="",
        needs="",
        has_opted_in=False,
        opted_in_at=None,
        opt_in_how="",
    )
    contact_tag(contact=asa, by=owner, names=["Clients", "Zürich office", "Alliance"])
    contact_tag(contact=formula, by=owner, names=["+Prospects"])
    return [asa, formula, blank]


def _download(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content)


def _wipe():
    """An empty Convivio: nobody, no organisation, no tag (the users stay)."""
    ContactEvent.objects.all().delete()
    Contact.objects.all().delete()
    Organisation.objects.all().delete()
    Tag.objects.all().delete()


def _import(owner, data, file_name):
    batch = import_upload(by=owner, owner=owner, file_name=file_name, data=data)
    assert batch.status == ImportBatch.Status.PREVIEWED, batch.status
    import_confirm(batch=batch, by=owner, on_match="skip", enqueue=False)
    while not import_run(batch_id=batch.pk):
        pass
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE, batch.failure
    return batch


def _people():
    """{name: every field the export carries}, of everyone in Convivio."""
    found = Contact.objects.select_related("organisation", "owner").prefetch_related("tags")
    return {
        person.name: {
            **{name: getattr(person, name) for name in FIELDS},
            "organisation": person.organisation.name if person.organisation else "",
            "owner": person.owner.username,
            "tags": sorted(tag.name for tag in person.tags.all()),
        }
        for person in found
    }


def _rows(data):
    import csv
    import io

    text = data.decode("utf-8").removeprefix("\ufeff")
    header, *rows = csv.reader(io.StringIO(text, newline=""))
    return sorted(
        tuple(cell for name, cell in zip(header, row, strict=True) if name not in NOT_CARRIED)
        for row in rows
    )


def test_the_csv_export_read_back_into_an_empty_convivio_is_the_same_people(
    owner, owner_client, people
):
    before = _people()
    exported = _download(owner_client, "/contacts/export.csv")
    _wipe()

    batch = _import(owner, exported, "people-2026-11-26.csv")

    assert batch.layout == "convivio"
    assert batch.counts["new"] == 3 and batch.counts["errors"] == 0
    assert batch.counts["opted_in"] == 1
    assert _people() == before
    assert _rows(_download(owner_client, "/contacts/export.csv")) == _rows(exported)


def test_the_consent_read_back_keeps_its_date_and_says_so_in_the_history(
    owner, owner_client, people
):
    exported = _download(owner_client, "/contacts/export.csv")
    _wipe()

    _import(owner, exported, "people.csv")

    asa = Contact.objects.get(email="asa@harbour.example")
    assert (asa.has_opted_in, asa.opted_in_at) == (True, JAN_15)
    assert asa.opt_in_how == "asked at lunch, in person"
    event = asa.events.get(action=ContactEvent.Action.OPTED_IN)
    assert event.note == (
        "imported from people.csv (column opted_in): opted in on 15 Jan 2026 "
        "(asked at lunch, in person)"
    )


def test_the_export_keeps_its_cells_as_text_and_the_import_reads_them_back(
    owner, owner_client, people
):
    exported = _download(owner_client, "/contacts/export.csv").decode("utf-8")
    assert "'+44 20 7946 0000" in exported
    assert "'=HYPERLINK(" in exported
    _wipe()

    _import(owner, exported.encode("utf-8"), "people.csv")

    zed = Contact.objects.get(email="zed@example.org")
    assert zed.name == '=HYPERLINK("http://evil.example","Zed")'
    assert (zed.phone, zed.role, zed.needs) == ("+1 (555) 010-0199", "-", "=Nothing yet")
    assert zed.organisation.name == "@Mention Ltd"
    assert [tag.name for tag in zed.tags.all()] == ["+Prospects"]


def test_the_import_keeps_its_own_owner_not_the_files(
    owner, teammate, manager, owner_client, people
):
    exported = _download(owner_client, "/contacts/export.csv")
    _wipe()

    batch = import_upload(by=manager, owner=teammate, file_name="people.csv", data=exported)
    import_confirm(batch=batch, by=manager, on_match="skip", enqueue=False)
    while not import_run(batch_id=batch.pk):
        pass

    assert set(Contact.objects.values_list("owner__username", flat=True)) == {"bob"}


def test_the_same_export_read_twice_adds_nobody_the_second_time(owner, owner_client, people):
    exported = _download(owner_client, "/contacts/export.csv")

    batch = _import(owner, exported, "people.csv")

    assert batch.counts["new"] == 0 and batch.counts["matched"] == 3
    assert Contact.objects.count() == 3


def test_the_vcard_export_read_back_is_the_same_people(owner, owner_client, people):
    carried = ("name", "email", "phone", "organisation", "role", "linkedin_url", "tags")
    before = {name: {k: p[k] for k in carried} for name, p in _people().items()}
    exported = _download(owner_client, "/contacts/export.vcf")
    _wipe()

    batch = _import(owner, exported, "people.vcf")

    assert batch.format == "vcard" and batch.counts["new"] == 3
    after = {name: {k: p[k] for k in carried} for name, p in _people().items()}
    assert after == before


def test_someone_who_asked_us_to_stop_is_not_imported_and_the_row_says_why(
    owner, owner_client, people
):
    asa = people[0]
    touch_log(
        contact=asa,
        by=owner,
        method="call",
        outcome=Outcome.ASKED_TO_STOP,
        at=datetime.datetime(2026, 3, 2, 12, tzinfo=datetime.UTC),
        note="Please stop.",
    )
    exported = _download(owner_client, "/contacts/export.csv")
    _wipe()

    batch = _import(owner, exported, "people.csv")

    assert batch.counts["new"] == 2 and batch.counts["errors"] == 1
    assert not Contact.objects.filter(email="asa@harbour.example").exists()
    [error] = batch.row_errors.values_list("sentence", flat=True)
    assert error == "asked us to stop on 2 Mar 2026: not imported, so nobody contacts them again"
