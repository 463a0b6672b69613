"""Who may change a card: the write policy of the board, in one place.

Built on the person-level policy (`cultivation.policy`), which defines who
is a manager. Everyone in the firm sees every card. Anyone may add a card
they own. A card's owner, the colleagues on it and managers may move it,
edit it, put people on it and add or mark its connection ideas. Handing a
card to another owner is for its owner or a manager. A manager may do
everything. The services call these checks, so no edge can bypass them.
"""

from cultivation.policy import full_name, is_manager, is_signed_in, require

__all__ = ["can_change_card", "can_open_card", "can_reassign_card", "require"]


def can_change_card(user, card):
    """Move, edit or add to a card: its owner, a colleague on it, or a manager."""
    if not is_signed_in(user):
        return False
    if card.owner_id == user.pk or is_manager(user):
        return True
    return card.colleagues.filter(pk=user.pk).exists()


def can_reassign_card(user, card):
    """Hand a card to someone else: its owner or a manager, not a colleague."""
    return is_signed_in(user) and (card.owner_id == user.pk or is_manager(user))


def can_open_card(user, owner):
    """Anyone may add a card they will own; adding one for someone else is a manager's job."""
    return is_signed_in(user) and (owner.pk == user.pk or is_manager(user))


def card_refusal(card, doing):
    """The sentence for a refused change: “Only Alice Owner, the card's owner, its
    colleagues or a manager can move “Harbour”.”"""
    return (
        f"Only {full_name(card.owner)}, the card's owner, its colleagues or a manager "
        f"can {doing} “{card.title}”."
    )


def reassign_refusal(card):
    return (
        f"Only {full_name(card.owner)}, the card's owner, or a manager can hand "
        f"“{card.title}” to someone else."
    )
