"""Cards and their stage moves as CSV, streamed as cultivation's exports are.

Two files, one shape each: `cards-<date>.csv`, one row per card with where it is
now, and `card-moves-<date>.csv`, one row per move (who, when, from, to, why),
joined to the first by `card_id`.
"""

from cultivation.exporting import Column, Export

from .models import Opportunity, OpportunityContact, StageChange


def _grouped(pairs, key):
    grouped = {}
    for card_id, name in pairs:
        grouped.setdefault(card_id, []).append(name)
    # People's names may hold commas ("Shah, Priya"): "; " parts them.
    return {card_id: {key: "; ".join(names)} for card_id, names in grouped.items()}


def card_people(card_ids):
    """{card id: {"people": ..., "colleagues": ...}} for a chunk of cards: two queries."""
    links = OpportunityContact.objects.filter(opportunity_id__in=card_ids).order_by(
        "-is_primary", "contact__name", "pk"
    )
    people = _grouped(links.values_list("opportunity_id", "contact__name"), "people")
    through = Opportunity.colleagues.through.objects.filter(opportunity_id__in=card_ids)
    pairs = through.order_by("user__username").values_list("opportunity_id", "user__username")
    colleagues = _grouped(pairs, "colleagues")
    return {
        card_id: people.get(card_id, {}) | colleagues.get(card_id, {})
        for card_id in set(people) | set(colleagues)
    }


CARDS = Export(
    name="cards",
    columns=(
        Column("id", "pk"),
        Column("title", "title"),
        Column("organisation", "organisation__name"),
        Column("stage", "stage"),
        Column("stage_entered_at", "stage_entered_at"),
        Column("owner", "owner__username"),
        Column("colleagues", "colleagues"),
        Column("people", "people"),
        Column("priority", "priority"),
        Column("source", "source"),
        Column("estimated_value", "estimated_value"),
        Column("pain", "pain"),
        Column("gain", "gain"),
        Column("lost_reason", "lost_reason"),
        Column("created_at", "created_at"),
        Column("updated_at", "updated_at"),
    ),
    many_valued=card_people,
    many_valued_keys=frozenset({"people", "colleagues"}),
)

CARD_MOVES = Export(
    name="card-moves",
    columns=(
        Column("id", "pk"),
        Column("card_id", "opportunity_id"),
        Column("card", "opportunity__title"),
        Column("at", "at"),
        Column("from_stage", "from_stage"),
        Column("to_stage", "to_stage"),
        Column("by", "by__username"),
        Column("note", "note"),
    ),
)


def cards_csv(cards=None):
    """Cards, one row each, with their current stage: streamed."""
    return CARDS.response(Opportunity.objects.order_by("pk") if cards is None else cards)


def card_moves_csv(cards=None):
    """Every stage move of `cards` (all cards if None), oldest first: streamed."""
    moves = StageChange.objects.order_by("opportunity_id", "at", "pk")
    if cards is not None:
        moves = moves.filter(opportunity__in=cards.values("pk"))
    return CARD_MOVES.response(moves)
