"""Reads for the board and the card page, in a fixed number of queries whatever the data size.

`board(filters, now=...)` returns the five columns: each with its count and
total value over every matching card, and its first `PAGE_SIZE` cards.
`column_page(...)` returns the next cards of one column ("load more"),
`column_totals(...)` the counts alone, `cards_by_pk(...)` given cards.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from itertools import chain

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Subquery, Sum, Window
from django.db.models.functions import RowNumber
from django.urls import reverse

from cultivation.models import (
    CONVERSATION_METHODS,
    Acquaintance,
    Contact,
    Direction,
    Method,
    Outcome,
    Referral,
    Touch,
)
from cultivation.models.people import in_touch
from cultivation.people_selectors import follow_up_states, open_promises_of, recent_touches
from cultivation.selectors import badges_for_contacts

from . import rules
from .models import CardReferral, Opportunity, OpportunityContact, Stage

PAGE_SIZE = 50
RECENT_CLOSED_DAYS = 90


@dataclass(frozen=True)
class BoardFilters:
    """What the board shows. Built from the URL by `BoardFilterForm`."""

    owner: object = None  # a user, or None for everyone
    priority: str = ""
    q: str = ""
    all_closed: bool = False  # Won and Lost: every card, not only the last 90 days


@dataclass
class Column:
    stage: Stage
    count: int = 0
    total_value: object = 0
    cards: list = field(default_factory=list)
    next_after: int | None = None  # the position "load more" continues below; None: all shown
    last_pk: int | None = None  # the last card shown, followed wherever it is now


def cards_matching(filters, *, now):
    """Every card the filters select, Won/Lost limited to the last 90 days unless asked."""
    cards = Opportunity.objects.all()
    if filters.owner is not None:
        cards = cards.filter(owner=filters.owner)
    if filters.priority:
        cards = cards.filter(priority=filters.priority)
    if filters.q:
        named = OpportunityContact.objects.filter(
            opportunity=OuterRef("pk"), contact__name__icontains=filters.q
        )
        cards = cards.filter(
            Q(title__icontains=filters.q)
            | Q(organisation__name__icontains=filters.q)
            | Exists(named)
        )
    if not filters.all_closed:
        since = now - timedelta(days=RECENT_CLOSED_DAYS)
        cards = cards.open_or_closed_since(since)
    return cards


def _for_display(cards):
    primary = OpportunityContact.objects.primary().select_related("contact")
    return cards.select_related("organisation", "owner").prefetch_related(
        Prefetch("links", queryset=primary, to_attr="primary_links")
    )


def _url_for(name):
    """A fast `pk -> url` for a route taking one pk: reversed once, not once per card."""
    sentinel = 987654321
    pattern = reverse(name, args=[sentinel]).replace(str(sentinel), "{}")
    return pattern.format


def _decorate(cards, *, now):
    """Attach the primary contact, the badges, the allowed moves and the URLs to each card."""
    detail_url, move_url = (
        _url_for("opportunities:card-detail"),
        _url_for("opportunities:card-move"),
    )
    touch_url = reverse("cultivation:touch-new") + "?contact={}"
    for card in cards:
        card.url, card.move_url = detail_url(card.pk), move_url(card.pk)
        card.primary_contact = card.primary_links[0].contact if card.primary_links else None
        if card.primary_contact:
            card.touch_url = touch_url.format(card.primary_contact.pk)
        card.moves = rules.allowed_moves(card.stage)
        card.owner_initials = initials(card.owner)
    badges = badges_for_contacts(
        {card.primary_contact.pk for card in cards if card.primary_contact}, now=now
    )
    for card in cards:
        card.badges = badges.get(card.primary_contact.pk) if card.primary_contact else None
    return cards


def initials(user):
    """ "AO" for Alice Owner; the username's first letter when there is no name."""
    letters = "".join(part[0] for part in (user.first_name, user.last_name) if part)
    return (letters or user.username[:1]).upper()


def column_totals(filters, *, now, stages=None):
    """{stage: Column} with the count and total value of every matching card, in one query."""
    matching = cards_matching(filters, now=now)
    if stages is not None:
        matching = matching.filter(stage__in=stages)
    columns = {stage: Column(stage=stage) for stage in Stage if stages is None or stage in stages}
    totals = (
        matching.order_by().values("stage").annotate(n=Count("pk"), value=Sum("estimated_value"))
    )
    for row in totals:
        column = columns[row["stage"]]
        column.count, column.total_value = row["n"], row["value"] or 0
    return columns


def board(filters, *, now):
    """The five columns with counts, totals and their first PAGE_SIZE cards."""
    columns = column_totals(filters, now=now)
    ranked = (
        cards_matching(filters, now=now)
        .annotate(rank=Window(RowNumber(), partition_by=F("stage"), order_by=[F("position")]))
        .filter(rank__lte=PAGE_SIZE)
    )
    for card in _decorate(list(_for_display(ranked).order_by("position")), now=now):
        columns[card.stage].cards.append(card)
    for column in columns.values():
        if column.count > len(column.cards):
            column.next_after, column.last_pk = column.cards[-1].position, column.cards[-1].pk
    return list(columns.values())


def column_page(filters, stage, *, after, last=None, now):
    """The next PAGE_SIZE cards of one column, below card `last` (where it is now) or,
    if it has left the column, below position `after`.

    A cursor, not an offset: cards moved out of the column meanwhile skip no
    card, and a renumbered column does not start again from the top. A card
    dropped below the last one shown comes again; the page keeps the first.
    """
    if last is not None:
        now_at = Opportunity.objects.filter(pk=last, stage=stage).values_list("position", flat=True)
        after = next(iter(now_at), after)
    matching = cards_matching(filters, now=now).filter(stage=stage, position__gt=after)
    page = list(_for_display(matching).order_by("position")[: PAGE_SIZE + 1])
    cards = _decorate(page[:PAGE_SIZE], now=now)
    has_more = len(page) > PAGE_SIZE
    return Column(
        stage=Stage(stage), cards=cards, next_after=cards[-1].position if has_more else None
    )


def cards_by_pk(pks, *, now):
    """The given cards as the board shows them, in a fixed number of queries."""
    return _decorate(list(_for_display(Opportunity.objects.filter(pk__in=pks))), now=now)


def owners():
    """The people who can own cards, for the owner filter."""
    return get_user_model().objects.filter(is_active=True).order_by("first_name", "username")


INTRODUCER_RECENT_DAYS = 90
"""A touch both ways (ours and theirs) within this many days makes an introducer strongest."""

# How an introducer knows someone on the card, strongest first: an alliance partner has
# agreed to introduce us; a client or a colleague has standing with them; then the rest.
HOW_STRENGTH = (
    Acquaintance.How.ALLIANCE_PARTNER,
    Acquaintance.How.CLIENT,
    Acquaintance.How.COLLEAGUE,
    Acquaintance.How.FRIEND,
    Acquaintance.How.MET_AT,
    Acquaintance.How.OTHER,
    "",
)
_HOW_RANK = {how: rank for rank, how in enumerate(HOW_STRENGTH)}


def _heard_from_them():
    """A touch in which they answered (`Touch.is_two_way`, as a query): one from them, a
    conversation by its nature, or a call that reached them."""
    reached = Q(method=Method.CALL) & ~Q(outcome__in=["", Outcome.NOT_REACHED])
    return Q(direction=Direction.THEIRS) | Q(method__in=CONVERSATION_METHODS) | reached


@dataclass
class Introducer:
    """Someone we know who knows people on the card: `links` to those people (how,
    detail), whether we were in touch both ways lately, and our last touch with them."""

    person: Contact
    links: list
    has_recent_two_way: bool
    last_touch_at: object = None
    recent_days: int = INTRODUCER_RECENT_DAYS

    @property
    def known(self):
        return [link.to_contact for link in self.links]

    @property
    def strength(self):
        """Sorts strongest first: a recent two-way touch, then any touch, then how they
        know the card's people, then the latest touch, then the name."""
        best_how = min(_HOW_RANK.get(link.how, len(HOW_STRENGTH)) for link in self.links)
        latest = -self.last_touch_at.timestamp() if self.last_touch_at else 0
        return (
            not self.has_recent_two_way,
            self.last_touch_at is None,
            best_how,
            latest,
            self.person.name.casefold(),
        )


def introducers(card, *, now):
    """People we know (not on the card) who know someone on it: who could introduce us,
    strongest first (`Introducer.strength`). People who asked us to stop, or were erased,
    are not asked. One query, whatever the number of people and touches."""
    on_card = card.links.values("contact_id")
    touches = Touch.objects.filter(contact=OuterRef("from_contact"))
    recent = touches.filter(at__gte=now - timedelta(days=INTRODUCER_RECENT_DAYS), at__lte=now)
    links = (
        Acquaintance.objects.filter(in_touch("from_contact__"), to_contact__in=on_card)
        .exclude(from_contact__in=on_card)
        .annotate(
            recent_ours=Exists(recent.filter(direction=Direction.OURS)),
            recent_theirs=Exists(recent.filter(_heard_from_them())),
            last_touch_at=Subquery(touches.order_by("-at").values("at")[:1]),
        )
        .select_related("from_contact__organisation", "from_contact__owner", "to_contact")
        .order_by("to_contact__name", "to_contact_id")
    )
    found = {}
    for link in links:
        if link.from_contact_id not in found:
            found[link.from_contact_id] = Introducer(
                person=link.from_contact,
                links=[],
                has_recent_two_way=link.recent_ours and link.recent_theirs,
                last_touch_at=link.last_touch_at,
            )
        found[link.from_contact_id].links.append(link)
    return sorted(found.values(), key=lambda introducer: introducer.strength)


# The people on a card and where each relationship stands ----------------------------


@dataclass
class CardPerson:
    """One person on the card, with their follow-up, latest touches and open promises."""

    link: OpportunityContact
    badges: object
    follow_up: object  # a cultivation FollowUpState, or None
    touches: list
    promises: list

    @property
    def contact(self):
        return self.link.contact


def card_people(card, *, now):
    """The card's people, primary first, each as a `CardPerson`: eight queries whatever the
    number of people, touches or promises."""
    links = list(
        card.links.select_related(
            "contact__organisation", "contact__referred_by", "contact__referred_by_colleague"
        ).order_by("-is_primary", "pk")
    )
    ids = [link.contact_id for link in links]
    badges = badges_for_contacts(ids, now=now)
    states = follow_up_states(ids, now=now)
    touches, promises = recent_touches(ids), open_promises_of(ids)
    return [
        CardPerson(
            link=link,
            badges=badges[link.contact_id],
            follow_up=states.get(link.contact_id),
            touches=touches.get(link.contact_id, []),
            promises=promises.get(link.contact_id, []),
        )
        for link in links
    ]


def addable_contacts(card):
    """Everyone who can be put on the card: the people not on it yet."""
    return (
        Contact.objects.active()
        .exclude(card_links__opportunity=card)
        .select_related("organisation")
    )


def card_history(card):
    """The card's moves and its changes of details, owner and colleagues, newest first.

    Two queries whatever the length; rows of either kind have `at` and `by`, and
    a change has a `field`.
    """
    moves = card.stage_changes.select_related("by")
    changes = card.changes.select_related("by")
    return sorted(chain(moves, changes), key=lambda row: (row.at, row.pk), reverse=True)


def referral_chain(card):
    """How the card came from referrals: the referrals that led to it, and those that
    brought its people to us, each once, oldest first (one query)."""
    linked = CardReferral.objects.filter(opportunity=card).values("referral")
    people = OpportunityContact.objects.filter(opportunity=card).values("contact")
    return list(
        Referral.objects.filter(Q(pk__in=linked) | Q(direction="received", person__in=people))
        .select_related("person", "from_person", "to_user", "to_person", "by_user")
        .order_by("on", "pk")
    )
