"""LinkedIn's Connections.csv: preamble, BOM, CRLF, rows without email, "14 Mar 2024" dates."""

from datetime import date

from .conftest import rows_by_number


def test_the_layout_is_recognised_under_its_notes_preamble(read_file):
    connections = read_file("linkedin_connections.csv")

    assert connections.format == "csv"
    assert connections.encoding == "utf-8-sig"
    assert connections.encoding_guessed is False
    assert connections.delimiter == ","
    assert connections.layout == "linkedin"
    assert connections.layout_label == "LinkedIn connections"
    assert connections.needs_mapping is False
    assert connections.headers == [
        "First Name",
        "Last Name",
        "URL",
        "Email Address",
        "Company",
        "Position",
        "Connected On",
    ]
    assert connections.mapping == {
        "First Name": "first_name",
        "Last Name": "last_name",
        "URL": "linkedin_url",
        "Email Address": "email",
        "Company": "organisation",
        "Position": "role",
        "Connected On": "connected_on",
    }
    assert connections.row_count == 9
    assert len(connections.sample) == 5
    assert connections.sample[0][3] == "  Jane@Example.com "


def test_a_full_row_becomes_a_person_with_how_we_know_them(read_file):
    jane = rows_by_number(read_file("linkedin_connections.csv"))[5]

    assert jane.name == "Jane Doe"
    assert jane.email == "Jane@Example.com"
    assert jane.organisation == "Harbour, Hale & Co"
    assert jane.role == "Managing Partner"
    assert jane.linkedin_url == "https://www.linkedin.com/in/janedoe"
    assert jane.connected_on == date(2024, 3, 14)
    assert jane.how_we_know_them == "Connected on LinkedIn on 14 Mar 2024"
    assert jane.errors == []


def test_row_numbers_are_the_spreadsheets_counting_the_preamble(read_file):
    numbers = [row.number for row in read_file("linkedin_connections.csv").rows()]

    assert numbers == [5, 6, 7, 8, 9, 10, 11, 12, 13]


def test_emails_differing_only_in_case_keep_their_case(read_file):
    rows = rows_by_number(read_file("linkedin_connections.csv"))

    assert rows[5].email == "Jane@Example.com"
    assert rows[6].email == "jane@example.COM"


def test_mojibake_is_repaired_beside_the_same_name_spelled_right(read_file):
    rows = rows_by_number(read_file("linkedin_connections.csv"))

    assert (rows[7].name, rows[7].organisation) == ("José García", "Café Noël")
    assert (rows[8].name, rows[8].organisation) == ("José García", "Café Noël")


def test_quotes_and_newlines_inside_a_cell_are_one_line_of_text(read_file):
    rows = rows_by_number(read_file("linkedin_connections.csv"))

    assert rows[7].role == 'Head of "Growth" EMEA'
    assert rows[7].errors == []


def test_rows_without_a_name_or_email_are_errors(read_file):
    rows = rows_by_number(read_file("linkedin_connections.csv"))

    assert rows[9].errors == ["no name and no email"]
    assert rows[10].name == ""
    assert rows[10].errors == ["no name and no email"]


def test_a_row_with_only_an_email_is_kept(read_file):
    only = rows_by_number(read_file("linkedin_connections.csv"))[11]

    assert (only.name, only.email, only.errors) == ("", "only@example.org", [])


def test_spaces_in_names_and_organisations_are_collapsed(read_file):
    wei = rows_by_number(read_file("linkedin_connections.csv"))[12]

    assert wei.name == "Wei Chen"
    assert wei.organisation == "Lotus Advisory"


def test_an_impossible_date_is_the_rows_error(read_file):
    wei = rows_by_number(read_file("linkedin_connections.csv"))[12]

    assert wei.errors == ["Connected On: 30 Feb 2024 is not a date"]
    assert wei.connected_on is None
    assert wei.how_we_know_them == ""


def test_an_email_that_is_not_one_is_the_rows_error(read_file):
    ann = rows_by_number(read_file("linkedin_connections.csv"))[13]

    assert ann.errors == ["Email Address: “ann at example.org” is not an email address"]
    assert ann.connected_on == date(2024, 4, 2)


def test_rows_stream_one_at_a_time(read_file):
    rows = read_file("linkedin_connections.csv").rows()

    assert next(rows).number == 5
    assert next(rows).number == 6


def test_the_header_alone_is_recognised_without_the_preamble():
    from cultivation.importing.readers import read_people

    data = b"First Name,Last Name,URL,Email Address,Company,Position,Connected On\nA,B,,,,,\n"

    connections = read_people(data, filename="Connections.csv")

    assert connections.layout == "linkedin"
    assert [row.name for row in connections.rows()] == ["A B"]
