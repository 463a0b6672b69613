"""The contact list and the contact page: the person first, constant queries."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cultivation.services import promise_make, touch_log, touch_plan_start
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("touches", [1, 30])
def test_contact_page_query_count_does_not_grow_with_touches(
    touches, owner, owner_client, django_assert_max_num_queries
):
    contact = factories.ContactFactory(owner=owner, name="Priya Shah")
    touch_plan_start(contact=contact, by=owner)
    factories.TouchFactory.create_batch(touches, contact=contact, note="Chatted")
    factories.PromiseFactory.create_batch(3, contact=contact, owner=owner)
    contact.knows.add(*factories.ContactFactory.create_batch(3))

    # 17: + the people they referred to us, + tags, + their referrals in the ledger,
    # + their alliance (none here; a partner's lunches: tests/cultivation/test_alliance_pages.py)
    with django_assert_max_num_queries(17):
        response = owner_client.get(f"/contacts/{contact.pk}/")

    assert response.content.decode().count("Chatted") == touches


def test_contact_page_puts_the_person_first(owner, owner_client, met):
    contact = factories.ContactFactory(
        owner=owner,
        name="Priya Shah",
        what_makes_them_tick="Sailing and her apprentices",
        has_opted_in=False,
    )
    friend = factories.ContactFactory(name="Omar Reid")
    contact.knows.add(friend)
    card = met(contact, "hot")
    touch_log(contact=contact, method="note", by=owner, note="Thanks for the tour")
    promise_make(
        contact=contact,
        owner=owner,
        what="Send the checklist",
        due_on=timezone.localdate() - timedelta(days=1),
        by=owner,
    )

    page = owner_client.get(f"/contacts/{contact.pk}/").content.decode()

    for text in [
        "Sailing and her apprentices",
        "not opted in to email",
        "Omar Reid",
        card.title,
        "Thanks for the tour",
        "Send the checklist",
        "overdue",
        "attempt 2/3",
        "Log touch",
    ]:
        assert text in page, text


def test_log_touch_is_two_clicks_from_the_contact_page(owner, owner_client):
    contact = factories.ContactFactory(owner=owner)

    page = owner_client.get(f"/contacts/{contact.pk}/").content.decode()
    form = owner_client.get(f"/touches/new/?contact={contact.pk}").content.decode()

    assert f'href="/touches/new/?contact={contact.pk}"' in page
    assert f'name="contact" value="{contact.pk}" data-picker-value' in form  # already chosen


def test_unknown_contact_is_404(owner_client):
    assert owner_client.get("/contacts/999999/").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/contacts/")

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


@pytest.mark.parametrize("size", [3, 40])
def test_contact_list_query_count_does_not_grow(
    size, owner, owner_client, django_assert_max_num_queries
):
    for contact in factories.ContactFactory.create_batch(size, owner=owner):
        touch_plan_start(contact=contact, by=owner)
        factories.PromiseFactory(contact=contact, owner=owner)

    with django_assert_max_num_queries(9):  # 9: + the page's people's tags
        response = owner_client.get("/contacts/")

    assert response.content.decode().count("Log touch") == min(size, 25)


def test_contact_list_searches_and_filters(owner, teammate, owner_client):
    cultivated = factories.ContactFactory(owner=owner, name="Cultivated Cara")
    touch_plan_start(contact=cultivated, by=owner)
    factories.ContactFactory(owner=owner, name="Plain Pete")
    late = factories.ContactFactory(owner=teammate, name="Late Lucy")
    factories.PromiseFactory(
        contact=late, owner=teammate, due_on=timezone.localdate() - timedelta(days=2)
    )

    def names(query):
        page = owner_client.get(f"/contacts/?{query}").content.decode()
        return {n for n in ("Cultivated Cara", "Plain Pete", "Late Lucy") if n in page}

    assert names("q=pete") == {"Plain Pete"}
    assert names("cultivation=yes") == {"Cultivated Cara"}
    assert names("cultivation=no") == {"Plain Pete", "Late Lucy"}
    assert names(f"owner={teammate.pk}") == {"Late Lucy"}
    assert names("overdue=on") == {"Late Lucy"}


def test_contact_list_is_paginated(owner, owner_client):
    factories.ContactFactory.create_batch(30, owner=owner)

    first = owner_client.get("/contacts/").content.decode()
    second = owner_client.get("/contacts/?page=2").content.decode()

    assert "Page 1 of 2" in first
    assert second.count("Log touch") == 5


def test_the_owner_filter_names_people_as_the_board_does(owner_client, owner):
    page = owner_client.get("/contacts/").content.decode()

    assert f">{owner.get_full_name()}</option>" in page
