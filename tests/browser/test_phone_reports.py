"""Reports and alliances on a phone (390 x 844): a chart scales down to the width, so the
newest month is in sight without scrolling sideways; "Log a lunch" is in sight on
/alliances/. Screenshots go to test-artifacts/ for a person to look at."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cultivation.services import alliance_mark
from tests import factories
from tests.browser.test_csp import WATCH

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
RIGHT_EDGE = "el => el.getBoundingClientRect().right"


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


def test_the_funnels_charts_fit_a_phone_and_show_the_newest_month(
    page, login, owner, violations, screenshot
):
    contact = factories.ContactFactory(owner=owner)
    factories.TouchFactory(contact=contact, method="call", outcome="no_need", at=timezone.now())
    factories.TouchPlanFactory(contact=contact, started_at=timezone.now() - timedelta(days=400))
    page.set_viewport_size(PHONE)
    login(page, owner)
    page.goto("/reports/funnel/")
    chart = page.locator("#calls svg")
    chart.wait_for()
    assert chart.evaluate(RIGHT_EDGE) <= PHONE["width"]
    wrap = page.locator("#calls .cv-chart-wrap")
    assert wrap.evaluate("el => el.scrollWidth <= el.clientWidth")  # nothing hidden sideways
    this_month = f"{timezone.localdate():%b %Y}"
    assert this_month in chart.inner_html()
    screenshot(page, "phone-reports-funnel")
    assert violations == []


def test_log_a_lunch_is_in_sight_on_a_phone(page, login, owner, violations, screenshot):
    partner = factories.ContactFactory(owner=owner, name="Bartholomew Featherstonehaugh-Smythe")
    alliance_mark(contact=partner, criteria={}, preferral_profile="", by=owner)
    page.set_viewport_size(PHONE)
    login(page, owner)
    page.goto("/alliances/")
    button = page.locator("#partners").get_by_role("link", name="Log a lunch")
    button.wait_for()
    assert button.evaluate(RIGHT_EDGE) <= PHONE["width"]
    screenshot(page, "phone-alliances")
    assert violations == []
