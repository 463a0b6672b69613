"""My week in a real browser: log a call's outcome and see it leave the list."""

import pytest
from django.utils import timezone

from tests import factories


@pytest.mark.django_db(transaction=True)
def test_logging_a_call_outcome_from_my_week_takes_it_off_the_list(page, login, screenshot):
    owner = factories.UserFactory(username="alice", first_name="Alice")
    contact = factories.ContactFactory(owner=owner, name="Dev Patel")
    plan = factories.TouchPlanFactory(contact=contact)
    factories.PlanItemFactory(plan=plan, method="call", next_due_on=timezone.localdate())
    factories.TouchFactory(contact=contact, method="email")
    login(page, owner)

    page.goto("/my-week/")
    row = page.locator('li[data-kind="touch"]', has_text="Dev Patel")
    row.get_by_label("Outcome of the call with Dev Patel").select_option("Reached, no need")
    screenshot(page, "my-week-before-logging")
    row.get_by_role("button", name="Log call").click()

    page.wait_for_url("**/my-week/")
    assert page.get_by_role("alert").inner_text().startswith("Logged: Phone call with Dev Patel")
    assert page.locator('li[data-kind="touch"]').count() == 0
    assert page.get_by_text("No planned touches due.").is_visible()
    screenshot(page, "my-week-after-logging")
    assert contact.touches.get(method="call").get_outcome_display() == "Reached, no need"
