"""The demo firm behind `seed_demo`, built with the run-time factories the tests use too
(cultivation/factories.py and opportunities/factories.py)."""

from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Min
from django.utils import timezone

from cultivation import factories as people
from cultivation.demo import build_cultivation_demo
from cultivation.demo_alliances import build_alliance_demo
from cultivation.models import Contact, Organisation
from opportunities import factories
from opportunities.demo_history import build_history
from opportunities.models import (
    CardReferral,
    Opportunity,
    OpportunityContact,
    Priority,
    Source,
    Stage,
    StageChange,
)
from opportunities.services import POSITION_GAP

DEMO_PASSWORD = people.PASSWORD
DEMO_USERS = [
    ("alice", "staff"),
    ("bob", "staff"),
    ("carol", "staff"),
    ("maria", "manager (admin site)"),
]

# The stages a card passed through to reach each stage, oldest first.
PATHS = {
    Stage.RESEARCH: [Stage.RESEARCH],
    Stage.CONNECTING: [Stage.RESEARCH, Stage.CONNECTING],
    Stage.CULTIVATING: [Stage.RESEARCH, Stage.CONNECTING, Stage.CULTIVATING],
    Stage.WON: [Stage.RESEARCH, Stage.CONNECTING, Stage.CULTIVATING, Stage.WON],
    Stage.LOST: [Stage.RESEARCH, Stage.CONNECTING, Stage.LOST],
}
STAGE_MIX = (
    [Stage.RESEARCH] * 14
    + [Stage.CONNECTING] * 14
    + [Stage.CULTIVATING] * 18
    + [Stage.WON] * 7
    + [Stage.LOST] * 7
)
WORK_KINDS = ["audit", "advice", "review", "project"]
LOST_REASONS = [
    "Not now: they renewed with their current adviser for two years.",
    "No need this year; budget frozen.",
    "The person we knew left the firm.",
]


def demo_users():
    staff = [
        factories.UserFactory(username=name, first_name=name.title())
        for name in ("alice", "bob", "carol")
    ]
    manager = people.ManagerFactory(username="maria", first_name="Maria")
    return staff, manager


def build_demo_firm(*, rng, now):
    """Create the demo firm unless it is there already. Returns True if it created it."""
    if get_user_model().objects.filter(username="alice").exists():
        return False
    staff, _manager = demo_users()
    organisations = people.OrganisationFactory.create_batch(40)
    contacts = [
        people.ContactFactory(organisation=organisations[i % 40], owner=staff[i % 3])
        for i in range(120)
    ]
    # Known for longer than their oldest touch (the demo's history goes back a year).
    Contact.objects.filter(pk__in=[c.pk for c in contacts]).update(
        created_at=now - timedelta(days=400)
    )
    for contact in contacts:
        others = [other for other in contacts if other != contact]
        contact.knows.add(*rng.sample(others, 2))
    for index, stage in enumerate(STAGE_MIX):
        _demo_card(index, stage, staff, organisations, contacts, rng=rng, now=now)
    build_cultivation_demo(rng=rng, now=now)
    build_history(staff=staff, organisations=organisations, rng=rng, now=now)
    build_alliance_demo(rng=rng, now=now)
    _research_cards_opened_at_their_lunch()
    return True


def _research_cards_opened_at_their_lunch():
    """The demo logs a year of exchange lunches today; a Research card opened for a name
    offered at one was opened at that lunch (the card service stamps the moment it runs)."""
    links = CardReferral.objects.filter(referral__exchange__isnull=False).select_related(
        "referral__exchange", "opportunity"
    )
    for link in links:
        day = link.referral.exchange.on
        at = timezone.make_aware(datetime.combine(day, time(14, 0)))
        Opportunity.objects.filter(pk=link.opportunity_id, stage=Stage.RESEARCH).update(
            created_at=at, stage_entered_at=at
        )
        StageChange.objects.filter(opportunity_id=link.opportunity_id, from_stage="").update(at=at)


def _demo_card(index, stage, staff, organisations, contacts, *, rng, now):
    path = PATHS[stage]
    started = now - timedelta(days=rng.randint(20, 200))
    card = factories.OpportunityFactory(
        title=f"{organisations[index % 40].name}: {rng.choice(WORK_KINDS)}",
        organisation=organisations[index % 40],
        owner=staff[index % 3],
        stage=stage,
        priority=rng.choice(Priority.values),
        source=Source.INBOUND if index % 9 == 0 else rng.choice([Source.RESEARCH, Source.REFERRAL]),
        estimated_value=rng.choice([None, 5000, 12000, 25000, 60000][stage == Stage.WON :]),
        lost_reason=rng.choice(LOST_REASONS) if stage == Stage.LOST else "",
        history=False,
    )
    person = contacts[(index * 2) % 120]
    factories.OpportunityContactFactory(opportunity=card, contact=person, role="Decision maker")
    _write_history(card, path, started, now, rng)


def _write_history(card, path, started, now, rng):
    step = (now - started) / len(path)
    previous = ""
    for number, stage in enumerate(path):
        at = started + step * number + timedelta(hours=rng.randint(0, 48))
        note = card.lost_reason if stage == Stage.LOST else ""
        StageChange.objects.create(
            opportunity=card, by=card.owner, at=at, from_stage=previous, to_stage=stage, note=note
        )
        previous = stage
    Opportunity.objects.filter(pk=card.pk).update(stage_entered_at=at)


def build_scale(count, *, rng, now):
    """Add `count` cards and 3×`count` contacts with bulk inserts, for benchmarks."""
    staff, _manager = demo_users()
    batch = Opportunity.objects.count()
    organisations = Organisation.objects.bulk_create(
        Organisation(name=f"Scale {batch}-{i} Ltd") for i in range(max(count // 3, 1))
    )
    contacts = Contact.objects.bulk_create(
        (
            Contact(
                name=f"Person {batch}-{i}",
                organisation=organisations[i % len(organisations)],
                email=f"person{batch}-{i}@example.org",
                has_opted_in=i % 2 == 0,
                opted_in_at=now if i % 2 == 0 else None,
                owner=staff[i % len(staff)],
            )
            for i in range(3 * count)
        ),
        batch_size=2000,
    )
    # Every new card goes above (before) every existing one, so repeated runs never collide.
    lowest = Opportunity.objects.aggregate(low=Min("position"))["low"] or 0
    cards = Opportunity.objects.bulk_create(
        (_scale_card(i, batch, lowest, organisations, staff, rng, now) for i in range(count)),
        batch_size=2000,
    )
    _scale_links_and_history(cards, contacts, now)
    return {"cards": len(cards), "contacts": len(contacts)}


def _scale_card(i, batch, lowest, organisations, staff, rng, now):
    stage = STAGE_MIX[i % len(STAGE_MIX)]
    return Opportunity(
        title=f"Scale opportunity {batch}-{i}",
        organisation=organisations[i % len(organisations)],
        owner=staff[i % len(staff)],
        stage=stage,
        priority=rng.choice(Priority.values),
        lost_reason=LOST_REASONS[0] if stage == Stage.LOST else "",
        position=lowest - (i + 1) * POSITION_GAP,
        stage_entered_at=now - timedelta(days=rng.randint(0, 120)),
    )


def _scale_links_and_history(cards, contacts, now):
    if not cards[0].pk:
        # SQLite before 3.35 cannot return ids from bulk_create; fetch them back.
        cards = list(Opportunity.objects.order_by("-pk")[: len(cards)])[::-1]
    OpportunityContact.objects.bulk_create(
        (
            OpportunityContact(opportunity=card, contact=contacts[i * 3], is_primary=True)
            for i, card in enumerate(cards)
        ),
        batch_size=2000,
    )
    StageChange.objects.bulk_create(
        (
            StageChange(
                opportunity=card,
                by=card.owner,
                at=card.stage_entered_at,
                from_stage="",
                to_stage=card.stage,
            )
            for card in cards
        ),
        batch_size=2000,
    )
