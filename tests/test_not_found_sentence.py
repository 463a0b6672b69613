"""A 404 that carries a sentence shows it; Django's bare 404s show only our general page."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_404_with_a_sentence_shows_the_sentence(owner_client):
    response = owner_client.get("/contacts/merge/?survivor=abc&duplicate=1")

    assert response.status_code == 404
    assert "give the numbers of two people to merge" in response.content.decode()


def test_an_unknown_address_shows_no_class_name(owner_client):
    response = owner_client.get("/no-such-page/")

    assert response.status_code == 404
    assert "Resolver404" not in response.content.decode()
