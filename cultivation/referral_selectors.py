"""Reads of the referral ledger shared by its page, a person's page and the admin."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.db.models.functions import Coalesce

from . import seams
from .models import Contact, Referral

NAMED = ("person", "from_person", "to_person", "to_user", "by_user")
GIVEN = Q(direction=Referral.Direction.GIVEN)
RECEIVED = Q(direction=Referral.Direction.RECEIVED)


@dataclass(frozen=True)
class Balance:
    """Referrals given to and received from one partner, or by one colleague ("fair's fair")."""

    who: object
    given: int
    received: int

    @property
    def difference(self):
        return self.given - self.received


def _balances(referrals, *, side, model):
    """Totals per `side` (the partner or the colleague), counted in the database: two queries."""
    rows = (
        referrals.order_by()
        .annotate(side=side)
        .values("side")
        .annotate(given=Count("pk", filter=GIVEN), received=Count("pk", filter=RECEIVED))
    )
    rows = list(rows)
    who = model.objects.in_bulk([row["side"] for row in rows])
    balances = [Balance(who[row["side"]], row["given"], row["received"]) for row in rows]
    return sorted(balances, key=lambda b: (-(b.given + b.received), str(b.who)))


def balances_by_partner(referrals):
    """Given to and received from each partner, busiest first."""
    return _balances(referrals, side=Coalesce("from_person", "to_person"), model=Contact)


def balances_by_colleague(referrals):
    """Given and received by each colleague, busiest first."""
    return _balances(referrals, side=Coalesce("to_user", "by_user"), model=get_user_model())


def ledger(referrals):
    """The referrals with everyone they name, and the card each led to: two queries.
    `referrals` may be a page of them (a list)."""
    if not isinstance(referrals, list):
        referrals = referrals.select_related(*NAMED)
    rows = list(referrals)
    followed_up = [row for row in rows if row.outcome]  # only an outcome names a card
    cards = seams.cards_of_referrals(followed_up) if followed_up else {}
    for row in rows:
        row.card = cards.get(row.pk)
    return rows


def referrals_of(contact):
    """A person's page: the referrals they were the subject of or the partner in."""
    return ledger(Referral.objects.involving(contact))
