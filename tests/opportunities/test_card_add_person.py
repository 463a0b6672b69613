"""Adding people to a card from its page: someone we have (a search picker), or someone
new created inline with their role on the card (`contact_create`, then
`opportunity_add_contact`), or the person we have with that email instead."""

import pytest
from django.urls import reverse

from cultivation.models import Contact, ContactEvent, FollowUp
from opportunities.models import CardChange, Stage
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def card(owner):
    return factories.OpportunityFactory(
        owner=owner, title="Harbour Logistics", organisation__name="Harbour Ltd"
    )


def _new(client, card, **fields):
    data = {"new-organisation": card.organisation_id, **fields}
    data = {key if key.startswith("new-") else f"new-{key}": value for key, value in data.items()}
    return client.post(reverse("opportunities:card-person-new", args=[card.pk]), data)


def _have(client, card, **fields):
    return client.post(reverse("opportunities:card-contact-add", args=[card.pk]), fields)


def _messages(response):
    return [str(message) for message in response.wsgi_request._messages]


# Someone new -------------------------------------------------------------------------


def test_someone_new_is_added_at_the_cards_organisation_and_put_on_the_card(
    owner_client, owner, card
):
    response = _new(
        owner_client,
        card,
        name="Sam Harbour",
        email="sam@harbour.example",
        role="Operations director",
        card_role="Decides on logistics",
    )

    assert response.status_code == 302 and response.url == card.get_absolute_url()
    sam = Contact.objects.get(name="Sam Harbour")
    assert (sam.email, sam.role, sam.organisation, sam.owner) == (
        "sam@harbour.example",
        "Operations director",
        card.organisation,
        owner,
    )
    link = card.links.get()
    assert (link.contact, link.role, link.is_primary) == (sam, "Decides on logistics", True)
    assert sam.events.get().action == ContactEvent.Action.CREATED
    assert CardChange.objects.get(opportunity=card, field="contacts").new == "Sam Harbour"
    page = owner_client.get(response.url).content.decode()
    assert "Sam Harbour added and on the card." in page
    assert f'href="{sam.get_absolute_url()}">Sam Harbour</a>' in page


def test_the_form_offers_the_cards_organisation_first(owner_client, card):
    page = owner_client.get(card.get_absolute_url()).content.decode()

    assert 'name="new-organisation_search"' in page
    assert 'value="Harbour Ltd"' in page


def test_someone_new_on_a_card_in_connecting_gets_a_follow_up(owner_client, owner):
    card = factories.OpportunityFactory(owner=owner, stage=Stage.CONNECTING)

    _new(owner_client, card, name="Sam Harbour")

    assert FollowUp.objects.live().filter(contact__name="Sam Harbour").exists()


def test_the_person_we_have_with_that_email_is_put_on_instead_of_a_new_one(owner_client, card):
    priya = factories.ContactFactory(name="Priya Shah", email="Priya@Harbour.example")

    response = _new(owner_client, card, name="P. Shah", email="priya@harbour.example")

    assert Contact.objects.count() == 1
    assert card.links.get().contact == priya
    page = owner_client.get(response.url).content.decode()
    assert "Priya Shah was already on file (same email) and is on the card." in page


def test_a_possible_duplicate_by_name_is_warned_about_never_refused(owner_client, card):
    factories.ContactFactory(name="Sam Harbour", organisation=card.organisation)

    response = _new(owner_client, card, name="sam  harbour")

    assert Contact.objects.filter(name__iexact="sam  harbour").count() == 1
    page = owner_client.get(response.url).content.decode()
    assert "Possible duplicate: Sam Harbour (same name at the same organisation)." in page


def test_sending_the_form_twice_puts_one_person_on_the_card(owner_client, card):
    first = _new(owner_client, card, name="Sam Harbour")
    second = _new(owner_client, card, name="Sam Harbour")

    assert first.status_code == 302 and second.status_code == 400
    assert "Sam Harbour is already on this card." in second.content.decode()
    assert Contact.objects.count() == 1 and card.links.count() == 1


def test_a_colleague_on_the_card_adds_someone_they_keep_and_a_manager_for_the_owner(
    client, owner, teammate, manager, card
):
    card.colleagues.add(teammate)
    for user, name in ((teammate, "Col Added"), (manager, "Man Added")):
        client.force_login(user)
        assert _new(client, card, name=name).status_code == 302

    assert Contact.objects.get(name="Col Added").owner == teammate
    assert Contact.objects.get(name="Man Added").owner == owner


def test_a_teammate_not_on_the_card_is_refused_and_no_person_is_left_behind(teammate_client, card):
    response = _new(teammate_client, card, name="Sam Harbour")

    assert response.status_code == 403
    assert "Only Alice Owner, the card" in response.content.decode()
    assert not Contact.objects.exists() and not card.links.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, card):
    response = _new(client, card, name="Sam Harbour")

    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"name": ""},
        {"name": "x" * 201},
        {"name": "Sam\x00"},
        {"name": "Sam", "email": "not an email"},
        {"name": "Sam", "organisation": "abc"},
        {"name": "Sam", "organisation": "4000000"},
        {"name": "Sam", "card_role": "x" * 201},
    ],
)
def test_bad_input_is_a_400_with_the_form_and_nothing_is_added(owner_client, card, fields):
    response = _new(owner_client, card, **fields)

    assert response.status_code == 400
    page = response.content.decode()
    assert "Someone new" in page and '<details id="add-person" open>' in page
    assert not Contact.objects.exists() and not card.links.exists()


# Someone we have -------------------------------------------------------------------


def test_someone_we_have_is_found_with_the_picker_and_put_on_the_card(owner_client, card):
    sam = factories.ContactFactory(name="Sam Newton")

    response = _have(owner_client, card, contact=sam.pk, role="Finance director")

    assert response.status_code == 302
    link = card.links.get()
    assert (link.contact, link.role) == (sam, "Finance director")


def test_without_javascript_a_typed_name_comes_back_as_choices(owner_client, card):
    sam = factories.ContactFactory(name="Sam Newton")
    factories.ContactFactory(name="Priya Shah")

    response = _have(owner_client, card, contact="", contact_search="Newton")

    assert response.status_code == 400
    page = response.content.decode()
    assert f'value="{sam.pk}"' in page and "Sam Newton" in page
    assert not card.links.exists()


@pytest.mark.parametrize("value", ["abc", "4000000", str(10**25), "ON_CARD", "ERASED"])
def test_someone_who_cannot_be_chosen_is_a_400_and_nothing_changes(owner_client, card, value):
    on_card = factories.OpportunityContactFactory(opportunity=card).contact
    erased = factories.ContactFactory(erased_at="2026-01-01T00:00Z")
    value = {"ON_CARD": on_card.pk, "ERASED": erased.pk}.get(value, value)

    response = _have(owner_client, card, contact=value)

    assert response.status_code == 400
    assert card.links.count() == 1
