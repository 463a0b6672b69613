"""A record's change page in the admin shows its history rows (read-only), not an empty table."""

import pytest
from django.urls import reverse

from cultivation.services import contact_update
from opportunities.services import opportunity_move
from tests import factories

pytestmark = pytest.mark.django_db


def _inline_rows(response, model_name):
    for formset in response.context_data["inline_admin_formsets"]:
        if formset.opts.model._meta.model_name == model_name:
            return len(formset.formset.forms)
    raise AssertionError(f"no {model_name} inline on the page")


def test_a_person_change_page_lists_their_history(manager_client, manager):
    person = factories.ContactFactory(owner=manager, phone="1")
    contact_update(contact=person, by=manager, phone="2")
    contact_update(contact=person, by=manager, phone="3")

    page = manager_client.get(reverse("admin:cultivation_contact_change", args=[person.pk]))

    assert page.status_code == 200
    assert _inline_rows(page, "contactevent") == person.events.count() == 2


def test_a_card_change_page_lists_its_stage_changes(manager_client, manager):
    card = factories.OpportunityFactory(owner=manager, stage="research")
    opportunity_move(opportunity=card, to_stage="connecting", by=manager, version=card.version)

    page = manager_client.get(reverse("admin:opportunities_opportunity_change", args=[card.pk]))

    assert page.status_code == 200
    assert _inline_rows(page, "stagechange") == card.stage_changes.count() >= 1


def test_the_erase_and_merge_dates_are_not_form_fields(manager_client, manager):
    person = factories.ContactFactory(owner=manager)

    page = manager_client.get(reverse("admin:cultivation_contact_change", args=[person.pk]))

    fields = page.context_data["adminform"].form.fields
    assert not {"erased_at", "merged_into", "merged_at"} & set(fields)
