"""Dropping a card (`opportunity_place`): a reorder in its own column, else a move; two
drops on the same spot at the same instant leave the loser unchanged, with a sentence."""

import os
import threading
from contextlib import contextmanager

import pytest
from django.db import connection, transaction
from django.db.models.signals import post_save, pre_save

from convivio.errors import RuleViolation, StaleVersion
from opportunities.models import Opportunity, Stage
from opportunities.services import SameMoment, opportunity_place
from tests.factories import OpportunityFactory

SENTENCE = "“{}” was not moved: someone else moved a card there at the same moment. Try again."


def _state(card):
    card = Opportunity.objects.get(pk=card.pk)
    return card.stage, card.position, card.version, card.stage_changes.count()


def _column(stage):
    return list(Opportunity.objects.filter(stage=stage).order_by("position"))


@contextmanager
def _receiver(signal, handler):
    signal.connect(handler, sender=Opportunity, weak=False)
    try:
        yield
    finally:
        signal.disconnect(handler, sender=Opportunity)


@contextmanager
def _someone_else_takes_the_spot(card, other):
    """As `card` is saved, `other` is put at the very same place (a real unique-index clash
    in the database, as when two people drop at one instant)."""

    def clash(sender, instance, **kwargs):
        if instance.pk == card.pk:
            Opportunity.objects.filter(pk=other.pk).update(
                stage=instance.stage, position=instance.position
            )

    with _receiver(post_save, clash):
        yield


@pytest.mark.django_db
def test_dropping_in_its_own_column_without_a_note_reorders_it(owner):
    a, b, card = OpportunityFactory.create_batch(3, stage=Stage.RESEARCH, owner=owner)

    for _ in range(2):
        placed = opportunity_place(
            opportunity=card, to_stage=Stage.RESEARCH, by=owner, version=card.version, after=a
        )

    assert _column(Stage.RESEARCH) == [a, card, b]
    assert (placed.version, card.version) == (3, 3)
    assert card.stage_changes.count() == 1  # the factory's: a reorder is not a move


@pytest.mark.django_db
def test_dropping_in_another_column_moves_it_with_its_history(owner):
    anchor = OpportunityFactory(stage=Stage.CONNECTING, owner=owner)
    card = OpportunityFactory(stage=Stage.RESEARCH, owner=owner)

    opportunity_place(
        opportunity=card, to_stage=Stage.CONNECTING, by=owner, version=card.version, after=anchor
    )

    assert _column(Stage.CONNECTING) == [anchor, card]
    move = card.stage_changes.latest("pk")
    assert (move.from_stage, move.to_stage, move.by) == (Stage.RESEARCH, Stage.CONNECTING, owner)


@pytest.mark.django_db
def test_a_note_to_its_own_column_is_a_move_and_refused(owner):
    card = OpportunityFactory(stage=Stage.RESEARCH, owner=owner)
    before = _state(card)

    with pytest.raises(RuleViolation, match="already in Research"):
        opportunity_place(
            opportunity=card, to_stage=Stage.RESEARCH, by=owner, version=card.version, note="Why"
        )

    assert _state(card) == before


@pytest.mark.django_db
def test_the_same_drop_sent_twice_is_stale_the_second_time(owner):
    card = OpportunityFactory(stage=Stage.RESEARCH, owner=owner)
    seen = card.version
    opportunity_place(opportunity=card, to_stage=Stage.CONNECTING, by=owner, version=seen)
    after_first = _state(card)

    with pytest.raises(StaleVersion):
        opportunity_place(opportunity=card, to_stage=Stage.CONNECTING, by=owner, version=seen)

    assert _state(card) == after_first


@pytest.mark.django_db
@pytest.mark.parametrize("to_stage", [Stage.CONNECTING, Stage.RESEARCH], ids=["move", "reorder"])
def test_a_clash_in_the_database_is_the_sentence_and_changes_nothing(owner, to_stage):
    card = OpportunityFactory(stage=Stage.RESEARCH, owner=owner, title="Harbour")
    other = OpportunityFactory(stage=Stage.WON, owner=owner)
    before, other_before = _state(card), _state(other)

    with _someone_else_takes_the_spot(card, other), pytest.raises(SameMoment) as refused:
        opportunity_place(opportunity=card, to_stage=to_stage, by=owner, version=card.version)

    assert str(refused.value) == SENTENCE.format("Harbour")
    assert isinstance(refused.value, StaleVersion)  # the board answers 409, as for a stale card
    assert (_state(card), _state(other)) == (before, other_before)
    assert (card.stage, card.version) == (Stage.RESEARCH, before[2])  # the instance too


@pytest.mark.django_db
def test_after_a_clash_inside_a_transaction_the_caller_can_carry_on(owner):
    card = OpportunityFactory(stage=Stage.RESEARCH, owner=owner)
    other = OpportunityFactory(stage=Stage.WON, owner=owner)

    with transaction.atomic():
        with _someone_else_takes_the_spot(card, other), pytest.raises(SameMoment):
            opportunity_place(
                opportunity=card, to_stage=Stage.CONNECTING, by=owner, version=card.version
            )
        # Only the drop was rolled back: the caller's transaction still works.
        opportunity_place(
            opportunity=card, to_stage=Stage.CONNECTING, by=owner, version=card.version
        )

    assert _state(card)[0] == Stage.CONNECTING


def _needs_postgresql():
    if connection.vendor == "postgresql":
        return
    message = (
        "SQLite runs one writer at a time, so two drops cannot race; "
        "this runs on PostgreSQL (DATABASE_URL=postgres://...)"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.mark.django_db(transaction=True)
def test_two_people_dropping_on_the_same_empty_column_at_once_one_lands_one_is_told(owner):
    _needs_postgresql()
    first = OpportunityFactory(stage=Stage.CONNECTING, owner=owner, title="First")
    second = OpportunityFactory(stage=Stage.CONNECTING, owner=owner, title="Second")
    second_before = _state(second)
    first_saved, second_placed = threading.Event(), threading.Event()
    outcomes = {}

    def first_waits(sender, instance, **kwargs):
        # The first drop is written but not committed until the second has chosen its spot.
        if instance.pk == first.pk:
            first_saved.set()
            second_placed.wait(timeout=10)

    def second_chose(sender, instance, **kwargs):
        if instance.pk == second.pk:
            second_placed.set()

    def drop(card):
        try:
            opportunity_place(
                opportunity=card, to_stage=Stage.CULTIVATING, by=owner, version=card.version
            )
            outcomes[card.title] = "landed"
        except RuleViolation as error:
            outcomes[card.title] = error
        finally:
            connection.close()

    with _receiver(post_save, first_waits), _receiver(pre_save, second_chose):
        threads = [threading.Thread(target=drop, args=(card,)) for card in (first, second)]
        threads[0].start()
        assert first_saved.wait(timeout=10)
        threads[1].start()
        for thread in threads:
            thread.join(timeout=30)

    assert outcomes["First"] == "landed"
    assert isinstance(outcomes["Second"], SameMoment)
    assert str(outcomes["Second"]) == SENTENCE.format("Second")
    assert _column(Stage.CULTIVATING) == [first]
    assert _state(second) == second_before


@pytest.mark.django_db
def test_the_board_answers_a_clash_with_a_conflict_and_the_sentence(owner_client, owner):
    card = OpportunityFactory(stage=Stage.RESEARCH, owner=owner, title="Harbour")
    other = OpportunityFactory(stage=Stage.WON, owner=owner)
    before = _state(card)

    with _someone_else_takes_the_spot(card, other):
        response = owner_client.post(
            f"/cards/{card.pk}/move/",
            {"to_stage": Stage.CONNECTING, "version": card.version},
            headers={"HX-Target": "board", "HX-Request": "true"},
        )

    assert response.status_code == 409
    assert SENTENCE.format("Harbour") in response.content.decode()
    assert _state(card) == before
