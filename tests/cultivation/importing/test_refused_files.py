"""Whole files that cannot be imported: each gets a sentence, and no rows are read."""

import codecs
import io
import zipfile

import pytest

from cultivation.importing.readers import read_people
from cultivation.importing.rows import FileRefused

LINKEDIN_HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"


def refusal(data, **options):
    with pytest.raises(FileRefused) as refused:
        read_people(data, filename=options.pop("filename", "people.csv"), **options)
    return str(refused.value)


@pytest.mark.parametrize(
    "data",
    [b"", b"   \r\n\r\n", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF8 + b"\r\n  \r\n"],
)
def test_an_empty_file_is_refused(data):
    assert refusal(data) == "This file is empty."


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a picture"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "a picture"),
        (b"%PDF-1.7\n", "a PDF document"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Excel (.xls) or Word document"),
    ],
)
def test_a_picture_or_document_is_refused(data, what):
    assert refusal(data, filename="me.png") == (
        f"“me.png” looks like {what}, not a list of people. Upload a CSV, vCard (.vcf) or "
        "Excel (.xlsx) file."
    )


def test_a_zip_that_is_not_a_workbook_is_refused():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("Connections.csv", LINKEDIN_HEADER)

    assert refusal(archive.getvalue(), filename="export.zip") == (
        "“export.zip” is a zip archive, not an Excel (.xlsx) workbook: unzip it and upload "
        "the CSV, vCard or .xlsx file inside."
    )


def test_a_damaged_zip_is_refused():
    assert refusal(b"PK\x03\x04 and then nothing", filename="x.xlsx") == (
        "“x.xlsx” is a damaged zip or Excel file."
    )


def test_nul_bytes_in_a_csv_are_refused():
    data = (LINKEDIN_HEADER + "Jane,Doe,,,Acme,CEO,14 Mar 2024\r\n").encode() + b"\x00\x01"

    assert refusal(data) == (
        "“people.csv” holds NUL bytes, so it is not text as read: if it was saved as UTF-16 "
        "(some Windows programs do), choose UTF-16 as its encoding and upload it again; "
        "otherwise it is not a CSV or vCard file."
    )


def test_utf16_without_its_mark_is_read_once_its_encoding_is_chosen():
    data = (LINKEDIN_HEADER + "Jane,Doe,,,Acme,CEO,14 Mar 2024\r\n").encode("utf-16-le")

    assert "choose UTF-16 as its encoding" in refusal(data)
    (jane,) = read_people(data, filename="people.csv", encoding="utf-16-le").rows()
    assert jane.name == "Jane Doe"


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.IMPORT_MAX_BYTES = 2_000_000
    data = (LINKEDIN_HEADER + "Jane,Doe,,,Acme,CEO,14 Mar 2024\r\n" * 70_000).encode()

    assert refusal(data) == (
        "This file is 2.3 MB; Convivio reads files of up to 2.0 MB. Split it into smaller "
        "files and import each."
    )


def test_a_file_at_the_size_limit_is_read(settings):
    data = (LINKEDIN_HEADER + "Jane,Doe,,,Acme,CEO,14 Mar 2024\r\n").encode()
    settings.IMPORT_MAX_BYTES = len(data)

    assert read_people(data, filename="people.csv").row_count == 1


def test_a_file_over_the_row_limit_is_refused_and_one_at_it_is_read(settings):
    settings.IMPORT_MAX_ROWS = 3
    rows = "Jane,Doe,,,Acme,CEO,14 Mar 2024\r\n"

    assert read_people((LINKEDIN_HEADER + rows * 3).encode(), filename="a.csv").row_count == 3
    assert refusal((LINKEDIN_HEADER + "\r\n" + rows * 4).encode()) == (
        "This file has more than 3 rows; Convivio imports up to 3 at a time. Split it into "
        "smaller files and import each."
    )


def test_a_vcard_over_the_row_limit_is_refused(settings):
    settings.IMPORT_MAX_ROWS = 1
    card = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jane\r\nEND:VCARD\r\n"

    assert refusal((card * 2).encode(), filename="a.vcf") == (
        "This file has 2 people; Convivio imports up to 1 at a time. Split it into smaller "
        "files and import each."
    )


def test_ragged_rows_are_refused_naming_the_first_three():
    data = (
        LINKEDIN_HEADER
        + "Jane,Doe,,,Acme,CEO,14 Mar 2024\r\n"
        + "Tom,Reed,,,Reed Ltd\r\n"
        + "Ann,Lee,,Lee Ltd,Owner,2 Apr 2024\r\n"
        + "Kim,Park,,,,,,extra\r\n"
        + "Sam,Ortiz,,,,\r\n"
        + "Al,Ng,,,,,,,\r\n"
    ).encode()

    assert refusal(data) == (
        "Some rows do not have the header's 7 cells: row 3 has 5, row 4 has 6, row 5 has 8 "
        "(and 1 more). A quote left open or a missing delimiter usually does this. Nothing "
        "was imported."
    )


def test_a_quote_left_open_is_refused_as_ragged():
    data = (LINKEDIN_HEADER + 'Ann,"Lee,,,Lee Ltd,Owner,2 Apr 2024\r\n' + "Bo,Li,,,,,\r\n").encode()

    assert refusal(data).startswith("Some rows do not have the header's 7 cells: row 2 has 2.")


def test_trailing_empty_cells_are_not_ragged():
    data = (LINKEDIN_HEADER + "Jane,Doe,,,Acme,CEO,14 Mar 2024,,\r\n").encode()

    (jane,) = read_people(data, filename="people.csv").rows()

    assert jane.name == "Jane Doe"


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        (
            '"=HYPERLINK(""http://evil.example"",""click"")"',
            '=HYPERLINK("http://evil.example","click"…',
        ),
        ("=cmd|' /C calc'!A0", "=cmd|' /C calc'!A0"),
        ("@SUM(A1:A2)", "@SUM(A1:A2)"),
        ("+SUM(1)", "+SUM(1)"),
        ("-IMPORTXML(x)", "-IMPORTXML(x)"),
        ("=A1", "=A1"),
    ],
)
def test_a_formula_is_refused_naming_its_row_and_column(cell, shown):
    data = LINKEDIN_HEADER + "Jane,Doe,,,Acme,CEO,14 Mar 2024\r\n" + f"Tom,Reed,,,{cell},,\r\n"

    assert refusal(data.encode()) == (
        f"Row 3, column “Company” holds a spreadsheet formula ({shown}): Convivio does not "
        "import formulas. Replace it with its value and upload the file again."
    )


@pytest.mark.parametrize("cell", [" =HYPERLINK(1)", '"\t=SUM(A1)"', '"\n@SUM(A1)"'])
def test_a_formula_behind_spaces_tabs_or_a_quote_is_refused_too(cell):
    data = LINKEDIN_HEADER + f"Tom,Reed,,,{cell},,\r\n"

    assert refusal(data.encode()).startswith("Row 2, column “Company” holds a spreadsheet formula")


@pytest.mark.parametrize("cell", ["-", "+44 20 7946 0958", "@jane", "- see notes (later)", "= ="])
def test_text_that_merely_starts_like_a_formula_is_read(cell):
    data = (LINKEDIN_HEADER + f"Tom,Reed,,,{cell},,\r\n").encode()

    (tom,) = read_people(data, filename="people.csv").rows()

    assert tom.organisation == cell


def test_a_known_layout_without_a_name_column_is_refused():
    data = b"Company,Position,Bucket\r\nAcme,CEO,Clients\r\n"

    assert refusal(data) == (
        "No column of this file holds names or emails (its columns: “Company”, “Position”, "
        "“Bucket”). Choose which column holds the name, first or last name, or email."
    )


def test_a_given_mapping_without_a_name_column_is_refused():
    data = b"Who,Where\r\nJane,Acme\r\n"

    assert refusal(data, mapping={"Who": "", "Where": "organisation"}).startswith(
        "No column of this file holds names or emails"
    )


def test_an_unknown_file_without_a_name_column_asks_for_a_mapping_and_reads_no_rows():
    people = read_people(b"Who,Where\r\nJane,Acme\r\n", filename="people.csv")

    assert people.needs_mapping is True
    assert people.has_name_column is False
    with pytest.raises(FileRefused):
        people.rows()


def test_an_unknown_layout_or_field_is_refused():
    assert refusal(b"Name\r\nJane\r\n", layout="myspace") == (
        "There is no layout called “myspace”: use one of linkedin, google, outlook, contactually, "
        "convivio."
    )
    assert refusal(b"Name\r\nJane\r\n", mapping={"Name": "shoe_size"}) == (
        "“shoe_size” is not something Convivio can read a column as."
    )


def test_a_cell_too_long_for_csv_is_refused():
    data = (LINKEDIN_HEADER + 'Jane,"' + "x" * 200_000 + '",,,,,\r\n').encode()

    assert refusal(data).startswith("Row 2 cannot be read as CSV: field larger than field limit")


def test_a_workbook_that_unpacks_far_beyond_a_list_of_people_is_refused(settings):
    settings.IMPORT_MAX_BYTES = 100_000
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("xl/workbook.xml", "<workbook/>")
        zipped.writestr("xl/worksheets/sheet1.xml", "<sheetData/>" + " " * 900_000)

    assert len(archive.getvalue()) < 5_000
    assert refusal(archive.getvalue(), filename="bomb.xlsx") == (
        "“bomb.xlsx” unpacks to 1 MB, far more than a list of people: Convivio does not read "
        "it. Save it as CSV and upload that instead."
    )


def test_a_file_of_thousands_of_columns_is_refused_before_anything_is_shown():
    header = LINKEDIN_HEADER.rstrip() + "".join(f",c{n}" for n in range(600)) + "\r\n"
    data = (header + "Jane,Doe,,,Acme,CEO,14 Mar 2024" + "," * 600 + "\r\n").encode()

    assert refusal(data) == (
        "This file has 607 columns: Convivio reads files of up to 500 columns. Keep the "
        "columns about people and upload it again."
    )
