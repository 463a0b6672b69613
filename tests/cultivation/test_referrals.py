"""The referral ledger: recording introductions both ways, their outcome, and the totals."""

from datetime import timedelta

import pytest
from django.utils import timezone

from convivio.errors import PermissionRefused, RuleViolation
from cultivation import referral_selectors
from cultivation.models import ContactEvent, Referral
from cultivation.services import contact_merge, referral_outcome, referral_record
from opportunities.models import CardReferral
from tests import factories

pytestmark = pytest.mark.django_db
Action = ContactEvent.Action
Direction = Referral.Direction
Outcome = Referral.Outcome


@pytest.fixture
def partner(owner):
    return factories.ContactFactory(owner=owner, name="Paul Partner")


def _received(person, partner, colleague, **extra):
    extra.setdefault("on", timezone.localdate())
    extra.setdefault("by", colleague)
    return referral_record(
        direction=Direction.RECEIVED,
        person=person,
        partner=partner,
        colleague=colleague,
        need="Succession plan",
        **extra,
    )


def _given(person, partner, colleague, **extra):
    extra.setdefault("on", timezone.localdate())
    extra.setdefault("by", colleague)
    return referral_record(
        direction=Direction.GIVEN, person=person, partner=partner, colleague=colleague, **extra
    )


def test_received_referral_is_recorded_and_sets_referred_by(person, partner, owner):
    referral = _received(person, partner, owner)

    person.refresh_from_db()
    assert (referral.from_person, referral.to_user, referral.by_user) == (partner, owner, None)
    assert (referral.outcome, referral.recorded_by) == ("", owner)
    assert person.referred_by == partner
    event = person.events.get()
    assert event.action == Action.REFERRAL_RECORDED
    assert event.note.startswith("Paul Partner referred Priya Shah to Alice Owner on ")
    assert event.note.endswith(", for Succession plan.")


def test_received_referral_keeps_an_existing_referred_by(person, partner, owner):
    first = factories.ContactFactory(name="First Introducer")
    person.referred_by = first
    person.save()

    _received(person, partner, owner)

    person.refresh_from_db()
    assert person.referred_by == first


def test_given_referral_leaves_referred_by_alone(person, partner, owner):
    referral = _given(person, partner, owner)

    person.refresh_from_db()
    assert (referral.by_user, referral.to_person, referral.from_person) == (owner, partner, None)
    assert person.referred_by is None


@pytest.mark.parametrize(
    ("change", "sentence"),
    [
        ({"on": timezone.localdate() + timedelta(days=1)}, "the date is in the future"),
        ({"direction": "sideways"}, "given or received"),
        ({"partner": None}, "Say who the partner"),
    ],
)
def test_refused_referral_saves_nothing(person, partner, owner, change, sentence):
    arguments = {
        "direction": Direction.RECEIVED,
        "person": person,
        "partner": partner,
        "colleague": owner,
        "on": timezone.localdate(),
        "by": owner,
        **change,
    }
    with pytest.raises(RuleViolation, match=sentence):
        referral_record(**arguments)

    assert not Referral.objects.exists()
    assert not ContactEvent.objects.exists()


def test_person_cannot_be_referred_by_themselves(person, owner):
    with pytest.raises(RuleViolation, match="by themselves"):
        _received(person, person, owner)
    assert not Referral.objects.exists()


def test_anonymous_cannot_record(person, partner, owner):
    with pytest.raises(PermissionRefused, match="Sign in"):
        _received(person, partner, owner, by=None)
    assert not Referral.objects.exists()


def test_outcome_is_recorded_once_with_a_history_row(person, partner, owner):
    referral = _received(person, partner, owner)

    referral_outcome(referral=referral, by=owner, outcome=Outcome.STAY_IN_TOUCH)

    referral.refresh_from_db()
    assert (referral.outcome, referral.outcome_by) == (Outcome.STAY_IN_TOUCH, owner)
    assert referral.outcome_at is not None
    assert person.events.filter(action=Action.REFERRAL_OUTCOME).count() == 1
    with pytest.raises(RuleViolation, match="already recorded: Stay in touch"):
        referral_outcome(referral=referral, by=owner, outcome=Outcome.NO_FUTURE)
    referral.refresh_from_db()
    assert referral.outcome == Outcome.STAY_IN_TOUCH
    assert person.events.filter(action=Action.REFERRAL_OUTCOME).count() == 1


def test_became_a_client_links_the_card_on_the_board_side(person, partner, owner):
    referral = _received(person, partner, owner)
    card = factories.OpportunityFactory(owner=owner, title="Harbour")
    factories.OpportunityContactFactory(opportunity=card, contact=person)

    referral_outcome(referral=referral, by=owner, outcome=Outcome.BECAME_CLIENT, card=card)

    assert CardReferral.objects.get().opportunity == card
    assert referral_selectors.ledger(Referral.objects.all())[0].card == card


def test_no_future_with_a_card_is_refused_and_nothing_changes(person, partner, owner):
    referral = _received(person, partner, owner)
    card = factories.OpportunityFactory(owner=owner)

    with pytest.raises(RuleViolation, match="leads to a card"):
        referral_outcome(referral=referral, by=owner, outcome=Outcome.NO_FUTURE, card=card)

    referral.refresh_from_db()
    assert referral.outcome == ""
    assert not CardReferral.objects.exists()


def test_unknown_outcome_is_refused(person, partner, owner):
    referral = _received(person, partner, owner)
    with pytest.raises(RuleViolation, match="Choose what became"):
        referral_outcome(referral=referral, by=owner, outcome="maybe")


def test_outcome_by_someone_else_is_refused_and_a_manager_may(person, partner, owner, manager):
    stranger = factories.UserFactory(username="sam")
    referral = _received(person, partner, owner)

    with pytest.raises(PermissionRefused, match="Only Alice Owner, who the referral is with"):
        referral_outcome(referral=referral, by=stranger, outcome=Outcome.NEXT_STEP)
    referral_outcome(referral=referral, by=manager, outcome=Outcome.NEXT_STEP)

    referral.refresh_from_db()
    assert referral.outcome_by == manager


def test_totals_per_partner_and_per_colleague(person, partner, owner, teammate):
    other = factories.ContactFactory(name="Olga Other")
    _received(person, partner, owner)
    _received(other, partner, teammate)
    _given(other, partner, owner)
    _given(person, other, teammate)

    by_partner = referral_selectors.balances_by_partner(Referral.objects.all())
    by_colleague = referral_selectors.balances_by_colleague(Referral.objects.all())

    assert [(b.who, b.given, b.received) for b in by_partner] == [(partner, 1, 2), (other, 1, 0)]
    assert by_partner[0].difference == -1
    assert sorted((b.who.username, b.given, b.received) for b in by_colleague) == [
        ("alice", 1, 1),
        ("bob", 1, 1),
    ]


def test_between_keeps_both_ends(person, partner, owner):
    today = timezone.localdate()
    for days in (0, 5, 10):
        _received(person, partner, owner, on=today - timedelta(days=days))

    days = Referral.objects.between(today - timedelta(days=5), today - timedelta(days=0))
    assert days.count() == 2
    assert Referral.objects.between(None, today - timedelta(days=10)).count() == 1


def test_merging_a_duplicate_moves_its_referrals_to_the_survivor(person, partner, owner):
    duplicate = factories.ContactFactory(owner=owner, name="Priya Shah")
    referral = _received(duplicate, partner, owner)

    contact_merge(survivor=person, duplicate=duplicate, by=owner)

    referral.refresh_from_db()
    assert referral.person == person
