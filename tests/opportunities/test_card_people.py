"""The people on a card follow its moves: follow-ups in Connecting, touch plans in Cultivating."""

import pytest

from cultivation.models import FollowUp, TouchPlan
from opportunities.models import Stage
from opportunities.services import opportunity_add_contact, opportunity_move
from tests import factories


def _live_follow_up(contact):
    return FollowUp.objects.filter(contact=contact, status__in=FollowUp.LIVE).first()


@pytest.fixture
def card(owner):
    return factories.OpportunityFactory(owner=owner, stage=Stage.RESEARCH)


@pytest.mark.django_db
def test_a_new_primary_contact_replaces_the_old_one(owner, card):
    first = factories.OpportunityContactFactory(opportunity=card).contact
    newcomer = factories.ContactFactory(owner=owner)

    opportunity_add_contact(opportunity=card, contact=newcomer, by=owner, is_primary=True)

    assert card.links.get(is_primary=True).contact == newcomer
    assert card.links.get(contact=first).is_primary is False


@pytest.mark.django_db
def test_the_first_person_on_a_card_is_its_primary(owner, card):
    person = factories.ContactFactory(owner=owner)

    opportunity_add_contact(opportunity=card, contact=person, by=owner)

    assert card.links.get().is_primary


@pytest.mark.django_db
def test_adding_the_same_person_twice_is_refused(owner, card):
    person = factories.OpportunityContactFactory(opportunity=card).contact

    with pytest.raises(Exception, match="already on this card"):
        opportunity_add_contact(opportunity=card, contact=person, by=owner)
    assert card.links.count() == 1


@pytest.mark.django_db
def test_everyone_on_a_card_entering_connecting_gets_a_follow_up_and_leaving_closes_them(
    owner, card
):
    primary = factories.OpportunityContactFactory(opportunity=card, contact__owner=owner).contact
    other = factories.OpportunityContactFactory(
        opportunity=card, contact__owner=owner, is_primary=False
    ).contact

    card = opportunity_move(opportunity=card, to_stage=Stage.CONNECTING, by=owner, version=1)
    assert _live_follow_up(primary) and _live_follow_up(other)

    opportunity_move(
        opportunity=card, to_stage=Stage.LOST, by=owner, version=card.version, note="No budget"
    )
    assert _live_follow_up(primary) is None and _live_follow_up(other) is None


@pytest.mark.django_db
def test_a_follow_up_stays_open_while_another_of_their_cards_is_in_connecting(owner, card):
    person = factories.ContactFactory(owner=owner)
    factories.OpportunityContactFactory(opportunity=card, contact=person)
    elsewhere = factories.OpportunityFactory(owner=owner, stage=Stage.CONNECTING)
    factories.OpportunityContactFactory(opportunity=elsewhere, contact=person)
    card = opportunity_move(opportunity=card, to_stage=Stage.CONNECTING, by=owner, version=1)

    opportunity_move(opportunity=card, to_stage=Stage.RESEARCH, by=owner, version=card.version)

    assert _live_follow_up(person) is not None


@pytest.mark.django_db
def test_a_person_added_to_a_cultivating_card_gets_a_touch_plan(owner):
    card = factories.OpportunityFactory(owner=owner, stage=Stage.CULTIVATING)
    person = factories.ContactFactory(owner=owner)

    opportunity_add_contact(opportunity=card, contact=person, by=owner)

    assert TouchPlan.objects.get(contact=person).is_live


@pytest.mark.django_db
def test_someone_who_asked_us_to_stop_does_not_block_the_card(owner, card):
    stopped = factories.ContactFactory(owner=owner, asked_to_stop_at="2026-01-01T00:00Z")
    factories.OpportunityContactFactory(opportunity=card, contact=stopped)
    card = opportunity_move(opportunity=card, to_stage=Stage.CONNECTING, by=owner, version=1)

    opportunity_move(opportunity=card, to_stage=Stage.CULTIVATING, by=owner, version=card.version)

    assert _live_follow_up(stopped) is None
    assert not TouchPlan.objects.filter(contact=stopped).exists()
