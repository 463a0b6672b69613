"""Building report data by hand: moments in UTC, and reading a figure's table back."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from cultivation.models import Referral
from opportunities.reports import Scope
from tests import factories


def at(text):
    """ "2026-04-01 09:00" in UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def scope(first, end, users=None, zone="Europe/London"):
    return Scope(first=first, end=end, zone=ZoneInfo(zone), user_ids=users)


def figure(figures, slug):
    return next(f for f in figures if f.slug == slug)


def column(fig, header):
    """{first cell: the cell under `header`} for each row of a figure's table."""
    index = fig.table.headers.index(header)
    return {row[0]: row[index] for row in fig.table.rows}


def call(owner, when, outcome="", by="owner", **extra):
    contact = factories.ContactFactory(owner=owner)
    return factories.TouchFactory(
        contact=contact,
        method="call",
        at=at(when),
        outcome=outcome,
        by=owner if by == "owner" else by,
        **extra,
    )


def referral(direction, colleague, on):
    person, partner = factories.ContactFactory(), factories.ContactFactory()
    if direction == "given":
        return Referral.objects.create(
            direction="given", person=person, by_user=colleague, to_person=partner, on=on
        )
    return Referral.objects.create(
        direction="received", person=person, from_person=partner, to_user=colleague, on=on
    )


__all__ = ["at", "call", "column", "date", "figure", "referral", "scope"]
