"""Each layout's own file, spoiled one way at a time, is refused with a sentence."""

import pytest

from cultivation.importing.readers import read_people
from cultivation.importing.rows import FileRefused

from .conftest import FILES

# file, its encoding, its layout
LAYOUT_FILES = [
    ("linkedin_connections.csv", "utf-8-sig", "linkedin"),
    ("google_contacts.csv", "utf-8-sig", "google"),
    ("google_contacts_old_utf16.csv", "utf-16", "google"),
    ("outlook_contacts.csv", "cp1252", "outlook"),
    ("contactually_export.csv", "utf-8", "contactually"),
]


def text_of(name, encoding):
    return (FILES / name).read_bytes().decode(encoding)


def header_of(text):
    lines = text.splitlines()
    index = next(i for i, line in enumerate(lines) if "Name" in line or "name" in line)
    return lines[: index + 1], lines[index]


def refusal(data, name):
    with pytest.raises(FileRefused) as refused:
        read_people(data, filename=name)
    return str(refused.value)


@pytest.mark.parametrize(("name", "encoding", "layout"), LAYOUT_FILES)
def test_each_layout_file_reads_as_its_layout(name, encoding, layout):
    assert read_people((FILES / name).read_bytes(), filename=name).layout == layout


@pytest.mark.parametrize(("name", "encoding", "layout"), LAYOUT_FILES)
def test_a_ragged_row_in_each_layout(name, encoding, layout):
    text = text_of(name, encoding).rstrip("\r\n") + "\r\nJust,Three,Cells\r\n"
    last = read_people((FILES / name).read_bytes(), filename=name)
    width = len(last.headers)

    message = refusal(text.encode(encoding), name)

    assert message.startswith(f"Some rows do not have the header's {width} cells: row ")
    assert message.endswith(
        "has 3. A quote left open or a missing delimiter usually does this. Nothing was imported."
    )


@pytest.mark.parametrize(("name", "encoding", "layout"), LAYOUT_FILES)
def test_a_formula_in_each_layout(name, encoding, layout):
    original = read_people((FILES / name).read_bytes(), filename=name)
    width = len(original.headers)
    cells = ["=HYPERLINK(x)"] + ["a"] * (width - 1)
    text = text_of(name, encoding).rstrip("\r\n") + "\r\n" + ",".join(cells) + "\r\n"

    message = refusal(text.encode(encoding), name)

    assert message.startswith(
        f"Row {max(row.number for row in original.rows()) + 1}, column "
        f"“{original.headers[0]}” holds a spreadsheet formula"
    )


@pytest.mark.parametrize(("name", "encoding", "layout"), LAYOUT_FILES)
def test_only_the_header_of_each_layout(name, encoding, layout):
    preamble, _ = header_of(text_of(name, encoding))

    assert refusal(("\r\n".join(preamble) + "\r\n").encode(encoding), name) == (
        "This file has only its header: there is nobody in it to import."
    )


@pytest.mark.parametrize(("name", "encoding", "layout"), LAYOUT_FILES)
def test_each_layout_over_the_row_and_size_limits(settings, name, encoding, layout):
    data = (FILES / name).read_bytes()
    rows = read_people(data, filename=name).row_count

    settings.IMPORT_MAX_ROWS = rows - 1
    assert refusal(data, name).startswith(f"This file has more than {rows - 1:,} rows")
    settings.IMPORT_MAX_ROWS = rows
    settings.IMPORT_MAX_BYTES = len(data) - 1
    assert refusal(data, name).startswith("This file is ")


@pytest.mark.parametrize(("name", "encoding", "layout"), LAYOUT_FILES)
def test_each_layout_without_its_name_and_email_columns(name, encoding, layout):
    """A recognised layout forced on a file whose columns are all something else."""
    with pytest.raises(FileRefused) as refused:
        read_people(b"Company,Position\r\nAcme,CEO\r\n", filename=name, layout=layout)

    assert str(refused.value).startswith("No column of this file holds names or emails")


def test_an_empty_and_a_binary_vcard_file():
    assert refusal(b"", "contacts.vcf") == "This file is empty."
    assert refusal(b"BEGIN:VCARD\r\n\x00\x00", "contacts.vcf").endswith(
        "otherwise it is not a CSV or vCard file."
    )
    assert refusal(b"BEGIN:VCARDS are fun\r\n", "contacts.vcf") == (
        "This vCard file has no cards in it."
    )


def test_a_vcard_file_over_the_limits(settings):
    data = (FILES / "contacts.vcf").read_bytes()
    settings.IMPORT_MAX_ROWS = 5
    assert refusal(data, "contacts.vcf") == (
        "This file has 6 people; Convivio imports up to 5 at a time. Split it into smaller "
        "files and import each."
    )
