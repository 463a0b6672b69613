"""vCard 2.1, 3.0 and 4.0: many cards, folded lines, quoted-printable, ranked emails."""

import codecs

from cultivation.importing.readers import read_people

from .conftest import rows_by_number


def test_every_card_is_a_row_numbered_by_position(read_file):
    cards = read_file("contacts.vcf")

    assert (cards.format, cards.layout_label, cards.needs_mapping) == ("vcard", "vCard", False)
    assert cards.row_count == 6
    assert [row.number for row in cards.rows()] == [1, 2, 3, 4, 5, 6]
    assert cards.sample[0] == [
        "Priya Shah",
        "priya@shah.example",
        "+44 7700 900123",
        "Shah, Rao & Partners",
        "Director",
    ]


def test_a_version_3_card_with_everything(read_file):
    priya = rows_by_number(read_file("contacts.vcf"))[1]

    assert priya.name == "Priya Shah"
    # TYPE=pref comes first whatever the order in the card.
    assert (priya.email, priya.other_emails) == ("priya@shah.example", ["priya@home.example"])
    assert priya.phone == "+44 7700 900123"
    assert priya.organisation == "Shah, Rao & Partners"
    assert priya.role == "Director"
    assert priya.linkedin_url == "https://www.linkedin.com/in/priyashah"
    assert priya.tags == ["Clients", "Partners"]
    assert priya.notes == "Met at the dinner, loves sailing.\nCall in spring."
    assert priya.connected_on is None
    assert priya.errors == []


def test_a_version_4_card_with_folded_lines_and_pref_numbers(read_file):
    picard = rows_by_number(read_file("contacts.vcf"))[2]

    assert picard.name == "Jean-Luc Picard"
    assert (picard.email, picard.other_emails) == ("jl@enterprise.example", ["jl@home.example"])
    assert picard.phone == "+33-1-23-45-67-89"


def test_a_version_2_1_card_in_quoted_printable_with_soft_line_breaks(read_file):
    juergen = rows_by_number(read_file("contacts.vcf"))[3]

    assert juergen.name == "Jürgen Müller"
    assert juergen.notes == "Line one\nLine two"
    assert (juergen.phone, juergen.other_phones) == ("+49 170 1234567", ["+49 30 111"])
    assert juergen.errors == []


def test_a_card_without_fn_is_named_from_n(read_file):
    marta = rows_by_number(read_file("contacts.vcf"))[4]

    assert marta.name == "Marta Anna Nowak"
    assert marta.email == "marta@nowak.example"


def test_a_card_without_name_or_email_and_a_bad_email_are_errors(read_file):
    rows = rows_by_number(read_file("contacts.vcf"))

    assert rows[5].errors == ["no name and no email"]
    assert rows[6].errors == ["“not-an-email” is not an email address"]


def test_a_utf16_vcard_with_lf_endings_and_mojibake():
    text = "BEGIN:VCARD\nVERSION:3.0\nFN:JosÃ© GarcÃ­a\nEND:VCARD\n"

    cards = read_people(codecs.BOM_UTF16_LE + text.encode("utf-16-le"), filename="x.vcf")

    assert cards.encoding == "utf-16"
    assert [row.name for row in cards.rows()] == ["José García"]


def test_escaped_semicolons_in_n_and_a_grouped_property():
    text = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:O\\;Brien;Pat;;;\r\n"
        "item1.EMAIL;type=INTERNET:pat@obrien.example\r\n"
        "item1.X-ABLabel:work\r\nEND:VCARD\r\n"
    )

    (pat,) = read_people(text.encode(), filename="pat.vcf").rows()

    assert pat.name == "Pat O;Brien"
    assert pat.email == "pat@obrien.example"
