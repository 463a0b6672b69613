"""The "Possible duplicates" page, the merge confirmation, and the admin's merge action."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from cultivation.models import Contact, ContactEvent
from cultivation.services import contact_merge
from tests import factories
from tests.pages import said

pytestmark = pytest.mark.django_db
DUPLICATES = reverse("cultivation:contact-duplicates")
MERGE = reverse("cultivation:contact-merge")
CHANGELIST = reverse("admin:cultivation_contact_changelist")


@pytest.fixture
def twins(owner):
    harbour = factories.OrganisationFactory(name="Harbour Logistics")
    first = factories.ContactFactory(
        name="Sam O'Neill", organisation=harbour, owner=owner, email="sam@harbour.example"
    )
    second = factories.ContactFactory(
        name="sam oneill", organisation=harbour, owner=owner, email="SAM@harbour.example"
    )
    return first, second


def _merge_url(survivor, duplicate):
    return f"{MERGE}?survivor={survivor.pk}&duplicate={duplicate.pk}"


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


# The list -------------------------------------------------------------------------------


def test_the_page_lists_pairs_by_email_with_links_to_both_and_to_merge(owner_client, twins):
    first, second = twins

    response = owner_client.get(DUPLICATES)

    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["kind"].reason == "same email"
    assert len(response.context["page"].groups) == 1
    assert first.get_absolute_url() in page and second.get_absolute_url() in page
    assert _merge_url(first, second).replace("&", "&amp;") in page


@pytest.mark.parametrize(
    ("by", "reason"),
    [("name", "same name at the same organisation"), ("linkedin", "same LinkedIn profile")],
)
def test_each_reason_has_its_own_list(owner_client, twins, by, reason):
    response = owner_client.get(DUPLICATES, {"by": by})

    assert response.context["kind"].reason == reason
    assert len(response.context["page"].groups) == (1 if by == "name" else 0)


def test_the_contact_list_links_to_the_page(owner_client):
    response = owner_client.get(reverse("cultivation:contact-list"))

    assert DUPLICATES in response.content.decode()


def test_the_page_runs_a_fixed_number_of_queries_whatever_the_number_of_groups(
    owner_client, owner, django_assert_max_num_queries
):
    Contact.objects.bulk_create(
        Contact(name=f"Twin {n // 2}", email=f"twin{n // 2}@example.org", owner=owner)
        for n in range(120)
    )

    with django_assert_max_num_queries(8):
        response = owner_client.get(DUPLICATES, {"page": "2"})

    page = response.context["page"]
    assert (page.number, page.has_previous, page.has_next, len(page.groups)) == (2, True, True, 25)
    assert "page=3" in response.content.decode() and "page=1" in response.content.decode()


@pytest.mark.parametrize("value", ["abc", "0", "-1", str(10**25), "\x00"])
def test_an_unreadable_page_number_is_the_first_page(owner_client, twins, value):
    response = owner_client.get(DUPLICATES, {"page": value})

    assert response.status_code == 200
    assert response.context["page"].number == 1


def test_past_the_last_page_says_there_are_no_more(owner_client, twins):
    response = owner_client.get(DUPLICATES, {"page": "7"})

    assert "No more possible duplicates with the same email." in response.content.decode()


def test_merged_and_erased_people_leave_the_page(owner_client, owner, manager, twins):
    first, second = twins
    contact_merge(survivor=first, duplicate=second, by=owner)

    response = owner_client.get(DUPLICATES, {"by": "name"})

    assert response.context["page"].groups == []
    assert "No possible duplicates" in response.content.decode()


# The confirmation and the merge ---------------------------------------------------------


def test_the_confirmation_says_what_moves_and_offers_the_other_way(owner_client, twins):
    first, second = twins
    factories.TouchFactory.create_batch(2, contact=second)

    response = owner_client.get(_merge_url(first, second))

    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["preview"].moves == [("touches", 2)]
    assert f"Keep {second.name} (#{second.pk}) instead" in page
    assert _merge_url(second, first).replace("&", "&amp;") in page
    assert second.touches.count() == 2


def test_merging_from_the_page_moves_everything_and_shows_the_survivor(owner_client, twins):
    first, second = twins
    factories.TouchFactory.create_batch(2, contact=second)

    response = owner_client.post(MERGE, {"survivor": first.pk, "duplicate": second.pk})

    assert response.status_code == 302
    assert response.url == first.get_absolute_url()
    assert _messages(response) == ["Merged sam oneill into Sam O'Neill: 2 record(s) moved."]
    assert first.touches.count() == 2
    assert first.events.filter(action=ContactEvent.Action.MERGED).count() == 1


def test_the_merged_records_old_address_leads_to_the_survivor(owner_client, owner, twins):
    first, second = twins
    contact_merge(survivor=first, duplicate=second, by=owner)

    response = owner_client.get(second.get_absolute_url())

    assert response.status_code == 302
    assert response.url == first.get_absolute_url()


def test_merging_twice_from_the_page_says_it_is_done_already(owner_client, twins):
    first, second = twins
    data = {"survivor": first.pk, "duplicate": second.pk}
    owner_client.post(MERGE, data, follow=True)

    response = owner_client.post(MERGE, data)

    assert said(response, "error", "already merged")
    assert f'href="{DUPLICATES}"' in response.content.decode()
    assert ContactEvent.objects.filter(action=ContactEvent.Action.MERGED).count() == 1


def test_a_teammate_is_refused_with_who_may_and_nothing_changes(teammate_client, twins):
    first, second = twins
    factories.TouchFactory(contact=second)

    shown = teammate_client.get(_merge_url(first, second))
    posted = teammate_client.post(MERGE, {"survivor": first.pk, "duplicate": second.pk})

    assert (shown.status_code, posted.status_code) == (403, 403)
    assert "Only Alice Owner, who owns them, or a manager can merge" in posted.content.decode()
    second.refresh_from_db()
    assert (second.merged_into, second.touches.count()) == (None, 1)


def test_a_manager_may_merge_anyones_records(manager_client, twins):
    first, second = twins

    response = manager_client.post(MERGE, {"survivor": second.pk, "duplicate": first.pk})

    assert response.url == second.get_absolute_url()
    first.refresh_from_db()
    assert first.merged_into == second


def test_a_person_with_themself_is_a_400_with_a_sentence(owner_client, twins):
    first, _ = twins

    response = owner_client.get(_merge_url(first, first))

    assert response.status_code == 400
    assert "is one record" in response.content.decode()


@pytest.mark.parametrize("value", ["abc", "0", "1\x00", str(10**25), ""])
def test_an_unreadable_or_unknown_id_is_a_404_and_merges_nothing(owner_client, twins, value):
    first, _ = twins

    shown = owner_client.get(MERGE, {"survivor": first.pk, "duplicate": value})
    posted = owner_client.post(MERGE, {"survivor": value, "duplicate": first.pk})

    assert (shown.status_code, posted.status_code) == (404, 404)
    assert not Contact.objects.exclude(merged_into=None).exists()


def test_signed_out_visitors_are_sent_to_sign_in(client, twins):
    first, second = twins

    for response in (client.get(DUPLICATES), client.post(MERGE, {"survivor": first.pk})):
        assert response.status_code == 302
        assert "/accounts/login/" in response.url
    assert not Contact.objects.exclude(merged_into=None).exists()


# The admin's action ---------------------------------------------------------------------


def _action(client, people, **extra):
    data = {"action": "merge_two", "_selected_action": [p.pk for p in people], **extra}
    return client.post(CHANGELIST, data)


def test_the_admin_asks_which_record_to_keep_showing_both_ways(manager_client, twins):
    first, second = twins
    factories.TouchFactory(contact=second)

    response = _action(manager_client, twins)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Keep which record?" in page
    assert [p.moves for p in response.context["previews"]] == [[("touches", 1)], []]
    assert not Contact.objects.exclude(merged_into=None).exists()


def test_the_admin_merges_into_the_record_chosen(manager_client, twins):
    first, second = twins
    factories.TouchFactory(contact=first)

    response = _action(manager_client, twins, post="yes", survivor=second.pk)

    assert response.status_code == 302
    first.refresh_from_db()
    assert first.merged_into == second
    assert second.touches.count() == 1


def test_the_admin_action_needs_exactly_two_people(manager_client, owner, twins):
    third = factories.ContactFactory(owner=owner)

    for people in ([twins[0]], [*twins, third]):
        response = _action(manager_client, people, post="yes", survivor=twins[0].pk)
        assert "Select exactly two people" in _messages(response)[-1]

    assert not Contact.objects.exclude(merged_into=None).exists()


def test_the_admin_action_reports_a_refusal_and_merges_nothing(manager_client, manager, twins):
    first, second = twins
    factories.ContactFactory()  # someone else, so the list is not only the twins
    contact_merge(survivor=first, duplicate=second, by=manager)

    response = _action(manager_client, twins, post="yes", survivor=first.pk)

    assert "already merged" in _messages(response)[-1]
    assert ContactEvent.objects.filter(action=ContactEvent.Action.MERGED).count() == 1
