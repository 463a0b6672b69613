"""People in a real browser: add a person from the contact list, see them on their page,
record their consent; "asked to stop" from My week asks first."""

import pytest
from django.utils import timezone

from cultivation.models import Contact
from tests import factories


def _no_csp_errors(page):
    errors = []
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    return errors


@pytest.mark.django_db(transaction=True)
def test_add_a_person_from_the_contact_list_and_record_their_consent(page, login, screenshot):
    owner = factories.UserFactory(username="alice", first_name="Alice", last_name="Owner")
    csp_errors = _no_csp_errors(page)
    login(page, owner)

    page.goto("/contacts/")
    page.get_by_role("link", name="New person").click()
    page.wait_for_url("**/contacts/new/")
    page.get_by_label("Name").fill("Priya Shah")
    page.get_by_label("Or add a new organisation").fill("Harbour Logistics")
    page.get_by_label("Role").fill("Operations director")
    page.get_by_label("Email").fill("priya@harbour.example")
    page.get_by_label("Needs we have heard").fill("A new warehouse lease\nSuccession planning")
    screenshot(page, "person-new")
    page.get_by_role("button", name="Add person").click()

    person = Contact.objects.get(name="Priya Shah")
    page.wait_for_url(f"**/contacts/{person.pk}/")
    assert page.get_by_role("alert").inner_text().startswith("Added Priya Shah.")
    assert page.get_by_role("heading", name="Priya Shah").is_visible()
    assert page.get_by_role("link", name="Harbour Logistics").is_visible()
    assert page.get_by_text("A new warehouse lease").is_visible()

    consent = page.locator("#consent")
    consent.get_by_label("How did they consent?").fill("asked at lunch")
    consent.get_by_role("button", name="Record consent").click()

    page.wait_for_url(f"**/contacts/{person.pk}/#consent")
    today = timezone.localdate().strftime("%-d %b %Y")
    assert (
        page.locator("#consent").get_by_text(f"Opted in on {today}: asked at lunch.").is_visible()
    )
    screenshot(page, "person-consent-recorded")
    person.refresh_from_db()
    assert (person.has_opted_in, person.opt_in_how, person.owner) == (True, "asked at lunch", owner)
    assert csp_errors == []


@pytest.mark.django_db(transaction=True)
def test_asked_to_stop_on_my_week_asks_first_then_closes_the_card(page, login, screenshot):
    from opportunities.models import Stage

    owner = factories.UserFactory(username="alice", first_name="Alice")
    contact = factories.ContactFactory(owner=owner, name="Dev Patel")
    plan = factories.TouchPlanFactory(contact=contact)
    factories.PlanItemFactory(plan=plan, method="call", next_due_on=timezone.localdate())
    factories.TouchFactory(contact=contact, method="email")
    card = factories.OpportunityFactory(title="Patel & Co", owner=owner, stage=Stage.CULTIVATING)
    factories.OpportunityContactFactory(opportunity=card, contact=contact, is_primary=True)
    login(page, owner)

    page.goto("/my-week/")
    row = page.locator('li[data-kind="touch"]', has_text="Dev Patel")
    row.get_by_label("Outcome of the call with Dev Patel").select_option("Asked to stop")
    row.get_by_role("button", name="Log call").click()

    assert page.get_by_role("heading", name="Dev Patel asked us to stop?").is_visible()
    contact.refresh_from_db()
    assert contact.asked_to_stop_at is None
    page.get_by_label("Also move their open cards to Lost").check()
    screenshot(page, "asked-to-stop-confirmation")
    page.get_by_role("button", name="Yes, they asked us to stop").click()

    page.wait_for_url("**/my-week/")
    assert "Dev Patel asked us to stop" in page.get_by_role("alert").inner_text()
    contact.refresh_from_db()
    card.refresh_from_db()
    assert contact.has_asked_to_stop
    assert (card.stage, card.lost_reason) == (Stage.LOST, "asked us to stop")
