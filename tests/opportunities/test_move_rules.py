"""Every (from, to) stage pair against docs/method.md's move rules, through the one move service."""

import pytest

from convivio.errors import RuleViolation, StaleVersion
from opportunities import rules
from opportunities.models import Opportunity, Stage, StageChange
from opportunities.services import opportunity_move
from tests.factories import OpportunityFactory

ALLOWED = {
    (Stage.RESEARCH, Stage.CONNECTING),
    (Stage.RESEARCH, Stage.LOST),
    (Stage.CONNECTING, Stage.CULTIVATING),
    (Stage.CONNECTING, Stage.WON),
    (Stage.CONNECTING, Stage.LOST),
    (Stage.CONNECTING, Stage.RESEARCH),
    (Stage.CULTIVATING, Stage.WON),
    (Stage.CULTIVATING, Stage.LOST),
    (Stage.CULTIVATING, Stage.RESEARCH),
    (Stage.LOST, Stage.RESEARCH),
}
ALL_PAIRS = [(a, b) for a in Stage for b in Stage]
REASON = "They chose another adviser this year."


def _snapshot(card):
    card = Opportunity.objects.get(pk=card.pk)
    return (card.stage, card.version, card.lost_reason, card.position, card.stage_entered_at)


@pytest.mark.django_db
@pytest.mark.parametrize(("from_stage", "to_stage"), sorted(ALLOWED))
def test_allowed_move_changes_stage_and_writes_history(from_stage, to_stage, owner):
    card = OpportunityFactory(stage=from_stage, owner=owner, history=False)

    opportunity_move(opportunity=card, to_stage=to_stage, by=owner, version=1, note=REASON)

    card.refresh_from_db()
    assert card.stage == to_stage
    assert card.version == 2
    assert card.lost_reason == (REASON if to_stage == Stage.LOST else "")
    change = StageChange.objects.get(opportunity=card)
    assert (change.from_stage, change.to_stage, change.by, change.note) == (
        from_stage,
        to_stage,
        owner,
        REASON,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("from_stage", "to_stage"), [p for p in ALL_PAIRS if p not in ALLOWED])
def test_refused_move_says_why_and_changes_nothing(from_stage, to_stage, owner):
    card = OpportunityFactory(stage=from_stage, owner=owner, history=False)
    before = _snapshot(card)

    with pytest.raises(RuleViolation) as refusal:
        opportunity_move(opportunity=card, to_stage=to_stage, by=owner, version=1, note=REASON)

    assert str(refusal.value).endswith(".")
    assert len(str(refusal.value)) > 20
    assert _snapshot(card) == before
    assert not StageChange.objects.filter(opportunity=card).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("from_stage", "to_stage", "sentence"),
    [
        (Stage.RESEARCH, Stage.CULTIVATING, "one step at a time"),
        (Stage.RESEARCH, Stage.WON, "only from Connecting or Cultivating"),
        (Stage.WON, Stage.RESEARCH, "stays in Won"),
        (Stage.LOST, Stage.CONNECTING, "only go back to Research"),
        (Stage.CONNECTING, Stage.CONNECTING, "already in Connecting"),
    ],
)
def test_refusal_sentences_name_the_rule(from_stage, to_stage, sentence, owner):
    card = OpportunityFactory(stage=from_stage, owner=owner)
    with pytest.raises(RuleViolation, match=sentence):
        opportunity_move(opportunity=card, to_stage=to_stage, by=owner, version=1)


@pytest.mark.django_db
@pytest.mark.parametrize("reason", ["", "   "])
def test_lost_without_reason_is_refused_and_nothing_changes(reason, owner):
    card = OpportunityFactory(stage=Stage.CULTIVATING, owner=owner, history=False)
    before = _snapshot(card)

    with pytest.raises(RuleViolation, match="reason is required"):
        opportunity_move(opportunity=card, to_stage=Stage.LOST, by=owner, version=1, note=reason)

    assert _snapshot(card) == before
    assert not StageChange.objects.exists()


@pytest.mark.django_db
def test_stale_version_is_refused_and_nothing_changes(owner, teammate):
    card = OpportunityFactory(stage=Stage.RESEARCH, owner=owner, history=False)
    card.colleagues.add(teammate)
    opportunity_move(opportunity=card, to_stage=Stage.CONNECTING, by=teammate, version=1)
    before = _snapshot(card)

    with pytest.raises(StaleVersion, match="Someone else changed"):
        opportunity_move(
            opportunity=card, to_stage=Stage.LOST, by=owner, version=1, note="Not now."
        )

    assert _snapshot(card) == before
    assert StageChange.objects.filter(opportunity=card).count() == 1


@pytest.mark.django_db
def test_same_move_sent_twice_happens_once(owner):
    """A double click sends the same version twice: the second is refused, one history row."""
    card = OpportunityFactory(stage=Stage.RESEARCH, owner=owner, history=False)

    opportunity_move(opportunity=card, to_stage=Stage.CONNECTING, by=owner, version=1)
    with pytest.raises(StaleVersion):
        opportunity_move(opportunity=card, to_stage=Stage.CONNECTING, by=owner, version=1)

    assert StageChange.objects.filter(opportunity=card).count() == 1


@pytest.mark.django_db
def test_leaving_lost_for_research_clears_the_reason_but_history_keeps_it(owner):
    card = OpportunityFactory(stage=Stage.CONNECTING, owner=owner, history=False)
    opportunity_move(opportunity=card, to_stage=Stage.LOST, by=owner, version=1, note=REASON)
    opportunity_move(opportunity=card, to_stage=Stage.RESEARCH, by=owner, version=2)

    card.refresh_from_db()
    assert card.lost_reason == ""
    notes = list(StageChange.objects.filter(opportunity=card).values_list("to_stage", "note"))
    assert (Stage.LOST, REASON) in notes


@pytest.mark.django_db
def test_database_refuses_lost_without_reason_even_outside_the_service(owner):
    from django.db import IntegrityError, transaction

    card = OpportunityFactory(stage=Stage.RESEARCH, owner=owner)
    with pytest.raises(IntegrityError), transaction.atomic():
        Opportunity.objects.filter(pk=card.pk).update(stage=Stage.LOST)


@pytest.mark.parametrize(
    "stage, first_offered",
    [
        (Stage.RESEARCH, Stage.CONNECTING),
        (Stage.CONNECTING, Stage.CULTIVATING),
        (Stage.CULTIVATING, Stage.WON),
        (Stage.LOST, Stage.RESEARCH),
    ],
)
def test_move_to_offers_the_next_step_first_never_a_step_back(stage, first_offered):
    moves = rules.allowed_moves(stage)

    assert moves[0] == first_offered
    assert set(moves) == {to for to in Stage if rules.move_refusal(stage, to, "why") is None}
