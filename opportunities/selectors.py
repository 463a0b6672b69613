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
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Sum, Window
from django.db.models.functions import RowNumber
from django.urls import reverse

from cultivation.models import Contact
from cultivation.selectors import badges_for_contacts

from . import rules
from .models import CLOSED_STAGES, Opportunity, OpportunityContact, Stage

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
        cards = cards.exclude(stage__in=CLOSED_STAGES, stage_entered_at__lt=since)
    return cards


def _for_display(cards):
    primary = OpportunityContact.objects.filter(is_primary=True).select_related("contact")
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


def introducers(card):
    """People we know who know one of the card's contacts: who could introduce us.

    Returns (introducer, [contacts on the card they know]) pairs, in two queries.
    """
    on_card = list(card.links.values_list("contact_id", flat=True))
    through = Contact.knows.through
    pairs = (
        through.objects.filter(to_contact_id__in=on_card)
        .exclude(from_contact_id__in=on_card)
        .select_related("from_contact__organisation", "to_contact")
        .order_by("from_contact__name", "to_contact__name")
    )
    grouped = {}
    for pair in pairs:
        grouped.setdefault(pair.from_contact, []).append(pair.to_contact)
    return list(grouped.items())


# How many people the card page offers to add: matching a search, or from the card's
# organisation when nothing is searched.
OFFERED_FOUND, OFFERED_FROM_ORGANISATION = 25, 50


def addable_contacts(card):
    """Everyone who can be put on the card: the people not on it yet."""
    return Contact.objects.exclude(card_links__opportunity=card).select_related("organisation")


def offered_contacts(card, find=""):
    """The people the card page offers to add: those whose name matches `find`, or, with
    no search, the card's organisation's people (nobody if it has none)."""
    people = addable_contacts(card)
    if find:
        return people.filter(name__icontains=find)[:OFFERED_FOUND]
    if card.organisation_id:
        return people.filter(organisation_id=card.organisation_id)[:OFFERED_FROM_ORGANISATION]
    return people.none()


def card_history(card):
    """The card's moves and its changes of details, owner and colleagues, newest first.

    Two queries whatever the length; rows of either kind have `at` and `by`, and
    a change has a `field`.
    """
    moves = card.stage_changes.select_related("by")
    changes = card.changes.select_related("by")
    return sorted(chain(moves, changes), key=lambda row: (row.at, row.pk), reverse=True)
