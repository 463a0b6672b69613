"""A tiny CSV reader with the readers' signature (`read_people`), used only while the real
one (cultivation/importing/readers.py, another branch) is not in this tree.

Columns: name, email, organisation, role, linkedin_url, last_contacted (ISO), tags and
buckets (";"-separated), opted_in ("yes"/"no"; the column present means it is mapped).
"""

import csv
import hashlib
import io
from dataclasses import dataclass, field
from datetime import date

from cultivation.importing.rows import FileRefused, PersonRow


@dataclass
class ImportFile:
    text: str
    headers: list
    mapping: dict = field(default_factory=dict)
    format: str = "csv"
    encoding: str = "utf-8"
    encoding_guessed: bool = False
    delimiter: str = ","
    layout: str = "test"
    layout_label: str = "Test layout"
    sample: list = field(default_factory=list)
    needs_mapping: bool = False

    @property
    def header_signature(self):
        return hashlib.sha256(",".join(self.headers).encode()).hexdigest()

    def rows(self):
        lines = csv.DictReader(io.StringIO(self.text))
        for number, line in enumerate(lines, start=2):
            yield _row(number, line)


def _row(number, line):
    row = PersonRow(
        number=number,
        name=(line.get("name") or "").strip(),
        email=(line.get("email") or "").strip(),
        organisation=(line.get("organisation") or "").strip(),
        role=(line.get("role") or "").strip(),
        linkedin_url=(line.get("linkedin_url") or "").strip(),
        tags=[t.strip() for t in (line.get("tags") or "").split(";") if t.strip()],
        buckets=[t.strip() for t in (line.get("buckets") or "").split(";") if t.strip()],
    )
    if line.get("last_contacted"):
        row.last_contacted = date.fromisoformat(line["last_contacted"])
    if "opted_in" in line:
        row.opted_in = (line["opted_in"] or "").strip().lower() == "yes"
    if not row.name and not row.email:
        row.errors.append("no name and no email")
    return row


def read_people(data, *, filename, encoding=None, layout=None, mapping=None):
    if data.startswith(b"\x89PNG"):
        raise FileRefused("This looks like a picture, not a list of people.")
    text = data.decode(encoding or "utf-8-sig")
    headers = next(csv.reader(io.StringIO(text)), [])
    if "name" not in headers and "email" not in headers:
        if mapping is None:
            return ImportFile(text, headers, needs_mapping=True)
        text = _renamed(text, mapping)
        headers = next(csv.reader(io.StringIO(text)))
    mapped = {h: h for h in headers if h}
    return ImportFile(text, headers, mapping=mapping or mapped)


def _renamed(text, mapping):
    lines = list(csv.reader(io.StringIO(text)))
    lines[0] = [mapping.get(h, "") for h in lines[0]]
    out = io.StringIO()
    csv.writer(out).writerows(lines)
    return out.getvalue()
