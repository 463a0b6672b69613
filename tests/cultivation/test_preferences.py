"""Each person's settings: the page, the service behind it, and the calendar address."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client

from convivio.errors import PermissionRefused, RuleViolation
from cultivation.models import Preferences
from cultivation.services.preferences import (
    calendar_token_revoke,
    calendar_token_rotate,
    preferences_update,
)

pytestmark = pytest.mark.django_db

VALID = {
    "time_zone": "America/New_York",
    "weekly_email": "on",
    "weekly_email_weekday": "2",
    "weekly_email_hour": "8",
}


def _update(user, by, **changes):
    values = {
        "time_zone": "",
        "weekly_email": True,
        "weekly_email_weekday": 0,
        "weekly_email_hour": 7,
        **changes,
    }
    return preferences_update(user=user, by=by, **values)


def test_without_a_row_the_page_shows_the_defaults(owner, owner_client):
    response = owner_client.get("/settings/")

    form = response.context["form"]
    assert response.status_code == 200
    assert form["time_zone"].value() == ""
    assert form["weekly_email"].value() is True
    assert form["weekly_email_weekday"].value() == 0
    assert form["weekly_email_hour"].value() == 7
    page = response.content.decode()
    assert "the firm&#x27;s (Europe/London)" in page
    assert '<option value="Pacific/Auckland">' in page
    assert "Make my calendar address" in page
    assert not Preferences.objects.exists()


def test_saving_the_form_creates_the_row_on_first_save(owner, owner_client):
    response = owner_client.post("/settings/", VALID, follow=True)

    saved = Preferences.objects.get(user=owner)
    assert response.redirect_chain == [("/settings/", 302)]
    assert "Your settings are saved." in response.content.decode()
    assert (saved.time_zone, saved.weekly_email) == ("America/New_York", True)
    assert (saved.weekly_email_weekday, saved.weekly_email_hour) == (2, 8)


def test_saving_twice_keeps_one_row_and_turning_the_email_off(owner, owner_client):
    owner_client.post("/settings/", VALID)
    owner_client.post("/settings/", {**VALID, "weekly_email": "", "time_zone": ""})

    saved = Preferences.objects.get(user=owner)
    assert Preferences.objects.count() == 1
    assert saved.weekly_email is False
    assert saved.time_zone == ""


def test_a_zone_typed_in_lower_case_is_the_zone(owner, owner_client):
    owner_client.post("/settings/", {**VALID, "time_zone": "  australia/sydney "})

    assert Preferences.objects.get(user=owner).time_zone == "Australia/Sydney"


@pytest.mark.parametrize(
    ("field", "value", "sentence"),
    [
        ("time_zone", "Mars/Olympus_Mons", "“Mars/Olympus_Mons” is not a time zone we know"),
        ("time_zone", "Europe/\x00London", "Null characters are not allowed."),
        ("time_zone", "x" * 100_000, "Ensure this value has at most 64 characters"),
        ("weekly_email_hour", "24", "Choose an hour from 00:00 to 23:00."),
        ("weekly_email_hour", "-1", "Choose an hour from 00:00 to 23:00."),
        ("weekly_email_hour", "seven", "Choose an hour from 00:00 to 23:00."),
        ("weekly_email_hour", "\x00", "Choose an hour from 00:00 to 23:00."),
        ("weekly_email_weekday", "7", "Choose a day of the week, Monday to Sunday."),
    ],
)
def test_bad_input_is_a_400_with_a_sentence_and_saves_nothing(
    field, value, sentence, owner, owner_client
):
    response = owner_client.post("/settings/", {**VALID, field: value})

    assert response.status_code == 400
    assert sentence in " ".join(response.context["form"].errors[field])
    assert not Preferences.objects.exists()


def test_the_service_refuses_what_the_form_would(owner):
    with pytest.raises(RuleViolation, match="is not a time zone"):
        _update(owner, owner, time_zone="Nowhere/Special")
    with pytest.raises(RuleViolation, match="from 0 to 23"):
        _update(owner, owner, weekly_email_hour=24)
    with pytest.raises(RuleViolation, match="day of the week"):
        _update(owner, owner, weekly_email_weekday=-1)

    assert not Preferences.objects.exists()


def test_only_the_person_or_a_manager_may_change_them(owner, teammate, manager):
    with pytest.raises(PermissionRefused, match="Only Alice Owner or a manager"):
        _update(owner, teammate, time_zone="Asia/Tokyo")
    with pytest.raises(PermissionRefused):
        calendar_token_rotate(user=owner, by=teammate)
    assert not Preferences.objects.exists()

    _update(owner, manager, time_zone="Asia/Tokyo")

    assert Preferences.objects.get(user=owner).time_zone == "Asia/Tokyo"


def test_the_settings_are_mine_only(owner, teammate, teammate_client):
    _update(owner, owner, time_zone="Asia/Tokyo")
    calendar_token_rotate(user=owner, by=owner)

    response = teammate_client.get("/settings/")

    assert response.context["form"]["time_zone"].value() == ""
    assert "in Asia/Tokyo" not in response.content.decode()
    assert Preferences.objects.get(user=owner).calendar_token not in response.content.decode()


def test_rotate_from_the_page_makes_an_address_then_a_new_one(owner, owner_client, settings):
    settings.SITE_URL = "https://crm.example.com"

    made = owner_client.post("/settings/calendar/rotate/", follow=True)
    first = Preferences.objects.get(user=owner).calendar_token
    again = owner_client.post("/settings/calendar/rotate/", follow=True)
    second = Preferences.objects.get(user=owner).calendar_token

    assert made.redirect_chain == [("/settings/#calendar", 302)]
    assert "Your calendar address is ready" in made.content.decode()
    assert f'value="https://crm.example.com/calendar/{first}.ics"' in made.content.decode()
    assert len(first) == 43 and first != second
    assert "the old one no longer works" in again.content.decode()
    assert Client().get(f"/calendar/{first}.ics").status_code == 404
    assert Client().get(f"/calendar/{second}.ics").status_code == 200


def test_revoke_from_the_page_turns_the_address_off(owner, owner_client):
    token = calendar_token_rotate(user=owner, by=owner).calendar_token

    response = owner_client.post("/settings/calendar/revoke/", follow=True)

    saved = Preferences.objects.get(user=owner)
    assert "Your calendar address is turned off" in response.content.decode()
    assert "Make my calendar address" in response.content.decode()
    assert (saved.calendar_token, saved.calendar_token_created_at) == (None, None)
    assert Client().get(f"/calendar/{token}.ics").status_code == 404


def test_revoking_twice_is_harmless(owner):
    calendar_token_rotate(user=owner, by=owner)
    calendar_token_revoke(user=owner, by=owner)
    calendar_token_revoke(user=owner, by=owner)

    assert Preferences.objects.get(user=owner).calendar_token is None


def test_rotate_and_revoke_are_post_only(owner_client):
    assert owner_client.put("/settings/").status_code == 405
    assert owner_client.get("/settings/calendar/rotate/").status_code == 405
    assert owner_client.get("/settings/calendar/revoke/").status_code == 405


def test_the_settings_page_needs_signing_in(client):
    response = client.get("/settings/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_user_menu_links_to_settings(owner_client):
    page = owner_client.get("/my-week/").content.decode()

    assert 'href="/settings/"' in page


def test_the_page_tells_the_time_in_the_persons_zone(owner, owner_client):
    _update(owner, owner, time_zone="Australia/Sydney")

    with time_machine.travel(datetime(2026, 11, 25, 10, 0, tzinfo=UTC), tick=False):
        page = owner_client.get("/settings/").content.decode()

    assert "It is now 21:00, Wednesday 25 November in Australia/Sydney." in " ".join(page.split())


def test_the_calendar_section_says_exchange_lunches_are_in_the_feed(owner_client):
    page = owner_client.get("/settings/").content.decode()
    assert "exchange lunches with your alliance partners" in page
