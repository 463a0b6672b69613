"""My week: what is overdue and due this week, one query per list."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from cultivation import selectors
from tests import factories

NOW = timezone.make_aware(datetime(2026, 11, 25, 10, 0))  # a Wednesday


@pytest.mark.django_db
def test_my_week_lists_what_is_due_by_sunday_and_not_later(owner):
    contact = factories.ContactFactory(owner=owner, name="Priya Shah")
    factories.FollowUpFactory(contact=contact, met_at=NOW - timedelta(days=6))
    plan = factories.TouchPlanFactory(contact=factories.ContactFactory(owner=owner, name="Tom"))
    factories.PlanItemFactory(plan=plan, next_due_on=NOW.date() + timedelta(days=4))
    later = factories.TouchPlanFactory(contact=factories.ContactFactory(owner=owner))
    factories.PlanItemFactory(plan=later, next_due_on=NOW.date() + timedelta(days=5))
    factories.PromiseFactory(
        contact=contact, due_on=NOW.date() - timedelta(days=1), what="Send the report"
    )

    week = selectors.my_week(owner, now=NOW)

    assert [item.contact.name for item in week.follow_ups] == ["Priya Shah"]
    assert [item.contact.name for item in week.touches] == ["Tom"]
    assert [item.title for item in week.promises] == ["Promise: Send the report"]
    assert week.promises[0].is_overdue
    assert week.total == 3 and not week.is_empty
    assert week.until.weekday() == 6


def _busy_week(owner, size):
    """`size` people each with a follow-up, a planned call and a promise due this week."""
    now = timezone.now()
    for _ in range(size):
        contact = factories.ContactFactory(owner=owner)
        factories.FollowUpFactory(contact=contact, met_at=now - timedelta(days=8))
        plan = factories.TouchPlanFactory(contact=contact)
        factories.PlanItemFactory(plan=plan, next_due_on=timezone.localdate(now))
        factories.PromiseFactory(contact=contact, owner=owner, due_on=timezone.localdate(now))


@pytest.mark.parametrize("size", [2, 12])
def test_my_week_page_query_count_does_not_grow(
    size, owner, owner_client, django_assert_max_num_queries
):
    _busy_week(owner, size)

    with django_assert_max_num_queries(10):  # + exchange lunches, + names to follow up
        response = owner_client.get("/my-week/")

    page = response.content.decode()
    assert page.count('data-kind="touch"') == size
    assert page.count('data-kind="follow_up"') == size
    assert page.count('data-kind="promise"') == size


def test_selectors_take_one_query_per_list(owner, django_assert_num_queries):
    _busy_week(owner, 5)

    with django_assert_num_queries(6):
        week = selectors.my_week(owner, now=timezone.now())

    assert week.total == 15


def test_my_week_shows_only_my_items(owner, teammate, owner_client):
    _busy_week(teammate, 2)

    response = owner_client.get("/my-week/")

    assert "Nothing due this week" in response.content.decode()


def test_logging_a_call_outcome_from_my_week_takes_it_off_the_list(owner, owner_client):
    contact = factories.ContactFactory(owner=owner, name="Dev Patel")
    plan = factories.TouchPlanFactory(contact=contact)
    factories.PlanItemFactory(plan=plan, next_due_on=timezone.localdate())
    factories.TouchFactory(contact=contact, method="email")

    response = owner_client.post(
        "/touches/new/",
        {
            "contact": contact.pk,
            "method": "call",
            "direction": "ours",
            "on": timezone.localdate().isoformat(),
            "outcome": "not_reached",
            "next": "/my-week/",
        },
        follow=True,
    )

    page = response.content.decode()
    assert response.redirect_chain[-1][0] == "/my-week/"
    assert "Logged: Phone call with Dev Patel" in page
    assert 'data-kind="touch"' not in page


def test_decisions_awaiting_are_listed_with_a_link_to_decide(owner, owner_client):
    contact = factories.ContactFactory(owner=owner, name="Eve Long")
    factories.FollowUpFactory(
        contact=contact,
        attempt_count=3,
        next_due_at=None,
        exhausts_at=timezone.now() - timedelta(hours=1),
    )

    page = owner_client.get("/my-week/").content.decode()

    assert "Awaiting your decision" in page
    assert f"/contacts/{contact.pk}/#follow-up" in page
