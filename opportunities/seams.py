"""What cultivation, the layer below, needs to know about cards, provided to it.

Registered with `cultivation.seams` from `OpportunitiesConfig.ready()`: cultivation
asks for these by seam, never by this app's names.
"""

from django.db.models import Case, Value, When

from convivio.errors import RuleViolation
from cultivation.seams import MergeRule, PromiseSubject, ReferralCard

from .models import (
    OPEN_STAGES,
    CardChange,
    CardPromise,
    CardReferral,
    ConnectionIdea,
    Opportunity,
    OpportunityContact,
    Priority,
    Source,
    Stage,
)
from .services import opportunity_add_contact, opportunity_move, opportunity_open


def cards_of(contact):
    """The cards a person is on, the most recently added first."""
    links = OpportunityContact.objects.filter(contact=contact).select_related("opportunity")
    return [link.opportunity for link in links.order_by("-pk")]


def people_on_cards(*, stage):
    """(primary person, card priority) for each card in `stage`, once per person."""
    links = (
        OpportunityContact.objects.primary()
        .filter(opportunity__stage=stage)
        .select_related("contact__owner", "opportunity")
        .order_by("contact_id", "pk")
    )
    people = {}
    for link in links:
        people.setdefault(link.contact_id, (link.contact, link.opportunity.priority))
    return list(people.values())


def _card(pk):
    return Opportunity.objects.filter(pk=pk).first()


def _link(*, promise, subject):
    CardPromise.objects.create(opportunity=subject, promise=promise)


# A promise made from a card's page: /promises/new/?contact=<id>&opportunity=<card id>.
PROMISE_ABOUT_A_CARD = PromiseSubject(
    param="opportunity", field="opportunity_id", label="card", find=_card, link=_link
)


def cards_at(organisation):
    """The cards for an organisation, open ones first, then the newest."""
    closed = Case(When(stage__in=OPEN_STAGES, then=Value(0)), default=Value(1))
    return (
        Opportunity.objects.filter(organisation=organisation)
        .select_related("owner")
        .order_by(closed, "-created_at", "-pk")
    )


def open_cards_of(contact):
    """The open cards a person is on, oldest link first."""
    return list(
        Opportunity.objects.open()
        .filter(links__contact=contact)
        .select_related("owner")
        .order_by("links__pk")
    )


def lose_card(card, *, by, reason):
    """Move a card to Lost through `opportunity_move` (its rules, its policy, its history)."""
    fresh = Opportunity.objects.get(pk=card.pk)
    opportunity_move(
        opportunity=fresh, to_stage=Stage.LOST, by=by, version=fresh.version, note=reason
    )


# Merging two records of one person (cultivation's services/merge.py) ------------------


def _shared_links(survivor, duplicate):
    """(survivor's link, duplicate's link) for each card both records are on."""
    mine = {
        link.opportunity_id: link for link in OpportunityContact.objects.filter(contact=survivor)
    }
    theirs = OpportunityContact.objects.filter(contact=duplicate, opportunity_id__in=list(mine))
    return [(mine[link.opportunity_id], link) for link in theirs.select_related("opportunity")]


def _kept_place(mine, theirs):
    """The survivor's link, with the duplicate's role if it has none, primary if either was."""
    role = mine.role or theirs.role
    where = f"as {role}" if role else "with no role"
    return (
        role,
        mine.is_primary or theirs.is_primary,
        f"Both were on “{theirs.opportunity}”: one place stays, {where}.",
    )


def merge_card_links(*, survivor, duplicate, by):
    """The duplicate's places on cards move to the survivor. A card both records are on keeps
    one place: the survivor's, with the duplicate's role if the survivor's has none, primary
    if either was. Each card the duplicate was on records the change in its history."""
    moving = OpportunityContact.objects.filter(contact=duplicate)
    cards = sorted(moving.values_list("opportunity_id", flat=True))
    sentences = []
    for mine, theirs in _shared_links(survivor, duplicate):
        mine.role, mine.is_primary, sentence = _kept_place(mine, theirs)
        theirs.delete()  # first: a card has one primary person (a constraint)
        mine.save(update_fields=["role", "is_primary"])
        sentences.append(sentence)
    moving.update(contact=survivor)
    CardChange.objects.bulk_create(
        CardChange(
            opportunity_id=pk, by=by, field="contacts", old=duplicate.name, new=survivor.name
        )
        for pk in cards
    )
    return sentences


def _foresee_card_links(*, survivor, duplicate):
    return [_kept_place(mine, theirs)[2] for mine, theirs in _shared_links(survivor, duplicate)]


CARD_LINKS_MERGE = MergeRule(
    OpportunityContact,
    "contact",
    "cards they are on",
    move=merge_card_links,
    foresee=_foresee_card_links,
)
# An idea to connect through the duplicate is one through the survivor: the rows simply move.
IDEAS_VIA_MERGE = MergeRule(ConnectionIdea, "via", "ways to connect through them")


def _referral_link(*, referral, card):
    """Link `referral` to the card it led to: a card its person is on (any colleague's:
    a referral is often handed on), refused otherwise, inside the outcome's transaction."""
    if not card.links.filter(contact_id=referral.person_id).exists():
        raise RuleViolation(
            f"{referral.person.name} is not on “{card.title}”: name the card they are on, "
            "or add them to it first."
        )
    # A name from an exchange lunch may already have its Research card: the outcome's card
    # replaces it as the one the referral led to.
    CardReferral.objects.update_or_create(referral=referral, defaults={"opportunity": card})


def _referral_cards(referrals):
    links = CardReferral.objects.filter(referral__in=[r.pk for r in referrals])
    return {link.referral_id: link.opportunity for link in links.select_related("opportunity")}


def research_card(*, referral, by):
    """A Research card, source "referral", for a name offered at an exchange lunch: the
    person on it as its primary, the referral as the card's chain."""
    person = referral.person
    card = Opportunity(
        title=(f"{person.name}" + (f" ({person.organisation})" if person.organisation else ""))[
            :200
        ],
        organisation=person.organisation,
        owner=by,
        stage=Stage.RESEARCH,
        source=Source.REFERRAL,
        priority=Priority.REFERRAL,
    )
    note = f"Offered by {referral.from_person.name} at a preferral-exchange lunch."
    opportunity_open(opportunity=card, by=by, note=note)
    opportunity_add_contact(opportunity=card, contact=person, by=by, is_primary=True)
    CardReferral.objects.create(opportunity=card, referral=referral)
    return card


# The card a referral led to, named when its outcome is recorded.
REFERRAL_LED_TO_A_CARD = ReferralCard(find=_card, link=_referral_link, of=_referral_cards)
