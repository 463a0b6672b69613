"""Limits reach the pages from where they are named (a setting or a constant), never as a
number written into a template: change the limit and the page follows."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cultivation.models import follow_ups
from opportunities import selectors as board
from opportunities.models import Stage
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def silent(owner):
    """Priya, with a follow-up: no attempt yet."""
    person = factories.ContactFactory(owner=owner, name="Priya Shah")
    factories.FollowUpFactory(contact=person, met_at=timezone.now() - timedelta(days=1))
    return person


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _contact_page(client, person):
    return _page(client, reverse("cultivation:contact-detail", args=[person.pk]))


def test_the_contact_page_counts_attempts_against_the_limit(owner_client, silent):
    assert "0 of 3 attempts made" in _contact_page(owner_client, silent)


def test_the_contact_page_follows_the_attempt_limit(owner_client, silent, monkeypatch):
    monkeypatch.setattr(follow_ups, "MAX_ATTEMPTS", 4)

    assert "0 of 4 attempts made" in _contact_page(owner_client, silent)


@pytest.mark.parametrize(("limit", "word"), [(3, "Three"), (4, "Four")])
def test_my_week_names_the_attempt_limit_over_decisions(
    owner, owner_client, monkeypatch, limit, word
):
    monkeypatch.setattr(follow_ups, "MAX_ATTEMPTS", limit)
    factories.FollowUpFactory(
        contact=factories.ContactFactory(owner=owner, name="Sam Silent"),
        attempt_count=3,
        next_due_at=None,
        exhausts_at=timezone.now() - timedelta(days=1),
    )

    page = _page(owner_client, reverse("cultivation:my-week"))

    assert f"{word} attempts went unanswered. Back to Research, or Lost" in page


@pytest.mark.parametrize("maximum", [250, 40])
def test_my_week_shows_the_pool_against_the_capacity_setting(owner_client, settings, maximum):
    settings.CONVIVIO = {**settings.CONVIVIO, "CAPACITY_MAX": maximum}

    page = _page(owner_client, reverse("cultivation:my-week"))

    assert f"Cultivation pool: <strong>0</strong> of {maximum}" in page


def _head(page, stage):
    start = page.index(f'id="head-{stage}"')
    return page[start : page.index("</header>", start)]


@pytest.mark.parametrize("days", [90, 30])
def test_only_closed_columns_say_how_far_back_they_show(owner, owner_client, monkeypatch, days):
    monkeypatch.setattr(board, "RECENT_CLOSED_DAYS", days)
    long_ago = timezone.now() - timedelta(days=days + 1)
    factories.OpportunityFactory(owner=owner, stage=Stage.WON, title="Won lately")
    factories.OpportunityFactory(
        owner=owner, stage=Stage.WON, title="Won long ago", stage_entered_at=long_ago
    )

    page = _page(owner_client, reverse("opportunities:board"))

    for stage in Stage:
        assert (f"last {days} days" in _head(page, stage)) == (stage in (Stage.WON, Stage.LOST))
    assert "Won lately" in page and "Won long ago" not in page
