"""Helpers for the cultivation tests."""

import pytest

from opportunities.models import Stage
from opportunities.services import opportunity_move
from tests import factories


@pytest.fixture
def met(owner):
    """Move a new card with `contact` as its primary person into Connecting."""

    def meet(contact, priority="referral"):
        card = factories.OpportunityFactory(owner=owner, priority=priority, stage=Stage.RESEARCH)
        factories.OpportunityContactFactory(opportunity=card, contact=contact)
        return opportunity_move(
            opportunity=card, to_stage=Stage.CONNECTING, by=owner, version=card.version
        )

    return meet


@pytest.fixture
def person(owner):
    return factories.ContactFactory(owner=owner, name="Priya Shah", has_opted_in=True)
