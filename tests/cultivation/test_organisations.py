"""Organisations: a list, a page each (its people, their owners and last touch, its
cards), added and edited by staff; one name each, whatever its case."""

import re
from datetime import UTC, datetime
from html import unescape

import pytest
from django.contrib.auth.models import AnonymousUser

from convivio.errors import PermissionRefused, RuleViolation
from cultivation import seams
from cultivation.models import Organisation
from cultivation.services import (
    organisation_create,
    organisation_for_name,
    organisation_update,
    touch_log,
)
from opportunities.models import Stage
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def harbour():
    return Organisation.objects.create(name="Harbour Logistics", sector="Logistics")


def _names():
    return sorted(Organisation.objects.values_list("name", flat=True))


# The services ----------------------------------------------------------------------


def test_staff_add_an_organisation(teammate):
    organisation = organisation_create(
        by=teammate, name=" Quayside Ltd ", website="quayside.example", sector="Retail"
    )

    assert (organisation.name, organisation.website) == ("Quayside Ltd", "https://quayside.example")


def test_a_name_we_have_in_another_case_is_a_sentence_and_adds_nothing(owner, harbour):
    for _ in range(2):
        with pytest.raises(
            RuleViolation, match="already an organisation called “Harbour Logistics”"
        ):
            organisation_create(by=owner, name="HARBOUR logistics")

    assert _names() == ["Harbour Logistics"]


@pytest.mark.parametrize(
    ("details", "sentence"),
    [
        ({"name": "  "}, "Give the organisation's name."),
        ({"website": "not a site"}, "valid URL"),
        ({"notes": "x" * 10_001}, "10,001 characters"),
        ({"sector": "a\x00b"}, "NUL character"),
    ],
)
def test_an_organisation_the_rules_refuse_adds_nothing(owner, details, sentence):
    with pytest.raises(RuleViolation, match=sentence):
        organisation_create(by=owner, **{"name": "Quayside Ltd", **details})

    assert _names() == []


@pytest.mark.parametrize("nobody", [None, AnonymousUser()])
def test_no_one_and_anonymous_add_or_change_no_organisation(nobody, harbour):
    with pytest.raises(PermissionRefused, match="Sign in"):
        organisation_create(by=nobody, name="Quayside Ltd")
    with pytest.raises(PermissionRefused, match="Sign in"):
        organisation_update(organisation=harbour, by=nobody, name="Mine")

    assert _names() == ["Harbour Logistics"]


def test_any_staff_edits_an_organisation_and_its_own_name_in_a_new_case_is_fine(
    teammate, manager, harbour
):
    organisation_update(organisation=harbour, by=teammate, name="HARBOUR LOGISTICS", notes="Big")
    organisation_update(organisation=harbour, by=manager, sector="Shipping")

    harbour.refresh_from_db()
    assert (harbour.name, harbour.notes, harbour.sector) == ("HARBOUR LOGISTICS", "Big", "Shipping")


def test_renaming_onto_another_organisations_name_is_refused_and_changes_nothing(owner, harbour):
    quayside = Organisation.objects.create(name="Quayside Ltd")

    for _ in range(2):
        with pytest.raises(RuleViolation, match="already an organisation called “Harbour"):
            organisation_update(
                organisation=quayside, by=owner, name="harbour logistics", notes="x"
            )

    quayside.refresh_from_db()
    assert (quayside.name, quayside.notes) == ("Quayside Ltd", "")


def test_only_an_organisations_own_details_change(owner, harbour):
    with pytest.raises(RuleViolation, match="cannot be changed here: created_at"):
        organisation_update(organisation=harbour, by=owner, created_at=None)


def test_a_name_is_found_in_any_case_or_added_once(owner, harbour):
    assert organisation_for_name(by=owner, name="harbour LOGISTICS") == harbour
    added = organisation_for_name(by=owner, name="Quayside Ltd")
    assert organisation_for_name(by=owner, name="QUAYSIDE LTD") == added
    assert _names() == ["Harbour Logistics", "Quayside Ltd"]


# The list ------------------------------------------------------------------------------


def test_the_list_searches_name_and_sector_and_counts_the_people(owner_client, harbour):
    factories.ContactFactory.create_batch(2, organisation=harbour)
    Organisation.objects.create(name="Quayside Ltd", sector="Retail")

    page = owner_client.get("/organisations/?q=logist").content.decode()
    retail = owner_client.get("/organisations/?q=retail").content.decode()

    assert "Harbour Logistics" in page and "Quayside Ltd" not in page
    assert "<td>2</td>" in page
    assert "Quayside Ltd" in retail and "Harbour Logistics" not in retail


@pytest.mark.parametrize("size", [3, 40])
def test_the_list_runs_the_same_queries_whatever_its_size(
    size, owner_client, django_assert_max_num_queries
):
    organisations = Organisation.objects.bulk_create(
        Organisation(name=f"Firm {n:03}") for n in range(size)
    )
    for organisation in organisations[:3]:
        factories.ContactFactory(organisation=organisation)

    with django_assert_max_num_queries(5):
        response = owner_client.get("/organisations/")

    assert len(re.findall(r'href="/organisations/\d+/"', response.content.decode())) == min(
        size, 25
    )


def test_the_list_is_paginated_and_an_unreadable_search_is_ignored(owner_client):
    Organisation.objects.bulk_create(Organisation(name=f"Firm {n:03}") for n in range(30))

    second = owner_client.get("/organisations/?page=2").content.decode()
    nul = owner_client.get("/organisations/", {"q": "Firm\x00", "page": "abc"})

    assert "Page 2 of 2" in second and "Firm 029" in second
    assert nul.status_code == 200 and "30 organisations" in nul.content.decode()


# The organisation's page ---------------------------------------------------------------


def test_the_page_shows_its_people_their_owners_last_touch_and_its_cards(
    owner, teammate, owner_client, harbour
):
    priya = factories.ContactFactory(name="Priya Shah", owner=owner, organisation=harbour)
    factories.ContactFactory(name="Omar Reid", owner=None, organisation=harbour)
    factories.TouchFactory(contact=priya, at=datetime(2025, 3, 3, 12, tzinfo=UTC))
    lost = factories.OpportunityFactory(
        title="Old audit", organisation=harbour, stage=Stage.LOST, lost_reason="Not now"
    )
    open_card = factories.OpportunityFactory(title="Warehouse lease", organisation=harbour)
    factories.OpportunityFactory(title="Elsewhere")

    page = unescape(owner_client.get(f"/organisations/{harbour.pk}/").content.decode())

    assert "Priya Shah" in page and "Alice Owner" in page and "3 Mar 2025" in page
    assert "Omar Reid" in page and "nobody" in page and "never" in page
    assert page.index(open_card.title) < page.index(lost.title)
    assert "Elsewhere" not in page
    assert f'href="/contacts/new/?organisation={harbour.pk}"' in page


def test_the_seam_gives_an_organisations_cards_open_first(harbour):
    won = factories.OpportunityFactory(organisation=harbour, stage=Stage.WON)
    research = factories.OpportunityFactory(organisation=harbour)

    assert seams.cards_at(harbour) == [research, won]


@pytest.mark.parametrize("size", [1, 20])
def test_the_page_runs_the_same_queries_whatever_the_number_of_people_and_cards(
    size, owner, owner_client, harbour, django_assert_max_num_queries
):
    for person in factories.ContactFactory.create_batch(size, owner=owner, organisation=harbour):
        touch_log(contact=person, method="note", by=owner)
    for _ in range(size):
        factories.OpportunityFactory(organisation=harbour, owner=owner)

    with django_assert_max_num_queries(6):
        response = owner_client.get(f"/organisations/{harbour.pk}/")

    assert len(re.findall(r'href="/contacts/\d+/"', response.content.decode())) == size


def test_an_erased_person_is_not_listed(owner_client, harbour):
    factories.ContactFactory(name="Gone Person", organisation=harbour, erased_at=datetime.now(UTC))

    assert "Gone Person" not in owner_client.get(f"/organisations/{harbour.pk}/").content.decode()


@pytest.mark.parametrize("path", ["/organisations/99999999/", "/organisations/0/edit/"])
def test_an_unknown_organisation_is_404(owner_client, path):
    assert owner_client.get(path).status_code == 404


# Adding and editing on the pages ---------------------------------------------------------


def _form(**fields):
    return {"name": "Quayside Ltd", "website": "", "sector": "", "notes": "", **fields}


def test_staff_add_an_organisation_from_the_list(teammate_client):
    assert 'href="/organisations/new/"' in teammate_client.get("/organisations/").content.decode()

    response = teammate_client.post("/organisations/new/", _form(sector="Retail"), follow=True)

    quayside = Organisation.objects.get()
    assert response.redirect_chain[-1][0] == f"/organisations/{quayside.pk}/"
    assert "Added Quayside Ltd." in response.content.decode()


def test_adding_a_name_we_have_is_a_400_with_the_sentence(owner_client, harbour):
    response = owner_client.post("/organisations/new/", _form(name="harbour logistics"))

    assert response.status_code == 400
    assert "already an organisation called “Harbour Logistics”" in unescape(
        response.content.decode()
    )
    assert _names() == ["Harbour Logistics"]


@pytest.mark.parametrize(
    ("fields", "sentence"),
    [
        ({"name": ""}, "This field is required."),
        ({"name": "Quay\x00side"}, "Null characters are not allowed."),
        ({"name": "x" * 201}, "at most 200 characters"),
        ({"website": "javascript:alert(1)"}, "Enter a valid URL."),
        ({"notes": "x" * 10_001}, "at most 10000 characters"),
    ],
)
def test_bad_input_is_a_400_sentence_and_adds_nothing(owner_client, fields, sentence):
    response = owner_client.post("/organisations/new/", _form(**fields))

    assert response.status_code == 400
    assert sentence in unescape(response.content.decode())
    assert _names() == []


def test_staff_edit_an_organisation_and_saving_it_unchanged_says_so(teammate_client, harbour):
    url = f"/organisations/{harbour.pk}/edit/"
    as_is = _form(name="Harbour Logistics", sector="Logistics")

    edited = teammate_client.post(url, {**as_is, "notes": "Three depots"}, follow=True)
    again = teammate_client.post(url, {**as_is, "notes": "Three depots"}, follow=True)

    assert "Saved Harbour Logistics." in edited.content.decode()
    assert "Nothing changed." in again.content.decode()
    harbour.refresh_from_db()
    assert harbour.notes == "Three depots"


def test_anonymous_visitors_add_nothing(client):
    response = client.post("/organisations/new/", _form())

    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert _names() == []
