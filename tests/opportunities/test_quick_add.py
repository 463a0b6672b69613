"""Quick add from the board: Research by default, Connecting or Cultivating only if inbound."""

import pytest
from django.urls import reverse

from cultivation.models import Organisation
from opportunities.models import Opportunity, Source, Stage

ADD = reverse("opportunities:card-add")


@pytest.mark.django_db
def test_a_new_card_lands_at_the_top_of_research_with_its_history(owner_client, owner):
    Organisation.objects.create(name="Hartley & Sons")

    response = owner_client.post(
        ADD + "?owner=mine",
        {
            "title": "Pension review",
            "organisation": "hartley & sons",
            "priority": "hot",
            "stage": "research",
            "source": "research",
        },
    )

    assert response.status_code == 302 and response["Location"] == "/?owner=mine"
    card = Opportunity.objects.get(title="Pension review")
    assert (card.stage, card.owner, card.priority) == (Stage.RESEARCH, owner, "hot")
    assert card.organisation.name == "Hartley & Sons"  # found, not duplicated
    assert Organisation.objects.count() == 1
    assert card.stage_changes.get().to_stage == Stage.RESEARCH


@pytest.mark.django_db
def test_an_inbound_card_may_start_in_connecting(owner_client):
    owner_client.post(
        ADD,
        {"title": "They called us", "priority": "hot", "stage": "connecting", "source": "inbound"},
    )

    card = Opportunity.objects.get(title="They called us")
    assert (card.stage, card.source) == (Stage.CONNECTING, Source.INBOUND)


@pytest.mark.django_db
def test_a_researched_card_may_not_skip_research_and_nothing_is_created(owner_client):
    response = owner_client.post(
        ADD,
        {
            "title": "Shortcut",
            "organisation": "Brand New Ltd",
            "priority": "low",
            "stage": "cultivating",
            "source": "research",
        },
    )

    assert response.status_code == 400
    assert "Only inbound opportunities (they contacted us) may start in Cultivating" in (
        response.content.decode()
    )
    assert not Opportunity.objects.exists()
    assert not Organisation.objects.exists()


@pytest.mark.django_db
def test_a_card_without_a_title_is_refused_with_a_message(owner_client):
    response = owner_client.post(
        ADD, {"title": "", "priority": "low", "stage": "research", "source": "research"}
    )

    assert response.status_code == 400
    assert "The card was not added" in response.content.decode()
    assert not Opportunity.objects.exists()
