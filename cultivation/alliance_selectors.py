"""Reads of strategic alliances for their pages (My week, the weekly email and the calendar
feed read the lunches due through cultivation/selectors.py).
Each runs a fixed number of queries whatever the number of partners or lunches."""

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Max, Prefetch

from . import schedule
from .models import Alliance, Exchange, Referral
from .services.alliances import booked_lunches, firm_today

# Weeks of lunches the alliances page shows ahead: a quarter.
WEEKS_AHEAD = 13
# Lunches with their names on a partner's page.
LAST_LUNCHES = 4


@dataclass(frozen=True)
class Week:
    monday: object
    lunches: int


@dataclass(frozen=True)
class AlliancesPage:
    alliances: list
    live: int
    target: int
    weeks: list
    overdue: list
    today: object


def _live():
    return (
        Alliance.objects.live()
        .select_related("contact__owner", "contact__organisation")
        .annotate(last_lunch_on=Max("contact__exchanges__on"))
        .order_by("next_lunch_on", "contact__name", "pk")
    )


def alliances_page(now=None):
    """The firm's live alliances against the target, lunches per week for the coming quarter,
    and the partners whose lunch is overdue: two queries."""
    today = firm_today(now)
    alliances = list(_live())
    start = schedule.week_of(today)
    end = start + timedelta(weeks=WEEKS_AHEAD) - timedelta(days=1)
    load = booked_lunches(start=start, end=end)
    per_week = Counter()
    for day, booked in load.items():
        per_week[schedule.week_of(day)] += booked
    weeks = [
        Week(start + timedelta(weeks=n), per_week[start + timedelta(weeks=n)])
        for n in range(WEEKS_AHEAD)
    ]
    return AlliancesPage(
        alliances=alliances,
        live=len(alliances),
        target=settings.CONVIVIO["ALLIANCE_TARGET"],
        weeks=weeks,
        overdue=[a for a in alliances if a.next_lunch_on and a.next_lunch_on < today],
        today=today,
    )


def alliance_of(contact):
    """A person's alliance (live or ended) with their last lunches and the names offered at
    each, or None: three queries."""
    alliance = Alliance.objects.filter(contact=contact).first()
    if alliance is None:
        return None
    names = Referral.objects.select_related("person", "from_person", "to_person")
    alliance.last_lunches = list(
        Exchange.objects.filter(partner=contact)
        .select_related("by")
        .prefetch_related(Prefetch("names", queryset=names.order_by("direction", "pk")))[
            :LAST_LUNCHES
        ]
    )
    return alliance
