"""Merging two records of one person, and the referral ledger between them."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from cultivation.models import ContactEvent, Referral
from cultivation.services import contact_merge, referral_record
from cultivation.services.merge import merge_preview
from opportunities.models import CardReferral
from tests import factories

pytestmark = pytest.mark.django_db
SENTENCE = "1 referral between the two records goes: a person is not referred by or to themselves."


@pytest.fixture
def partner(owner):
    return factories.ContactFactory(owner=owner, name="Paul Partner")


@pytest.fixture
def duplicate(owner):
    """Paul again, entered twice by mistake."""
    return factories.ContactFactory(owner=owner, name="Paul Partner (2)")


def _received(person, partner, owner):
    return referral_record(
        direction="received",
        person=person,
        partner=partner,
        colleague=owner,
        on=timezone.localdate(),
        by=owner,
    )


def _given(person, partner, owner):
    return referral_record(
        direction="given",
        person=person,
        partner=partner,
        colleague=owner,
        on=timezone.localdate(),
        by=owner,
    )


@pytest.mark.parametrize("survivor_is", ["partner", "duplicate"])
def test_a_referral_between_the_two_records_goes_with_a_sentence(
    partner, duplicate, owner, survivor_is
):
    between = _received(duplicate, partner, owner)  # Paul "referred" Paul (2)
    card = factories.OpportunityFactory(owner=owner)
    CardReferral.objects.create(opportunity=card, referral=between)
    survivor, other = (partner, duplicate) if survivor_is == "partner" else (duplicate, partner)

    preview = merge_preview(survivor=survivor, duplicate=other)
    merged = contact_merge(survivor=survivor, duplicate=other, by=owner)

    assert SENTENCE in preview.decisions
    assert SENTENCE in merged.decisions
    assert not Referral.objects.filter(pk=between.pk).exists()
    assert not CardReferral.objects.exists()
    event = ContactEvent.objects.get(contact=survivor, action=ContactEvent.Action.MERGED)
    assert SENTENCE in event.note
    survivor.refresh_from_db()
    assert survivor.referred_by_id != survivor.pk


def test_a_referral_given_to_the_duplicate_about_the_survivor_goes(partner, duplicate, owner):
    _given(partner, duplicate, owner)

    merged = contact_merge(survivor=partner, duplicate=duplicate, by=owner)

    assert SENTENCE in merged.decisions
    assert not Referral.objects.exists()


def test_referrals_with_third_people_move_to_the_survivor_and_none_is_lost(
    partner, duplicate, owner, person
):
    about = _received(duplicate, person, owner)
    made = _received(person, duplicate, owner)
    given = _given(person, duplicate, owner)

    merged = contact_merge(survivor=partner, duplicate=duplicate, by=owner)

    about, made, given = (Referral.objects.get(pk=r.pk) for r in (about, made, given))
    assert (about.person, made.from_person, given.to_person) == (partner, partner, partner)
    assert not [s for s in merged.decisions if "referral" in s]


def test_merging_twice_leaves_the_ledger_as_the_first_merge_did(partner, duplicate, owner):
    _received(duplicate, partner, owner)
    contact_merge(survivor=partner, duplicate=duplicate, by=owner)
    count = Referral.objects.count()

    with pytest.raises(Exception, match="already"):
        contact_merge(survivor=partner, duplicate=duplicate, by=owner)

    assert Referral.objects.count() == count == 0


@pytest.mark.parametrize("side", ["from_person", "to_person"])
def test_the_database_refuses_a_person_referred_by_or_to_themselves(partner, owner, side):
    direction = "received" if side == "from_person" else "given"
    users = {"to_user": owner} if side == "from_person" else {"by_user": owner}

    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.create(
            direction=direction, person=partner, **{side: partner}, **users, recorded_by=owner
        )

    assert not Referral.objects.exists()


def test_a_person_referred_by_their_duplicate_is_referred_by_nobody_after_the_merge(
    partner, duplicate, owner
):
    duplicate.referred_by = partner
    duplicate.save(update_fields=["referred_by"])

    contact_merge(survivor=partner, duplicate=duplicate, by=owner)

    partner.refresh_from_db()
    assert partner.referred_by is None
