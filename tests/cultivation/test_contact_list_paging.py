"""The contact list at scale: pages of ids in name order, search and "overdue only" read once."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.utils import timezone

from cultivation.models import Contact
from tests import factories

pytestmark = pytest.mark.django_db


def _names(client, query=""):
    html = client.get(f"/contacts/?{query}").content.decode()
    return [unescape(name) for name in re.findall(r'<a href="/contacts/\d+/">([^<]+)</a>', html)]


def test_people_are_listed_by_name_whatever_its_case_or_accents(owner_client):
    for name in ("émile Zola", "Zoë Adams", "anna Berg", "Ärne Lund", "Bob Ray"):
        factories.ContactFactory(name=name)

    assert _names(owner_client) == ["anna Berg", "Ärne Lund", "Bob Ray", "émile Zola", "Zoë Adams"]


def test_a_later_page_carries_on_where_the_first_stopped(owner_client, owner):
    Contact.objects.bulk_create(Contact(name=f"Person {n:02}", owner=owner) for n in range(60))

    pages = [_names(owner_client, f"page={n}") for n in (1, 2, 3)]

    assert [len(page) for page in pages] == [25, 25, 10]
    assert sum(pages, []) == [f"Person {n:02}" for n in range(60)]


def test_a_page_far_in_costs_the_same_queries_as_the_first(
    owner_client, owner, django_assert_max_num_queries
):
    Contact.objects.bulk_create(Contact(name=f"Person {n:03}", owner=owner) for n in range(120))

    with django_assert_max_num_queries(9) as first:  # 9: with the page's people's tags
        owner_client.get("/contacts/")
    with django_assert_max_num_queries(9) as last:
        owner_client.get("/contacts/?page=5")

    assert len(last.captured_queries) == len(first.captured_queries)


def test_the_search_finds_part_of_a_name_or_organisation_and_the_start_of_an_email(
    owner_client,
):
    harbour = factories.OrganisationFactory(name="Harbour Logistics")
    factories.ContactFactory(name="José O'Brien", organisation=None, email="j@x.org")
    factories.ContactFactory(name="Sam Hall", organisation=harbour, email="s@x.org")
    factories.ContactFactory(name="Ann Lee", organisation=None, email="OBrien.Ann@x.org")
    factories.ContactFactory(name="Ray Bo", organisation=None, email="ray@obrien.org")

    assert _names(owner_client, "q=obrien") == ["Ann Lee", "José O'Brien"]
    assert _names(owner_client, "q=O%27Bri") == ["José O'Brien"]  # typed with its apostrophe
    assert _names(owner_client, "q=logist") == ["Sam Hall"]
    assert _names(owner_client, "q=ray%40") == ["Ray Bo"]


def test_overdue_only_lists_people_with_anything_past_due_once_each(owner_client, owner):
    yesterday = timezone.localdate() - timedelta(days=1)
    both = factories.ContactFactory(name="Both Late", owner=owner)
    factories.PromiseFactory(contact=both, owner=owner, due_on=yesterday)
    factories.PromiseFactory(contact=both, owner=owner, due_on=yesterday)
    plan = factories.TouchPlanFactory(contact=both)
    factories.PlanItemFactory(plan=plan, next_due_on=yesterday)
    factories.FollowUpFactory(
        contact=factories.ContactFactory(name="Follow Late", owner=owner),
        owner=owner,
        next_due_at=timezone.now() - timedelta(hours=1),
    )
    factories.ContactFactory(name="On Time", owner=owner)

    assert _names(owner_client, "overdue=on") == ["Both Late", "Follow Late"]
