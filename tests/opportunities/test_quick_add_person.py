"""Quick add on the board with an optional person (name, email, role): the person we have
with that email is put on the card, else a new one at the card's organisation; refused as a
whole, so no card is left without its person and no person without their card."""

import pytest
from django.urls import reverse

from cultivation.models import Contact, ContactEvent, FollowUp, Organisation
from opportunities.models import Opportunity
from tests import factories

pytestmark = pytest.mark.django_db
ADD = reverse("opportunities:card-add")


def _add(client, **fields):
    data = {"title": "Harbour Logistics", "priority": "hot", "stage": "research"}
    data |= {"source": "research", "organisation": "Harbour Ltd", **fields}
    return client.post(ADD, data)


def _notice(client, response):
    return client.get(response.url).content.decode()


def test_a_card_with_a_new_person_at_its_organisation(owner_client, owner):
    response = _add(
        owner_client,
        person_name="Sam Harbour",
        person_email="sam@harbour.example",
        person_role="Operations director",
    )

    assert response.status_code == 302
    card = Opportunity.objects.get()
    sam = Contact.objects.get()
    assert (sam.name, sam.email, sam.role, sam.organisation, sam.owner) == (
        "Sam Harbour",
        "sam@harbour.example",
        "Operations director",
        card.organisation,
        owner,
    )
    assert card.organisation.name == "Harbour Ltd"
    link = card.links.get()
    assert (link.contact, link.is_primary, link.role) == (sam, True, "Operations director")
    assert sam.events.get().action == ContactEvent.Action.CREATED
    notice = _notice(owner_client, response)
    assert "“Harbour Logistics” added to Research. Sam Harbour added and on the card." in notice


def test_the_person_we_have_with_that_email_is_put_on_the_card(owner_client):
    priya = factories.ContactFactory(name="Priya Shah", email="priya@harbour.example")

    response = _add(owner_client, person_name="Priya", person_email="PRIYA@harbour.example")

    assert Contact.objects.count() == 1
    assert Opportunity.objects.get().links.get().contact == priya
    assert "Priya Shah was already on file (same email)" in _notice(owner_client, response)


def test_an_email_alone_finds_the_person(owner_client):
    priya = factories.ContactFactory(name="Priya Shah", email="priya@harbour.example")

    _add(owner_client, person_email="priya@harbour.example")

    assert Opportunity.objects.get().links.get().contact == priya


def test_an_email_nobody_has_without_a_name_is_refused_and_nothing_is_added(owner_client):
    response = _add(owner_client, person_email="who@harbour.example", organisation="Brand New")

    assert response.status_code == 400
    assert "Give the person&#x27;s name." in response.content.decode()
    assert not Opportunity.objects.exists() and not Contact.objects.exists()
    assert not Organisation.objects.filter(name="Brand New").exists()


def test_a_role_without_a_person_is_refused(owner_client):
    response = _add(owner_client, person_role="Finance director")

    assert response.status_code == 400
    assert "Give the person&#x27;s name (or email) for their role." in response.content.decode()
    assert not Opportunity.objects.exists()


def test_a_card_refused_by_its_rules_adds_no_person(owner_client):
    response = _add(owner_client, stage="cultivating", person_name="Sam Harbour")

    assert response.status_code == 400
    assert not Opportunity.objects.exists() and not Contact.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"person_name": "x" * 201},
        {"person_name": "Sam\x00"},
        {"person_name": "Sam", "person_email": "not an email"},
        {"person_name": "Sam", "person_role": "x" * 201},
    ],
)
def test_bad_person_input_is_a_400_and_nothing_is_added(owner_client, fields):
    response = _add(owner_client, **fields)

    assert response.status_code == 400
    assert not Opportunity.objects.exists() and not Contact.objects.exists()


def test_an_inbound_card_in_connecting_starts_the_persons_follow_up(owner_client):
    _add(owner_client, stage="connecting", source="inbound", person_name="Sam Harbour")

    assert FollowUp.objects.live().filter(contact__name="Sam Harbour").exists()


def test_without_a_person_the_card_is_added_alone(owner_client):
    response = _add(owner_client)

    assert response.status_code == 302
    assert not Opportunity.objects.get().links.exists() and not Contact.objects.exists()


def test_the_board_offers_the_person_fields(owner_client):
    page = owner_client.get(reverse("opportunities:board")).content.decode()

    for name in ("person_name", "person_email", "person_role"):
        assert f'name="{name}"' in page


def test_a_refused_quick_add_keeps_what_was_typed(owner_client):
    response = _add(owner_client, stage="cultivating", person_name="Sam Harbour")

    assert 'value="Sam Harbour"' in response.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = _add(client, person_name="Sam Harbour")

    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert not Contact.objects.exists()
