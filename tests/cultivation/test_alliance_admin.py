"""Alliances and exchange lunches in the admin: saves go through the services, the next
lunch is read-only, ending is an action with a reason, nothing is deleted by hand."""

import pytest
from django.urls import reverse
from django.utils import timezone

from cultivation.models import Alliance, ContactEvent, Exchange, TouchPlan
from cultivation.services import alliance_mark
from tests import factories

pytestmark = pytest.mark.django_db
ADD = reverse("admin:cultivation_alliance_add")
LIST = reverse("admin:cultivation_alliance_changelist")


@pytest.fixture
def carl(owner):
    return factories.ContactFactory(owner=owner, name="Carl Candidate")


def test_adding_an_alliance_in_the_admin_goes_through_the_service(manager_client, carl):
    response = manager_client.post(
        ADD, {"contact": carl.pk, "respects_us": "on", "preferral_profile": "Architects"}
    )

    assert response.status_code == 302
    alliance = Alliance.objects.get(contact=carl)
    assert alliance.respects_us and alliance.next_lunch_on is not None
    assert TouchPlan.objects.get(contact=carl).kind == TouchPlan.Kind.ALLIANCE
    assert carl.events.filter(action=ContactEvent.Action.ALLIANCE_STARTED).exists()


def test_the_next_lunch_cannot_be_set_by_hand(manager_client, carl, manager):
    alliance = alliance_mark(contact=carl, criteria={}, preferral_profile="", by=manager).alliance
    booked = alliance.next_lunch_on
    url = reverse("admin:cultivation_alliance_change", args=[alliance.pk])

    page = manager_client.get(url).content.decode()
    response = manager_client.post(
        url, {"is_growing": "on", "preferral_profile": "", "next_lunch_on": "2030-01-01"}
    )

    assert 'name="next_lunch_on"' not in page
    assert response.status_code == 302
    alliance.refresh_from_db()
    assert alliance.is_growing and alliance.next_lunch_on == booked


def test_a_refused_alliance_says_why_and_saves_nothing(manager_client, carl):
    carl.asked_to_stop_at = timezone.now()
    carl.save()

    response = manager_client.post(ADD, {"contact": carl.pk, "respects_us": "on"}, follow=True)

    assert "Nothing was saved: Carl Candidate asked us to stop" in response.content.decode()
    assert not Alliance.objects.exists()


def test_ending_is_an_action_with_a_reason(manager_client, carl, manager):
    alliance = alliance_mark(contact=carl, criteria={}, preferral_profile="", by=manager).alliance
    data = {"action": "end", "_selected_action": [alliance.pk], "reason": ""}

    manager_client.post(LIST, data)
    alliance.refresh_from_db()
    assert alliance.ended_at is None
    manager_client.post(LIST, {**data, "reason": "Retired"})
    alliance.refresh_from_db()
    assert alliance.end_reason == "Retired" and alliance.next_lunch_on is None


def test_rebooking_is_an_action(manager_client, carl, manager):
    alliance = alliance_mark(contact=carl, criteria={}, preferral_profile="", by=manager).alliance
    Alliance.objects.filter(pk=alliance.pk).update(next_lunch_on=None)

    manager_client.post(LIST, {"action": "rebook", "_selected_action": [alliance.pk]})

    alliance.refresh_from_db()
    assert alliance.next_lunch_on is not None


def test_a_lunch_added_in_the_admin_is_logged_by_the_service(manager_client, carl, manager):
    alliance_mark(contact=carl, criteria={}, preferral_profile="", by=manager)
    today = timezone.localdate()

    response = manager_client.post(
        reverse("admin:cultivation_exchange_add"),
        {"partner": carl.pk, "on": today.isoformat(), "note": "Soup"},
    )

    assert response.status_code == 302
    exchange = Exchange.objects.get()
    assert (exchange.by, exchange.touch.method, exchange.note) == (manager, "lunch", "Soup")


def test_nothing_is_deleted_by_hand(manager_client, carl, manager):
    alliance = alliance_mark(contact=carl, criteria={}, preferral_profile="", by=manager).alliance

    response = manager_client.get(reverse("admin:cultivation_alliance_delete", args=[alliance.pk]))

    assert response.status_code == 403
