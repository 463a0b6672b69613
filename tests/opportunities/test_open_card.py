"""Opening a card: Research, or Connecting/Cultivating when the client contacted us."""

import pytest

from convivio.errors import RuleViolation
from opportunities.models import Opportunity, Source, Stage, StageChange
from opportunities.services import opportunity_open


def _new_card(owner, stage, source):
    return Opportunity(title="Harbour Trust audit", owner=owner, stage=stage, source=source)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("stage", "source"),
    [
        (Stage.RESEARCH, Source.RESEARCH),
        (Stage.RESEARCH, Source.REFERRAL),
        (Stage.CONNECTING, Source.INBOUND),
        (Stage.CULTIVATING, Source.INBOUND),
    ],
)
def test_card_opens_where_the_method_allows_and_records_it(stage, source, owner):
    card = opportunity_open(opportunity=_new_card(owner, stage, source), by=owner)

    change = StageChange.objects.get(opportunity=card)
    assert (change.from_stage, change.to_stage, change.by) == ("", stage, owner)
    assert card.version == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("stage", "source", "sentence"),
    [
        (Stage.CONNECTING, Source.RESEARCH, "Only inbound opportunities"),
        (Stage.CULTIVATING, Source.REFERRAL, "Only inbound opportunities"),
        (Stage.WON, Source.INBOUND, "cannot start in Won"),
        (Stage.LOST, Source.RESEARCH, "cannot start in Lost"),
    ],
)
def test_card_refused_elsewhere_saves_nothing(stage, source, sentence, owner):
    with pytest.raises(RuleViolation, match=sentence):
        opportunity_open(opportunity=_new_card(owner, stage, source), by=owner)

    assert not Opportunity.objects.exists()
    assert not StageChange.objects.exists()


@pytest.mark.django_db
def test_new_cards_go_to_the_top_of_their_column(owner):
    first = opportunity_open(
        opportunity=_new_card(owner, Stage.RESEARCH, Source.RESEARCH), by=owner
    )
    second = opportunity_open(
        opportunity=_new_card(owner, Stage.RESEARCH, Source.RESEARCH), by=owner
    )

    ordered = list(Opportunity.objects.filter(stage=Stage.RESEARCH).order_by("position"))
    assert ordered == [second, first]
