"""The settings page in a real browser: choose a zone, then copy and renew the calendar address."""

import icalendar
import pytest

from cultivation.models import Preferences
from cultivation.services.preferences import calendar_token_rotate
from tests import factories


@pytest.mark.django_db(transaction=True)
def test_choose_a_zone_then_copy_and_renew_the_calendar_address(
    page, login, screenshot, live_server, settings
):
    settings.SITE_URL = live_server.url
    owner = factories.UserFactory(username="alice", first_name="Alice", last_name="Owner")
    factories.PromiseFactory(
        contact=factories.ContactFactory(owner=owner, name="Priya Shah"), what="Send the report"
    )
    problems = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    login(page, owner)

    page.get_by_role("link", name="Alice Owner · Settings").click()
    page.wait_for_url("**/settings/")
    page.get_by_label("Time zone").fill("America/New_York")
    page.get_by_label("Hour of the weekly email").select_option("08:00")
    page.get_by_role("button", name="Save settings").click()
    page.wait_for_url("**/settings/")
    assert page.get_by_role("alert").inner_text().startswith("Your settings are saved.")
    assert page.get_by_text("in America/New_York").is_visible()
    screenshot(page, "settings-saved")

    page.get_by_role("button", name="Make my calendar address").click()
    address = page.get_by_label("Subscribe to this address").input_value()
    page.get_by_role("button", name="Copy").click()
    page.get_by_role("button", name="Copied").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == address
    screenshot(page, "settings-calendar-address")

    feed = page.request.get(address)
    assert feed.status == 200
    assert feed.headers["content-type"] == "text/calendar; charset=utf-8"
    (event,) = icalendar.Calendar.from_ical(feed.body()).walk("VEVENT")
    assert "Send the report · Priya Shah" in str(event["summary"])

    page.get_by_role("button", name="Make a new address").click()
    page.wait_for_url("**/settings/#calendar")
    renewed = page.get_by_label("Subscribe to this address").input_value()
    screenshot(page, "settings-calendar-renewed")
    assert renewed != address
    assert page.request.get(address).status == 404
    assert page.request.get(renewed).status == 200
    saved = Preferences.objects.get(user=owner)
    assert (saved.time_zone, saved.weekly_email_hour) == ("America/New_York", 8)
    assert problems == []


@pytest.mark.django_db(transaction=True)
def test_the_settings_page_fits_a_phone(page, login, screenshot, live_server, settings):
    settings.SITE_URL = live_server.url
    owner = factories.UserFactory(username="alice", first_name="Alice", last_name="Owner")
    calendar_token_rotate(user=owner, by=owner)
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, owner)

    page.goto("/settings/")
    screenshot(page, "settings-phone")

    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    assert page.get_by_role("button", name="Copy").is_visible()
    assert page.get_by_role("button", name="Make a new address").is_visible()
