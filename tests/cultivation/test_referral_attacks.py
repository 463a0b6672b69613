"""The referral pages and admin under hostile or careless input: 4xx, nothing changed."""

import pytest
from django.urls import reverse
from django.utils import timezone

from convivio.errors import RuleViolation
from cultivation.models import ContactEvent, Referral
from cultivation.services import contact_erase, contact_merge, referral_record
from opportunities.models import CardReferral
from tests import factories

pytestmark = pytest.mark.django_db
ADMIN_LIST = reverse("admin:cultivation_referral_changelist")


@pytest.fixture
def partner(owner):
    return factories.ContactFactory(owner=owner, name="Paul Partner")


@pytest.fixture
def referral(person, partner, owner):
    return referral_record(
        direction="received",
        person=person,
        partner=partner,
        colleague=owner,
        on=timezone.localdate(),
        by=owner,
    )


def _card_with(person, owner, title="Harbour"):
    card = factories.OpportunityFactory(owner=owner, title=title)
    factories.OpportunityContactFactory(opportunity=card, contact=person)
    return card


def _url(referral):
    return reverse("cultivation:referral-outcome", args=[referral.pk])


def _unchanged(referral):
    referral.refresh_from_db()
    assert referral.outcome == ""
    assert not CardReferral.objects.exists()
    assert not ContactEvent.objects.filter(action=ContactEvent.Action.REFERRAL_OUTCOME).exists()


def test_a_double_post_records_the_outcome_once(owner_client, referral):
    first = owner_client.post(_url(referral), {"outcome": "next_step"})
    second = owner_client.post(_url(referral), {"outcome": "no_future"})

    assert first.status_code == 302
    assert second.status_code == 400
    assert "already recorded: Next step" in second.content.decode()
    referral.refresh_from_db()
    assert referral.outcome == "next_step"
    events = ContactEvent.objects.filter(action=ContactEvent.Action.REFERRAL_OUTCOME)
    assert events.count() == 1


@pytest.mark.parametrize(
    "path",
    [
        "/referrals/99999999999999999999999/outcome/",
        "/referrals/-1/outcome/",
        "/referrals/abc/outcome/",
        "/referrals/1%00/outcome/",
    ],
)
def test_impossible_referral_ids_are_404(owner_client, referral, path):
    assert owner_client.post(path, {"outcome": "no_future"}).status_code == 404
    _unchanged(referral)


@pytest.mark.parametrize(
    "data",
    [
        {"outcome": "no_future\x00"},
        {"outcome": "next_step", "card": "1\x00"},
        {"outcome": "next_step", "card": "99999999999999999999999"},
        {"outcome": "next_step", "card": "-3"},
    ],
)
def test_nul_bytes_and_impossible_card_numbers_are_400(owner_client, referral, data):
    assert owner_client.post(_url(referral), data).status_code == 400
    _unchanged(referral)


def test_a_card_the_person_is_not_on_is_refused(owner_client, owner, referral):
    stranger_card = factories.OpportunityFactory(owner=owner, title="Solent Marine")

    response = owner_client.post(_url(referral), {"outcome": "next_step", "card": stranger_card.pk})

    assert response.status_code == 400
    assert "Priya Shah is not on “Solent Marine”" in response.content.decode()
    _unchanged(referral)


def test_a_colleagues_card_the_person_is_on_may_be_named(owner_client, teammate, referral):
    card = _card_with(referral.person, teammate, "Handed to Bob")

    response = owner_client.post(_url(referral), {"outcome": "next_step", "card": card.pk})

    assert response.status_code == 302
    assert CardReferral.objects.get(referral=referral).opportunity == card


def test_a_referral_about_or_from_an_erased_or_merged_person_is_refused(
    person, partner, owner, manager
):
    erased = factories.ContactFactory(owner=owner)
    contact_erase(contact=erased, by=manager, reason="Asked to be forgotten.")
    merged = factories.ContactFactory(owner=owner)
    contact_merge(survivor=partner, duplicate=merged, by=owner)

    for who, other in ((erased, partner), (person, erased), (merged, partner), (person, merged)):
        with pytest.raises(RuleViolation, match="erased|merged into"):
            referral_record(
                direction="received",
                person=who,
                partner=other,
                colleague=owner,
                on=timezone.localdate(),
                by=owner,
            )

    assert not Referral.objects.exists()


def _action(client, referrals, **extra):
    data = {
        "action": "follow_up",
        "_selected_action": [r.pk for r in referrals],
        "outcome": "became_client",
        **extra,
    }
    return client.post(ADMIN_LIST, data, follow=True).content.decode()


def test_admin_action_links_the_card_named_beside_it(manager_client, owner, referral):
    card = _card_with(referral.person, owner)

    page = _action(manager_client, [referral], card=str(card.pk))

    assert "1 referral(s) followed up." in page
    referral.refresh_from_db()
    assert referral.outcome == "became_client"
    assert CardReferral.objects.get(referral=referral).opportunity == card


def test_admin_action_names_a_card_for_one_referral_at_a_time(
    manager_client, owner, referral, partner
):
    other = referral_record(
        direction="received",
        person=factories.ContactFactory(owner=owner),
        partner=partner,
        colleague=owner,
        on=timezone.localdate(),
        by=owner,
    )
    card = _card_with(referral.person, owner)

    page = _action(manager_client, [referral, other], card=str(card.pk))

    assert "A card is named for one referral at a time" in page
    _unchanged(referral)
    other.refresh_from_db()
    assert other.outcome == ""


@pytest.mark.parametrize(
    ("card", "sentence"),
    [
        ("abc", "Enter the card&#x27;s number"),
        ("1\x00", "Enter the card&#x27;s number"),
        ("99999999", "There is no card with that number."),
        ("ELSEWHERE", "Priya Shah is not on"),
    ],
)
def test_admin_action_with_a_bad_card_changes_nothing(
    manager_client, owner, referral, card, sentence
):
    if card == "ELSEWHERE":
        card = str(factories.OpportunityFactory(owner=owner).pk)

    page = _action(manager_client, [referral], card=card)

    assert sentence in page
    _unchanged(referral)
