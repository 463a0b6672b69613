"""The funnel in a real browser: open it, change the period with the form, download a CSV;
and nothing refused by the Content-Security-Policy along the way."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from tests import factories
from tests.browser.test_csp import WATCH

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def violations(page):
    seen = []
    page.on(
        "console",
        lambda message: seen.append(message.text) if "Security Policy" in message.text else None,
    )
    page.expose_function("cspViolation", lambda text: seen.append(text))
    page.add_init_script(WATCH)
    return seen


def _calls(owner, when, outcomes):
    for outcome in outcomes:
        contact = factories.ContactFactory(owner=owner)
        factories.TouchFactory(contact=contact, method="call", outcome=outcome, at=when)
        factories.TouchPlanFactory(contact=contact, started_at=when - timedelta(days=200))


def _calls_table(page):
    return page.locator("#calls table")


def test_open_the_funnel_change_the_period_and_download_the_csv(
    page, login, owner, violations, screenshot
):
    now = timezone.now()
    _calls(owner, now - timedelta(minutes=5), ["no_need", "meeting_agreed", "not_reached"])
    _calls(owner, datetime(2025, 6, 10, 10, tzinfo=UTC), ["need_found", "no_need"])
    this_month = f"{timezone.localdate(now):%b %Y}"
    login(page, owner)

    page.get_by_role("link", name="My numbers").click()
    page.wait_for_url("**/reports/funnel/")
    table = _calls_table(page)
    assert page.get_by_role("heading", name="My numbers").is_visible()
    assert table.get_by_role("row", name=this_month).get_by_role("cell").nth(1).inner_text() == "3"
    screenshot(page, "reports-funnel")

    page.fill("#period-from", "2025-06")
    page.fill("#period-to", "2025-07")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/reports/funnel/?from=2025-06&to=2025-07")
    rows = _calls_table(page).locator("tbody tr")
    assert rows.count() == 2
    assert rows.nth(0).locator("th").inner_text() == "Jun 2025"
    assert rows.nth(0).locator("td").nth(1).inner_text() == "2"
    assert page.get_by_text("June 2025 to July 2025").first.is_visible()

    with page.expect_download() as download_info:
        page.locator("#calls").get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename == "convivio-funnel-calls-2025-06-to-2025-07.csv"
    text = download.path().read_text(encoding="utf-8-sig")
    assert text.splitlines()[1].startswith("Jun 2025,")
    assert text.splitlines()[1].split(",")[2] == "2"
    assert violations == []


def test_a_manager_sees_everyone_by_person(
    page, login, manager, owner, teammate, violations, screenshot
):
    _calls(owner, timezone.now() - timedelta(minutes=5), ["no_need", "meeting_agreed"])
    _calls(teammate, timezone.now() - timedelta(minutes=5), ["not_reached"])
    login(page, manager)
    page.goto("/reports/")
    page.wait_for_url("**/reports/funnel/")
    assert page.get_by_role("heading", name="Reports: everyone").is_visible()
    people = page.locator("#people")
    assert people.get_by_role("row", name="Alice Owner").is_visible()
    assert people.locator("svg[role=img]").is_visible()
    screenshot(page, "reports-funnel-manager")
    page.get_by_role("link", name="Discipline").click()
    page.wait_for_url("**/reports/discipline/**")
    screenshot(page, "reports-discipline-manager")
    assert violations == []
