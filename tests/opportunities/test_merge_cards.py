"""Merging two records of one person: their places on cards, ideas and card promises follow."""

import pytest
from django.utils import timezone

from convivio.errors import PermissionRefused
from cultivation import seams
from cultivation.services import contact_merge, promise_make
from cultivation.services.merge import merge_preview
from opportunities.models import CardChange, CardPromise, ConnectionIdea, OpportunityContact
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def survivor(owner):
    return factories.ContactFactory(name="Sam O'Neill", owner=owner)


@pytest.fixture
def duplicate(owner):
    return factories.ContactFactory(name="Sam ONeill", owner=owner)


@pytest.fixture
def card(owner):
    return factories.OpportunityFactory(owner=owner, title="Harbour Logistics")


def test_the_duplicates_place_on_a_card_moves_and_the_card_says_so(
    owner, survivor, duplicate, card
):
    factories.OpportunityContactFactory(
        opportunity=card, contact=duplicate, role="Finance director", is_primary=True
    )

    contact_merge(survivor=survivor, duplicate=duplicate, by=owner)

    link = OpportunityContact.objects.get(opportunity=card)
    assert (link.contact, link.role, link.is_primary) == (survivor, "Finance director", True)
    change = CardChange.objects.get(opportunity=card)
    assert (change.field, change.old, change.new, change.by) == (
        "contacts",
        "Sam ONeill",
        "Sam O'Neill",
        owner,
    )


def test_a_card_both_were_on_keeps_one_place_with_the_survivors_role(
    owner, survivor, duplicate, card
):
    factories.OpportunityContactFactory(
        opportunity=card, contact=survivor, role="CFO", is_primary=False
    )
    factories.OpportunityContactFactory(
        opportunity=card, contact=duplicate, role="Finance", is_primary=True
    )

    merged = contact_merge(survivor=survivor, duplicate=duplicate, by=owner)

    link = OpportunityContact.objects.get(opportunity=card)
    assert (link.contact, link.role, link.is_primary) == (survivor, "CFO", True)
    assert merged.decisions == ["Both were on “Harbour Logistics”: one place stays, as CFO."]


def test_a_card_both_were_on_takes_the_duplicates_role_when_the_survivor_has_none(
    owner, survivor, duplicate, card
):
    factories.OpportunityContactFactory(
        opportunity=card, contact=survivor, role="", is_primary=True
    )
    factories.OpportunityContactFactory(
        opportunity=card, contact=duplicate, role="Finance", is_primary=False
    )

    preview = merge_preview(survivor=survivor, duplicate=duplicate)
    contact_merge(survivor=survivor, duplicate=duplicate, by=owner)

    assert preview.decisions == ["Both were on “Harbour Logistics”: one place stays, as Finance."]
    link = OpportunityContact.objects.get(opportunity=card)
    assert (link.contact, link.role, link.is_primary) == (survivor, "Finance", True)


def test_ideas_to_connect_through_the_duplicate_go_through_the_survivor(
    owner, survivor, duplicate, card
):
    idea = ConnectionIdea.objects.create(opportunity=card, description="Ask Sam", via=duplicate)

    contact_merge(survivor=survivor, duplicate=duplicate, by=owner)

    idea.refresh_from_db()
    assert idea.via == survivor


def test_a_promise_made_about_a_card_stays_about_it_and_moves_to_the_survivor(
    owner, survivor, duplicate, card
):
    promise = promise_make(
        contact=duplicate,
        owner=owner,
        what="Send the checklist",
        due_on=timezone.localdate(),
        by=owner,
        about=card,
    )

    contact_merge(survivor=survivor, duplicate=duplicate, by=owner)

    promise.refresh_from_db()
    assert promise.contact == survivor
    assert CardPromise.objects.get(promise=promise).opportunity == card


def test_a_refused_merge_leaves_the_cards_as_they_were(teammate, survivor, duplicate, card):
    factories.OpportunityContactFactory(opportunity=card, contact=duplicate)

    with pytest.raises(PermissionRefused):
        contact_merge(survivor=survivor, duplicate=duplicate, by=teammate)

    assert OpportunityContact.objects.get(opportunity=card).contact == duplicate
    assert not CardChange.objects.exists()


def test_without_its_rule_a_clashing_place_stays_with_the_merged_record_and_is_reported(
    monkeypatch, owner, survivor, duplicate, card
):
    monkeypatch.setattr(seams, "_merge_rules", {})
    factories.OpportunityContactFactory(opportunity=card, contact=survivor)
    factories.OpportunityContactFactory(opportunity=card, contact=duplicate, is_primary=False)
    other = factories.OpportunityFactory(owner=owner)
    factories.OpportunityContactFactory(opportunity=other, contact=duplicate)

    merged = contact_merge(survivor=survivor, duplicate=duplicate, by=owner)

    assert OpportunityContact.objects.get(opportunity=other).contact == survivor
    assert OpportunityContact.objects.filter(opportunity=card, contact=duplicate).count() == 1
    assert any("could not move and stay with the merged record" in s for s in merged.decisions)
