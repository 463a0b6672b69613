"""The person picker in a real browser: by keyboard only, for several people, and without
JavaScript; nothing it does breaks the Content-Security-Policy."""

import pytest

from cultivation.models import Gathering, Touch
from tests import factories
from tests.browser.test_csp import WATCH


@pytest.fixture
def violations(page):
    """Content-Security-Policy refusals seen in `page` (as tests/browser/test_csp.py watches)."""
    seen = []
    page.on(
        "console",
        lambda message: seen.append(message.text) if "Security Policy" in message.text else None,
    )
    page.expose_function("cspViolation", lambda text: seen.append(text))
    page.add_init_script(WATCH)
    return seen


@pytest.fixture
def firm(transactional_db):
    alice = factories.UserFactory(username="alice", first_name="Alice", last_name="Owner")
    acme = factories.OrganisationFactory(name="Acme Holdings")
    people = {
        name: factories.ContactFactory(name=name, owner=alice, organisation=acme)
        for name in ("Priya Shah", "Sam Priestley", "Omar Nasser")
    }
    return alice, people


def _suggestions(page, box):
    listbox = page.locator(f"#{box.get_attribute('aria-controls')}")
    listbox.get_by_role("option").first.wait_for()
    return listbox


def test_a_touch_is_logged_for_a_person_picked_by_keyboard_only(
    page,
    login,
    screenshot,
    violations,
    firm,
):
    alice, people = firm
    login(page, alice)
    page.goto("/touches/new/")
    box = page.get_by_role("combobox", name="Contact")
    box.focus()

    page.keyboard.type("pri")
    listbox = _suggestions(page, box)
    assert listbox.get_by_role("option").all_inner_texts()[0].startswith("Priya Shah")
    assert box.get_attribute("aria-expanded") == "true"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert listbox.locator("[aria-selected=true]").inner_text().startswith("Sam Priestley")
    page.keyboard.press("ArrowUp")
    screenshot(page, "picker-suggestions")
    page.keyboard.press("Enter")

    assert box.input_value() == "Priya Shah (Acme Holdings)"
    assert box.get_attribute("aria-expanded") == "false"
    assert page.url.endswith("/touches/new/")  # Enter picked; it did not send the form
    page.keyboard.press("Enter")  # the list is closed: Enter sends the form

    page.wait_for_url(f"**/contacts/{people['Priya Shah'].pk}/")
    assert page.get_by_role("alert").inner_text().startswith("Logged:")
    assert Touch.objects.get().contact == people["Priya Shah"]
    assert violations == []


def test_escape_closes_the_suggestions_and_typing_again_unpicks(page, login, firm):
    alice, people = firm
    login(page, alice)
    page.goto("/touches/new/")
    box = page.get_by_role("combobox", name="Contact")
    box.focus()
    page.keyboard.type("omar")
    _suggestions(page, box)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    chosen = page.locator("input[type=hidden][name=contact]")
    assert chosen.input_value() == str(people["Omar Nasser"].pk)

    page.keyboard.press("Backspace")
    assert chosen.input_value() == ""
    _suggestions(page, box)
    page.keyboard.press("Escape")

    assert box.get_attribute("aria-expanded") == "false"
    assert page.locator("#id_contact_list").is_hidden()


def test_a_gathering_gets_several_people_one_search_at_a_time(page, login, violations, firm):
    alice, people = firm
    login(page, alice)
    page.goto("/gatherings/new/")
    box = page.get_by_role("combobox", name="People")
    box.focus()

    for typed in ("priya", "sam p"):
        page.keyboard.type(typed)
        _suggestions(page, box)
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        assert box.input_value() == ""
    assert page.get_by_role("checkbox", name="Priya Shah (Acme Holdings)").is_checked()
    page.get_by_role("button", name="Log gathering").click()

    page.wait_for_url("**/my-week/")
    gathering = Gathering.objects.get()
    assert {touch.contact.name for touch in gathering.touches.all()} == {
        "Priya Shah",
        "Sam Priestley",
    }
    assert violations == []


def test_without_javascript_the_form_offers_the_matches_to_choose_from(browser, live_server, firm):
    alice, people = firm
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("input[name=username]", alice.username)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("button[type=submit]")
    page.goto("/touches/new/")

    page.get_by_label("Contact").fill("sam")
    page.get_by_role("button", name="Log touch").click()
    assert "Choose the person you mean" in page.content()
    assert not Touch.objects.exists()
    page.get_by_label("Sam Priestley (Acme Holdings)").check()
    page.get_by_role("button", name="Log touch").click()

    page.wait_for_url(f"**/contacts/{people['Sam Priestley'].pk}/")
    assert Touch.objects.get().contact == people["Sam Priestley"]
    context.close()
