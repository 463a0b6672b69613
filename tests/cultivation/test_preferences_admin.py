"""Managers correct anyone's settings in the admin, through the settings' service."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from cultivation.models import Preferences
from cultivation.services.preferences import calendar_token_rotate

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/cultivation/preferences/"


def _form(**values):
    return {
        "time_zone": "",
        "weekly_email": "on",
        "weekly_email_weekday": "0",
        "weekly_email_hour": "7",
        **values,
    }


def test_a_manager_adds_settings_for_a_person_without_any(manager_client, owner):
    response = manager_client.post(
        reverse("admin:cultivation_preferences_add"),
        _form(user=owner.pk, time_zone="america/new_york", weekly_email_hour="9"),
    )

    saved = Preferences.objects.get(user=owner)
    assert response.status_code == 302
    assert (saved.time_zone, saved.weekly_email_hour) == ("America/New_York", 9)
    assert LogEntry.objects.filter(object_id=str(owner.pk)).count() == 1


def test_a_manager_changes_them_and_the_token_is_never_shown(manager_client, owner):
    token = calendar_token_rotate(user=owner, by=owner).calendar_token
    url = reverse("admin:cultivation_preferences_change", args=[owner.pk])

    page = manager_client.get(url).content.decode()
    response = manager_client.post(url, _form(time_zone="Australia/Sydney", weekly_email=""))

    saved = Preferences.objects.get(user=owner)
    assert token not in page
    assert "on, made" in page
    assert response.status_code == 302
    assert (saved.time_zone, saved.weekly_email) == ("Australia/Sydney", False)
    assert saved.calendar_token == token


def test_a_bad_zone_in_the_admin_is_refused_with_a_sentence(manager_client, owner):
    url = reverse("admin:cultivation_preferences_add")

    response = manager_client.post(url, _form(user=owner.pk, time_zone="Atlantis/Lost"))

    assert response.status_code == 200
    assert "is not a time zone we know" in response.content.decode()
    assert not Preferences.objects.exists()


def test_the_revoke_action_turns_off_the_selected_addresses(manager_client, owner, teammate):
    calendar_token_rotate(user=owner, by=owner)
    kept = calendar_token_rotate(user=teammate, by=teammate).calendar_token

    response = manager_client.post(
        CHANGELIST,
        {"action": "revoke_calendar_address", "_selected_action": [owner.pk]},
        follow=True,
    )

    assert "1 calendar address(s) turned off." in response.content.decode()
    assert Preferences.objects.get(user=owner).calendar_token is None
    assert Preferences.objects.get(user=teammate).calendar_token == kept


def test_settings_cannot_be_deleted_in_the_admin(manager_client, owner):
    calendar_token_rotate(user=owner, by=owner)

    url = reverse("admin:cultivation_preferences_delete", args=[owner.pk])

    assert manager_client.get(url).status_code == 403
