"""The board page: columns, counts, totals, paging, closed cards, filters, query count."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from cultivation.models import Contact, Organisation, Promise
from opportunities.models import Opportunity, OpportunityContact, Priority, Stage
from opportunities.selectors import PAGE_SIZE
from opportunities.services import POSITION_GAP, _renumber, opportunity_move
from tests import factories

BOARD = reverse("opportunities:board")


def _column(response, stage):
    return next(column for column in response.context["columns"] if column.stage == stage)


def _titles(response, stage):
    return [card.title for card in _column(response, stage).cards]


def _research_cards(n, owner, **fields):
    """n cards at the bottom of Research, in board order (one bulk insert)."""
    first = (Opportunity.objects.aggregate(high=Max("position"))["high"] or 0) + POSITION_GAP
    return Opportunity.objects.bulk_create(
        Opportunity(
            **{"title": f"Card {i}", **fields}, owner=owner, position=first + i * POSITION_GAP
        )
        for i in range(n)
    )


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(BOARD)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_each_column_shows_its_count_and_total_value(owner_client, owner):
    for value in (1000, 2500, None):
        factories.OpportunityFactory(stage=Stage.CONNECTING, owner=owner, estimated_value=value)
    factories.OpportunityFactory(stage=Stage.RESEARCH, owner=owner, estimated_value=400)

    response = owner_client.get(BOARD)

    connecting = _column(response, Stage.CONNECTING)
    assert (connecting.count, connecting.total_value) == (3, Decimal("3500"))
    assert _column(response, Stage.CULTIVATING).count == 0
    page = response.content.decode()
    assert "£3,500" in page and "£400" in page


@pytest.mark.django_db
def test_a_card_shows_title_organisation_contact_owner_priority_and_days(owner_client, owner):
    card = factories.OpportunityFactory(
        title="Pension review",
        organisation__name="Hartley & Sons",
        owner=owner,
        priority=Priority.HOT,
        stage_entered_at=timezone.now() - timedelta(days=12),
    )
    link = factories.OpportunityContactFactory(opportunity=card, contact__name="Priya Shah")

    page = owner_client.get(BOARD).content.decode()

    for text in ("Pension review", "Hartley &amp; Sons", "Priya Shah", ">AO<", "Hot lead", "12 d"):
        assert text in page
    # A touch with the primary contact is two clicks away: this link, then "Log".
    assert f"/touches/new/?contact={link.contact_id}&amp;next=/" in page


@pytest.mark.django_db
def test_a_column_shows_its_first_fifty_cards_and_loads_more_on_demand(owner_client, owner):
    cards = _research_cards(PAGE_SIZE + 7, owner)

    response = owner_client.get(BOARD)
    research = _column(response, Stage.RESEARCH)
    assert research.count == PAGE_SIZE + 7
    assert [card.pk for card in research.cards] == [card.pk for card in cards[:PAGE_SIZE]]
    assert research.next_after == cards[PAGE_SIZE - 1].position

    more = owner_client.get(
        reverse("opportunities:board-column", args=["research"]),
        {"after": research.next_after},
        headers={"HX-Request": "true"},
    )
    assert [card.pk for card in more.context["column"].cards] == [c.pk for c in cards[PAGE_SIZE:]]
    assert more.context["column"].next_after is None
    assert 'id="more-research" hx-swap-oob="true"' in more.content.decode()


@pytest.mark.django_db
def test_load_more_without_javascript_is_a_page_of_its_own(owner_client, owner):
    cards = _research_cards(PAGE_SIZE + 1, owner, title="Deep")

    response = owner_client.get(
        reverse("opportunities:board-column", args=["research"]),
        {"after": cards[PAGE_SIZE - 1].position},
    )

    assert response.status_code == 200
    assert "Back to the board" in response.content.decode()
    assert len(response.context["column"].cards) == 1


@pytest.mark.django_db
def test_won_and_lost_show_the_last_90_days_unless_asked_for_all(owner_client, owner):
    long_ago = timezone.now() - timedelta(days=91)
    factories.OpportunityFactory(stage=Stage.WON, owner=owner, title="Recent win")
    factories.OpportunityFactory(
        stage=Stage.WON, owner=owner, title="Old win", stage_entered_at=long_ago
    )
    factories.OpportunityFactory(
        stage=Stage.LOST, owner=owner, title="Old loss", stage_entered_at=long_ago
    )

    recent = owner_client.get(BOARD)
    everything = owner_client.get(BOARD, {"closed": "all"})

    assert _titles(recent, Stage.WON) == ["Recent win"]
    assert _titles(recent, Stage.LOST) == []
    assert sorted(_titles(everything, Stage.WON)) == ["Old win", "Recent win"]
    assert _titles(everything, Stage.LOST) == ["Old loss"]
    assert "show all" in recent.content.decode()


@pytest.mark.django_db
def test_filters_mine_one_owner_and_priority(owner_client, owner, teammate):
    factories.OpportunityFactory(owner=owner, title="Alice hot", priority=Priority.HOT)
    factories.OpportunityFactory(owner=owner, title="Alice low", priority=Priority.LOW)
    factories.OpportunityFactory(owner=teammate, title="Bob hot", priority=Priority.HOT)

    def titles(**params):
        return sorted(_titles(owner_client.get(BOARD, params), Stage.RESEARCH))

    assert titles() == ["Alice hot", "Alice low", "Bob hot"]
    assert titles(owner="mine") == ["Alice hot", "Alice low"]
    assert titles(owner=str(teammate.pk)) == ["Bob hot"]
    assert titles(priority="hot") == ["Alice hot", "Bob hot"]
    assert titles(owner="mine", priority="hot") == ["Alice hot"]


@pytest.mark.django_db
def test_search_matches_title_organisation_and_contact_names(owner_client, owner):
    by_title = factories.OpportunityFactory(owner=owner, title="Pension review")
    by_org = factories.OpportunityFactory(owner=owner, organisation__name="Pensionistas Ltd")
    by_person = factories.OpportunityFactory(owner=owner, title="Tax advice")
    factories.OpportunityContactFactory(opportunity=by_person, contact__name="Jo Pensworth")
    factories.OpportunityFactory(owner=owner, title="Unrelated")

    response = owner_client.get(BOARD, {"q": "pens"})

    found = {card.pk for card in _column(response, Stage.RESEARCH).cards}
    assert found == {by_title.pk, by_org.pk, by_person.pk}
    assert _column(response, Stage.RESEARCH).count == 3


@pytest.mark.django_db
def test_the_filter_lives_in_the_url_and_is_shown_back(owner_client, owner, teammate):
    page = owner_client.get(BOARD, {"owner": str(teammate.pk), "q": "audit"}).content.decode()

    assert f'<option value="{teammate.pk}" selected>' in page
    assert 'value="audit"' in page
    # A card added from a filtered board comes back to the same filtered board.
    assert f'action="/cards/new/?owner={teammate.pk}&amp;q=audit"' in page


@pytest.mark.django_db
def test_an_unreadable_filter_shows_everything_rather_than_failing(owner_client, owner):
    factories.OpportunityFactory(owner=owner, title="Still here")

    response = owner_client.get(BOARD, {"owner": "nobody", "priority": "urgent"})

    assert response.status_code == 200
    assert _titles(response, Stage.RESEARCH) == ["Still here"]


@pytest.mark.django_db
def test_htmx_requests_get_only_the_board_fragment(owner_client, owner):
    factories.OpportunityFactory(owner=owner)

    response = owner_client.get(BOARD, headers={"HX-Request": "true", "HX-Target": "board"})

    page = response.content.decode()
    assert '<div id="board"' in page and "<nav" not in page


def _populate(n, owner):
    """n cards spread over the columns and priorities, each with its own organisation and a
    primary contact with an open promise due (a badge). Bulk inserts of plain rows: through
    the factories, 1,000 cards took seconds."""
    stages = [Stage.RESEARCH, Stage.CONNECTING, Stage.CULTIVATING, Stage.WON, Stage.LOST]
    made = Opportunity.objects.count()  # names stay unique across calls
    today = timezone.localdate()
    organisations = Organisation.objects.bulk_create(
        Organisation(name=f"Board {made + i} Ltd") for i in range(n)
    )
    contacts = Contact.objects.bulk_create(
        Contact(name=f"Ada Person {made + i}", organisation=organisation, owner=owner)
        for i, organisation in enumerate(organisations)
    )
    first = (Opportunity.objects.aggregate(high=Max("position"))["high"] or 0) + POSITION_GAP
    cards = Opportunity.objects.bulk_create(
        Opportunity(
            title=f"Card {made + i}",
            organisation=organisations[i],
            owner=owner,
            stage=stages[i % 5],
            lost_reason="Budget frozen" if stages[i % 5] == Stage.LOST else "",
            priority=list(Priority)[i % 3],
            position=first + i * POSITION_GAP,
        )
        for i in range(n)
    )
    OpportunityContact.objects.bulk_create(
        OpportunityContact(opportunity=card, contact=contact, is_primary=True)
        for card, contact in zip(cards, contacts, strict=True)
    )
    Promise.objects.bulk_create(
        Promise(contact=contact, owner=owner, what="Send the report", due_on=today)
        for contact in contacts
    )


@pytest.mark.django_db
@pytest.mark.parametrize("filters", [{}, {"owner": "mine", "q": "a", "priority": "hot"}])
def test_the_board_query_count_does_not_grow_with_the_cards(
    owner_client, owner, django_assert_max_num_queries, filters
):
    _populate(10, owner)
    with django_assert_max_num_queries(10) as small:
        owner_client.get(BOARD, filters)

    _populate(990, owner)  # 1,000 cards: far more than fifty in every column
    with django_assert_max_num_queries(10) as large:
        response = owner_client.get(BOARD, filters)

    assert len(large.captured_queries) == len(small.captured_queries)
    if not filters:
        assert all(len(column.cards) == PAGE_SIZE for column in response.context["columns"])


@pytest.mark.django_db
def test_load_more_query_count_does_not_grow_with_the_cards(
    owner_client, owner, django_assert_max_num_queries
):
    url = reverse("opportunities:board-column", args=["research"])
    first = factories.OpportunityFactory(owner=owner, history=False)
    factories.OpportunityFactory.create_batch(5, owner=owner, history=False)
    with django_assert_max_num_queries(10) as few:
        owner_client.get(url, {"after": first.position}, headers={"HX-Request": "true"})

    _research_cards(3 * PAGE_SIZE, owner)
    with django_assert_max_num_queries(10) as many:
        owner_client.get(url, {"after": first.position}, headers={"HX-Request": "true"})

    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.django_db
def test_load_more_neither_repeats_nor_skips_when_cards_move_meanwhile(owner_client, owner):
    cards = _research_cards(PAGE_SIZE + 3, owner)
    cursor = _column(owner_client.get(BOARD), Stage.RESEARCH).next_after
    # Someone moves one of the cards already shown out of the column.
    opportunity_move(opportunity=cards[0], to_stage=Stage.CONNECTING, by=owner, version=1)

    more = owner_client.get(
        reverse("opportunities:board-column", args=["research"]), {"after": cursor}
    )

    assert [card.pk for card in more.context["column"].cards] == [c.pk for c in cards[PAGE_SIZE:]]


@pytest.mark.django_db
def test_load_more_without_a_cursor_is_a_400(owner_client):
    response = owner_client.get(
        reverse("opportunities:board-column", args=["research"]), {"after": "x"}
    )

    assert response.status_code == 400


@pytest.mark.django_db
def test_load_more_follows_the_last_card_shown_when_the_column_is_renumbered(owner_client, owner):
    cards = _research_cards(PAGE_SIZE + 3, owner)
    research = _column(owner_client.get(BOARD), Stage.RESEARCH)
    _renumber(Stage.RESEARCH)  # what a drop does when a gap between two cards runs out

    more = owner_client.get(
        reverse("opportunities:board-column", args=["research"]),
        {"after": research.next_after, "last": research.last_pk},
    )

    assert [card.pk for card in more.context["column"].cards] == [c.pk for c in cards[PAGE_SIZE:]]


@pytest.mark.django_db
def test_the_90_day_boundary_for_won_and_lost(owner_client, owner):
    now = timezone.now()
    factories.OpportunityFactory(
        stage=Stage.WON,
        owner=owner,
        title="Just inside",
        stage_entered_at=now - timedelta(days=89, hours=23),
    )
    factories.OpportunityFactory(
        stage=Stage.WON,
        owner=owner,
        title="Just outside",
        stage_entered_at=now - timedelta(days=90, minutes=1),
    )

    assert _titles(owner_client.get(BOARD), Stage.WON) == ["Just inside"]
