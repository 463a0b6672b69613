"""A POST-only address opened as a link says why, and changes nothing."""

from django.urls import reverse

from cultivation.models import Promise
from tests import factories


def test_opening_a_post_only_address_as_a_link_is_a_405_with_a_sentence(owner_client, owner):
    promise = factories.PromiseFactory(contact__owner=owner)

    response = owner_client.get(reverse("cultivation:promise-keep", args=[promise.pk]))

    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"
    page = response.content.decode()
    assert "only answers the button on its page" in page
    assert "Nothing was changed." in page
    assert Promise.objects.get(pk=promise.pk).kept_at is None


def test_htmx_gets_the_sentence_alone(owner_client, owner):
    promise = factories.PromiseFactory(contact__owner=owner)

    response = owner_client.get(
        reverse("cultivation:promise-keep", args=[promise.pk]), headers={"HX-Request": "true"}
    )

    assert response.status_code == 405
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().startswith("This address changes something")


def test_another_method_is_named(owner_client):
    response = owner_client.put(reverse("opportunities:board"))

    assert response.status_code == 405
    assert "does not answer PUT: it answers GET" in response.content.decode()
