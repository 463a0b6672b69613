"""Exports: people, organisations, touches and promises as CSV; people as vCard 4.0.

Each export streams: rows are read `CHUNK` at a time (`.values()` over
`.iterator()`, plus one query per chunk for what a row holds many of, such as a
person's tags) and written out as they are read, so memory stays the same at
100 rows or 100,000. Design and the columns: docs/importing.md, "Export".
"""

import csv
import datetime
import decimal
import io
import re
from dataclasses import dataclass
from itertools import islice

from django.http import StreamingHttpResponse
from django.utils import timezone

from .models import Contact, Organisation, Promise, Touch

CHUNK = 2000
"""Rows read from the database at a time (SQLite takes up to 32,766 ids in one IN)."""

BOM = "\ufeff"
"""Excel reads a CSV file as Windows-1252 unless it starts with this (docs/importing.md)."""

# A cell starting with one of these is a formula to a spreadsheet (CSV injection):
# "=HYPERLINK(...)" typed as a name would run when the file is opened.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Spreadsheets also read a formula after leading spaces, line breaks or quotes, and take
# the full-width signs for the ASCII ones: those cells are escaped too. The first
# character decides cheaply whether the pattern needs asking at all.
_MAY_BE_FORMULA = frozenset("=+-@\t\r\n \"'＝＋－＠\u3000\xa0")
_FORMULA = re.compile(r"[\s\"'\u3000]*[=+\-@＝＋－＠]|[\t\r]")


def _is_formula_like(text):
    return bool(text) and text[0] in _MAY_BE_FORMULA and _FORMULA.match(text) is not None


def csv_cell(value, zone=None):
    """`value` as a CSV cell: dates and times in ISO 8601 (times in `zone`, by default the
    firm's time zone), yes/no for booleans, "" for nothing, numbers as numbers (-2 stays
    -2), and text a spreadsheet would take for a formula prefixed with a single quote.

    The Python type decides, not the look: a phone stored as the text "-123" is escaped,
    the integer -123 is not (a number cannot hold a formula)."""
    if type(value) is str:  # most cells: first, since this runs for every one
        return "'" + value if _is_formula_like(value) else value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime):
        zone = zone or timezone.get_current_timezone()
        return value.astimezone(zone).isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return csv_cell(str(value))


def csv_unescaped(text):
    """A cell as it was before `csv_cell` escaped it: for reading an export back in
    ("'+44 20 7946 0000" is "+44 20 7946 0000")."""
    if text[:1] == "'" and _is_formula_like(text[1:]):
        return text[1:]
    return text


def _csv_text(rows):
    """`rows` as CSV text (RFC 4180: CRLF, quoted where needed, quotes doubled)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


@dataclass(frozen=True)
class Column:
    """One column of an export: its header, and the `.values()` field (or the key a
    chunk's `many_valued` adds) it shows."""

    header: str
    field: str


@dataclass(frozen=True)
class Export:
    """What one file holds: its name (before the date), its columns, and `many_valued(ids)`,
    the many-valued cells of a chunk's rows ({id: {key: value}}, the keys `many_valued_keys`)
    read in a query or two per chunk."""

    name: str
    columns: tuple
    many_valued: object = None
    many_valued_keys: frozenset = frozenset()

    @property
    def header(self):
        return [column.header for column in self.columns]

    def chunks(self, queryset):
        """The rows of `queryset` as lists of cells, a chunk (a list of rows) at a time."""
        fields = [c.field for c in self.columns if c.field not in self.many_valued_keys] + ["pk"]
        rows = queryset.values(*dict.fromkeys(fields)).iterator(chunk_size=CHUNK)
        names = [column.field for column in self.columns]
        zone = timezone.get_current_timezone()  # once: each lookup costs a context read
        while chunk := list(islice(rows, CHUNK)):
            extra = self.many_valued([row["pk"] for row in chunk]) if self.many_valued else {}
            for row in chunk:
                row.update(extra.get(row["pk"], ()))
            yield [[csv_cell(row.get(name), zone) for name in names] for row in chunk]

    def lines(self, queryset):
        """The file's text: the BOM and header, then one piece per chunk of rows."""
        yield BOM + _csv_text([self.header])
        for chunk in self.chunks(queryset):
            yield _csv_text(chunk)

    def response(self, queryset):
        """The file as a download, streamed: `<name>-<today>.csv`."""
        return download(self.lines(queryset), filename=f"{self.name}-{_today()}.csv")


def _today():
    return f"{timezone.localdate():%Y-%m-%d}"


def download(pieces, *, filename, content_type="text/csv; charset=utf-8"):
    response = StreamingHttpResponse(
        (piece.encode("utf-8") for piece in pieces), content_type=content_type
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def tag_lists(contact_ids):
    """{person id: their tags' names, by name} for these people: one query."""
    links = Contact.tags.through.objects.filter(contact_id__in=contact_ids)
    tags = {}
    for contact_id, name in links.order_by("tag__name").values_list("contact_id", "tag__name"):
        tags.setdefault(contact_id, []).append(name)
    return tags


def tags_of(contact_ids):
    """{person id: {"tags": "a, b"}}: a chunk's tags cell, in one query."""
    return {pk: {"tags": ", ".join(names)} for pk, names in tag_lists(contact_ids).items()}


# The people's columns are the import's own names where it has one
# (importing/rows.py FIELDS), so an export reads back in without a mapping.
PEOPLE = Export(
    name="people",
    columns=(
        Column("id", "pk"),
        Column("name", "name"),
        Column("email", "email"),
        Column("phone", "phone"),
        Column("organisation", "organisation__name"),
        Column("role", "role"),
        Column("linkedin_url", "linkedin_url"),
        Column("how_we_know_them", "how_we_know_them"),
        Column("what_makes_them_tick", "what_makes_them_tick"),
        Column("needs", "needs"),
        Column("tags", "tags"),
        Column("owner", "owner__username"),
        Column("opted_in", "has_opted_in"),
        Column("opted_in_at", "opted_in_at"),
        Column("opt_in_how", "opt_in_how"),
        Column("referred_by", "referred_by__name"),
        Column("referred_by_id", "referred_by_id"),
        Column("referred_by_colleague", "referred_by_colleague__username"),
        Column("asked_to_stop_at", "asked_to_stop_at"),
        Column("created_at", "created_at"),
    ),
    many_valued=tags_of,
    many_valued_keys=frozenset({"tags"}),
)

ORGANISATIONS = Export(
    name="organisations",
    columns=(
        Column("id", "pk"),
        Column("name", "name"),
        Column("website", "website"),
        Column("sector", "sector"),
        Column("notes", "notes"),
        Column("created_at", "created_at"),
    ),
)

TOUCHES = Export(
    name="touches",
    columns=(
        Column("id", "pk"),
        Column("person_id", "contact_id"),
        Column("person", "contact__name"),
        Column("at", "at"),
        Column("method", "method"),
        Column("direction", "direction"),
        Column("outcome", "outcome"),
        Column("arranged", "is_arranged"),
        Column("by", "by__username"),
        Column("introduced_to", "introduced_to__name"),
        Column("note", "note"),
    ),
)

PROMISES = Export(
    name="promises",
    columns=(
        Column("id", "pk"),
        Column("person_id", "contact_id"),
        Column("person", "contact__name"),
        Column("what", "what"),
        Column("owner", "owner__username"),
        Column("due_on", "due_on"),
        Column("made_at", "made_at"),
        Column("made_by", "made_by__username"),
        Column("kept_at", "kept_at"),
        Column("released_at", "released_at"),
        Column("release_reason", "release_reason"),
    ),
)


def people_csv(people):
    """People as CSV, streamed (`people`: any queryset of them, e.g. the list's)."""
    return PEOPLE.response(people)


def organisations_csv(organisations=None):
    return ORGANISATIONS.response(
        Organisation.objects.all() if organisations is None else organisations
    )


def touches_csv(touches=None):
    return TOUCHES.response(Touch.objects.order_by("at", "pk") if touches is None else touches)


def promises_csv(promises=None):
    return PROMISES.response(
        Promise.objects.order_by("due_on", "pk") if promises is None else promises
    )


# vCard 4.0 (RFC 6350) ---------------------------------------------------------------

VCARD_FIELDS = (
    "pk",
    "name",
    "email",
    "phone",
    "organisation__name",
    "role",
    "linkedin_url",
    "how_we_know_them",
    "what_makes_them_tick",
    "needs",
)
LINE_OCTETS = 75
"""RFC 6350 3.2: a line longer than this many octets is folded."""


def vcard_text(value):
    """A TEXT value escaped: backslash, comma, semicolon and newlines (RFC 6350 3.4)."""
    value = value.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line):
    """`line` folded at 75 octets with CRLF and a space, never inside a UTF-8 character."""
    if len(line) * 4 <= LINE_OCTETS or len(line.encode("utf-8")) <= LINE_OCTETS:
        return line + "\r\n"  # most lines: no character by character walk
    pieces, piece, size, limit = [], [], 0, LINE_OCTETS
    for char in line:
        octets = len(char.encode("utf-8"))
        if size + octets > limit:
            pieces.append("".join(piece))
            piece, size, limit = [], 0, LINE_OCTETS - 1  # the space counts
        piece.append(char)
        size += octets
    pieces.append("".join(piece))
    return "\r\n ".join(pieces) + "\r\n"


def _name_parts(name):
    """N's family and given names: the last word, and the words before it."""
    words = name.split()
    if len(words) < 2:
        return name.strip(), ""
    return words[-1], " ".join(words[:-1])


def _note(person):
    parts = [
        ("How we know them", person["how_we_know_them"]),
        ("What makes them tick", person["what_makes_them_tick"]),
        ("Needs", person["needs"]),
    ]
    return "\n".join(f"{label}: {text}" for label, text in parts if text)


def vcard(person):
    """One person as a vCard 4.0 (`person`: their `VCARD_FIELDS` and "tags", a list)."""
    family, given = _name_parts(person["name"])
    lines = [
        "BEGIN:VCARD",
        "VERSION:4.0",
        f"FN:{vcard_text(person['name'])}",
        f"N:{vcard_text(family)};{vcard_text(given)};;;",
    ]
    optional = [
        ("EMAIL", person["email"]),
        ("TEL", person["phone"]),
        ("ORG", person["organisation__name"]),
        ("TITLE", person["role"]),
        ("CATEGORIES", ",".join(vcard_text(tag) for tag in person["tags"])),
        ("NOTE", _note(person)),
    ]
    for name, value in optional:
        if value:
            lines.append(f"{name}:{value if name == 'CATEGORIES' else vcard_text(value)}")
    if person["linkedin_url"]:
        lines.append(f"URL:{person['linkedin_url']}")  # a URI: not escaped as text
    lines.append("END:VCARD")
    return "".join(fold(line) for line in lines)


def vcards(people):
    """The people's vCards, one piece of text per chunk of `CHUNK` people."""
    rows = people.values(*VCARD_FIELDS).iterator(chunk_size=CHUNK)
    while chunk := list(islice(rows, CHUNK)):
        tags = tag_lists([person["pk"] for person in chunk])
        yield "".join(vcard(person | {"tags": tags.get(person["pk"], [])}) for person in chunk)


def people_vcards(people):
    """People as one .vcf file of vCard 4.0 cards, streamed."""
    return download(
        vcards(people),
        filename=f"people-{_today()}.vcf",
        content_type="text/vcard; charset=utf-8",
    )
