"""Who could introduce us? The people we know (not on the card) who know someone on it,
strongest first, each with a one-click "Ask for an introduction" that records an idea."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cultivation.services import acquaintance_add
from opportunities import selectors
from opportunities.models import ConnectionIdea
from opportunities.selectors import INTRODUCER_RECENT_DAYS, introducers
from opportunities.services import connection_idea_mark
from tests import factories

pytestmark = pytest.mark.django_db
DAYS = timedelta(days=1)


@pytest.fixture
def card(owner):
    card = factories.OpportunityFactory(owner=owner, title="Harbour Logistics")
    factories.OpportunityContactFactory(opportunity=card, contact__name="Priya Shah")
    return card


@pytest.fixture
def priya(card):
    return card.contacts.get()


def _knows(name, person, how="", **extra):
    someone = factories.ContactFactory(name=name, **extra)
    acquaintance_add(contact=someone, other=person, by=someone.owner, how=how)
    return someone


def _touch(person, days_ago, now, **fields):
    return factories.TouchFactory(contact=person, at=now - days_ago * DAYS, **fields)


def _names(card, now):
    return [introducer.person.name for introducer in introducers(card, now=now)]


# Strongest first --------------------------------------------------------------------


def test_a_recent_two_way_touch_counts_most_then_any_touch_then_how_then_the_latest(card, priya):
    now = timezone.now()
    never_friend = _knows("Fay Friend", priya, how="friend")
    never_partner = _knows("Al Partner", priya, how="alliance_partner")
    old_touch = _knows("Olga Old", priya, how="friend")
    two_way = _knows("Tom Twoway", priya, how="other")
    only_ours = _knows("Una Ours", priya, how="friend")
    _touch(old_touch, 200, now)
    _touch(two_way, 10, now)
    _touch(two_way, 8, now, direction="theirs")
    _touch(only_ours, 2, now)

    assert _names(card, now) == ["Tom Twoway", "Una Ours", "Olga Old", "Al Partner", "Fay Friend"]
    assert [never_partner.pk, never_friend.pk] == [
        found.person.pk for found in introducers(card, now=now)[-2:]
    ]


def test_a_lunch_or_a_call_that_reached_them_is_two_way_by_itself(card, priya):
    now = timezone.now()
    lunch = _knows("Lena Lunch", priya)
    call = _knows("Carl Call", priya)
    missed = _knows("Mo Missed", priya)
    _touch(lunch, 5, now, method="lunch")
    _touch(call, 5, now, method="call", outcome="no_need", is_arranged=True)
    _touch(missed, 1, now, method="call", outcome="not_reached", is_arranged=True)

    found = {found.person.name: found for found in introducers(card, now=now)}

    assert found["Lena Lunch"].has_recent_two_way and found["Carl Call"].has_recent_two_way
    assert not found["Mo Missed"].has_recent_two_way
    assert _names(card, now)[-1] == "Mo Missed"


def test_recent_means_within_the_named_number_of_days(card, priya):
    now = timezone.now()
    edge = _knows("Eddie Edge", priya)
    past = _knows("Pat Past", priya)
    _touch(edge, INTRODUCER_RECENT_DAYS, now, method="meeting")
    _touch(past, INTRODUCER_RECENT_DAYS + 1, now, method="meeting")

    found = {found.person.name: found.has_recent_two_way for found in introducers(card, now=now)}

    assert found == {"Eddie Edge": True, "Pat Past": False}


def test_someone_who_knows_two_people_on_the_card_is_listed_once_with_both(manager, card, priya):
    sam = factories.ContactFactory(name="Sam Newton")
    factories.OpportunityContactFactory(opportunity=card, contact=sam, is_primary=False)
    both = _knows("Bea Both", priya, how="client")
    acquaintance_add(contact=both, other=sam, by=manager, how="colleague")

    [found] = introducers(card, now=timezone.now())

    assert found.person == both and found.known == [priya, sam]


def test_people_on_the_card_who_asked_us_to_stop_or_were_erased_are_not_introducers(card, priya):
    colleague = factories.ContactFactory(name="Sam On Card")
    factories.OpportunityContactFactory(opportunity=card, contact=colleague, is_primary=False)
    acquaintance_add(contact=colleague, other=priya, by=colleague.owner)
    stopped = _knows("Stan Stopped", priya)
    stopped.asked_to_stop_at = timezone.now()
    stopped.save(update_fields=["asked_to_stop_at"])
    erased = _knows("Erin Erased", priya)
    erased.erased_at = timezone.now()
    erased.save(update_fields=["erased_at"])
    _knows("Tom Friend", priya)

    assert _names(card, timezone.now()) == ["Tom Friend"]


def test_introducers_are_one_query_whatever_their_number(card, priya, django_assert_num_queries):
    now = timezone.now()
    for index in range(12):
        someone = _knows(f"Person {index}", priya, how="friend")
        factories.TouchFactory.create_batch(3, contact=someone)

    with django_assert_num_queries(1):
        found = introducers(card, now=now)

    assert len(found) == 12


# On the card page -----------------------------------------------------------------


def _page(client, card):
    response = client.get(card.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_the_card_page_lists_them_strongest_first_with_how_and_why(owner_client, card, priya):
    now = timezone.now()
    _knows("Fay Friend", priya, how="friend")
    tom = _knows("Tom Twoway", priya, how="client")
    _touch(tom, 3, now, method="meeting")

    page = _page(owner_client, card)

    assert page.index("Tom Twoway") < page.index("Fay Friend")
    assert "knows Priya Shah (client)" in page
    assert f"In touch both ways in the last {INTRODUCER_RECENT_DAYS} days" in page
    assert "No touch with us yet" in page
    assert page.count("Ask for an introduction</button>") == 2


def test_with_no_one_to_ask_the_page_points_to_the_peoples_pages(owner_client, card, priya):
    page = _page(owner_client, card)

    assert "No one we know is linked to this card" in page
    assert f'href="{priya.get_absolute_url()}#knows"' in page


# "Ask for an introduction" ----------------------------------------------------------


def _ask(client, card, person):
    url = reverse("opportunities:card-introduction-ask", args=[card.pk, person.pk])
    return client.post(url)


def test_one_click_records_an_introduction_idea_via_that_person(owner_client, owner, card, priya):
    tom = _knows("Tom Friend", priya)

    response = _ask(owner_client, card, tom)

    assert response.status_code == 302 and response.url == card.get_absolute_url() + "#ideas"
    idea = ConnectionIdea.objects.get()
    assert (idea.opportunity, idea.kind, idea.via, idea.status, idea.created_by) == (
        card,
        "introduction",
        tom,
        "idea",
        owner,
    )
    assert idea.description == "Ask Tom Friend to introduce us to Priya Shah."
    page = _page(owner_client, card)
    assert "Idea added: Ask Tom Friend to introduce us to Priya Shah." in page
    assert "introduction asked" in page and "Ask for an introduction</button>" not in page


def test_a_second_click_adds_nothing_while_the_first_is_being_tried(
    owner_client, owner, card, priya
):
    tom = _knows("Tom Friend", priya)
    _ask(owner_client, card, tom)
    connection_idea_mark(idea=ConnectionIdea.objects.get(), status="tried", by=owner)

    response = _ask(owner_client, card, tom)

    assert ConnectionIdea.objects.count() == 1
    assert "Already an idea" in _page(owner_client, card)
    assert response.status_code == 302


def test_after_an_introduction_did_not_work_it_may_be_asked_again(owner_client, owner, card, priya):
    tom = _knows("Tom Friend", priya)
    _ask(owner_client, card, tom)
    connection_idea_mark(idea=ConnectionIdea.objects.get(), status="didnt_work", by=owner)

    _ask(owner_client, card, tom)

    assert ConnectionIdea.objects.count() == 2


@pytest.mark.parametrize("who", ["owner", "colleague", "manager"])
def test_the_cards_owner_colleagues_and_managers_may_ask(who, request, client, card, priya):
    user = request.getfixturevalue("teammate" if who == "colleague" else who)
    if who == "colleague":
        card.colleagues.add(user)
    client.force_login(user)
    tom = _knows("Tom Friend", priya)

    _ask(client, card, tom)

    assert ConnectionIdea.objects.get().created_by == user


def test_a_teammate_not_on_the_card_is_refused_with_who_may(teammate_client, card, priya):
    tom = _knows("Tom Friend", priya)

    response = _ask(teammate_client, card, tom)

    assert response.status_code == 403
    assert "Only Alice Owner, the card" in response.content.decode()
    assert not ConnectionIdea.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, card, priya):
    tom = _knows("Tom Friend", priya)

    response = _ask(client, card, tom)

    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert not ConnectionIdea.objects.exists()


@pytest.mark.parametrize(
    ("who", "sentence"),
    [
        ("stranger", "knows no one on “Harbour Logistics”"),
        ("on_card", "is on this card"),
        ("stopped", "asked us to stop"),
    ],
)
def test_asking_someone_who_cannot_introduce_us_is_refused(
    owner_client, card, priya, who, sentence
):
    person = {
        "stranger": lambda: factories.ContactFactory(name="Stranger"),
        "on_card": lambda: priya,
        "stopped": lambda: factories.ContactFactory(asked_to_stop_at=timezone.now()),
    }[who]()

    response = owner_client.post(
        reverse("opportunities:card-introduction-ask", args=[card.pk, person.pk])
    )

    assert response.status_code == 400
    assert sentence in response.content.decode()
    assert f'href="{card.get_absolute_url()}#ideas"' in response.content.decode()
    assert not ConnectionIdea.objects.exists()


def test_asking_an_unknown_or_erased_person_or_on_an_unknown_card_is_404(owner_client, card):
    erased = factories.ContactFactory(erased_at=timezone.now())
    for card_pk, person_pk in ((card.pk, erased.pk), (card.pk, 4_000_000), (4_000_000, erased.pk)):
        url = reverse("opportunities:card-introduction-ask", args=[card_pk, person_pk])
        assert owner_client.post(url).status_code == 404
    assert (
        owner_client.get(
            reverse("opportunities:card-introduction-ask", args=[card.pk, erased.pk])
        ).status_code
        == 405
    )


def test_an_idea_may_be_via_anyone_we_know_not_only_linked_introducers(owner_client, card):
    anyone = factories.ContactFactory(name="Ann Yone")

    owner_client.post(
        reverse("opportunities:card-idea-add", args=[card.pk]),
        {"kind": "introduction", "description": "Ask Ann at the dinner", "via": anyone.pk},
    )

    assert ConnectionIdea.objects.get().via == anyone


def test_the_selector_reads_the_given_moment(card, priya):
    tom = _knows("Tom Friend", priya)
    now = timezone.now()
    _touch(tom, 1, now, method="meeting")

    later = now + (INTRODUCER_RECENT_DAYS + 2) * DAYS
    assert introducers(card, now=now)[0].has_recent_two_way
    assert not selectors.introducers(card, now=later)[0].has_recent_two_way
