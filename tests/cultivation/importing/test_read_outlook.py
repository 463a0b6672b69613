"""Outlook's contacts CSV: Windows-1252, every column quoted, honorific "Title" left out."""

import pytest

from cultivation.importing.rows import FileRefused

from .conftest import rows_by_number


def test_the_layout_and_its_encoding_are_recognised(read_file):
    contacts = read_file("outlook_contacts.csv")

    assert (contacts.layout, contacts.layout_label) == ("outlook", "Outlook contacts")
    assert (contacts.encoding, contacts.encoding_guessed) == ("cp1252", True)
    assert contacts.mapping["Title"] == ""
    assert contacts.mapping["Job Title"] == "role"
    assert contacts.mapping["Business Fax"] == ""
    assert contacts.mapping["Account"] == ""
    assert contacts.mapping["E-mail Display Name"] == ""
    assert [h for h, f in contacts.mapping.items() if f == "phone"] == [
        "Business Phone",
        "Business Phone 2",
        "Home Phone",
        "Home Phone 2",
        "Mobile Phone",
        "Other Phone",
        "Primary Phone",
    ]


def test_a_full_row_reads_right_in_windows_1252(read_file):
    zoe = rows_by_number(read_file("outlook_contacts.csv"))[2]

    assert zoe.name == "Zoë A. Müller"
    assert zoe.organisation == "Müller & Söhne, GmbH"
    assert zoe.role == "Geschäftsführerin"
    assert (zoe.phone, zoe.other_phones) == ("+49 30 1234567", ["+49 170 1234567"])
    assert zoe.tags == ["Clients", "VIP"]
    assert zoe.notes == 'Prefers "Zoë".\nMet at the Berlin forum.'
    assert zoe.linkedin_url == "https://www.linkedin.com/in/zoemueller"
    assert zoe.errors == []


def test_padded_emails_are_trimmed_and_the_same_one_in_another_case_kept_once(read_file):
    zoe = rows_by_number(read_file("outlook_contacts.csv"))[2]

    assert (zoe.email, zoe.other_emails) == ("zoe@mueller.example", ["zm@home.example"])


def test_the_euro_sign_survives_and_a_bad_email_is_the_rows_error(read_file):
    bob = rows_by_number(read_file("outlook_contacts.csv"))[3]

    assert bob.organisation == "Stone €uro Ltd"
    assert bob.errors == ["E-mail Address: “bob@stone” is not an email address"]


def test_a_name_of_only_spaces_is_no_name(read_file):
    nameless = rows_by_number(read_file("outlook_contacts.csv"))[4]

    assert nameless.name == ""
    assert nameless.errors == ["no name and no email"]


def test_the_encoding_can_be_overridden(read_file):
    contacts = read_file("outlook_contacts.csv", encoding="cp1250")

    assert (contacts.encoding, contacts.encoding_guessed) == ("cp1250", False)
    assert rows_by_number(contacts)[2].name == "Zoë A. Müller"


def test_an_encoding_the_file_is_not_in_is_refused(read_file):
    with pytest.raises(FileRefused) as refused:
        read_file("outlook_contacts.csv", encoding="utf-8")

    assert str(refused.value) == "This file cannot be read as utf-8: choose another encoding."


def test_an_unknown_encoding_is_refused(read_file):
    with pytest.raises(FileRefused) as refused:
        read_file("outlook_contacts.csv", encoding="klingon")

    assert str(refused.value) == "“klingon” is not an encoding Convivio knows."


def test_mojibake_in_windows_1252_is_repaired_beside_the_right_spelling(read_file):
    rows = rows_by_number(read_file("outlook_contacts.csv"))

    assert rows[5].name == rows[6].name == "José García"
    assert (rows[5].email, rows[6].email) == ("jose@garcia.example", "JOSE@garcia.example")
