"""The touch plan on the contact page in a real Chromium: start it, add a kind of touch, end it."""

import pytest

from cultivation.models import ContactEvent, TouchPlan
from cultivation.services import touch_plan_start
from tests import factories

Action = ContactEvent.Action


@pytest.fixture
def priya(transactional_db):
    alice = factories.UserFactory(username="alice", first_name="Alice", last_name="Owner")
    return factories.ContactFactory(owner=alice, name="Priya Shah", has_opted_in=True)


def _alert(page, text):
    return page.get_by_role("alert").filter(has_text=text)


@pytest.mark.django_db(transaction=True)
def test_starting_a_plan_and_adding_a_kind_of_touch_shows_both_in_the_plan(
    page, login, screenshot, priya
):
    login(page, priya.owner)
    page.goto(priya.get_absolute_url())
    plan_section = page.locator("#plan")

    plan_section.get_by_label("Relationship").select_option(label="Strategic alliance")
    plan_section.get_by_role("button", name="Start a touch plan").click()
    _alert(page, "Priya Shah now has a touch plan").wait_for()

    plan_section.get_by_text("Add a kind of touch, or end the plan").click()
    plan_section.get_by_label("Touch", exact=True).select_option(label="Handwritten note")
    plan_section.get_by_label("Every (days)").fill("60")
    plan_section.get_by_role("button", name="Add", exact=True).click()

    _alert(page, "Added to the plan: Handwritten note").wait_for()
    rows = plan_section.locator("tbody tr")
    labels = {row.locator("td").first.inner_text() for row in rows.all()}
    assert labels == {"Touch-base call", "Lunch or coffee", "Handwritten note"}
    screenshot(page, "contact-plan-started")
    plan = TouchPlan.objects.get(contact=priya)
    assert (plan.kind, plan.is_live) == ("alliance", True)
    assert plan.items.get(method="note").interval_days == 60
    assert [e.action for e in priya.events.order_by("at", "pk")] == [
        Action.PLAN_STARTED,
        Action.PLAN_CHANGED,
    ]


@pytest.mark.django_db(transaction=True)
def test_ending_a_plan_with_a_reason_takes_the_person_out_of_cultivation(page, login, priya):
    touch_plan_start(contact=priya, by=priya.owner)
    login(page, priya.owner)
    page.goto(priya.get_absolute_url())
    plan_section = page.locator("#plan")

    plan_section.get_by_text("Add a kind of touch, or end the plan").click()
    plan_section.get_by_label("Why end it?").fill("Retired to Portugal")
    plan_section.get_by_role("button", name="End plan").click()

    _alert(page, "The touch plan for Priya Shah has ended").wait_for()
    assert plan_section.get_by_text("Retired to Portugal").is_visible()
    assert plan_section.get_by_role("button", name="Start a touch plan").is_visible()
    plan = TouchPlan.objects.get(contact=priya)
    assert (plan.is_live, plan.end_reason) == (False, "Retired to Portugal")
    assert priya.events.filter(action=Action.PLAN_ENDED).count() == 1
