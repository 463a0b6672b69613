"""The card page: notes, people, introducers, history, ideas, editing with the version seen."""

import pytest
from django.urls import reverse

from cultivation.models import FollowUp
from opportunities.models import ConnectionIdea, Opportunity, Stage
from opportunities.services import opportunity_move
from tests import factories


@pytest.fixture
def card(owner):
    card = factories.OpportunityFactory(
        owner=owner, title="Pension review", pain="Old systems", gain="Saved hours"
    )
    factories.OpportunityContactFactory(
        opportunity=card,
        contact__name="Priya Shah",
        contact__what_makes_them_tick="Sailing",
        role="Finance director",
    )
    return card


def _page(client, card):
    response = client.get(card.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_the_card_page_shows_notes_people_owner_colleagues_and_history(
    owner_client, owner, teammate, card
):
    card.colleagues.add(teammate)
    opportunity_move(opportunity=card, to_stage=Stage.CONNECTING, by=owner, version=1)

    page = _page(owner_client, card)

    for text in ("Old systems", "Saved hours", "Sailing", "Priya Shah", "Finance director"):
        assert text in page
    assert "Bob Teammate" in page and "Alice Owner" in page
    assert "New card → <strong>Research</strong>" in page
    assert "Research → <strong>Connecting</strong>" in page


@pytest.mark.django_db
def test_who_could_introduce_us_lists_people_who_know_the_cards_contacts(owner_client, card):
    priya = card.contacts.get()
    friend = factories.ContactFactory(name="Tom Friend")
    factories.ContactFactory(name="Stranger Danger")
    friend.knows.add(priya)

    page = _page(owner_client, card)

    assert "Tom Friend" in page and "knows Priya Shah" in page
    assert "Stranger Danger" not in page


@pytest.mark.django_db
def test_editing_the_card_saves_through_the_service(owner_client, owner, teammate, card):
    response = owner_client.post(
        card.get_absolute_url(),
        {
            "title": "Pension review 2027",
            "organisation": card.organisation_id,
            "owner": teammate.pk,
            "colleagues": [owner.pk],
            "priority": "hot",
            "estimated_value": "12000",
            "pain": "Old systems",
            "gain": "Saved hours",
            "version": card.version,
        },
    )

    assert response.status_code == 302
    card.refresh_from_db()
    assert (card.title, card.owner, card.priority) == ("Pension review 2027", teammate, "hot")
    assert list(card.colleagues.all()) == [owner]
    assert card.stage == Stage.RESEARCH  # the form never moves a card


@pytest.mark.django_db
def test_editing_a_card_someone_else_changed_is_refused_and_keeps_their_change(
    owner_client, owner, card
):
    opportunity_move(opportunity=card, to_stage=Stage.CONNECTING, by=owner, version=1)

    response = owner_client.post(
        card.get_absolute_url(),
        {"title": "Overwritten", "owner": owner.pk, "priority": "low", "version": 1},
    )

    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else changed" in page and "The form now shows the card as it is" in page
    card.refresh_from_db()
    assert (card.title, card.stage) == ("Pension review", Stage.CONNECTING)
    # The form now carries the current version, so saving again works.
    assert response.context["form"]["version"].value() == card.version
    assert 'value="Pension review"' in page


@pytest.mark.django_db
def test_ideas_to_connect_are_added_and_marked(owner_client, card):
    priya = card.contacts.get()
    friend = factories.ContactFactory(name="Tom Friend")
    friend.knows.add(priya)

    owner_client.post(
        reverse("opportunities:card-idea-add", args=[card.pk]),
        {"kind": "introduction", "description": "Ask Tom at the regatta", "via": friend.pk},
    )
    idea = ConnectionIdea.objects.get()
    assert (idea.kind, idea.via, idea.status) == ("introduction", friend, "idea")

    owner_client.post(reverse("opportunities:idea-mark", args=[idea.pk]), {"status": "worked"})
    idea.refresh_from_db()
    assert idea.status == "worked"
    assert "Ask Tom at the regatta" in _page(owner_client, card)


@pytest.mark.django_db
def test_an_idea_with_an_unknown_status_is_refused(owner_client, card):
    idea = ConnectionIdea.objects.create(opportunity=card, description="Coffee")

    response = owner_client.post(
        reverse("opportunities:idea-mark", args=[idea.pk]), {"status": "maybe"}
    )

    assert response.status_code == 400
    idea.refresh_from_db()
    assert idea.status == "idea"


@pytest.mark.django_db
def test_adding_a_person_to_a_card_in_connecting_starts_their_follow_up(owner_client, owner, card):
    opportunity_move(opportunity=card, to_stage=Stage.CONNECTING, by=owner, version=1)
    newcomer = factories.ContactFactory(name="Sam New", organisation=card.organisation)

    owner_client.post(
        reverse("opportunities:card-contact-add", args=[card.pk]),
        {"contact": newcomer.pk, "role": "Operations"},
    )

    assert card.links.get(contact=newcomer).role == "Operations"
    assert FollowUp.objects.filter(contact=newcomer).exists()
    assert card.links.get(is_primary=True).contact.name == "Priya Shah"


@pytest.mark.django_db
def test_the_card_page_query_count_does_not_grow_with_history_or_people(
    owner_client, owner, card, django_assert_max_num_queries
):
    with django_assert_max_num_queries(30) as few:
        owner_client.get(card.get_absolute_url())

    for _ in range(10):
        factories.OpportunityContactFactory(opportunity=card, is_primary=False)
    fresh = Opportunity.objects.get(pk=card.pk)
    for stage in (Stage.CONNECTING, Stage.RESEARCH) * 5:
        fresh = opportunity_move(opportunity=fresh, to_stage=stage, by=owner, version=fresh.version)

    with django_assert_max_num_queries(30) as many:
        owner_client.get(card.get_absolute_url())

    assert len(many.captured_queries) == len(few.captured_queries)
