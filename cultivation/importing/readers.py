"""Turn an uploaded file into people: `read_people(data, filename=...)`.

Pure Python, no database. `read_people` reads enough to recognise the file (format,
encoding, delimiter, header, layout, mapping) and checks the whole file once (size,
row count, ragged rows, formulas), raising `FileRefused` with a sentence for a file
that cannot be imported. `ImportFile.rows()` then reads it again, one `PersonRow` at a
time, so a file of any length is never held as row objects.
"""

import codecs
import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings

from . import mapping as mappings
from . import values, vcard
from .columns import Plan
from .layouts import LAYOUTS, recognise
from .rows import FileRefused, PersonRow

SAMPLE_ROWS = 5
# The header is the first of this many records that looks like one (LinkedIn puts
# "Notes:" lines above it).
HEADER_SEARCH_ROWS = 20
# The most columns a file may have: Google's and Outlook's exports have under 100; the
# mapping screen shows each one, so a file of thousands would cost minutes to show.
MAX_COLUMNS = 500
# An .xlsx is a zip: what it unpacks to, at most, as a multiple of the largest file read.
# People's workbooks unpack to 5 to 10 times their size; a "zip bomb" to hundreds.
XLSX_MAX_UNPACKED = 8
DELIMITERS = (",", ";", "\t", "|")

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_SIGNATURES = (
    (b"\x89PNG", "a picture"),
    (b"\xff\xd8\xff", "a picture"),
    (b"GIF8", "a picture"),
    (b"%PDF", "a PDF document"),
    (b"\xd0\xcf\x11\xe0", "an old Excel (.xls) or Word document"),
    (b"\x1f\x8b", "a compressed (.gz) file"),
    (b"Rar!", "a compressed (.rar) file"),
)


@dataclass
class ImportFile:
    """What a file is, before anything is written: enough for the preview and mapping pages."""

    format: str  # "csv" | "vcard" | "xlsx"
    encoding: str | None
    encoding_guessed: bool
    delimiter: str | None
    layout: str | None
    layout_label: str
    headers: list[str]
    sample: list[list[str]]
    mapping: dict[str, str]
    needs_mapping: bool
    header_signature: str
    row_count: int  # people rows (blank rows not counted): the progress bar's total
    _read_rows: Callable[[], Iterator[PersonRow]] = field(repr=False)

    @property
    def has_name_column(self):
        return self.format == "vcard" or mappings.has_name_column(self.mapping)

    def rows(self):
        """Each person in file order. Refused if no column holds names or emails."""
        if not self.has_name_column:
            raise _no_name_column(self.headers)
        return self._read_rows()


def read_people(data, *, filename, encoding=None, layout=None, mapping=None):
    """Recognise `data` (the uploaded file's bytes) and check it whole; see the module doc.

    `encoding` overrides the detected one, `layout` (a key of LAYOUTS) the recognised
    one, and `mapping` (header -> FIELDS key) both the layout's and the guessed mapping.
    """
    limit = settings.IMPORT_MAX_BYTES
    if len(data) > limit:
        raise FileRefused(
            f"This file is {_megabytes(len(data))}; Convivio reads files of up to "
            f"{_megabytes(limit)}. Split it into smaller files and import each."
        )
    if layout is not None and layout not in LAYOUTS:
        raise FileRefused(f"There is no layout called “{layout}”: use one of {_layout_keys()}.")
    if mapping is not None and (unknown := mappings.unknown_fields(mapping)):
        raise FileRefused(f"“{unknown[0]}” is not something Convivio can read a column as.")
    if not data.strip():
        raise FileRefused("This file is empty.")
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data, filename=filename, layout=layout, mapping=mapping)
    _refuse_binary(data, filename)
    text, encoding, guessed = _decode(data, encoding)
    if "\x00" in text:
        raise FileRefused(
            f"“{filename}” holds NUL bytes, so it is not text as read: if it was saved as "
            "UTF-16 (some Windows programs do), choose UTF-16 as its encoding and upload it "
            "again; otherwise it is not a CSV or vCard file."
        )
    if not text.strip():
        raise FileRefused("This file is empty.")
    if vcard.is_vcard(text):
        return _read_vcard(text, encoding=encoding, guessed=guessed)
    return _read_csv(text, encoding=encoding, guessed=guessed, layout=layout, mapping=mapping)


# Bytes to text ------------------------------------------------------------------


def _refuse_binary(data, filename):
    for signature, what in _SIGNATURES:
        if data.startswith(signature):
            raise FileRefused(
                f"“{filename}” looks like {what}, not a list of people. Upload a CSV, "
                "vCard (.vcf) or Excel (.xlsx) file."
            )


def _decode(data, encoding):
    """(text, encoding, guessed): the given encoding, a BOM's, UTF-8, or a detected one.

    `guessed` is True only when charset-normalizer chose: the page then says so, since
    a guess between single-byte encodings can be wrong.
    """
    if encoding:
        try:
            return data.decode(encoding), encoding, False
        except LookupError:
            raise FileRefused(f"“{encoding}” is not an encoding Convivio knows.") from None
        except UnicodeDecodeError:
            raise FileRefused(
                f"This file cannot be read as {encoding}: choose another encoding."
            ) from None
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return _decode_with(data, codec), codec, False
    try:
        return data.decode("utf-8"), "utf-8", False
    except UnicodeDecodeError:
        pass
    codec = _detect(data)
    return _decode_with(data, codec), codec, True


def _decode_with(data, codec):
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        raise FileRefused(
            f"This file cannot be read as {codec}: choose its encoding, or it may be "
            "damaged, or not text."
        ) from None


def _detect(data):
    """charset-normalizer's best guess, but Windows-1252 wherever it reads as well.

    Western spreadsheets and Outlook write Windows-1252, and charset-normalizer often
    ranks a cousin (cp1250, cp1257) first for the same bytes, which turns "Œ" or "€"
    into other letters.
    """
    import charset_normalizer

    results = charset_normalizer.from_bytes(data[:200_000])
    best = results.best()
    if best is None:
        return "cp1252"
    for result in results:
        if "cp1252" in result.could_be_from_charset and result.chaos <= best.chaos + 0.1:
            return "cp1252"
    return best.encoding


# CSV ----------------------------------------------------------------------------


def _csv_records(text, delimiter):
    """(row number as a spreadsheet shows it, cells) for every record, blank ones too."""
    reader = csv.reader(values.lines(text), delimiter=delimiter)
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            yield number, cells
    except csv.Error as error:
        raise FileRefused(f"Row {number + 1} cannot be read as CSV: {error}.") from None


def _choose_delimiter(text):
    """The delimiter under which the header is recognised, or most rows have its width."""
    sample = text[:65_536]
    if len(text) > len(sample):
        sample = sample[: sample.rfind("\n") + 1] or sample
    best, best_score = ",", None
    for delimiter in DELIMITERS:
        records = []
        try:
            for _, cells in _csv_records(sample, delimiter):
                records.append(cells)
                if len(records) >= 50:
                    break
        except FileRefused:
            continue
        index, layout = _find_header(records)
        width = len(records[index]) if index is not None else 0
        steady = sum(1 for cells in records[(index or 0) + 1 :] if len(cells) == width)
        score = (layout is not None, width > 1, steady, width)
        if best_score is None or score > best_score:
            best, best_score = delimiter, score
    return best


def _find_header(records):
    """(index, layout): the first record a layout recognises, else the first with two
    or more filled cells, else the first filled one."""
    first_wide = first_filled = None
    for index, cells in enumerate(records[:HEADER_SEARCH_ROWS]):
        filled = sum(1 for cell in cells if cell.strip())
        if not filled:
            continue
        if layout := recognise(cells):
            return index, layout
        if first_wide is None and filled > 1:
            first_wide = index
        if first_filled is None:
            first_filled = index
    return (first_wide if first_wide is not None else first_filled), None


def _read_csv(text, *, encoding, guessed, layout, mapping):
    delimiter = _choose_delimiter(text)
    source = _Table(
        records=lambda: _csv_records(text, delimiter),
        formula_at=_csv_formula_at,
        check_width=True,
    )
    return source.import_file(
        fmt="csv",
        encoding=encoding,
        guessed=guessed,
        delimiter=delimiter,
        layout=layout,
        mapping=mapping,
    )


_BEFORE_FORMULA = frozenset('=+-@ \t\r\n"')


def _csv_formula_at(number, cells):
    for index, cell in enumerate(cells):
        # Spaces, line breaks or double quotes before it do not stop a spreadsheet reading
        # a formula, and the cell is kept trimmed: look past them. (A leading apostrophe
        # does: it is how a spreadsheet, and Convivio's export, mark a cell as text.)
        if cell[:1] in _BEFORE_FORMULA:
            cell = cell.lstrip(' \t\r\n"')
        if cell[:1] in ("=", "+", "-", "@") and values.is_formula(cell):
            return index
    return None


# xlsx ---------------------------------------------------------------------------


class _Formula(str):
    """A cell the workbook stores as a formula (openpyxl's data_type "f")."""


def _read_xlsx(data, *, filename, layout, mapping):
    try:
        entries = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except zipfile.BadZipFile:
        raise FileRefused(f"“{filename}” is a damaged zip or Excel file.") from None
    names = [entry.filename for entry in entries]
    unpacked = sum(entry.file_size for entry in entries)
    if unpacked > XLSX_MAX_UNPACKED * settings.IMPORT_MAX_BYTES:
        raise FileRefused(
            f"“{filename}” unpacks to {unpacked / 1_000_000:,.0f} MB, far more than a list of "
            "people: Convivio does not read it. Save it as CSV and upload that instead."
        )
    if "xl/workbook.xml" not in names:
        raise FileRefused(
            f"“{filename}” is a zip archive, not an Excel (.xlsx) workbook: unzip it and "
            "upload the CSV, vCard or .xlsx file inside."
        )
    text, formulas = _xlsx_as_csv(data, filename)
    source = _Table(
        records=lambda: _csv_records(text, ","),
        formula_at=lambda number, cells: formulas.get(number),
        check_width=False,
    )
    return source.import_file(
        fmt="xlsx",
        encoding=None,
        guessed=False,
        delimiter=None,
        layout=layout,
        mapping=mapping,
    )


class _Lines(list):
    write = list.append


def _xlsx_as_csv(data, filename):
    """(the first sheet as CSV text, {row number: the first column holding a formula}).

    openpyxl is the slow part of reading a workbook (about 0.16 ms a row), so it
    reads the sheet once; the check and the rows then read the text, as for a CSV.
    """
    lines, formulas, filled = _Lines(), {}, 0
    writer = csv.writer(lines)
    most = settings.IMPORT_MAX_ROWS + HEADER_SEARCH_ROWS
    for number, cells in _xlsx_records(data, filename):
        writer.writerow(cells)
        filled += any(cells)
        if filled > most:
            raise _too_many_rows(settings.IMPORT_MAX_ROWS)
        if len(formulas) < 1000 and (column := _xlsx_formula_at(cells)) is not None:
            formulas[number] = column
    return "".join(lines), formulas


def _xlsx_records(data, filename):
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a damaged workbook
        raise FileRefused(f"“{filename}” cannot be opened as an Excel workbook.") from None
    try:
        sheet = workbook.worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            yield number, [_xlsx_text(cell) for cell in cells]
    finally:
        workbook.close()


def _xlsx_text(cell):
    value = cell.value
    if value is None:
        return ""
    if cell.data_type == "f":
        return _Formula(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_formula_at(cells):
    for index, cell in enumerate(cells):
        if type(cell) is _Formula:
            return index
    return None


# vCard --------------------------------------------------------------------------

VCARD_HEADERS = ["Name", "Email", "Phone", "Organisation", "Role"]


def _read_vcard(text, *, encoding, guessed):
    count = vcard.count_cards(text)
    _check_row_limit(count)
    if not count:
        raise FileRefused("This vCard file has no cards in it.")

    def rows():
        for number, properties in enumerate(vcard.cards(text), start=1):
            yield vcard.card_row(number, properties)

    sample = []
    for row in rows():
        sample.append([row.name, row.email, row.phone, row.organisation, row.role])
        if len(sample) == SAMPLE_ROWS:
            break
    return ImportFile(
        format="vcard",
        encoding=encoding,
        encoding_guessed=guessed,
        delimiter=None,
        layout=None,
        layout_label="vCard",
        headers=list(VCARD_HEADERS),
        sample=sample,
        mapping={},
        needs_mapping=False,
        header_signature=mappings.header_signature(["vcard"]),
        row_count=count,
        _read_rows=rows,
    )


# Tables: CSV and xlsx alike -----------------------------------------------------


@dataclass
class _Table:
    records: Callable[[], Iterator[tuple[int, list[str]]]]
    formula_at: Callable[[int, list[str]], int | None]
    check_width: bool

    def import_file(self, *, fmt, encoding, guessed, delimiter, layout, mapping):
        head = []
        for _, cells in self.records():
            head.append(cells)
            if len(head) >= HEADER_SEARCH_ROWS:
                break
        header_index, recognised = _find_header(head)
        if header_index is None:
            raise FileRefused("This file is empty.")
        headers = _headers(head[header_index])
        chosen = LAYOUTS[layout] if layout else recognised
        count, sample = self._check(header_index, headers)
        needs_mapping = chosen is None and mapping is None
        if mapping is not None:
            mapping = {header: mapping.get(header, "") for header in headers}
        elif chosen is not None:
            mapping = chosen.mapping(headers)
        else:
            mapping = mappings.guess_mapping(
                headers, sample, looks_like_date=values.looks_like_date
            )
        if not needs_mapping and not mappings.has_name_column(mapping):
            raise _no_name_column(headers)
        date_order = chosen.date_order if chosen else "dmy"
        plan = Plan(headers=headers, mapping=mapping, date_order=date_order, layout=chosen)

        def rows():
            for number, cells in self._data_records(header_index):
                yield plan.row(number, cells)

        return ImportFile(
            format=fmt,
            encoding=encoding,
            encoding_guessed=guessed,
            delimiter=delimiter,
            layout=chosen.key if chosen else None,
            layout_label=chosen.label if chosen else "",
            headers=headers,
            sample=sample,
            mapping=mapping,
            needs_mapping=needs_mapping,
            header_signature=mappings.header_signature(headers),
            row_count=count,
            _read_rows=rows,
        )

    def _data_records(self, header_index):
        for number, cells in self.records():
            if number > header_index + 1 and any(cell.strip() for cell in cells):
                yield number, cells

    def _check(self, header_index, headers):
        """(row count, sample): refused for too many columns or rows, a formula, or ragged
        rows."""
        width, limit = len(headers), settings.IMPORT_MAX_ROWS
        if width > MAX_COLUMNS:
            raise FileRefused(
                f"This file has {width:,} columns: Convivio reads files of up to "
                f"{MAX_COLUMNS} columns. Keep the columns about people and upload it again."
            )
        count, sample, ragged = 0, [], []
        for number, cells in self._data_records(header_index):
            count += 1
            if count > limit:
                raise _too_many_rows(limit)
            if (column := self.formula_at(number, cells)) is not None:
                raise _formula(number, column, headers, cells[column])
            if self.check_width and _is_ragged(cells, width):
                ragged.append((number, len(cells)))
            if len(sample) < SAMPLE_ROWS:
                sample.append(list(cells))
        if ragged:
            raise _ragged(ragged, width)
        if not count:
            raise FileRefused("This file has only its header: there is nobody in it to import.")
        return count, sample


def _headers(cells):
    """The header's names, trimmed and repaired; an unnamed column gets "Column N"."""
    headers = []
    for index, cell in enumerate(cells):
        name = values.one_line(values.repair(cell))
        headers.append(name or f"Column {index + 1}")
    return headers


def _is_ragged(cells, width):
    if len(cells) == width:
        return False
    # Trailing empty cells (a spreadsheet's stray commas) are not data.
    return len(cells) < width or any(cell.strip() for cell in cells[width:])


def _ragged(ragged, width):
    shown = ", ".join(f"row {number} has {cells}" for number, cells in ragged[:3])
    more = f" (and {len(ragged) - 3} more)" if len(ragged) > 3 else ""
    return FileRefused(
        f"Some rows do not have the header's {width} cells: {shown}{more}. A quote left "
        "open or a missing delimiter usually does this. Nothing was imported."
    )


def _formula(number, column, headers, cell):
    name = headers[column] if column < len(headers) else f"Column {column + 1}"
    shown = cell if len(cell) <= 40 else cell[:40] + "…"
    return FileRefused(
        f"Row {number}, column “{name}” holds a spreadsheet formula ({shown}): Convivio "
        "does not import formulas. Replace it with its value and upload the file again."
    )


def _too_many_rows(limit):
    return FileRefused(
        f"This file has more than {limit:,} rows; Convivio imports up to {limit:,} at a "
        "time. Split it into smaller files and import each."
    )


def _no_name_column(headers):
    shown = ", ".join(f"“{header}”" for header in headers[:8])
    return FileRefused(
        f"No column of this file holds names or emails (its columns: {shown}). Choose which "
        "column holds the name, first or last name, or email."
    )


def _check_row_limit(count):
    limit = settings.IMPORT_MAX_ROWS
    if count > limit:
        raise FileRefused(
            f"This file has {count:,} people; Convivio imports up to {limit:,} at a time. "
            "Split it into smaller files and import each."
        )


def _megabytes(size):
    return f"{size / 1_000_000:.1f} MB"


def _layout_keys():
    return ", ".join(LAYOUTS)
