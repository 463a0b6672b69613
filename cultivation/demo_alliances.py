"""Demo strategic alliances: partners marked against the seven criteria, a year of
preferral-exchange lunches with names both ways, and what became of the older names.

Built through the services, so the demo obeys the same rules as real use.
"""

from datetime import datetime, time, timedelta

from django.db.models import Max
from django.utils import timezone

from . import seams
from .models import CRITERIA, Alliance, Contact, ContactEvent, FollowUp, Referral
from .services import alliance_mark, exchange_log, referral_outcome
from .services.alliances import firm_today

PARTNERS = 18
PROFILES = [
    "Owners of family firms thinking about the next generation",
    "Finance directors of growing manufacturers",
    "Founders who have just raised their first round",
    "Charity trustees facing a merger",
    "Partners in professional firms planning to retire",
]
FIRST = ["Ada", "Ben", "Chloe", "Dev", "Elif", "Femi", "Grace", "Hugo", "Isla", "Jonah"]
LAST = ["Abbott", "Brennan", "Costa", "Dunmore", "Ekwueme", "Fairley", "Gallo", "Hart"]
COMPANIES = ["Northgate Foods", "Kestrel Labs", "Millbrook Homes", "Tarn Logistics", "Oriel Print"]
NEEDS = ["Selling the business", "A new finance system", "Succession", "Raising capital", ""]
# Followed up, about a third each (docs/method.md); a few become clients.
THIRDS = ["no_future", "stay_in_touch", "next_step"]


def build_alliance_demo(*, rng, now):
    """About 18 partners (the target is 25), most with lunches over the past year, and the
    names offered both ways at each; names older than a month have their outcome."""
    people = list(
        Contact.objects.in_touch()
        .exclude(owner=None)
        .exclude(follow_ups__in=FollowUp.objects.live())
        # Not someone whose plan ended (no longer qualifies): marking them would restart it.
        .exclude(touch_plan__ended_at__isnull=False)
        .filter(alliance=None)
        .select_related("owner")
        .order_by("pk")
    )
    if not people:
        return
    partners = rng.sample(people, min(PARTNERS, len(people)))
    known = [person for person in people if person not in partners]
    today = firm_today(now)
    for index, partner in enumerate(partners):
        # Each partner has their own day in the quarter, so the lunches (and the next ones
        # booked from them) are spread across the weeks, as the firm would spread them.
        phase = 1 + index * 91 // len(partners)
        known_since = timezone.localdate(partner.created_at)
        days = [
            today - timedelta(days=91 * (back - 1) + phase + rng.randint(0, 3))
            for back in range(rng.randint(0, 4), 0, -1)
        ]
        days = [on for on in days if on > known_since]  # not yet known to us before
        since = _since(rng, now=now, first_lunch=days[0] if days else None, known=partner)
        criteria = {name: rng.random() < 0.85 for name, _ in CRITERIA}
        with _happened(since, actions=[ContactEvent.Action.ALLIANCE_STARTED]):
            alliance = alliance_mark(
                contact=partner,
                criteria=criteria,
                preferral_profile=PROFILES[index % len(PROFILES)],
                by=partner.owner,
                now=now,
            ).alliance
        # When they became a partner in the demo's story (not a rule's field).
        Alliance.objects.filter(pk=alliance.pk).update(since=since)
        for on in days:
            _lunch(partner, on=on, known=known, rng=rng, now=now)
    _follow_up_older_names(rng=rng, today=today)


def _since(rng, *, now, first_lunch, known):
    """When a demo partner became one: a few weeks before their first lunch, or, with no
    lunch yet, within the last two months; never before we knew them."""
    if first_lunch is not None:
        since = _at(first_lunch - timedelta(days=rng.randint(14, 60)), 11)
    else:
        since = now - timedelta(days=rng.randint(5, 60))
    # Before the first lunch whatever happens: we knew them at least a day before it.
    return max(since, min(known.created_at, now))


def _lunch(partner, *, on, known, rng, now):
    # One person once a lunch (the service refuses a name given twice).
    offered = list(
        {row["email"]: row for row in (_name(rng) for _ in range(rng.randint(1, 3)))}.values()
    )
    given = [
        {"person": person, "need": rng.choice(NEEDS)}
        for person in rng.sample(known, min(len(known), rng.randint(0, 2)))
        if person.pk != partner.pk
    ]
    with _happened(_at(on, 14)):
        _log(partner, on=on, offered=offered, given=given, now=now)


def _log(partner, *, on, offered, given, now):
    exchange_log(
        partner=partner,
        by=partner.owner,
        on=on,
        note="Compared notes on who we each want to meet.",
        names_offered=offered,
        names_given=given,
        now=now,
    )


def _name(rng):
    first, last = rng.choice(FIRST), rng.choice(LAST)
    company = rng.choice(COMPANIES)
    return {
        "name": f"{first} {last}",
        "organisation": company,
        "email": f"{first}.{last}@{company.split()[0]}.example".lower(),
        "need": rng.choice(NEEDS),
        "research_card": rng.random() < 0.15,
    }


def _follow_up_older_names(*, rng, today):
    """Names from lunches more than a month ago get their outcome; newer ones wait."""
    older = (
        Referral.objects.filter(exchange__isnull=False, on__lt=today - timedelta(days=30))
        .awaiting_outcome()
        .select_related("to_user", "by_user", "person")
        .order_by("pk")
    )
    with_cards = seams.cards_of_referrals(older)
    for referral in older:
        # A few become clients; not those with a Research card still open for them.
        client = rng.random() <= 0.05 and referral.pk not in with_cards
        outcome = "became_client" if client else rng.choice(THIRDS)
        at = _at(referral.on + timedelta(days=rng.randint(2, 9)), 10)
        with _happened(at):
            referral_outcome(referral=referral, by=referral.colleague, outcome=outcome)
        Referral.objects.filter(pk=referral.pk).update(outcome_at=at)


class _happened:
    """The history events (and people) a service writes inside this block are stamped with
    the moment it ran; in the demo they happened at `at`, in the past."""

    def __init__(self, at, actions=None):
        self.at = at
        self.actions = actions

    def __enter__(self):
        self.events = ContactEvent.objects.aggregate(last=Max("pk"))["last"] or 0
        self.people = Contact.objects.aggregate(last=Max("pk"))["last"] or 0

    def __exit__(self, *exc):
        if exc[0] is None:
            events = ContactEvent.objects.filter(pk__gt=self.events)
            if self.actions is not None:
                events = events.filter(action__in=self.actions)
            events.update(at=self.at)
            Contact.objects.filter(pk__gt=self.people).update(created_at=self.at)


def _at(day, hour):
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))
