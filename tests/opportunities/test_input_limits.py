"""Bad input on the board and the card page: a 4xx with a sentence, or an ignored filter."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from convivio.limits import MONEY_BELOW, TEXT_MAX
from opportunities.models import Opportunity, Stage
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def card(owner):
    return factories.OpportunityFactory(owner=owner, title="Pension review", estimated_value=500)


def _edit(card, **changes):
    return {
        "title": card.title,
        "organisation": card.organisation_id,
        "owner": card.owner_id,
        "priority": card.priority,
        "estimated_value": "500",
        "pain": card.pain,
        "gain": card.gain,
        "version": card.version,
        **changes,
    }


def _unchanged(card):
    fresh = Opportunity.objects.get(pk=card.pk)
    return (fresh.version, fresh.estimated_value, fresh.pain) == (
        card.version,
        card.estimated_value,
        card.pain,
    )


@pytest.mark.parametrize(
    ("value", "sentence"),
    [
        ("-5", "A value is never negative: enter 0 or more."),
        ("-0.01", "A value is never negative: enter 0 or more."),
        (str(MONEY_BELOW), "Ensure that there are no more than 10 digits before the decimal"),
        ("1e30", "Ensure that there are no more than 12 digits in total."),
        ("abc", "Enter a number."),
    ],
)
def test_a_card_value_that_cannot_be_money_is_refused_and_nothing_changes(
    owner_client, card, value, sentence
):
    for _ in range(2):
        response = owner_client.post(card.get_absolute_url(), _edit(card, estimated_value=value))

        assert response.status_code == 400
        assert sentence in response.content.decode()
    assert _unchanged(card)


@pytest.mark.parametrize("value", ["0", "9999999999.99"])
def test_a_card_value_from_zero_to_the_columns_limit_is_saved(owner_client, card, value):
    response = owner_client.post(card.get_absolute_url(), _edit(card, estimated_value=value))

    assert response.status_code == 302
    assert Opportunity.objects.get(pk=card.pk).estimated_value == Decimal(value)


def test_the_database_refuses_a_negative_card_value_whoever_writes_it(card):
    with pytest.raises(IntegrityError), transaction.atomic():
        Opportunity.objects.filter(pk=card.pk).update(estimated_value=-5)

    assert Opportunity.objects.get(pk=card.pk).estimated_value == 500


def test_pain_longer_than_the_text_limit_is_refused(owner_client, card):
    response = owner_client.post(card.get_absolute_url(), _edit(card, pain="x" * (TEXT_MAX + 1)))

    assert response.status_code == 400
    assert f"at most {TEXT_MAX:,}".replace(",", "") in response.content.decode()
    assert _unchanged(card)


@pytest.mark.parametrize("version", [str(10**25), "-1", "0", "²", "1\x00"])
def test_a_card_edit_with_an_unreadable_version_is_refused(owner_client, card, version):
    response = owner_client.post(card.get_absolute_url(), _edit(card, version=version))

    assert response.status_code == 400
    assert _unchanged(card)


@pytest.mark.parametrize("owner_filter", ["²", "١", "1\x00", str(10**25), "-5", "abc"])
def test_an_unreadable_owner_filter_is_ignored_and_the_board_shows(
    owner_client, card, owner_filter
):
    for url, cursor in (("/", {}), (f"/board/{Stage.RESEARCH}/", {"after": "-999999999"})):
        response = owner_client.get(url, {"owner": owner_filter, **cursor})

        assert response.status_code == 200
        assert "Pension review" in response.content.decode()


def test_the_owner_filter_still_finds_a_persons_cards(owner_client, card, teammate):
    factories.OpportunityFactory(owner=teammate, title="Someone else's")

    page = owner_client.get("/", {"owner": str(card.owner_id)}).content.decode()

    assert "Pension review" in page and "Someone else&#x27;s" not in page


@pytest.mark.parametrize(
    "query",
    [{"after": "abc"}, {"after": "²"}, {"after": "1", "last": "1\x00"}, {"after": "9" * 30}],
)
def test_an_unreadable_column_cursor_is_a_400_with_a_sentence(owner_client, card, query):
    response = owner_client.get(f"/board/{Stage.RESEARCH}/", query)

    assert response.status_code == 400
    assert "“after” must be a card position and “last” a card." in response.content.decode()


@pytest.mark.parametrize("find", ["\x00", "Priya\x00", "x" * 1000])
def test_an_unreadable_find_on_the_card_page_is_ignored(owner_client, card, find):
    response = owner_client.get(card.get_absolute_url(), {"find": find})

    assert response.status_code == 200
    assert "Pension review" in response.content.decode()


@pytest.mark.parametrize(
    ("field", "value"), [("version", str(10**25)), ("after", "²"), ("note", "x" * (TEXT_MAX + 1))]
)
def test_a_move_with_an_unreadable_field_is_a_400_and_the_card_stays(
    owner_client, card, field, value
):
    data = {"to_stage": Stage.CONNECTING, "version": card.version, field: value}

    response = owner_client.post(f"/cards/{card.pk}/move/", data)

    assert response.status_code == 400
    assert "The move could not be read" in response.content.decode()
    assert Opportunity.objects.get(pk=card.pk).stage == Stage.RESEARCH


def test_a_next_page_with_a_nul_byte_is_not_followed(owner_client, card):
    data = {"to_stage": Stage.CONNECTING, "version": card.version}

    response = owner_client.post(f"/cards/{card.pk}/move/?next=/%00", data)

    assert response.status_code == 302
    assert response["Location"] == "/"
