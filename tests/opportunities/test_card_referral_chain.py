"""A card whose person came from a referral shows the chain, read-only."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cultivation.services import referral_outcome, referral_record
from tests import factories

pytestmark = pytest.mark.django_db


def _received(person, partner, colleague, need=""):
    return referral_record(
        direction="received",
        person=person,
        partner=partner,
        colleague=colleague,
        on=timezone.localdate(),
        need=need,
        by=colleague,
    )


def _card_with(owner, person):
    card = factories.OpportunityFactory(owner=owner, title="Harbour")
    factories.OpportunityContactFactory(opportunity=card, contact=person)
    return card


def test_card_shows_who_referred_its_person_and_the_outcome(owner_client, owner):
    priya = factories.ContactFactory(name="Priya Shah", owner=owner)
    card = _card_with(owner, priya)
    referral = _received(priya, factories.ContactFactory(name="Paul Partner"), owner, "A will")
    referral_outcome(referral=referral, by=owner, outcome="next_step", card=card)

    page = owner_client.get(card.get_absolute_url()).content.decode()

    assert "Where it came from" in page
    assert "Paul Partner</a> referred <a" in page
    assert "to Alice Owner on" in page and ", for A will: next step" in page
    assert page.count("Paul Partner</a> referred") == 1  # linked and about its person: once


def test_card_without_referrals_shows_no_chain(owner_client, owner):
    card = _card_with(owner, factories.ContactFactory(name="Priya Shah"))
    assert "Where it came from" not in owner_client.get(card.get_absolute_url()).content.decode()


def test_the_chain_costs_the_same_queries_for_one_referral_or_six(owner_client, owner):
    priya = factories.ContactFactory(name="Priya Shah", owner=owner)
    card = _card_with(owner, priya)
    _received(priya, factories.ContactFactory(name="Partner 0"), owner)
    with CaptureQueriesContext(connection) as one:
        owner_client.get(card.get_absolute_url())
    for number in range(1, 6):
        _received(priya, factories.ContactFactory(name=f"Partner {number}"), owner)
    with CaptureQueriesContext(connection) as six:
        page = owner_client.get(card.get_absolute_url()).content.decode()

    assert len(one) == len(six)
    assert page.count("</a> referred <a") == 6
