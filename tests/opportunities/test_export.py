"""Exporting cards (one row each, where they are now) and their stage moves (one row per
move), from the admin's actions for managers: exact files, streamed by chunk."""

import csv
import datetime
import io
from decimal import Decimal

import pytest

from cultivation import exporting as cultivation_exporting
from cultivation.models import Contact
from opportunities import exporting
from opportunities.models import Opportunity, Stage, StageChange
from opportunities.services import opportunity_move
from tests import factories

pytestmark = pytest.mark.django_db

JAN_15 = datetime.datetime(2026, 1, 15, 10, 30, tzinfo=datetime.UTC)


def _rows(response):
    assert response.status_code == 200, response.content
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


@pytest.fixture
def harbour(owner, teammate):
    card = factories.OpportunityFactory(
        title="=Harbour expansion",
        organisation=factories.OrganisationFactory(name="Harbour Logistics"),
        owner=owner,
        estimated_value=Decimal("25000.50"),
        pain="Slow customs, costly delays",
        gain='A "faster" route',
    )
    card.colleagues.add(teammate)
    priya = factories.ContactFactory(name="Shah, Priya")
    sam = factories.ContactFactory(name="Sam Patel")
    factories.OpportunityContactFactory(opportunity=card, contact=sam, is_primary=False)
    factories.OpportunityContactFactory(opportunity=card, contact=priya, is_primary=True)
    card = opportunity_move(
        opportunity=card, to_stage=Stage.CONNECTING, by=owner, version=card.version, note="Met"
    )
    StageChange.objects.filter(opportunity=card).update(at=JAN_15)
    Opportunity.objects.filter(pk=card.pk).update(
        created_at=JAN_15, updated_at=JAN_15, stage_entered_at=JAN_15
    )
    return card


def _action(client, action, cards):
    data = {"action": action, "_selected_action": [card.pk for card in cards]}
    return client.post("/admin/opportunities/opportunity/", data)


def test_a_manager_exports_the_selected_cards_one_row_each(manager_client, harbour):
    factories.OpportunityFactory(title="Not chosen")

    response = _action(manager_client, "export_cards", [harbour])

    assert response["Content-Disposition"].startswith('attachment; filename="cards-')
    assert _rows(response) == [
        [
            "id",
            "title",
            "organisation",
            "stage",
            "stage_entered_at",
            "owner",
            "colleagues",
            "people",
            "priority",
            "source",
            "estimated_value",
            "pain",
            "gain",
            "lost_reason",
            "created_at",
            "updated_at",
        ],
        [
            str(harbour.pk),
            "'=Harbour expansion",
            "Harbour Logistics",
            "connecting",
            "2026-01-15T10:30:00+00:00",
            "alice",
            "bob",
            "Shah, Priya; Sam Patel",  # the primary person first
            "referral",
            "research",
            "25000.50",
            "Slow customs, costly delays",
            'A "faster" route',
            "",
            "2026-01-15T10:30:00+00:00",
            "2026-01-15T10:30:00+00:00",
        ],
    ]


def test_a_manager_exports_the_selected_cards_stage_moves_one_row_per_move(
    owner, manager_client, harbour
):
    other = factories.OpportunityFactory(title="Not chosen", owner=owner)
    opportunity_move(opportunity=other, to_stage=Stage.CONNECTING, by=owner, version=other.version)
    moves = list(StageChange.objects.filter(opportunity=harbour).order_by("at", "pk"))

    rows = _rows(_action(manager_client, "export_moves", [harbour]))

    assert rows[0] == ["id", "card_id", "card", "at", "from_stage", "to_stage", "by", "note"]
    assert rows[1:] == [
        [
            str(move.pk),
            str(harbour.pk),
            "'=Harbour expansion",
            "2026-01-15T10:30:00+00:00",
            move.from_stage,
            move.to_stage,
            move.by.username if move.by else "",
            move.note,
        ]
        for move in moves
    ]
    assert rows[-1][4:] == ["research", "connecting", "alice", "Met"]


def test_every_card_and_move_when_none_are_chosen(owner, harbour):
    factories.OpportunityFactory(title="Second", owner=owner)

    cards = _rows(exporting.cards_csv())
    moves = _rows(exporting.card_moves_csv())

    assert [row[1] for row in cards[1:]] == ["'=Harbour expansion", "Second"]
    assert len(moves) == 1 + StageChange.objects.count()


def test_a_card_with_nobody_on_it_has_empty_cells(owner):
    card = factories.OpportunityFactory(title="Quiet", owner=owner, organisation=None)

    (row,) = _rows(exporting.cards_csv(Opportunity.objects.filter(pk=card.pk)))[1:]

    assert row[1:3] == ["Quiet", ""]
    assert row[6:8] == ["", ""]


@pytest.mark.parametrize("size", [10, 30])
def test_queries_grow_by_chunk_not_by_card(size, owner, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(cultivation_exporting, "CHUNK", 10)
    person = Contact.objects.create(name="Priya Shah")
    for _ in range(size):
        card = factories.OpportunityFactory(owner=owner)
        factories.OpportunityContactFactory(opportunity=card, contact=person)

    # One to read the cards, then two per chunk of ten: their people, their colleagues.
    with django_assert_num_queries(1 + 2 * (size // 10)):
        rows = _rows(exporting.cards_csv())

    assert len(rows) == size + 1
    assert {row[7] for row in rows[1:]} == {"Priya Shah"}


def test_staff_cannot_reach_the_card_exports(owner_client, harbour):
    response = _action(owner_client, "export_cards", [harbour])

    assert response.status_code == 302
    assert "/admin/login/" in response.url
