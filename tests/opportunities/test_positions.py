"""Positions within a column: drops land where asked and never share a position."""

import pytest

from convivio.errors import RuleViolation
from opportunities.models import Opportunity, Stage
from opportunities.services import opportunity_move, opportunity_reorder
from tests.factories import OpportunityFactory


def _column(stage):
    return list(Opportunity.objects.filter(stage=stage).order_by("position"))


@pytest.mark.django_db
def test_move_after_a_card_lands_just_below_it(owner):
    a, b, c = OpportunityFactory.create_batch(3, stage=Stage.CONNECTING, owner=owner)
    card = OpportunityFactory(stage=Stage.RESEARCH, owner=owner)

    opportunity_move(
        opportunity=card, to_stage=Stage.CONNECTING, by=owner, version=card.version, after=a
    )

    assert _column(Stage.CONNECTING) == [a, card, b, c]


@pytest.mark.django_db
def test_many_drops_in_one_gap_renumber_the_column_without_duplicates(owner):
    a, b = OpportunityFactory.create_batch(2, stage=Stage.RESEARCH, owner=owner)
    moving = OpportunityFactory.create_batch(15, stage=Stage.RESEARCH, owner=owner)

    for card in moving:
        card.refresh_from_db()
        opportunity_reorder(opportunity=card, by=owner, version=card.version, after=a)

    column = _column(Stage.RESEARCH)
    assert column[0] == a and column[-1] == b
    assert column[1:-1] == list(reversed(moving))
    positions = [card.position for card in column]
    assert len(set(positions)) == len(positions)


@pytest.mark.django_db
def test_drop_next_to_a_card_in_another_column_is_refused(owner):
    elsewhere = OpportunityFactory(stage=Stage.WON, owner=owner)
    card = OpportunityFactory(stage=Stage.RESEARCH, owner=owner)

    with pytest.raises(RuleViolation, match="no longer in that column"):
        opportunity_move(
            opportunity=card, to_stage=Stage.CONNECTING, by=owner, version=1, after=elsewhere
        )

    card.refresh_from_db()
    assert card.stage == Stage.RESEARCH
