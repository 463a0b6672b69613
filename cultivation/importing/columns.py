"""How each mapped column of a CSV or workbook row becomes part of a PersonRow."""

from dataclasses import dataclass, field

from ..exporting import csv_unescaped
from . import mapping as mappings
from . import values
from .rows import FIELDS, PersonRow

# Values several tools put in one cell, Google's " ::: " first.
MULTI_VALUE_SEPARATORS = (":::", ";", ",")


@dataclass
class Plan:
    """How each mapped column of a table becomes part of a PersonRow."""

    headers: list[str]
    mapping: dict[str, str]
    date_order: str
    layout: object

    def __post_init__(self):
        # Convivio's own export: cells were escaped against formulas (exporting.csv_cell)
        # and long texts keep their lines.
        self.is_own_export = self.layout is not None and self.layout.is_own_export
        self.columns = [
            (index, self.mapping.get(header, ""), header)
            for index, header in enumerate(self.headers)
            if self.mapping.get(header, "") in FIELDS and self.mapping.get(header, "")
        ]

    def row(self, number, cells):
        row = PersonRow(number=number)
        collected = _Collected()
        for index, field_key, header in self.columns:
            raw = cells[index] if index < len(cells) else ""
            if self.is_own_export:
                raw = csv_unescaped(raw)
            if raw and (text := values.repair(raw)):
                try:
                    _READ[field_key](row, collected, text, self)
                except values.Unreadable as error:
                    row.errors.append(f"{header}: {error}")
        collected.finish(row, linkedin=self.layout is not None and self.layout.key == "linkedin")
        return row


@dataclass
class _Collected:
    parts: dict = field(default_factory=dict)
    emails: list = field(default_factory=list)
    phones: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    def finish(self, row, *, linkedin):
        row.name = self.parts.get("name") or values.one_line(
            " ".join(self.parts.get(key, "") for key in ("first_name", "middle_name", "last_name"))
        )
        emails = _unique(self.emails)
        if emails:
            row.email, row.other_emails = emails[0], emails[1:]
        phones = _unique(self.phones)
        if phones:
            row.phone, row.other_phones = phones[0], phones[1:]
        row.notes = "\n".join(self.notes)
        row.tags = _unique(row.tags)
        row.buckets = _unique(row.buckets)
        if linkedin and row.connected_on and not row.how_we_know_them:
            day = row.connected_on
            row.how_we_know_them = f"Connected on LinkedIn on {day.day} {day:%b %Y}"
        if not row.name and not row.email:
            row.errors.append("no name and no email")


def _unique(items):
    seen, kept = set(), []
    for item in items:
        key = item.casefold()
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return kept


def _split(text, separators=(":::",)):
    parts = [text]
    for separator in separators:
        parts = [piece for part in parts for piece in part.split(separator)]
    return [part.strip() for part in parts if part.strip()]


def _read_name_part(field_key):
    def read(row, collected, text, plan):
        collected.parts.setdefault(field_key, values.one_line(text))

    return read


def _read_text(attribute):
    def read(row, collected, text, plan):
        if not getattr(row, attribute):
            setattr(row, attribute, values.one_line(text))

    return read


def _read_long_text(attribute):
    # Line breaks kept (what the person form keeps), line endings made "\n".
    def read(row, collected, text, plan):
        if not getattr(row, attribute):
            setattr(row, attribute, "\n".join(line.rstrip() for line in text.splitlines()))

    return read


def _read_how_we_know_them(row, collected, text, plan):
    # Other tools' "Source" or "How we met" is a line; our own export's may be several.
    read = _read_long_text if plan.is_own_export else _read_text
    read("how_we_know_them")(row, collected, text, plan)


def _read_email(row, collected, text, plan):
    for address in _split(text):
        collected.emails.append(values.email(address))


def _read_phone(row, collected, text, plan):
    collected.phones.extend(_split(text))


def _read_linkedin(row, collected, text, plan):
    # A website column may hold any site: only LinkedIn profiles are kept.
    for url in _split(text):
        if not row.linkedin_url and mappings.LINKEDIN_RE.search(url):
            row.linkedin_url = url


def _read_date(attribute):
    def read(row, collected, text, plan):
        setattr(row, attribute, values.parse_date(text, plan.date_order))

    return read


def _labels(text):
    # Google's system labels ("* myContacts", "* starred") are not the firm's tags.
    return [label for label in _split(text, MULTI_VALUE_SEPARATORS) if not label.startswith("*")]


def _read_tags(row, collected, text, plan):
    if plan.is_own_export:  # exporting.tags_of joins a person's tags with ", "
        row.tags.extend(tag.strip() for tag in text.split(", ") if tag.strip())
    else:
        row.tags.extend(_labels(text))


def _read_bucket(row, collected, text, plan):
    buckets = _labels(text)
    row.buckets.extend(buckets)
    row.tags.extend(buckets)


def _read_opted_in(row, collected, text, plan):
    row.opted_in = values.yes_or_no(text)


def _read_moment(attribute):
    def read(row, collected, text, plan):
        setattr(row, attribute, values.parse_moment(text, plan.date_order))

    return read


def _read_notes(row, collected, text, plan):
    collected.notes.append("\n".join(text.splitlines()))


_READ = {
    "name": _read_name_part("name"),
    "first_name": _read_name_part("first_name"),
    "middle_name": _read_name_part("middle_name"),
    "last_name": _read_name_part("last_name"),
    "email": _read_email,
    "phone": _read_phone,
    "organisation": _read_text("organisation"),
    "role": _read_text("role"),
    "linkedin_url": _read_linkedin,
    "how_we_know_them": _read_how_we_know_them,
    "what_makes_them_tick": _read_long_text("what_makes_them_tick"),
    "needs": _read_long_text("needs"),
    "connected_on": _read_date("connected_on"),
    "last_contacted": _read_date("last_contacted"),
    "tags": _read_tags,
    "bucket": _read_bucket,
    "opted_in": _read_opted_in,
    "opted_in_at": _read_moment("opted_in_at"),
    "asked_to_stop_at": _read_moment("asked_to_stop_at"),
    "opt_in_how": _read_text("opt_in_how"),
    "notes": _read_notes,
}
