"""Logging a preferral-exchange lunch in a real browser: names both ways, a row added by
JavaScript, a person picked for a name we offered; nothing breaks the CSP."""

from datetime import timedelta

import pytest

from cultivation.models import Alliance, Exchange, Referral
from cultivation.services import alliance_mark, exchange_log
from cultivation.services.alliances import firm_today
from opportunities.models import Opportunity
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


def test_log_a_lunch_with_names_both_ways(page, login, screenshot, violations, owner):
    paula = factories.ContactFactory(owner=owner, name="Paula Partner")
    alliance_mark(
        contact=paula,
        criteria={"respects_us": True, "has_standing": True, "complementary": True},
        preferral_profile="Owners of family firms planning a sale",
        by=owner,
    )
    kim = factories.ContactFactory(owner=owner, name="Kim Known")
    login(page, owner)

    page.goto(f"/contacts/{paula.pk}/exchange/")
    page.fill("input[name='offered-0-name']", "Nina New")
    page.fill("input[name='offered-0-organisation']", "Harbour Ltd")
    page.fill("input[name='offered-0-email']", "nina@harbour.example")
    page.fill("input[name='offered-0-need']", "Selling the firm")
    page.check("input[name='offered-0-research_card']")
    page.get_by_role("button", name="Add a name").first.click()
    page.locator("input[name='offered-5-name']").wait_for()
    page.fill("input[name='offered-5-name']", "Omar Other")
    box = page.locator("input[name='given-0-person_search']")
    box.fill("Kim")
    listbox = page.locator(f"#{box.get_attribute('aria-controls')}")
    listbox.get_by_role("option").first.wait_for()
    listbox.get_by_role("option").first.click()
    page.fill("input[name='given-0-need']", "A new auditor")
    screenshot(page, "exchange-lunch-form")
    page.get_by_role("button", name="Log the lunch").click()
    page.wait_for_url(f"**/contacts/{paula.pk}/#alliance")
    page.locator("#alliance").wait_for()

    exchange = Exchange.objects.get()
    received = Referral.objects.received().filter(exchange=exchange)
    assert sorted(r.person.name for r in received) == ["Nina New", "Omar Other"]
    assert Referral.objects.given().get(exchange=exchange).person == kim
    assert Opportunity.objects.get().title == "Nina New (Harbour Ltd)"
    card = page.locator("#alliance")
    assert "Meets 3 of 7 criteria" in card.inner_text()
    assert "Nina New" in card.inner_text() and "Kim Known" in card.inner_text()
    screenshot(page, "exchange-lunch-person")
    page.goto("/alliances/")
    assert "1 of 25" in page.locator("#alliance-count").inner_text()
    screenshot(page, "alliances-page")
    assert violations == []


def test_my_week_offers_the_next_step_for_a_lunch_and_a_waiting_name_on_a_wide_screen(
    page, login, owner
):
    # On a phone each line has one button; on a wide screen these two kinds had none.
    paula = factories.ContactFactory(owner=owner, name="Paula Partner")
    alliance_mark(contact=paula, criteria={}, preferral_profile="", by=owner)
    exchange_log(
        partner=paula,
        by=owner,
        on=firm_today() - timedelta(days=10),
        names_offered=[{"name": "Nina New"}],
    )
    Alliance.objects.filter(contact=paula).update(next_lunch_on=firm_today())  # due now
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, owner)

    page.goto("/my-week/")

    assert page.get_by_role("link", name="Log the exchange lunch with Paula Partner").is_visible()
    assert page.get_by_role("link", name="Follow up Nina New").is_visible()
