"""The strict Content-Security-Policy in a real Chromium: the app works and nothing is refused.

Two watchers, because either alone can miss a refusal: the console (Chromium
logs "Refused to ... because it violates the following Content Security Policy
directive") and a `securitypolicyviolation` listener put in every page before
its own scripts run, which reports back through a Playwright binding, so
violations are kept across navigations.
"""

import pytest

from opportunities.models import Opportunity, Stage
from tests import factories
from tests.browser.test_board import _card, _column, _drag

WATCH = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolation(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} ` +
    `in ${event.sourceFile || document.location.pathname}:${event.lineNumber}`
  );
});
"""


@pytest.fixture
def login(login_in_browser):
    """Through the sign-in page, drawn in the browser, so it is watched too."""
    return login_in_browser


@pytest.fixture
def violations(page):
    """Every CSP violation and Permissions-Policy complaint seen in `page`, as text."""
    seen = []

    def console(message):
        if "Content Security Policy" in message.text or "Permissions-Policy" in message.text:
            seen.append(f"console: {message.text}")

    page.on("console", console)
    page.expose_function("cspViolation", lambda text: seen.append(f"event: {text}"))
    page.add_init_script(WATCH)
    return seen


@pytest.fixture
def firm(transactional_db):
    alice = factories.UserFactory(username="alice", first_name="Alice", last_name="Owner")
    maria = factories.ManagerFactory(username="maria", first_name="Maria", last_name="Manager")
    research = factories.OpportunityFactory(
        owner=alice, title="Pension review", estimated_value=12000
    )
    connecting = factories.OpportunityFactory(
        owner=alice, title="Tax planning", stage=Stage.CONNECTING, estimated_value=8000
    )
    person = factories.OpportunityContactFactory(
        opportunity=research, contact__name="Priya Shah", contact__owner=alice
    )
    factories.PromiseFactory(contact=person.contact, owner=alice)
    return alice, maria, research, connecting, person.contact


def _settle(page):
    page.wait_for_load_state("networkidle")


@pytest.mark.django_db(transaction=True)
def test_the_board_drag_and_lost_dialog_break_no_csp_rule(page, login, violations, firm):
    alice, _, research, connecting, _ = firm
    login(page, alice)
    page.goto("/")
    _settle(page)

    _drag(page, _card(page, "Pension review"), _column(page, "connecting"))
    page.get_by_role("alert").filter(has_text="moved to Connecting").wait_for()
    page.get_by_role("alert").filter(has_text="moved to Connecting").get_by_role(
        "button", name="Close"
    ).click()

    _drag(page, _card(page, "Tax planning"), _column(page, "lost"))
    dialog = page.locator("#lost-dialog")
    dialog.get_by_label("Reason").fill("They chose another firm")
    dialog.get_by_role("button", name="Move to Lost").click()
    page.get_by_role("alert").filter(has_text="moved to Lost").wait_for()
    _settle(page)

    assert Opportunity.objects.get(pk=research.pk).stage == Stage.CONNECTING
    assert Opportunity.objects.get(pk=connecting.pk).stage == Stage.LOST
    assert violations == []


@pytest.mark.django_db(transaction=True)
def test_the_card_my_week_contacts_and_a_narrow_screen_break_no_csp_rule(
    page, login, violations, firm
):
    alice, _, research, _, contact = firm
    login(page, alice)
    for path in (f"/cards/{research.pk}/", "/my-week/", "/contacts/", f"/contacts/{contact.pk}/"):
        assert page.goto(path).status == 200, path
        _settle(page)

    # A phone: the navbar's toggler icon shows, and the menu opens (a checkbox and CSS).
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto("/")
    page.get_by_title("Menu").click()
    page.get_by_role("link", name="My week").wait_for(state="visible")
    _settle(page)

    assert violations == []


@pytest.mark.django_db(transaction=True)
def test_the_admin_works_under_the_policy(page, login, violations, firm):
    _, maria, research, _, contact = firm
    login(page, maria)
    for path in (
        "/admin/",
        f"/admin/opportunities/opportunity/{research.pk}/change/",
        f"/admin/cultivation/contact/{contact.pk}/change/",
        "/admin/cultivation/contact/",
    ):
        assert page.goto(path).status == 200, path
        _settle(page)
    page.locator("#opportunity_form, #contact_form, #changelist").first.wait_for()

    assert violations == []


@pytest.mark.django_db(transaction=True)
def test_the_watchers_catch_an_injected_violation(page, login, violations, firm):
    """The watchers can fail: an inline script added to the board is refused and reported."""
    alice, *_ = firm
    login(page, alice)
    page.goto("/")
    _settle(page)

    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "document.title = 'injected'";
          document.body.appendChild(script);
          document.body.insertAdjacentHTML("beforeend", '<p style="color: red">styled</p>');
        }"""
    )
    page.wait_for_function("() => true")
    _settle(page)

    assert page.title() != "injected"
    assert any(v.startswith("console:") and "script-src" in v for v in violations), violations
    assert any(v.startswith("event: script-src") for v in violations), violations
    assert any(v.startswith("event: style-src") for v in violations), violations
