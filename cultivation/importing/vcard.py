"""vCard files (.vcf, versions 2.1, 3.0 and 4.0), many cards to a file, read one card at a time.

A phone's or an address book's export: folded lines (a line starting with a space
continues the one before), quoted-printable values with soft line breaks (a line
ending in "=") and a CHARSET, several EMAIL and TEL lines ranked by TYPE=pref or PREF=1.
"""

import quopri
import re

from . import values
from .mapping import LINKEDIN_RE
from .rows import PersonRow

_UNESCAPE = re.compile(r"\\(.)", re.DOTALL)
_UNESCAPED = {"n": "\n", "N": "\n"}


def count_cards(text):
    return len(re.findall(r"(?im)^BEGIN:VCARD\s*$", text))


def is_vcard(text):
    return text.lstrip()[:11].upper() == "BEGIN:VCARD"


def cards(text):
    """Each card's properties: a list of (NAME, params, raw value), in file order."""
    card = None
    for name, params, value in _properties(text):
        if name == "BEGIN" and value.strip().upper() == "VCARD":
            card = []
        elif name == "END" and value.strip().upper() == "VCARD":
            if card is not None:
                yield card
            card = None
        elif card is not None:
            card.append((name, params, value))


def _logical_lines(text):
    pending = None
    for line in values.lines(text):
        line = line.rstrip("\r\n")
        if pending is not None and line[:1] in (" ", "\t"):
            pending += line[1:]
        elif pending is not None and pending.endswith("=") and _is_quoted_printable(pending):
            pending += "\n" + line  # a soft line break: quopri drops the "=\n"
        else:
            if pending is not None:
                yield pending
            pending = line
    if pending is not None:
        yield pending


def _is_quoted_printable(line):
    head = line.split(":", 1)[0].upper()
    return "QUOTED-PRINTABLE" in head


def _properties(text):
    for line in _logical_lines(text):
        colon = _value_start(line)
        if colon < 0:
            continue
        head, value = line[:colon], line[colon + 1 :]
        name, *raw_params = _split_unquoted(head, ";")
        params = {}
        for param in raw_params:
            key, _, param_value = param.partition("=")
            if not param_value:  # vCard 2.1: ";WORK;PREF;QUOTED-PRINTABLE"
                key, param_value = _bare_param(key)
            for one in _split_unquoted(param_value, ","):
                params.setdefault(key.upper(), []).append(one.strip('"').lower())
        if "quoted-printable" in params.get("ENCODING", []):
            value = _decode_quoted_printable(value, params.get("CHARSET", ["utf-8"])[0])
        yield name.rsplit(".", 1)[-1].upper(), params, value


def _bare_param(word):
    if word.upper() in ("QUOTED-PRINTABLE", "BASE64", "8BIT", "B"):
        return "ENCODING", word
    return "TYPE", word


def _value_start(line):
    quoted = False
    for index, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            return index
    return -1


def _split_unquoted(text, separator):
    parts, current, quoted = [], [], False
    for char in text:
        if char == '"':
            quoted = not quoted
        if char == separator and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _decode_quoted_printable(value, charset):
    # Soft line breaks were kept as "=\n" when the lines were joined.
    raw = quopri.decodestring(value.encode("utf-8"))
    try:
        return raw.decode(charset)
    except (LookupError, UnicodeDecodeError):
        return raw.decode("utf-8", errors="replace")


def _components(value, separator):
    """Split a structured value on unescaped separators, then unescape each part."""
    parts = re.split(rf"(?<!\\){re.escape(separator)}", value)
    return [_unescape(part) for part in parts]


def _unescape(value):
    return _UNESCAPE.sub(lambda match: _UNESCAPED.get(match.group(1), match.group(1)), value)


def _rank(params):
    """Lower first: PREF=1 (4.0), TYPE=pref (3.0, 2.1), then the rest in file order."""
    if "pref" in params.get("TYPE", []):
        return 0
    try:
        return int(params.get("PREF", ["100"])[0])
    except ValueError:
        return 100


def card_row(number, properties):
    """The PersonRow for one card; `number` is the card's position in the file (from 1)."""
    row = PersonRow(number=number)
    card = _Card()
    for name, params, raw in properties:
        if read := _READ.get(name):
            read(row, card, params, raw)
    if not row.name and card.structured_name:
        row.name = _name_from_parts(card.structured_name)
    _set_contacts(row, card.emails, card.phones)
    if not row.name and not row.email:
        row.errors.append("no name and no email")
    return row


class _Card:
    def __init__(self):
        self.emails, self.phones, self.structured_name = [], [], None


def _text(raw):
    return values.repair(_unescape(raw))


def _read_fn(row, card, params, raw):
    row.name = values.one_line(_text(raw))


def _read_n(row, card, params, raw):
    card.structured_name = [values.repair(part) for part in _components(raw, ";")]


def _read_email(row, card, params, raw):
    if value := _text(raw):
        card.emails.append((_rank(params), value))


def _read_tel(row, card, params, raw):
    if value := _text(raw):
        card.phones.append((_rank(params), value.removeprefix("tel:")))


def _read_org(row, card, params, raw):
    row.organisation = row.organisation or values.one_line(values.repair(_components(raw, ";")[0]))


def _read_title(row, card, params, raw):
    row.role = row.role or values.one_line(_text(raw))


def _read_url(row, card, params, raw):
    value = _text(raw)
    if LINKEDIN_RE.search(value):
        row.linkedin_url = row.linkedin_url or value


def _read_categories(row, card, params, raw):
    row.tags += [tag for tag in (values.repair(part) for part in _components(raw, ",")) if tag]


def _read_note(row, card, params, raw):
    note = "\n".join(_text(raw).splitlines())
    row.notes = "\n".join(filter(None, (row.notes, note)))


# BDAY, ADR, PHOTO and the rest are left out.
_READ = {
    "FN": _read_fn,
    "N": _read_n,
    "EMAIL": _read_email,
    "TEL": _read_tel,
    "ORG": _read_org,
    "TITLE": _read_title,
    "URL": _read_url,
    "X-SOCIALPROFILE": _read_url,
    "CATEGORIES": _read_categories,
    "NOTE": _read_note,
}


def _name_from_parts(parts):
    # N is family;given;additional;prefix;suffix.
    parts += [""] * (3 - len(parts))
    family, given, additional = parts[:3]
    return values.one_line(" ".join((given, additional, family)))


def _set_contacts(row, emails, phones):
    addresses = [address for _, address in sorted(emails, key=lambda pair: pair[0])]
    for address in addresses:
        try:
            values.email(address)
        except values.Unreadable as error:
            row.errors.append(str(error))
    if addresses:
        row.email, row.other_emails = addresses[0], addresses[1:]
    numbers = [number for _, number in sorted(phones, key=lambda pair: pair[0])]
    if numbers:
        row.phone, row.other_phones = numbers[0], numbers[1:]
