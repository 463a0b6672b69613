"""Limits on what a person may type, named once and used by forms, views and services.

Anything past a limit is refused with a sentence before it reaches the database.
"""

import datetime

from .errors import RuleViolation

TEXT_MAX = 10_000
"""Notes, reasons and other free text, in characters."""

SEARCH_MAX = 100
"""A search or find box."""

ID_MAX = 2**63 - 1
"""The largest id a bigint column holds; ids start at 1."""

BIGINT_MIN = -(2**63)
"""The smallest value of a bigint column (card positions may be negative)."""

MONEY_BELOW = 10**10
"""Money (DecimalField(max_digits=12, decimal_places=2)) is below this, never negative."""

EARLIEST_DATE = datetime.date(1900, 1, 1)
"""No date before this is a date anyone here means."""

YEARS_AHEAD = 100
"""Nor any date further ahead than this many years."""


def latest_date(today):
    """The last date a person may choose, counted from `today`."""
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:  # 29 February, a hundred years on, is not always a leap day
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


def check_text(value, *, what, limit=TEXT_MAX):
    """Refuse `value` with a sentence if it is longer than `limit` (for services: any edge)."""
    if value is not None and len(value) > limit:
        raise RuleViolation(
            f"{what} is {len(value):,} characters long: keep it to {limit:,} or fewer."
        )
