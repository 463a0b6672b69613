"""Google Contacts CSV, new and old headers: " ::: " cells, multi-line addresses, labels."""

from .conftest import rows_by_number


def test_the_new_header_is_recognised(read_file):
    contacts = read_file("google_contacts.csv")

    assert (contacts.layout, contacts.layout_label) == ("google", "Google Contacts")
    assert contacts.encoding == "utf-8-sig"
    assert contacts.needs_mapping is False
    assert {header for header, field in contacts.mapping.items() if field} == {
        "First Name",
        "Middle Name",
        "Last Name",
        "Organization Name",
        "Organization Title",
        "Notes",
        "Labels",
        "E-mail 1 - Value",
        "E-mail 2 - Value",
        "Phone 1 - Value",
        "Phone 2 - Value",
        "Website 1 - Value",
    }
    assert contacts.mapping["Phonetic First Name"] == ""
    assert contacts.row_count == 5


def test_multi_value_cells_are_split_and_system_labels_dropped(read_file):
    priya = rows_by_number(read_file("google_contacts.csv"))[2]

    assert priya.name == "Priya K. Shah"
    assert (priya.email, priya.other_emails) == ("priya@shah.example", ["p.shah@home.example"])
    assert (priya.phone, priya.other_phones) == ("+44 7700 900123", ["+44 20 7946 0958"])
    assert priya.organisation == "Shah, Rao & Partners"
    assert priya.role == "Director"
    assert priya.notes == 'Met at the "Harbour" dinner'
    assert priya.tags == ["Clients"]
    assert priya.linkedin_url == "https://www.linkedin.com/in/priyashah"
    assert priya.errors == []


def test_a_multi_line_address_stays_inside_its_row(read_file):
    numbers = [row.number for row in read_file("google_contacts.csv").rows()]

    assert numbers == [2, 3, 4, 5, 6]


def test_a_website_that_is_not_linkedin_is_left_out(read_file):
    tom = rows_by_number(read_file("google_contacts.csv"))[3]

    assert tom.linkedin_url == ""
    assert tom.email == "PRIYA@shah.example"
    assert tom.tags == []


def test_mojibake_is_repaired_beside_the_right_spelling(read_file):
    rows = rows_by_number(read_file("google_contacts.csv"))

    assert rows[4].name == rows[5].name == "Renée Dubois"
    assert rows[4].tags == ["Friends"]


def test_a_row_with_only_a_phone_is_an_error(read_file):
    empty = rows_by_number(read_file("google_contacts.csv"))[6]

    assert empty.errors == ["no name and no email"]
    assert empty.phone == "07700 900999"


def test_the_older_utf16_export_with_group_membership_is_recognised(read_file):
    contacts = read_file("google_contacts_old_utf16.csv")
    marta, lukasz = contacts.rows()

    assert (contacts.layout, contacts.encoding, contacts.encoding_guessed) == (
        "google",
        "utf-16",
        False,
    )
    assert contacts.mapping["Occupation"] == ""
    assert (marta.name, marta.organisation, marta.role) == ("Marta Nowak", "Nowak Legal", "Partner")
    assert marta.tags == ["Partners"]
    assert marta.phone == "+48 22 123 45 67"
    assert marta.linkedin_url == "https://www.linkedin.com/in/martanowak"
    assert (lukasz.name, lukasz.organisation, lukasz.tags) == ("Łukasz Żak", "Żak & Co", [])


def test_google_slashed_dates_are_american(read_file):
    from cultivation.importing.readers import read_people

    data = (
        b"First Name,Last Name,E-mail 1 - Value,Labels,Last Contacted\n"
        b"Ada,Byron,ada@example.org,,3/4/2024\n"
    )

    (ada,) = read_people(data, filename="contacts.csv").rows()

    assert str(ada.last_contacted) == "2024-03-04"
