"""The board's move endpoint: documented fields only, refusals that change nothing."""

import pytest
from django.test import Client
from django.urls import reverse

from opportunities.models import Opportunity, Stage, StageChange
from tests import factories

FRAGMENT = {"HX-Request": "true", "HX-Target": "board"}


def _url(card, query=""):
    return reverse("opportunities:card-move", args=[card.pk]) + query


def _snapshot(card):
    card = Opportunity.objects.get(pk=card.pk)
    return (card.stage, card.position, card.version, card.lost_reason, card.stage_changes.count())


@pytest.fixture
def card(owner):
    return factories.OpportunityFactory(owner=owner, stage=Stage.RESEARCH, title="Pension review")


@pytest.mark.django_db
def test_a_legal_move_writes_the_card_and_its_history_and_returns_the_card_and_counts(
    owner_client, owner, card
):
    response = owner_client.post(
        _url(card), {"to_stage": "connecting", "version": card.version}, headers=FRAGMENT
    )

    assert response.status_code == 200
    card.refresh_from_db()
    assert card.stage == Stage.CONNECTING and card.version == 2
    change = card.stage_changes.first()
    assert (change.from_stage, change.to_stage, change.by) == ("research", "connecting", owner)
    page = response.content.decode()
    assert "“Pension review” moved to Connecting." in page
    # The card leaves its old place and lands at the top of Connecting; the two
    # column heads come back with their counts: the answer's size is fixed.
    assert f'<div id="card-{card.pk}" hx-swap-oob="delete">' in page
    assert 'hx-swap-oob="afterbegin:#cards-connecting"' in page
    heads = {column.stage: column.count for column in response.context["columns"]}
    assert heads == {"research": 0, "connecting": 1}
    assert 'id="head-research" hx-swap-oob="true"' in page
    assert '<div id="board"' not in page and 'id="head-won"' not in page


@pytest.mark.django_db
def test_a_move_without_javascript_redirects_to_the_same_filtered_board(owner_client, card):
    response = owner_client.post(
        _url(card, "?owner=mine&q=pension"), {"to_stage": "connecting", "version": card.version}
    )

    assert response.status_code == 302
    assert response["Location"] == "/?owner=mine&q=pension"
    followed = owner_client.get(response["Location"])
    assert "“Pension review” moved to Connecting." in followed.content.decode()


@pytest.mark.django_db
def test_a_move_from_the_card_page_returns_to_the_card_page(owner_client, card):
    response = owner_client.post(
        _url(card, f"?next=/cards/{card.pk}/"), {"to_stage": "connecting", "version": 1}
    )

    assert response["Location"] == f"/cards/{card.pk}/"


@pytest.mark.django_db
def test_a_move_against_the_rules_is_refused_with_the_reason_and_changes_nothing(
    owner_client, card
):
    before = _snapshot(card)

    response = owner_client.post(
        _url(card), {"to_stage": "won", "version": card.version}, headers=FRAGMENT
    )

    assert response.status_code == 422
    assert "A card can be won only from Connecting or Cultivating" in response.content.decode()
    # The whole board comes back, in place of the one on the page.
    assert (response["HX-Retarget"], response["HX-Reswap"]) == ("#board", "outerHTML")
    assert _snapshot(card) == before
    # The card comes back where the server says it is.
    research = next(c for c in response.context["columns"] if c.stage == Stage.RESEARCH)
    assert card.pk in [c.pk for c in research.cards]


@pytest.mark.django_db
def test_lost_without_a_reason_is_refused_and_with_one_is_recorded(owner_client, card):
    refused = owner_client.post(
        _url(card), {"to_stage": "lost", "version": 1, "note": "  "}, headers=FRAGMENT
    )
    assert refused.status_code == 422
    assert "a reason is required" in refused.content.decode()
    assert _snapshot(card)[0] == Stage.RESEARCH

    owner_client.post(
        _url(card),
        {"to_stage": "lost", "version": 1, "note": "Chose another firm"},
        headers=FRAGMENT,
    )
    card.refresh_from_db()
    assert (card.stage, card.lost_reason) == (Stage.LOST, "Chose another firm")
    assert card.stage_changes.first().note == "Chose another firm"


@pytest.mark.django_db
def test_a_stale_version_is_a_conflict_that_says_where_the_card_is_now(
    owner_client, teammate_client, teammate, card
):
    card.colleagues.add(teammate)
    teammate_client.post(_url(card), {"to_stage": "connecting", "version": 1})
    before = _snapshot(card)

    response = owner_client.post(
        _url(card), {"to_stage": "lost", "version": 1, "note": "Gone quiet"}, headers=FRAGMENT
    )

    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else changed “Pension review”" in page and "now in Connecting" in page
    assert _snapshot(card) == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "extra",
    [{"stage": "won"}, {"owner": "1"}, {"position": "0"}, {"version_override": "9"}],
)
def test_fields_other_than_the_documented_ones_are_refused_with_a_400(owner_client, card, extra):
    before = _snapshot(card)

    response = owner_client.post(_url(card), {"to_stage": "connecting", "version": 1, **extra})

    assert response.status_code == 400
    text = response.content.decode()
    assert f"Unknown field(s): {next(iter(extra))}" in text
    assert "to_stage, version, after and note" in text
    assert _snapshot(card) == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [{"to_stage": "connecting"}, {"to_stage": "limbo", "version": 1}, {"version": "x"}],
)
def test_an_unreadable_move_is_a_400_that_changes_nothing(owner_client, card, data):
    before = _snapshot(card)

    response = owner_client.post(_url(card), data)

    assert response.status_code == 400
    assert "The move could not be read" in response.content.decode()
    assert _snapshot(card) == before


@pytest.mark.django_db
def test_moves_need_post_and_a_csrf_token(owner, card):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)

    assert client.get(_url(card)).status_code == 405
    assert client.post(_url(card), {"to_stage": "connecting", "version": 1}).status_code == 403
    assert _snapshot(card)[0] == Stage.RESEARCH


@pytest.mark.django_db
def test_anonymous_moves_are_sent_to_sign_in(client, card):
    response = client.post(_url(card), {"to_stage": "connecting", "version": 1})

    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert StageChange.objects.filter(opportunity=card).count() == 1


@pytest.mark.django_db
def test_a_colleague_on_the_card_can_move_it(teammate_client, teammate, card):
    card.colleagues.add(teammate)
    response = teammate_client.post(_url(card), {"to_stage": "connecting", "version": 1})

    assert response.status_code == 302
    assert Opportunity.objects.get(pk=card.pk).stage == Stage.CONNECTING


@pytest.mark.django_db
def test_dropping_a_card_after_another_in_its_own_column_reorders_it(owner_client, owner):
    a, b, c = factories.OpportunityFactory.create_batch(3, owner=owner, stage=Stage.RESEARCH)

    response = owner_client.post(
        _url(a), {"to_stage": "research", "version": a.version, "after": c.pk}, headers=FRAGMENT
    )

    assert response.status_code == 200
    column = list(Opportunity.objects.filter(stage=Stage.RESEARCH).order_by("position"))
    assert column == [b, c, a]
    assert StageChange.objects.filter(opportunity=a).count() == 1  # a reorder is not a move


@pytest.mark.django_db
def test_dropping_into_another_column_lands_after_the_named_card(owner_client, owner):
    x, y = factories.OpportunityFactory.create_batch(2, owner=owner, stage=Stage.CONNECTING)
    card = factories.OpportunityFactory(owner=owner, stage=Stage.RESEARCH)

    response = owner_client.post(
        _url(card), {"to_stage": "connecting", "version": 1, "after": x.pk}, headers=FRAGMENT
    )

    column = list(Opportunity.objects.filter(stage=Stage.CONNECTING).order_by("position"))
    assert column == [x, card, y]
    assert f'hx-swap-oob="afterend:#card-{x.pk}"' in response.content.decode()
