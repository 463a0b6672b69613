"""One back-link check (`convivio.parsing.safe_next`) for both apps: a person is sent back
only to a page of this site, whichever app answers."""

import pytest
from django.test import RequestFactory

from convivio import parsing
from cultivation.views import common
from opportunities.models import Opportunity, Stage
from tests import factories

OFF_SITE = ["//evil.example/", "https://evil.example/", "/\\evil.example", "evil", "/\x00"]


@pytest.mark.parametrize("target", OFF_SITE)
@pytest.mark.parametrize("secure", [False, True], ids=["http", "https"])
def test_a_page_elsewhere_is_never_a_way_back(target, secure):
    request = RequestFactory().post("/", {"next": target}, secure=secure)

    assert parsing.safe_next(request, "/fallback/") == "/fallback/"


def test_a_page_of_this_site_is_the_way_back_from_the_form_before_the_query():
    request = RequestFactory().post("/?next=/from-query/", {"next": "/my-week/"})
    from_query = RequestFactory().post("/?next=/from-query/")

    assert parsing.safe_next(request, "/fallback/") == "/my-week/"
    assert parsing.safe_next(from_query, "/fallback/") == "/from-query/"


def test_the_people_side_uses_the_one_check():
    assert common.safe_next is parsing.safe_next


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/x"])
def test_the_board_falls_back_to_itself_for_a_page_elsewhere(owner_client, owner, target):
    card = factories.OpportunityFactory(owner=owner, stage=Stage.RESEARCH)
    data = {"to_stage": Stage.CONNECTING, "version": card.version}

    response = owner_client.post(f"/cards/{card.pk}/move/?next={target}&owner=me", data)

    assert response.status_code == 302
    assert response["Location"] == "/?owner=me"
    assert Opportunity.objects.get(pk=card.pk).stage == Stage.CONNECTING


def test_the_board_sends_back_to_a_page_of_this_site(owner_client, owner):
    card = factories.OpportunityFactory(owner=owner, stage=Stage.RESEARCH)
    data = {"to_stage": Stage.CONNECTING, "version": card.version}

    response = owner_client.post(f"/cards/{card.pk}/move/?next=/my-week/", data, secure=True)

    assert response.status_code == 302
    assert response["Location"] == "/my-week/"
