"""Won is not a dead end: moving a card to Won moves its people into servicing, a client
touch plan each, through the one move service; the move itself is never refused for it."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from cultivation.models import ContactEvent, TouchPlan
from opportunities.models import Stage, StageChange
from opportunities.services import opportunity_move
from tests import factories

pytestmark = pytest.mark.django_db
Action = ContactEvent.Action
CLIENT = TouchPlan.Kind.CLIENT


@pytest.fixture
def card(owner):
    return factories.OpportunityFactory(
        owner=owner, title="Pension review", stage=Stage.CULTIVATING, history=False
    )


def _on(card, name, owner, **extra):
    person = factories.ContactFactory(owner=owner, name=name, **extra)
    is_primary = not card.links.exists()
    factories.OpportunityContactFactory(opportunity=card, contact=person, is_primary=is_primary)
    return person


def _win(card, by):
    return opportunity_move(opportunity=card, to_stage=Stage.WON, by=by, version=card.version)


def _plan(person):
    return TouchPlan.objects.filter(contact=person).first()


def test_people_with_no_plan_get_a_client_plan(card, owner, manager):
    priya = _on(card, "Priya Shah", owner)
    tom = _on(card, "Tom Reed", owner)

    won = _win(card, manager)

    assert won.stage == Stage.WON and won.unserved == []
    for person in (priya, tom):
        plan = _plan(person)
        assert (plan.kind, plan.is_live, plan.started_by) == (CLIENT, True, manager)
        assert list(plan.items.values_list("method", "interval_days")) == [("call", 90)]
        event = ContactEvent.objects.get(contact=person, action=Action.PLAN_STARTED)
        assert (event.by, event.note) == (manager, "Client (servicing)")


@pytest.mark.parametrize(
    "kind", [TouchPlan.Kind.CULTIVATING, TouchPlan.Kind.ALLIANCE, TouchPlan.Kind.REFERRAL_PARTNER]
)
def test_a_live_plan_of_another_kind_becomes_a_client_plan(card, owner, kind):
    priya = _on(card, "Priya Shah", owner)
    plan = factories.TouchPlanFactory(contact=priya, kind=kind)
    label = plan.get_kind_display()

    _win(card, owner)

    plan.refresh_from_db()
    assert (plan.kind, plan.is_live) == (CLIENT, True)
    event = ContactEvent.objects.get(contact=priya, action=Action.PLAN_CHANGED)
    assert (event.by, event.note) == (
        owner,
        f"{label} became Client (servicing): “Pension review” was won.",
    )


def test_a_client_plan_already_live_is_left_as_it_is(card, owner):
    priya = _on(card, "Priya Shah", owner)
    plan = factories.TouchPlanFactory(contact=priya, kind=CLIENT)

    _win(card, owner)

    plan.refresh_from_db()
    assert (plan.kind, plan.is_live) == (CLIENT, True)
    assert not ContactEvent.objects.filter(contact=priya).exists()


def test_an_ended_plan_starts_again_as_a_client_plan(card, owner):
    priya = _on(card, "Priya Shah", owner)
    plan = factories.TouchPlanFactory(
        contact=priya, ended_at=timezone.now(), end_reason="No longer qualifies."
    )

    _win(card, owner)

    plan.refresh_from_db()
    assert (plan.kind, plan.is_live, plan.end_reason) == (CLIENT, True, "")


def test_someone_who_asked_us_to_stop_is_skipped_with_the_reason_and_the_card_is_won(card, owner):
    stopped = datetime(2026, 5, 1, 12, 0, tzinfo=ZoneInfo("Europe/London"))
    priya = _on(card, "Priya Shah", owner, asked_to_stop_at=stopped)
    tom = _on(card, "Tom Reed", owner)

    won = _win(card, owner)

    assert won.stage == Stage.WON
    assert won.unserved == ["Priya Shah"]
    assert _plan(priya) is None
    assert _plan(tom).kind == CLIENT
    event = ContactEvent.objects.get(contact=priya, action=Action.PLAN_NOT_STARTED)
    assert (event.by, event.note) == (
        owner,
        "No client touch plan (“Pension review” was won.): "
        "Priya Shah asked us to stop: they are not cultivated again.",
    )


def test_a_full_pool_skips_the_person_with_the_reason_and_the_card_is_won(card, owner, settings):
    settings.CONVIVIO = {**settings.CONVIVIO, "CAPACITY_MAX": 1}
    factories.TouchPlanFactory(contact=factories.ContactFactory(owner=owner, name="Ann Lee"))
    priya = _on(card, "Priya Shah", owner)

    won = _win(card, owner)

    assert (won.stage, won.unserved) == (Stage.WON, ["Priya Shah"])
    assert _plan(priya) is None
    assert StageChange.objects.get(opportunity=card).to_stage == Stage.WON
    event = ContactEvent.objects.get(contact=priya, action=Action.PLAN_NOT_STARTED)
    assert event.note == (
        "No client touch plan (“Pension review” was won.): alice already cultivates 1 "
        "people, and 1 is the most one person can keep alive. Hand someone on or end a plan "
        "first."
    )


def test_an_erased_person_is_left_alone(card, owner):
    gone = _on(card, "Gone Person", owner, erased_at=timezone.now())

    won = _win(card, owner)

    assert (won.stage, won.unserved) == (Stage.WON, [])
    assert _plan(gone) is None
    assert not ContactEvent.objects.filter(contact=gone).exists()


def test_the_board_names_who_got_no_client_plan(owner_client, card, owner):
    stopped = datetime(2026, 5, 1, 12, 0, tzinfo=ZoneInfo("Europe/London"))
    _on(card, "Priya Shah", owner, asked_to_stop_at=stopped)
    url = reverse("opportunities:card-move", args=[card.pk])

    response = owner_client.post(url, {"to_stage": "won", "version": card.version}, follow=True)

    page = response.content.decode()
    assert response.status_code == 200
    assert (
        "“Pension review” moved to Won. No client touch plan for Priya Shah: their history "
        "says why." in page
    )


def test_other_moves_name_no_one(owner_client, card, owner):
    _on(card, "Priya Shah", owner)
    url = reverse("opportunities:card-move", args=[card.pk])

    response = owner_client.post(
        url, {"to_stage": "lost", "version": card.version, "note": "Chose another."}, follow=True
    )

    page = response.content.decode()
    assert "“Pension review” moved to Lost." in page
    assert "No client touch plan" not in page
    assert _plan(card.links.get().contact) is None
