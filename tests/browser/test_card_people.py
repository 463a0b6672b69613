"""People on a card in a real Chromium: someone new created from the card page lands on it;
two people linked on a person's page fill "Who could introduce us?" on the card, and one
click there records the idea; the touch form shows the rules as soon as a person is picked."""

import re

import pytest

from cultivation.models import MAX_ATTEMPTS, Acquaintance, Contact
from opportunities.models import ConnectionIdea, Stage
from opportunities.services import opportunity_move
from tests import factories


@pytest.fixture
def card(transactional_db):
    alice = factories.UserFactory(username="alice", first_name="Alice", last_name="Owner")
    card = factories.OpportunityFactory(
        owner=alice, title="Harbour Logistics", organisation__name="Harbour Ltd"
    )
    factories.OpportunityContactFactory(
        opportunity=card, contact__name="Priya Shah", contact__owner=alice
    )
    return card


def _field(page, label):
    """A form field by its label, with or without crispy's required asterisk."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}\*?\s*$"))


def _alert(page, text):
    return page.get_by_role("alert").filter(has_text=text)


def _pick(page, box, typed):
    """Type into a picker and choose the first suggestion by keyboard."""
    box.focus()
    page.keyboard.type(typed)
    listbox = page.locator(f"#{box.get_attribute('aria-controls')}")
    listbox.get_by_role("option").first.wait_for()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")


def test_someone_new_created_from_the_card_page_is_on_the_card(page, login, screenshot, card):
    login(page, card.owner)
    page.goto(card.get_absolute_url())

    page.get_by_text("Add a person").click()
    new = page.locator("form", has=page.get_by_role("button", name="Add them to the card"))
    _field(new, "Name").fill("Sam Harbour")
    _field(new, "Email").fill("sam@harbour.example")
    _field(new, "Role").fill("Operations director")
    _field(new, "Role on the card").fill("Signs off logistics")
    assert new.get_by_role("combobox", name="Organisation").input_value() == "Harbour Ltd"
    new.get_by_role("button", name="Add them to the card").click()

    _alert(page, "Sam Harbour added and on the card.").wait_for()
    screenshot(page, "card-person-created")
    people = page.locator("#people")
    assert people.get_by_role("link", name="Sam Harbour").is_visible()
    assert "Signs off logistics" in people.inner_text()
    sam = Contact.objects.get(name="Sam Harbour")
    assert (sam.organisation, sam.owner) == (card.organisation, card.owner)
    assert card.links.get(contact=sam).role == "Signs off logistics"


def test_linking_two_people_fills_who_could_introduce_us(page, login, screenshot, card):
    tom = factories.ContactFactory(name="Tom Reed", owner=card.owner, organisation=None)
    login(page, card.owner)
    page.goto(card.get_absolute_url())
    assert "No one we know is linked" in page.locator("#introducers").inner_text()

    page.goto(tom.get_absolute_url())
    page.get_by_text("Add someone Tom Reed knows").click()
    _pick(page, page.get_by_role("combobox", name="Knows"), "Priya")
    _field(page, "How").select_option(label="Client")
    _field(page, "Detail").fill("Their auditor for ten years")
    page.get_by_role("button", name="Link them").click()
    _alert(page, "Recorded: Tom Reed knows Priya Shah.").wait_for()
    assert Acquaintance.objects.count() == 2

    page.goto(card.get_absolute_url())
    introducers = page.locator("#introducers")
    assert "Tom Reed knows Priya Shah (client: Their auditor for ten years)" in (
        introducers.inner_text()
    )
    introducers.get_by_role("button", name="Ask Tom Reed for an introduction").click()

    _alert(page, "Idea added: Ask Tom Reed to introduce us to Priya Shah.").wait_for()
    screenshot(page, "card-introducer-asked")
    assert "Ask Tom Reed to introduce us to Priya Shah." in page.locator("#ideas").inner_text()
    idea = ConnectionIdea.objects.get()
    assert (idea.kind, idea.via, idea.created_by) == ("introduction", tom, card.owner)


def test_the_touch_form_shows_the_rules_as_soon_as_a_person_is_picked(page, login, card):
    opportunity_move(
        opportunity=card, to_stage=Stage.CONNECTING, by=card.owner, version=card.version
    )
    login(page, card.owner)
    page.goto("/touches/new/")
    rules = page.locator("#touch-rules")
    assert "Choose the person" in rules.inner_text()

    _pick(page, page.get_by_role("combobox", name="Contact"), "Priya")

    rules.get_by_text("Before you log a touch with Priya Shah").wait_for()
    assert f"Attempt 1 of {MAX_ATTEMPTS}, none made yet" in rules.inner_text()
    assert "would be a cold call" in rules.inner_text()
