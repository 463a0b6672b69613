"""The organisation forms as a person meets them: loaded empty, loaded with the details, refused."""

import pytest
from django.urls import reverse

from cultivation.models import Organisation
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_new_organisation_form_loads_empty(owner_client):
    page = owner_client.get(reverse("cultivation:organisation-new"))

    assert page.status_code == 200
    assert not page.context["form"]["name"].value()


def test_the_edit_form_loads_with_the_organisations_details(owner_client):
    harbour = factories.OrganisationFactory(name="Harbour Logistics", sector="Shipping")

    page = owner_client.get(reverse("cultivation:organisation-edit", args=[harbour.pk]))

    assert page.status_code == 200
    assert page.context["form"]["name"].value() == "Harbour Logistics"
    assert page.context["form"]["sector"].value() == "Shipping"


def test_renaming_onto_another_organisations_name_is_a_400_and_changes_nothing(owner_client):
    factories.OrganisationFactory(name="Quay Partners")
    harbour = factories.OrganisationFactory(name="Harbour Logistics")
    url = reverse("cultivation:organisation-edit", args=[harbour.pk])

    refused = owner_client.post(url, {"name": "quay partners", "website": "", "sector": ""})

    assert refused.status_code == 400
    assert "Quay Partners" in refused.content.decode()
    assert Organisation.objects.get(pk=harbour.pk).name == "Harbour Logistics"
