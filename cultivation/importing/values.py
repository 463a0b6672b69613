"""One cell's text read as a date, an email, a yes or no, or refused as a formula."""

import re
from datetime import date, datetime, time
from functools import lru_cache

import ftfy
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils import timezone

MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ].*)?")
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})[\s\-]+([A-Za-z]{3,9})\.?,?[\s\-]+(\d{4})")
_MONTH_DAY_YEAR = re.compile(r"([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})")
_SLASHED = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})(?:[T ,].*)?")

# A cell a spreadsheet would run: a function call (=HYPERLINK(, @SUM(), a DDE link
# (=cmd|), a sheet reference (=Sheet1!A1) or a cell reference (=A1). "+44 20 7946 0958",
# "-" and "@jane" are text.
_FORMULA = re.compile(r"[=+\-@]\s*[A-Za-z_][\w.]*\s*[(|!]|=\s*\$?[A-Za-z]{1,3}\$?\d+\b|=\s*[(\"']")

_TRUE = frozenset({"yes", "y", "true", "t", "1", "x", "opted in", "optedin", "subscribed"})
_FALSE = frozenset({"no", "n", "false", "f", "0", "opted out", "unsubscribed"})

_validate_email = EmailValidator()
# Addresses this plain accepts Django's validator accepts too; it is ten times faster,
# and most addresses in a file are plain. The rest go through the validator.
_PLAIN_EMAIL = re.compile(
    r"[A-Za-z0-9_%+\-]+(?:\.[A-Za-z0-9_%+\-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)


class Unreadable(ValueError):
    """A cell that cannot be what its column says: the message is the row's error."""


def lines(text):
    """Each line of `text` with its ending, one at a time.

    io.StringIO would copy the whole text at four bytes a character; this holds only
    the line. Old Mac files end lines with a bare CR: read as LF.
    """
    if "\n" not in text and "\r" in text:
        text = text.replace("\r", "\n")
    start, find = 0, text.find
    while (end := find("\n", start)) >= 0:
        yield text[start : end + 1]
        start = end + 1
    if start < len(text):
        yield text[start:]


def is_formula(text):
    return bool(_FORMULA.match(text))


def repair(text):
    """Undo mojibake ("JosÃ©", UTF-8 once read as Windows-1252) and trim."""
    if not text.isascii():
        text = ftfy.fix_encoding(text)
    return text.strip()


def one_line(text):
    """Trimmed, with runs of spaces, tabs and newlines made one space."""
    return " ".join(text.split())


def email(text):
    if len(text) <= 254 and _PLAIN_EMAIL.fullmatch(text):
        return text
    try:
        _validate_email(text)
    except ValidationError:
        raise Unreadable(f"“{text}” is not an email address") from None
    return text


def yes_or_no(text):
    word = one_line(text).casefold()
    if not word:
        return None
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise Unreadable(f"“{text}” is neither yes nor no")


def looks_like_date(text):
    try:
        return parse_date(text, "dmy") is not None
    except Unreadable:
        return False


@lru_cache(maxsize=4096)
def parse_date(text, order):
    """A date from ISO (2024-03-14), "14 Mar 2024", "March 14, 2024" or slashes.

    Slashed dates are read in `order` ("dmy" or "mdy"), or the other way when only that
    reading is a date (14/03/2024 in an American file). Empty text is None.
    """
    text = text.strip()
    if not text:
        return None
    parts = _date_parts(text, order)
    if parts is None:
        raise Unreadable(f"“{text}” is not a date Convivio can read")
    for year, month, day in parts:
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise Unreadable(f"{text} is not a date")


def parse_moment(text, order):
    """A moment: ISO 8601 with its time and offset ("2024-03-14T09:30:00+00:00", what
    Convivio exports), else a date (as `parse_date`) taken as midnight in the firm's time
    zone. A moment still to come is refused. Empty text is None."""
    text = text.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        day = parse_date(text, order)
        if day is None:
            return None
        moment = datetime.combine(day, time())
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if moment > timezone.now():
        raise Unreadable(f"{text} is still to come")
    return moment


def _date_parts(text, order):
    """Candidate (year, month, day) readings of `text`, preferred first; None if none."""
    if match := _ISO.fullmatch(text):
        return [tuple(int(part) for part in match.groups())]
    if match := _DAY_MONTH_YEAR.fullmatch(text):
        day, month, year = match.groups()
        return _named_month(int(year), month, int(day))
    if match := _MONTH_DAY_YEAR.fullmatch(text):
        month, day, year = match.groups()
        return _named_month(int(year), month, int(day))
    if match := _SLASHED.fullmatch(text):
        first, second, year = (int(part) for part in match.groups())
        if year < 100:
            year += 2000 if year < 70 else 1900
        day_first, month_first = (year, second, first), (year, first, second)
        return [day_first, month_first] if order == "dmy" else [month_first, day_first]
    return None


def _named_month(year, month_name, day):
    month = MONTHS.get(month_name[:3].casefold())
    return None if month is None else [(year, month, day)]
