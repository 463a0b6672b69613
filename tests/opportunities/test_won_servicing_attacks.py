"""Winning a card twice, by someone else, or with bad input: one client plan, nothing wrong."""

import pytest
from django.urls import reverse

from cultivation.models import ContactEvent, Touch, TouchPlan
from cultivation.services import touch_plan_start
from opportunities.models import Stage, StageChange
from tests import factories

pytestmark = pytest.mark.django_db
Action = ContactEvent.Action


@pytest.fixture
def card(owner):
    return factories.OpportunityFactory(
        owner=owner, title="Pension review", stage=Stage.CULTIVATING, history=False
    )


@pytest.fixture
def priya(card, owner):
    person = factories.ContactFactory(owner=owner, name="Priya Shah")
    factories.OpportunityContactFactory(opportunity=card, contact=person, is_primary=True)
    return person


def _move(client, card, **data):
    url = reverse("opportunities:card-move", args=[card.pk])
    return client.post(url, {"to_stage": "won", "version": card.version, **data})


def test_a_double_post_wins_once_and_starts_one_client_plan(owner_client, card, priya):
    first = _move(owner_client, card)
    second = _move(owner_client, card)

    assert first.status_code == 302
    assert 400 <= second.status_code < 500
    assert StageChange.objects.filter(opportunity=card, to_stage=Stage.WON).count() == 1
    assert TouchPlan.objects.filter(contact=priya, kind=TouchPlan.Kind.CLIENT).count() == 1
    assert ContactEvent.objects.filter(contact=priya, action=Action.PLAN_STARTED).count() == 1


@pytest.mark.parametrize(
    "data",
    [
        {"version": "1\x00"},
        {"version": "99999999999999999999999"},
        {"to_stage": "won\x00"},
    ],
)
def test_bad_input_is_4xx_and_starts_no_plan(owner_client, card, priya, data):
    response = _move(owner_client, card, **data)

    assert 400 <= response.status_code < 500
    card.refresh_from_db()
    assert card.stage == Stage.CULTIVATING
    assert not TouchPlan.objects.filter(contact=priya).exists()


def test_a_card_someone_else_owns_is_refused_and_starts_no_plan(client, card, priya):
    client.force_login(factories.UserFactory(username="sam"))

    response = _move(client, card)

    assert response.status_code == 403
    assert not TouchPlan.objects.filter(contact=priya).exists()


def test_someone_who_no_longer_qualified_and_then_won_is_cultivated_as_a_client(
    owner_client, owner, card, priya
):
    touch_plan_start(contact=priya, by=owner)
    owner_client.post(
        reverse("cultivation:touch-quick"),
        {
            "contact": priya.pk,
            "method": "call",
            "outcome": "no_need",
            "still_qualifies": "no",
        },
    )
    assert Touch.objects.filter(contact=priya, still_qualifies=False).exists()

    _move(owner_client, card)

    plan = TouchPlan.objects.get(contact=priya)
    assert (plan.kind, plan.is_live) == (TouchPlan.Kind.CLIENT, True)
