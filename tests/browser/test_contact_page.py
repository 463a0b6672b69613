"""The contact page in a real Chromium: log a touch, record a promise and keep it."""

import re

import pytest
from django.utils import timezone

from cultivation.models import ContactEvent, Promise, Touch
from tests import factories


@pytest.fixture
def priya(transactional_db):
    alice = factories.UserFactory(username="alice", first_name="Alice", last_name="Owner")
    return factories.ContactFactory(owner=alice, name="Priya Shah", has_opted_in=True)


def _field(page, label):
    """A form field by its label, with or without crispy's required asterisk."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}\*?\s*$"))


def _alert(page, text):
    return page.get_by_role("alert").filter(has_text=text)


@pytest.mark.django_db(transaction=True)
def test_logging_a_touch_from_the_contact_page_puts_it_on_the_timeline(
    page, login, screenshot, priya
):
    login(page, priya.owner)
    page.goto(priya.get_absolute_url())

    page.get_by_role("link", name="Log touch").click()
    page.get_by_role("heading", name="Log a touch with Priya Shah", exact=True).wait_for()
    _field(page, "Method").select_option(label="Handwritten note")
    _field(page, "Note").fill("Thanks for the tour of the Leeds office")
    page.get_by_role("button", name="Log touch").click()

    page.wait_for_url(f"**{priya.get_absolute_url()}")
    _alert(page, "Logged: Handwritten note").wait_for()
    timeline = page.locator("#timeline")
    assert timeline.get_by_text("Thanks for the tour of the Leeds office").is_visible()
    screenshot(page, "contact-after-touch")
    touch = Touch.objects.get(contact=priya)
    assert (touch.method, touch.direction, touch.by) == ("note", "ours", priya.owner)
    assert timezone.localdate(touch.at) == timezone.localdate()


@pytest.mark.django_db(transaction=True)
def test_a_promise_recorded_from_the_contact_page_is_kept_there_and_logged_as_a_touch(
    page, login, screenshot, priya
):
    login(page, priya.owner)
    page.goto(priya.get_absolute_url())

    page.get_by_role("link", name="Record promise").click()
    _field(page, "What we promised").fill("Send the succession checklist")
    page.get_by_role("button", name="Record promise").click()

    _alert(page, "Promise recorded").wait_for()
    promises = page.locator("#promises")
    assert promises.get_by_text("Send the succession checklist").is_visible()
    promise = Promise.objects.get(contact=priya)
    assert (promise.owner, promise.is_open) == (priya.owner, True)

    promises.get_by_label("Kept by").select_option(label="Email")
    promises.get_by_role("button", name="Kept").click()

    _alert(page, "Promise kept").wait_for()
    assert page.locator("#promises").get_by_text("No open promises.").is_visible()
    screenshot(page, "contact-promise-kept")
    promise.refresh_from_db()
    assert promise.kept_at is not None
    assert promise.kept_touch.method == "email"
    assert priya.events.filter(action=ContactEvent.Action.PROMISE_KEPT).count() == 1
