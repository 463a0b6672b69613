"""The card page in a real Chromium: editing a card someone else changed, adding a person,
and recording a way to connect and how it went."""

import re

import pytest

from opportunities.models import CardChange, ConnectionIdea, Opportunity, Stage
from opportunities.services import opportunity_update
from tests import factories


@pytest.fixture
def card(transactional_db):
    alice = factories.UserFactory(username="alice", first_name="Alice", last_name="Owner")
    return factories.OpportunityFactory(
        owner=alice, title="Pension review", organisation__name="Hartley Ltd"
    )


def _field(scope, label):
    """A form field by its label, with or without crispy's required asterisk."""
    return scope.get_by_label(re.compile(rf"^\s*{re.escape(label)}\*?\s*$"))


def _alert(page, text):
    return page.get_by_role("alert").filter(has_text=text)


@pytest.mark.django_db(transaction=True)
def test_saving_a_card_someone_else_changed_says_so_and_overwrites_nothing(
    page, login, screenshot, card
):
    bob = factories.UserFactory(username="bob", first_name="Bob", last_name="Teammate")
    card.colleagues.add(bob)
    login(page, card.owner)
    page.goto(card.get_absolute_url())
    opportunity_update(opportunity=card, by=bob, version=card.version, title="Pension review 2027")

    _field(page, "Title").fill("Overwritten by Alice")
    page.get_by_role("button", name="Save card").click()

    _alert(page, "Someone else changed").wait_for()
    screenshot(page, "card-stale-version")
    fresh = Opportunity.objects.get(pk=card.pk)
    assert fresh.title == "Pension review 2027"
    assert not CardChange.objects.filter(opportunity=card, by=card.owner).exists()
    # The form now shows the card as it is, so a second save goes through.
    assert _field(page, "Title").input_value() == "Pension review 2027"
    _field(page, "Title").fill("Pension review 2028")
    page.get_by_role("button", name="Save card").click()
    _alert(page, "Card saved").wait_for()
    assert Opportunity.objects.get(pk=card.pk).title == "Pension review 2028"


@pytest.mark.django_db(transaction=True)
def test_adding_a_person_puts_them_on_the_card_and_in_its_history(page, login, card):
    sam = factories.ContactFactory(name="Sam Newton", organisation=card.organisation)
    login(page, card.owner)
    page.goto(card.get_absolute_url())

    page.get_by_text("Add a person").click()
    form = page.locator("form", has=page.get_by_role("button", name="Add to card"))
    form.get_by_role("combobox").fill("Newton")
    form.get_by_role("option", name=re.compile("Sam Newton")).click()
    _field(form, "Role on the card").fill("Finance director")
    form.get_by_role("button", name="Add to card").click()

    _alert(page, "Sam Newton added to the card").wait_for()
    people = page.locator("section", has=page.get_by_role("heading", name="People"))
    assert people.get_by_role("link", name="Sam Newton").is_visible()
    link = card.links.get(contact=sam)
    assert (link.role, link.is_primary) == ("Finance director", True)
    assert CardChange.objects.get(opportunity=card, field="contacts").new == "Sam Newton"


@pytest.mark.django_db(transaction=True)
def test_an_idea_to_connect_is_added_then_marked_tried_then_worked(page, login, screenshot, card):
    card.stage = Stage.CONNECTING
    card.save(update_fields=["stage"])
    login(page, card.owner)
    page.goto(card.get_absolute_url())

    page.get_by_text("Add an idea").click()
    _field(page, "Kind").select_option(label="Coffee about something useful to them")
    _field(page, "Description").fill("Coffee about their new Leeds office")
    page.get_by_role("button", name="Add idea").click()
    _alert(page, "Idea added").wait_for()

    status = page.get_by_label("Status of “Coffee about their new Leeds office”")
    for label, value in (("Tried", "tried"), ("Worked", "worked")):
        status.select_option(label=label)
        page.get_by_role("button", name="Set").click()
        _alert(page, f"marked {label.lower()}").wait_for()
        assert ConnectionIdea.objects.get(opportunity=card).status == value
    screenshot(page, "card-idea-worked")
    assert status.evaluate("select => select.selectedOptions[0].text") == "Worked"
    idea = ConnectionIdea.objects.get()
    assert (idea.kind, idea.created_by) == ("coffee", card.owner)
