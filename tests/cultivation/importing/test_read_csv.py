"""Any CSV: delimiters, encodings, and the guessed mapping of a file no layout knows."""

import codecs
from datetime import date

import pytest

from cultivation.importing.readers import read_people

TEXT = "Full Name;E-mail;Organisation;Met\r\nJosé Müller;jose@example.org;Café Noël;3/4/2024\r\n"


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_the_delimiter_is_found(delimiter):
    text = TEXT.replace(";", delimiter).replace("Café Noël", '"Café, Noël"')

    people = read_people(text.encode(), filename="people.csv")
    (jose,) = people.rows()

    assert people.delimiter == delimiter
    assert people.headers == ["Full Name", "E-mail", "Organisation", "Met"]
    assert jose.organisation == "Café, Noël"


@pytest.mark.parametrize(
    ("data", "encoding", "guessed"),
    [
        (TEXT.encode("utf-8"), "utf-8", False),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig", False),
        (TEXT.encode("utf-16"), "utf-16", False),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16", False),
        (TEXT.encode("cp1252"), "cp1252", True),
    ],
)
def test_the_encoding_is_detected(data, encoding, guessed):
    people = read_people(data, filename="people.csv")
    (jose,) = people.rows()

    assert (people.encoding, people.encoding_guessed) == (encoding, guessed)
    assert (jose.name, jose.organisation) == ("José Müller", "Café Noël")


def test_an_unknown_header_is_guessed_and_asks_for_a_mapping():
    people = read_people(TEXT.encode(), filename="people.csv")
    (jose,) = people.rows()

    assert people.layout is None
    assert people.layout_label == ""
    assert people.needs_mapping is True
    assert people.mapping == {
        "Full Name": "name",
        "E-mail": "email",
        "Organisation": "organisation",
        "Met": "connected_on",
    }
    # Slashed dates in a file no layout knows are read day first.
    assert jose.connected_on == date(2024, 4, 3)


def test_columns_are_guessed_from_their_values_when_the_name_says_nothing():
    data = (
        b"Who,Col B,Col C,Col D,Col E,Col F\n"
        b"Jane Doe,jane@example.org,https://www.linkedin.com/in/jane,2024-03-14,"
        b"+44 20 7946 0958,hi\n"
        b"Tom Reed,tom@example.org,https://linkedin.com/in/tom,14 Mar 2024,07700 900123,\n"
    )

    people = read_people(data, filename="x.csv")

    assert people.mapping == {
        "Who": "",
        "Col B": "email",
        "Col C": "linkedin_url",
        "Col D": "connected_on",
        "Col E": "phone",
        "Col F": "",
    }


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("first_name", "first_name"),
        ("Given name", "first_name"),
        ("SURNAME", "last_name"),
        ("Email Address", "email"),
        ("e-mail 2", "email"),
        ("Work Email", "email"),
        ("Mobile", "phone"),
        ("Job Title", "role"),
        ("Organization", "organisation"),
        ("LinkedIn Profile URL", "linkedin_url"),
        ("How we met", "how_we_know_them"),
        ("Last Contacted", "last_contacted"),
        ("last_contacted_at", "last_contacted"),
        ("Labels", "tags"),
        ("Buckets", "bucket"),
        ("Email opt-in", "opted_in"),
        ("Comments", "notes"),
        ("Phonetic First Name", ""),
        ("Fax", ""),
    ],
)
def test_header_synonyms(header, field):
    from cultivation.importing.mapping import field_for_header

    assert field_for_header(header) == field


def test_a_given_mapping_is_used_and_no_mapping_is_needed():
    mapping = {"Full Name": "", "E-mail": "email", "Organisation": "notes", "Met": "last_contacted"}

    people = read_people(TEXT.encode(), filename="people.csv", mapping=mapping)
    (jose,) = people.rows()

    assert people.needs_mapping is False
    assert people.mapping == mapping
    assert (jose.name, jose.email, jose.notes) == ("", "jose@example.org", "Café Noël")
    assert jose.last_contacted == date(2024, 4, 3)


def test_a_given_mapping_may_leave_out_headers():
    people = read_people(TEXT.encode(), filename="people.csv", mapping={"E-mail": "email"})

    assert people.mapping == {"Full Name": "", "E-mail": "email", "Organisation": "", "Met": ""}


def test_a_forced_layout_reads_its_mapping_and_date_order():
    data = b"Name,Email Address,Last Contacted\r\nAda,ada@example.org,3/4/2024\r\n"

    people = read_people(data, filename="people.csv", layout="outlook")
    (ada,) = people.rows()

    assert (people.layout, people.needs_mapping) == ("outlook", False)
    assert ada.last_contacted == date(2024, 3, 4)


def test_the_header_signature_ignores_case_spacing_and_punctuation():
    one = read_people(b"First Name,E-mail\r\nA,a@b.example\r\n", filename="a.csv")
    two = read_people(b"first_name;EMAIL\r\nB;b@b.example\r\n", filename="b.csv")
    three = read_people(b"First Name,E-mail,Phone\r\nA,a@b.example,1\r\n", filename="c.csv")

    assert one.header_signature == two.header_signature
    assert one.header_signature != three.header_signature


def test_unnamed_columns_are_numbered_and_blank_rows_skipped():
    data = b"Name,,Email\r\nJane,x,jane@example.org\r\n,,\r\n\r\nTom,,tom@example.org\r\n"

    people = read_people(data, filename="a.csv")

    assert people.headers == ["Name", "Column 2", "Email"]
    assert [(row.number, row.name) for row in people.rows()] == [(2, "Jane"), (5, "Tom")]
    assert people.row_count == 2


def test_a_single_column_of_emails_is_read():
    people = read_people(b"jane@example.org\r\ntom@example.org\r\n", filename="a.csv")

    assert people.mapping == {"jane@example.org": "email"}
    assert [row.email for row in people.rows()] == ["tom@example.org"]


def test_opted_in_is_read_only_from_a_mapped_consent_column():
    data = b"Name,Newsletter\r\nA,yes\r\nB,No\r\nC,\r\nD,maybe\r\n"

    a, b, c, d = read_people(data, filename="a.csv").rows()

    assert (a.opted_in, b.opted_in, c.opted_in) == (True, False, None)
    assert d.errors == ["Newsletter: “maybe” is neither yes nor no"]


def test_several_columns_for_one_field():
    data = (
        b"First,Last,Company,Employer,Notes,Comments,Tags,Labels\r\n"
        b"Ada,Byron,,Analytical Ltd,one,two,a; b,b ::: c\r\n"
    )

    (ada,) = read_people(data, filename="a.csv").rows()

    assert ada.organisation == "Analytical Ltd"
    assert ada.notes == "one\ntwo"
    assert ada.tags == ["a", "b", "c"]


def test_old_mac_line_endings_are_lines():
    data = b'Name,Email\rJane,jane@example.org\r"Tom\rReed",tom@example.org\r'

    jane, tom = read_people(data, filename="a.csv").rows()

    assert (jane.number, jane.email) == (2, "jane@example.org")
    assert (tom.number, tom.name) == (3, "Tom Reed")


def test_the_last_line_needs_no_line_ending():
    (jane,) = read_people(b"Name,Email\nJane,jane@example.org", filename="a.csv").rows()

    assert jane.email == "jane@example.org"
