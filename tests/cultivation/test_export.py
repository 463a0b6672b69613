"""Exporting people (CSV and vCard), organisations, touches and promises: the exact
file, CSV injection escaped, the contact list's filter kept, who may, streamed in
chunks."""

import csv
import datetime
import decimal
import io

import pytest
import time_machine
import vobject
from django.utils import timezone

from cultivation import exporting
from cultivation.models import Contact, Tag
from cultivation.services import contact_tag
from tests import factories

pytestmark = pytest.mark.django_db

JAN_15 = datetime.datetime(2026, 1, 15, 10, 30, tzinfo=datetime.UTC)
PEOPLE_HEADER = (
    "id,name,email,phone,organisation,role,linkedin_url,how_we_know_them,"
    "what_makes_them_tick,needs,tags,owner,opted_in,opted_in_at,opt_in_how,referred_by,"
    "referred_by_id,referred_by_colleague,asked_to_stop_at,created_at"
)


def _body(response):
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content)


def _rows(response):
    text = _body(response).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def _by_name(rows):
    header = rows[0]
    return {row[1]: dict(zip(header, row, strict=True)) for row in rows[1:]}


@pytest.fixture
def priya(owner, teammate):
    harbour = factories.OrganisationFactory(name="Harbour Logistics")
    sam = factories.ContactFactory(
        name="Sam Patel",
        owner=None,
        organisation=None,
        email="sam@example.org",
        phone="020 7946 0001",
        role="",
        how_we_know_them="",
        what_makes_them_tick="",
        needs="",
        has_opted_in=False,
    )
    person = factories.ContactFactory(
        name="Priya Shah",
        owner=owner,
        organisation=harbour,
        role="Director",
        email="priya@harbour.example",
        phone="+44 20 7946 0000",
        linkedin_url="https://www.linkedin.com/in/priya-shah",
        how_we_know_them="Met at the Law Society dinner",
        what_makes_them_tick="Sailing",
        needs="Office move\nA tax adviser",
        has_opted_in=True,
        opted_in_at=JAN_15,
        opt_in_how="asked at lunch",
        referred_by=sam,
        referred_by_colleague=teammate,
    )
    contact_tag(contact=person, by=owner, names=["Clients", "Alliance"])
    Contact.objects.filter(pk__in=[person.pk, sam.pk]).update(created_at=JAN_15)
    return person


# The file, exactly ------------------------------------------------------------------------


@time_machine.travel(datetime.datetime(2026, 11, 26, 9, tzinfo=datetime.UTC), tick=False)
def test_the_people_file_is_exactly_the_people_the_list_shows(owner_client, priya):
    response = owner_client.get("/contacts/export.csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="people-2026-11-26.csv"'
    sam = priya.referred_by
    expected = (
        "\ufeff" + PEOPLE_HEADER + "\r\n"
        f"{priya.pk},Priya Shah,priya@harbour.example,'+44 20 7946 0000,Harbour Logistics,"
        "Director,https://www.linkedin.com/in/priya-shah,Met at the Law Society dinner,Sailing,"
        '"Office move\nA tax adviser","Alliance, Clients",alice,yes,2026-01-15T10:30:00+00:00,'
        f"asked at lunch,Sam Patel,{sam.pk},bob,,2026-01-15T10:30:00+00:00\r\n"
        f"{sam.pk},Sam Patel,sam@example.org,020 7946 0001,,,,,,,,,no,,,,,,,"
        "2026-01-15T10:30:00+00:00\r\n"
    )
    assert _body(response).decode("utf-8") == expected


@pytest.mark.parametrize("first", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_starting_as_a_formula_would_is_escaped_with_a_quote(owner, owner_client, first):
    factories.ContactFactory(name="Priya Shah", role=f"{first}HYPERLINK(1)", owner=owner)

    rows = _rows(owner_client.get("/contacts/export.csv"))

    assert _by_name(rows)["Priya Shah"]["role"] == f"'{first}HYPERLINK(1)"


def test_commas_quotes_newlines_and_accents_survive_the_round_trip_through_csv(owner, owner_client):
    tricky = 'Said "yes, later";\nthen left. Zoë, Łódź, 東京 🙂'
    factories.ContactFactory(name="Zoë Müller-Łódź", how_we_know_them=tricky, owner=owner)

    raw = _body(owner_client.get("/contacts/export.csv")).decode("utf-8")

    assert '"Said ""yes, later"";\nthen left. Zoë, Łódź, 東京 🙂"' in raw
    rows = list(csv.reader(io.StringIO(raw[1:], newline="")))
    assert _by_name(rows)["Zoë Müller-Łódź"]["how_we_know_them"] == tricky


@pytest.mark.parametrize("cell", [" =1+1", "\n=1+1", '"=1+1', "＝1+1", "\u3000＋1", "  -2+3"])
def test_a_formula_after_spaces_quotes_or_in_full_width_signs_is_escaped_too(cell):
    assert exporting.csv_cell(cell) == "'" + cell


@pytest.mark.parametrize(
    "value",
    ["=1+2", "+44 20", "-5", "@SUM(A1)", "\tx", "\rx", "'quoted", "plain", "", "'", " =1", "'=1"],
)
def test_reading_a_cell_back_undoes_the_escape_and_nothing_else(value):
    assert exporting.csv_unescaped(exporting.csv_cell(value)) == value


def test_a_value_not_at_the_start_of_a_cell_is_left_alone():
    assert exporting.csv_cell("a=1") == "a=1"
    assert exporting.csv_cell("") == ""
    assert exporting.csv_cell(None) == ""
    assert exporting.csv_cell(False) == "no"
    assert exporting.csv_cell(datetime.date(2026, 2, 28)) == "2026-02-28"


def test_numbers_are_written_as_numbers_and_text_that_looks_like_one_is_escaped():
    assert exporting.csv_cell(-5) == "-5"
    assert exporting.csv_cell(-2.5) == "-2.5"
    assert exporting.csv_cell(decimal.Decimal("-7500.00")) == "-7500.00"
    assert exporting.csv_cell(7500) == "7500"
    assert exporting.csv_cell(True) == "yes"
    # A phone is text: "-123" as typed could be the start of a formula.
    assert exporting.csv_cell("-123") == "'-123"


# The list's filter, and who may --------------------------------------------------------


def _names(response):
    return sorted(row[1] for row in _rows(response)[1:])


def test_the_export_keeps_the_lists_search_owner_and_tag(owner, teammate, owner_client):
    for name, keeper in [("Priya Shah", owner), ("Sam Patel", teammate), ("Ann Lee", owner)]:
        factories.ContactFactory(name=name, owner=keeper)
    contact_tag(contact=Contact.objects.get(name="Sam Patel"), by=teammate, names=["Clients"])
    contact_tag(contact=Contact.objects.get(name="Ann Lee"), by=owner, names=["clients"])

    def exported(query):
        return _names(owner_client.get(f"/contacts/export.csv?{query}"))

    assert exported("") == ["Ann Lee", "Priya Shah", "Sam Patel"]
    assert exported("q=priya") == ["Priya Shah"]
    assert exported(f"owner={owner.pk}") == ["Ann Lee", "Priya Shah"]
    assert exported("tag=CLIENTS") == ["Ann Lee", "Sam Patel"]
    assert exported(f"tag=clients&owner={owner.pk}") == ["Ann Lee"]
    assert exported("tag=clients&page=7") == ["Ann Lee", "Sam Patel"]  # every page, not one


def test_erased_and_merged_people_are_not_exported(owner, manager, owner_client):
    from cultivation.services import contact_erase

    gone = factories.ContactFactory(name="Gone Person", owner=owner)
    factories.ContactFactory(name="Priya Shah", owner=owner)
    contact_erase(contact=gone, by=manager, reason="Asked to be forgotten.")

    assert _names(owner_client.get("/contacts/export.csv")) == ["Priya Shah"]


@pytest.mark.parametrize(
    "query, sentence",
    [
        ("q=%00", "Nothing exported: the filter “q” cannot be read (Null characters are"),
        ("owner=abc", "Nothing exported: the filter “owner” cannot be read (Select a valid"),
        (f"tag={'x' * 101}", "Nothing exported: the filter “tag” cannot be read (Ensure this"),
    ],
)
def test_a_filter_that_cannot_be_read_exports_nothing_rather_than_everyone(
    owner, owner_client, query, sentence
):
    factories.ContactFactory(name="Priya Shah", owner=owner)

    response = owner_client.get(f"/contacts/export.csv?{query}")

    assert response.status_code == 400
    assert response.content.decode().startswith(sentence)


def test_staff_another_staff_and_a_manager_export_everyone_the_list_shows_them(
    owner, teammate, client, owner_client
):
    from django.test import Client

    factories.ContactFactory(name="Priya Shah", owner=owner)
    factories.ContactFactory(name="Sam Patel", owner=teammate)
    teammate_client, manager_client = Client(), Client()
    teammate_client.force_login(teammate)
    manager_client.force_login(factories.ManagerFactory(username="maria"))

    for signed_in in (owner_client, teammate_client, manager_client):
        assert _names(signed_in.get("/contacts/export.csv")) == ["Priya Shah", "Sam Patel"]
        vcf = _body(signed_in.get("/contacts/export.vcf")).decode()
        assert vcf.count("BEGIN:VCARD") == 2


@pytest.mark.parametrize("path", ["/contacts/export.csv", "/contacts/export.vcf"])
def test_anonymous_visitors_are_sent_to_sign_in_and_post_is_refused(owner_client, path):
    from django.test import Client

    anonymous = Client().get(path)

    assert anonymous.status_code == 302
    assert anonymous.url.startswith("/accounts/login/")
    assert owner_client.post(path).status_code == 405


def test_the_list_offers_the_export_with_its_own_filter(owner, owner_client):
    page = owner_client.get("/contacts/?q=priya&tag=Clients&page=2").content.decode()

    assert 'href="/contacts/export.csv?q=priya&amp;tag=Clients"' in page
    assert 'href="/contacts/export.vcf?q=priya&amp;tag=Clients"' in page


# Streamed in chunks -------------------------------------------------------------------------


@pytest.mark.parametrize("size", [10, 40])
def test_queries_grow_by_chunk_not_by_person(
    size, owner, owner_client, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(exporting, "CHUNK", 10)
    tags = [Tag.objects.create(name=f"tag {n}") for n in range(3)]
    people = Contact.objects.bulk_create(
        Contact(name=f"Person {n:03}", owner=owner) for n in range(size)
    )
    for person in people:
        person.tags.set(tags)

    # Sign-in's two, then one to read the people and one per chunk of ten for their tags.
    with django_assert_num_queries(3 + size // 10):
        rows = _rows(owner_client.get("/contacts/export.csv"))

    assert len(rows) == size + 1
    assert {row[10] for row in rows[1:]} == {"tag 0, tag 1, tag 2"}


def test_the_file_is_written_a_chunk_at_a_time(owner, monkeypatch):
    monkeypatch.setattr(exporting, "CHUNK", 10)
    Contact.objects.bulk_create(Contact(name=f"Person {n:03}", owner=owner) for n in range(25))

    pieces = list(exporting.PEOPLE.lines(Contact.objects.order_by("name")))

    assert [piece.count("\r\n") for piece in pieces] == [1, 10, 10, 5]


# vCard ------------------------------------------------------------------------------------------


def _cards(response):
    assert response["Content-Type"] == "text/vcard; charset=utf-8"
    return list(vobject.readComponents(_body(response).decode("utf-8")))


@time_machine.travel(datetime.datetime(2026, 11, 26, 9, tzinfo=datetime.UTC), tick=False)
def test_vcards_read_back_with_every_field(owner_client, priya):
    response = owner_client.get("/contacts/export.vcf?q=priya")

    assert response["Content-Disposition"] == 'attachment; filename="people-2026-11-26.vcf"'
    (card,) = _cards(response)
    assert card.version.value == "4.0"
    assert card.fn.value == "Priya Shah"
    assert (card.n.value.family, card.n.value.given) == ("Shah", "Priya")
    assert card.email.value == "priya@harbour.example"
    assert card.tel.value == "+44 20 7946 0000"
    assert card.org.value == ["Harbour Logistics"]
    assert card.title.value == "Director"
    assert card.url.value == "https://www.linkedin.com/in/priya-shah"
    assert card.categories.value == ["Alliance", "Clients"]
    assert card.note.value == (
        "How we know them: Met at the Law Society dinner\n"
        "What makes them tick: Sailing\n"
        "Needs: Office move\nA tax adviser"
    )


def test_vcard_text_escapes_commas_semicolons_backslashes_and_newlines(owner, owner_client):
    person = factories.ContactFactory(
        name="Zoë O'Brien-Łódź",
        role="Partner; tax, audit \\ advisory",
        how_we_know_them="Line one\nline, two; three \\ four",
        what_makes_them_tick="",
        needs="",
        owner=owner,
        organisation=factories.OrganisationFactory(name="Smith; Jones, & Co"),
    )
    contact_tag(contact=person, by=owner, names=["a;b", "back\\slash"])

    raw = _body(owner_client.get("/contacts/export.vcf")).decode("utf-8")
    (card,) = list(vobject.readComponents(raw))

    assert "TITLE:Partner\\; tax\\, audit \\\\ advisory\r\n" in raw
    assert card.title.value == "Partner; tax, audit \\ advisory"
    assert card.org.value == ["Smith; Jones, & Co"]
    assert card.categories.value == ["a;b", "back\\slash"]
    assert card.note.value == "How we know them: Line one\nline, two; three \\ four"
    assert card.fn.value == "Zoë O'Brien-Łódź"


def test_long_lines_are_folded_at_75_octets_never_inside_a_character(owner, owner_client):
    note = "Zoë 東京 " * 40  # two- and three-byte characters across every fold
    factories.ContactFactory(
        name="Zoë Long",
        how_we_know_them=note.strip(),
        what_makes_them_tick="",
        needs="",
        owner=owner,
    )

    raw = _body(owner_client.get("/contacts/export.vcf"))
    lines = raw.split(b"\r\n")

    assert max(len(line) for line in lines) == 75
    assert all(line.decode("utf-8") for line in lines if line)  # no character cut in two
    assert sum(line.startswith(b" ") for line in lines) > 5
    (card,) = list(vobject.readComponents(raw.decode("utf-8")))
    assert card.note.value == "How we know them: " + note.strip()


def test_fold_keeps_short_lines_whole_and_counts_the_leading_space():
    assert exporting.fold("FN:Priya") == "FN:Priya\r\n"
    folded = exporting.fold("NOTE:" + "x" * 200)
    # 205 characters: 75 on the first line, then 74 after each line's leading space.
    assert [len(line) for line in folded.split("\r\n")] == [75, 75, 57, 0]


def test_a_one_word_name_is_the_family_name(owner, owner_client):
    factories.ContactFactory(name="Cher", owner=owner, email="", phone="", organisation=None)

    (card,) = _cards(owner_client.get("/contacts/export.vcf"))

    assert (card.n.value.family, card.n.value.given) == ("Cher", "")
    assert not hasattr(card, "email")


# The admin's actions, for managers ---------------------------------------------------------------


def _action(client, model, action, rows):
    data = {"action": action, "_selected_action": [row.pk for row in rows]}
    return client.post(f"/admin/cultivation/{model}/", data)


def test_a_manager_exports_the_selected_people_as_csv_and_vcard(manager_client, priya):
    factories.ContactFactory(name="Not Chosen")

    rows = _rows(_action(manager_client, "contact", "export_people_csv", [priya]))
    cards = _cards(_action(manager_client, "contact", "export_people_vcards", [priya]))

    assert [row[1] for row in rows[1:]] == ["Priya Shah"]
    assert [card.fn.value for card in cards] == ["Priya Shah"]


def test_a_manager_exports_organisations_touches_and_promises(owner, manager_client, priya):
    touch = factories.TouchFactory(contact=priya, note="=cmd|' /C calc'!A0", at=JAN_15)
    promise = factories.PromiseFactory(
        contact=priya, what="Send the report", due_on=datetime.date(2026, 2, 1), made_at=JAN_15
    )

    organisations = _rows(
        _action(manager_client, "organisation", "export_organisations_csv", [priya.organisation])
    )
    touches = _rows(_action(manager_client, "touch", "export_touches_csv", [touch]))
    promises = _rows(_action(manager_client, "promise", "export_promises_csv", [promise]))

    harbour = priya.organisation
    assert organisations == [
        ["id", "name", "website", "sector", "notes", "created_at"],
        [
            str(harbour.pk),
            "Harbour Logistics",
            harbour.website,
            harbour.sector,
            "",
            exporting.csv_cell(harbour.created_at),
        ],
    ]
    assert touches[0] == [
        "id",
        "person_id",
        "person",
        "at",
        "method",
        "direction",
        "outcome",
        "arranged",
        "by",
        "introduced_to",
        "note",
    ]
    assert touches[1] == [
        str(touch.pk),
        str(priya.pk),
        "Priya Shah",
        "2026-01-15T10:30:00+00:00",
        "email",
        "ours",
        "",
        "no",
        "alice",
        "",
        "'=cmd|' /C calc'!A0",
    ]
    assert promises[1] == [
        str(promise.pk),
        str(priya.pk),
        "Priya Shah",
        "Send the report",
        "alice",
        "2026-02-01",
        "2026-01-15T10:30:00+00:00",
        "",
        "",
        "",
        "",
    ]


def test_staff_cannot_reach_the_admin_exports(owner_client, priya):
    response = _action(owner_client, "contact", "export_people_csv", [priya])

    assert response.status_code == 302
    assert "/admin/login/" in response.url


def test_timestamps_are_in_the_firms_time_zone(owner, owner_client):
    summer = datetime.datetime(2026, 7, 1, 9, tzinfo=datetime.UTC)
    person = factories.ContactFactory(name="Priya Shah", owner=owner)
    Contact.objects.filter(pk=person.pk).update(created_at=summer)

    row = _by_name(_rows(owner_client.get("/contacts/export.csv")))["Priya Shah"]

    assert row["created_at"] == "2026-07-01T10:00:00+01:00"
    assert timezone.get_current_timezone_name() == "Europe/London"
