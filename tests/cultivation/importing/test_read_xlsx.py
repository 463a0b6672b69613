"""Excel workbooks (.xlsx), read in openpyxl's streaming mode: first sheet, dates as dates."""

import io
from datetime import date, datetime

import openpyxl
import pytest

from cultivation.importing.readers import read_people
from cultivation.importing.rows import FileRefused

HEADER = ["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"]


def workbook(*rows, first_sheet_rows=None):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in first_sheet_rows if first_sheet_rows is not None else rows:
        sheet.append(row)
    other = book.create_sheet("Other")
    other.append(["Not", "read"])
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def test_the_first_sheet_is_read_with_its_layout_and_dates():
    data = workbook(
        HEADER,
        [
            "Jane",
            "Doe",
            "https://www.linkedin.com/in/jane",
            " Jane@Example.com ",
            "Acme",
            "CEO",
            datetime(2024, 3, 14),
        ],
        ["Tom", "Reed", None, None, "Reed Ltd", None, date(2023, 1, 2)],
        [None, None, None, None, None, None, None],
        ["  ", " ", None, None, "Ghost", None, "30 Feb 2024"],
    )

    people = read_people(data, filename="connections.xlsx")
    jane, tom, ghost = people.rows()

    assert (people.format, people.encoding, people.delimiter) == ("xlsx", None, None)
    assert (people.layout, people.row_count) == ("linkedin", 3)
    assert people.sample[0][6] == "2024-03-14"
    assert (jane.number, jane.name, jane.email) == (2, "Jane Doe", "Jane@Example.com")
    assert jane.connected_on == date(2024, 3, 14)
    assert jane.how_we_know_them == "Connected on LinkedIn on 14 Mar 2024"
    assert (tom.number, tom.connected_on) == (3, date(2023, 1, 2))
    assert ghost.number == 5
    assert ghost.errors == ["Connected On: 30 Feb 2024 is not a date", "no name and no email"]


def test_numbers_are_read_as_text_without_a_decimal_point():
    data = workbook(["Name", "Phone", "Score"], ["Ada", 447700900123, 2.5])

    (ada,) = read_people(
        data, filename="a.xlsx", mapping={"Name": "name", "Phone": "phone", "Score": "notes"}
    ).rows()

    assert (ada.phone, ada.notes) == ("447700900123", "2.5")


def test_a_formula_cell_is_refused_naming_its_row_and_column():
    data = workbook(["Name", "Company"], ["Ada", "Analytical"], ["Tom", '=HYPERLINK("x","y")'])

    with pytest.raises(FileRefused) as refused:
        read_people(data, filename="a.xlsx")

    assert str(refused.value) == (
        'Row 3, column “Company” holds a spreadsheet formula (=HYPERLINK("x","y")): '
        "Convivio does not import formulas. Replace it with its value and upload the file again."
    )


def test_text_starting_with_a_plus_is_not_a_formula_in_a_workbook():
    data = workbook(["Name", "Phone"], ["Ada", "+44 20 7946 0958"])

    (ada,) = read_people(data, filename="a.xlsx").rows()

    assert ada.phone == "+44 20 7946 0958"


def test_an_empty_workbook_is_refused():
    with pytest.raises(FileRefused) as refused:
        read_people(workbook(first_sheet_rows=[]), filename="a.xlsx")

    assert str(refused.value) == "This file is empty."


def test_a_workbook_over_the_row_limit_is_refused(settings):
    settings.IMPORT_MAX_ROWS = 2
    data = workbook(["Name"], ["A"], ["B"], ["C"])

    with pytest.raises(FileRefused) as refused:
        read_people(data, filename="a.xlsx")

    assert str(refused.value).startswith("This file has more than 2 rows")


def test_a_zip_with_a_broken_workbook_inside_is_refused():
    import zipfile

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("xl/workbook.xml", "<not a workbook")

    with pytest.raises(FileRefused) as refused:
        read_people(archive.getvalue(), filename="a.xlsx")

    assert str(refused.value) == "“a.xlsx” cannot be opened as an Excel workbook."


def test_a_long_workbook_is_refused_before_it_is_all_read(settings):
    settings.IMPORT_MAX_ROWS = 1
    data = workbook(["Name"], *[[f"Person {n}"] for n in range(30)])

    with pytest.raises(FileRefused) as refused:
        read_people(data, filename="a.xlsx")

    assert str(refused.value).startswith("This file has more than 1 rows")


def test_cells_with_newlines_quotes_and_commas_survive_the_workbook():
    data = workbook(
        ["Name", "Company", "Notes"],
        ['Ann "Nan" Lee', "Lee, Lee & Co", "line one\nline two"],
        ["Bo", None, None],
    )

    ann, bo = read_people(data, filename="a.xlsx").rows()

    assert (ann.number, ann.name, ann.organisation) == (2, 'Ann "Nan" Lee', "Lee, Lee & Co")
    assert ann.notes == "line one\nline two"
    assert (bo.number, bo.name, bo.organisation) == (3, "Bo", "")
