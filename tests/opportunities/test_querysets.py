"""The cards' named querysets: open and closed stages, and the board's recent closed cards."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from opportunities.models import Opportunity, Stage
from tests import factories

pytestmark = pytest.mark.django_db

SINCE = timezone.make_aware(datetime(2026, 8, 27, 10, 0))


@pytest.fixture
def one_of_each(owner):
    return {
        stage: factories.OpportunityFactory(owner=owner, stage=stage, title=stage.label)
        for stage in Stage
    }


def _titles(queryset):
    return sorted(queryset.values_list("title", flat=True))


def test_open_cards_are_in_research_connecting_or_cultivating(one_of_each):
    assert _titles(Opportunity.objects.open()) == ["Connecting", "Cultivating", "Research"]
    assert _titles(Opportunity.objects.closed()) == ["Lost", "Won"]
    for card in one_of_each.values():
        assert card.is_open == Opportunity.objects.open().filter(pk=card.pk).exists()


def test_a_card_closed_at_the_boundary_is_recent_and_one_a_second_earlier_is_not(owner):
    moments = {
        "Won at the boundary": (Stage.WON, SINCE),
        "Lost a second before": (Stage.LOST, SINCE - timedelta(seconds=1)),
        "Research long ago": (Stage.RESEARCH, SINCE - timedelta(days=400)),
    }
    for title, (stage, entered) in moments.items():
        factories.OpportunityFactory(
            owner=owner, title=title, stage=stage, stage_entered_at=entered
        )

    recent = Opportunity.objects.open_or_closed_since(SINCE)

    assert _titles(recent) == ["Research long ago", "Won at the boundary"]
