"""Possible duplicates: the same email, LinkedIn profile, or name at the same organisation."""

import pytest
from django.utils import timezone

from cultivation import matching
from cultivation.matching import possible_duplicates
from cultivation.models import Contact
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def harbour():
    return factories.OrganisationFactory(name="Harbour Logistics")


@pytest.fixture
def sam(harbour):
    return factories.ContactFactory(
        name="Sam O'Neill",
        organisation=harbour,
        email="Sam.ONeill@Harbour.example",
        linkedin_url="https://www.linkedin.com/in/sam-oneill/",
    )


def _found(matches):
    return [(match.contact.name, match.reason) for match in matches]


def test_the_same_email_in_another_case_is_a_match(sam):
    matches = possible_duplicates(name="Someone Else", email="  sam.oneill@HARBOUR.example ")

    assert _found(matches) == [("Sam O'Neill", "same email")]


def test_the_same_linkedin_profile_written_differently_is_a_match(sam):
    matches = possible_duplicates(linkedin_url="linkedin.com/in/Sam-ONeill?trk=x")

    assert _found(matches) == [("Sam O'Neill", "same LinkedIn profile")]


def test_the_same_name_without_accents_case_or_punctuation_at_the_organisation_matches(
    sam, harbour
):
    matches = possible_duplicates(name="  sam  o’neill ", organisation=harbour)

    assert _found(matches) == [("Sam O'Neill", "same name at the same organisation")]


def test_the_same_name_at_another_organisation_is_not_a_match(sam):
    elsewhere = factories.OrganisationFactory(name="Elsewhere Ltd")

    assert possible_duplicates(name="Sam O'Neill", organisation=elsewhere) == []


def test_with_no_organisation_the_same_name_matches_only_people_with_none(sam):
    loner = factories.ContactFactory(name="Sam O’Neill", organisation=None)

    matches = possible_duplicates(name="SAM ONEILL")

    assert [match.contact for match in matches] == [loner]
    assert matches[0].reason == "same name, neither at an organisation"


def test_a_person_matching_several_ways_is_listed_once_by_the_strongest_reason(sam, harbour):
    by_name = factories.ContactFactory(name="Sam ONeill", organisation=harbour, email="")

    matches = possible_duplicates(
        name="Sam O'Neill", organisation=harbour, email="sam.oneill@harbour.example"
    )

    assert _found(matches) == [
        ("Sam O'Neill", "same email"),
        (by_name.name, "same name at the same organisation"),
    ]


def test_the_person_being_edited_is_not_their_own_duplicate(sam, harbour):
    assert possible_duplicates(email=sam.email, exclude=sam) == []
    assert possible_duplicates(email=sam.email, exclude=sam.pk) == []


def test_blank_keys_match_nobody_and_ask_nothing(sam, django_assert_num_queries):
    factories.ContactFactory(email="", linkedin_url="", name="Sam O'Neill", organisation=None)

    with django_assert_num_queries(0):
        assert possible_duplicates(name=" ", email="", linkedin_url="") == []
        assert possible_duplicates(name="!!", email="  ") == []


def test_erased_people_never_match(sam, manager):
    from cultivation.services import contact_erase

    contact_erase(contact=sam, by=manager, reason="Asked to be forgotten")

    assert possible_duplicates(name="Erased person", linkedin_url=sam.linkedin_url) == []
    assert Contact.objects.filter(pk=sam.pk, erased_at__lte=timezone.now()).exists()


def test_at_most_limit_matches_in_one_query_whatever_their_number(
    harbour, django_assert_num_queries
):
    Contact.objects.bulk_create(
        Contact(name=f"Twin {n}", email="twin@example.org", organisation=harbour) for n in range(12)
    )

    with django_assert_num_queries(1):
        matches = possible_duplicates(email="TWIN@example.org", limit=5)
        [match.contact.organisation.name for match in matches]

    assert len(matches) == 5


# The page's groups ---------------------------------------------------------------------


def test_groups_of_people_sharing_a_key_list_each_later_record_with_the_oldest(harbour):
    first = factories.ContactFactory(name="Ana Lima", organisation=harbour, email="ana@x.example")
    second = factories.ContactFactory(name="ANA LIMA", organisation=harbour, email="ANA@x.example")
    third = factories.ContactFactory(name="Ana  Lima.", organisation=harbour, email="")
    factories.ContactFactory(name="Ana Lima", organisation=None, email="other@x.example")

    by_name = list(matching.duplicate_keys(matching.BY_NAME))
    by_email = list(matching.duplicate_keys(matching.BY_EMAIL))
    [name_group] = matching.duplicate_groups(matching.BY_NAME, by_name)
    [email_group] = matching.duplicate_groups(matching.BY_EMAIL, by_email)

    assert [row["size"] for row in by_name] == [3]
    assert name_group.pairs == [(first, second), (first, third)]
    assert email_group.pairs == [(first, second)]
    assert list(matching.duplicate_keys(matching.BY_LINKEDIN)) == []


def test_people_of_the_same_name_at_no_organisation_form_a_group():
    one = factories.ContactFactory(name="Jo Bloggs", organisation=None)
    two = factories.ContactFactory(name="jo bloggs", organisation=None)

    keys = list(matching.duplicate_keys(matching.BY_NAME))

    assert matching.duplicate_groups(matching.BY_NAME, keys)[0].pairs == [(one, two)]


def test_an_unknown_kind_in_the_address_means_the_first_kind():
    assert matching.duplicate_kind("linkedin") is matching.BY_LINKEDIN
    assert matching.duplicate_kind("nonsense") is matching.BY_EMAIL
    assert matching.duplicate_groups(matching.BY_EMAIL, []) == []
