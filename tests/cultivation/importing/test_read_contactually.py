"""Contactually exports: column names vary, so they are matched by synonyms."""

from datetime import date

from cultivation.importing.readers import read_people

from .conftest import rows_by_number


def test_a_snake_case_export_is_recognised_by_its_buckets(read_file):
    export = read_file("contactually_export.csv")

    assert (export.layout, export.layout_label) == ("contactually", "Contactually export")
    assert export.mapping == {
        "first_name": "first_name",
        "last_name": "last_name",
        "company_name": "organisation",
        "job_title": "role",
        "email": "email",
        "email_2": "email",
        "phone": "phone",
        "phone_2": "phone",
        "address_street": "",
        "address_city": "",
        "address_state": "",
        "address_zip": "",
        "bucket": "bucket",
        "tags": "tags",
        "last_contacted_at": "last_contacted",
    }


def test_buckets_become_buckets_and_tags(read_file):
    sam = rows_by_number(read_file("contactually_export.csv"))[2]

    assert sam.buckets == ["Referral Partners", "Clients"]
    # In column order: bucket, then tags.
    assert sam.tags == ["Referral Partners", "Clients", "golf", "board"]
    assert sam.email == "sam@ortiz.example"
    assert sam.other_emails == []
    assert (sam.phone, sam.other_phones) == ("555-0100", ["555-0199"])
    assert sam.last_contacted == date(2021, 6, 30)


def test_last_contacted_reads_iso_times_and_american_slashes(read_file):
    rows = rows_by_number(read_file("contactually_export.csv"))

    assert rows[3].last_contacted == date(2021, 6, 30)
    # 31/12 cannot be month/day: the other reading is the only date.
    assert rows[5].last_contacted == date(2021, 12, 31)


def test_an_impossible_last_contacted_is_the_rows_error(read_file):
    lee = rows_by_number(read_file("contactually_export.csv"))[4]

    assert lee.errors == ["last_contacted_at: 02/30/2021 is not a date"]


def test_a_title_case_export_with_other_names_reads_the_same():
    data = (
        "\ufeffGiven name,Last Name,Company,Title,Email Address,Email 2,Phone 1,Street,City,"
        "Buckets,Tags,Last Contacted\r\n"
        'Sam,Ortiz,Ortiz Partners,Founder,sam@ortiz.example,s@o.example,555-0100,"1 Elm, St",'
        "Austin,Clients,golf;board,2021-06-30\r\n"
    ).encode()

    export = read_people(data, filename="contactually.csv")
    (sam,) = export.rows()

    assert export.layout == "contactually"
    assert (sam.name, sam.organisation, sam.role) == ("Sam Ortiz", "Ortiz Partners", "Founder")
    assert (sam.email, sam.other_emails) == ("sam@ortiz.example", ["s@o.example"])
    assert sam.buckets == ["Clients"]
    assert sam.tags == ["Clients", "golf", "board"]
    assert sam.last_contacted == date(2021, 6, 30)
    assert sam.errors == []
