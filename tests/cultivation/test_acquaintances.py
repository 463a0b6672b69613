"""Who knows whom: links added and removed through the services, on a person's page and
in the admin, with a history row on both people."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone

from convivio.errors import PermissionRefused, RuleViolation
from cultivation.models import Acquaintance, ContactEvent
from cultivation.services import acquaintance_add, acquaintance_remove, introduction_log
from tests import factories
from tests.admin_forms import person_form

pytestmark = pytest.mark.django_db
Action = ContactEvent.Action


@pytest.fixture
def priya(owner):
    return factories.ContactFactory(owner=owner, name="Priya Shah")


@pytest.fixture
def tom(db):
    other = factories.UserFactory(username="carl", first_name="Carl", last_name="Other")
    return factories.ContactFactory(owner=other, name="Tom Reed")


def _links():
    return set(Acquaintance.objects.values_list("from_contact__name", "to_contact__name"))


def _knows_events():
    actions = (Action.KNOWS_ADDED, Action.KNOWS_REMOVED)
    return list(
        ContactEvent.objects.filter(action__in=actions)
        .order_by("contact__name")
        .values_list("contact__name", "action", "note")
    )


# Adding ------------------------------------------------------------------------


def test_a_link_is_two_rows_with_how_and_a_history_row_on_both_people(owner, priya, tom):
    link, added = acquaintance_add(
        contact=priya, other=tom, by=owner, how="alliance_partner", detail="Law Society dinner"
    )

    assert added and (link.from_contact, link.to_contact) == (priya, tom)
    assert _links() == {("Priya Shah", "Tom Reed"), ("Tom Reed", "Priya Shah")}
    rows = Acquaintance.objects.all()
    assert {(row.how, row.detail, row.recorded_by) for row in rows} == {
        ("alliance_partner", "Law Society dinner", owner)
    }
    assert _knows_events() == [
        ("Priya Shah", "knows_added", "Knows Tom Reed (alliance partner: Law Society dinner)."),
        ("Tom Reed", "knows_added", "Knows Priya Shah (alliance partner: Law Society dinner)."),
    ]
    assert list(tom.knows.all()) == [priya]


def test_adding_a_link_already_there_changes_nothing_and_records_nothing(owner, priya, tom):
    acquaintance_add(contact=priya, other=tom, by=owner, how="friend")

    for contact, other in ((priya, tom), (tom, priya)):
        link, added = acquaintance_add(contact=contact, other=other, by=owner, how="client")
        assert not added and link.how == "friend"

    assert Acquaintance.objects.count() == 2
    assert len(_knows_events()) == 2


@pytest.mark.parametrize(
    ("how", "detail", "sentence"),
    [
        ("cousin", "", "is not how people know each other"),
        ("friend", "x" * 201, "keep it to 200 or fewer"),
    ],
)
def test_an_unknown_how_or_an_overlong_detail_is_refused(owner, priya, tom, how, detail, sentence):
    with pytest.raises(RuleViolation, match=sentence):
        acquaintance_add(contact=priya, other=tom, by=owner, how=how, detail=detail)

    assert not Acquaintance.objects.exists() and not _knows_events()


def test_nobody_knows_themselves(owner, priya):
    for _ in range(2):
        with pytest.raises(RuleViolation, match="cannot know themselves"):
            acquaintance_add(contact=priya, other=priya, by=owner)

    assert not Acquaintance.objects.exists() and not _knows_events()


def test_an_erased_person_gets_no_links(owner, priya, tom):
    tom.erased_at = timezone.now()
    tom.save(update_fields=["erased_at"])

    with pytest.raises(RuleViolation, match="erased"):
        acquaintance_add(contact=priya, other=tom, by=owner)

    assert not Acquaintance.objects.exists()


# Who may -----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "other_owner", "manager"])
def test_the_owner_of_either_person_or_a_manager_may_link_them(who, request, priya, tom):
    user = tom.owner if who == "other_owner" else request.getfixturevalue(who)

    acquaintance_add(contact=priya, other=tom, by=user)

    assert len(_links()) == 2
    assert {event[0] for event in _knows_events()} == {"Priya Shah", "Tom Reed"}


def test_someone_who_may_change_neither_person_is_refused_with_who_may(teammate, priya, tom):
    for _ in range(2):
        with pytest.raises(PermissionRefused) as refusal:
            acquaintance_add(contact=priya, other=tom, by=teammate)

    assert str(refusal.value) == (
        "Only Alice Owner (Priya Shah's owner), Carl Other (Tom Reed's owner) or a manager "
        "can record that Priya Shah knows Tom Reed."
    )
    assert not Acquaintance.objects.exists() and not _knows_events()


def test_a_person_nobody_owns_may_be_linked_by_anyone_signed_in(teammate, tom):
    nobodys = factories.ContactFactory(owner=None, name="Nora Free")

    acquaintance_add(contact=nobodys, other=tom, by=teammate)

    assert len(_links()) == 2
    with pytest.raises(PermissionRefused, match="Sign in"):
        acquaintance_remove(contact=nobodys, other=tom, by=AnonymousUser())
    assert len(_links()) == 2


# Removing ----------------------------------------------------------------------


def test_removing_a_link_removes_both_rows_with_a_history_row_on_both(owner, priya, tom):
    acquaintance_add(contact=priya, other=tom, by=owner, how="colleague")

    assert acquaintance_remove(contact=tom, other=priya, by=owner) is True

    assert not Acquaintance.objects.exists()
    removed = [event for event in _knows_events() if event[1] == "knows_removed"]
    assert removed == [
        ("Priya Shah", "knows_removed", "Knows Tom Reed (colleague)."),
        ("Tom Reed", "knows_removed", "Knows Priya Shah (colleague)."),
    ]
    assert acquaintance_remove(contact=tom, other=priya, by=owner) is False
    assert len(_knows_events()) == 4


def test_removing_is_refused_for_someone_who_may_change_neither(owner, teammate, priya, tom):
    acquaintance_add(contact=priya, other=tom, by=owner)

    with pytest.raises(PermissionRefused, match="remove the link between Priya Shah and Tom"):
        acquaintance_remove(contact=priya, other=tom, by=teammate)

    assert len(_links()) == 2 and len(_knows_events()) == 2


def test_an_introduction_we_made_links_the_two_people_whoever_logged_it(teammate, priya, tom):
    introduction_log(contact=priya, expert=tom, by=teammate)

    assert _links() == {("Priya Shah", "Tom Reed"), ("Tom Reed", "Priya Shah")}
    link = Acquaintance.objects.get(from_contact=priya)
    assert (link.how, link.detail) == ("met_at", "introduced by Bob Teammate")
    assert len(_knows_events()) == 2


# On the person's page ------------------------------------------------------------


def _add(client, person, **data):
    fields = {f"knows-{name}": value for name, value in data.items()}
    return client.post(reverse("cultivation:knows-add", args=[person.pk]), fields)


def test_the_page_links_two_people_and_shows_how(owner_client, priya, tom):
    response = _add(owner_client, priya, other=tom.pk, how="client", detail="Their auditor")

    assert response.status_code == 302
    assert response.url == priya.get_absolute_url() + "#knows"
    page = owner_client.get(response.url).content.decode()
    assert "Recorded: Priya Shah knows Tom Reed." in page
    assert "Tom Reed" in page and "Client: Their auditor" in page
    assert "Remove the link between Priya Shah and Tom Reed" in page
    again = owner_client.get(_add(owner_client, priya, other=tom.pk).url).content.decode()
    assert "were already linked" in again
    assert Acquaintance.objects.count() == 2


def test_the_page_shows_a_remove_button_only_to_who_may_remove(teammate_client, priya, tom):
    acquaintance_add(contact=priya, other=tom, by=priya.owner)

    page = teammate_client.get(priya.get_absolute_url()).content.decode()

    assert "Tom Reed" in page and "Remove the link" not in page


def test_a_teammate_who_may_change_neither_gets_403_and_nothing_changes(
    teammate_client, priya, tom
):
    response = _add(teammate_client, priya, other=tom.pk, how="friend")

    assert response.status_code == 403
    assert "Only Alice Owner (Priya Shah&#x27;s owner)" in response.content.decode()
    assert not Acquaintance.objects.exists() and not _knows_events()


def test_anonymous_visitors_are_sent_to_sign_in(client, priya, tom):
    response = _add(client, priya, other=tom.pk)

    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert not Acquaintance.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"other": "abc"},
        {"other": str(10**25)},
        {"other": "SELF"},
        {"other": "ERASED"},
        {"other": "TOM", "how": "cousin"},
        {"other": "TOM", "detail": "x" * 201},
        {"other": "TOM", "detail": "nul\x00byte"},
    ],
)
def test_bad_input_is_a_400_with_the_form_and_changes_nothing(owner_client, priya, tom, data):
    erased = factories.ContactFactory(name="Gone", erased_at=timezone.now())
    ids = {"SELF": priya.pk, "ERASED": erased.pk, "TOM": tom.pk}
    data = {name: ids.get(value, value) for name, value in data.items()}

    response = _add(owner_client, priya, **data)

    assert response.status_code == 400
    assert "Someone Priya Shah knows" in response.content.decode()
    assert not Acquaintance.objects.exists() and not _knows_events()


def test_the_form_page_works_without_javascript(owner_client, priya):
    response = owner_client.get(reverse("cultivation:knows-add", args=[priya.pk]))

    assert response.status_code == 200
    assert 'name="knows-other"' in response.content.decode()


def test_an_unknown_or_erased_person_is_404(owner_client, priya):
    erased = factories.ContactFactory(erased_at=timezone.now())

    for pk in (erased.pk, 4_000_000):
        assert owner_client.get(reverse("cultivation:knows-add", args=[pk])).status_code == 404


def test_the_remove_button_removes_the_link(owner_client, priya, tom):
    acquaintance_add(contact=priya, other=tom, by=priya.owner)
    url = reverse("cultivation:knows-remove", args=[priya.pk, tom.pk])

    response = owner_client.post(url)

    assert response.status_code == 302 and not Acquaintance.objects.exists()
    assert owner_client.get(url).status_code == 405
    second = owner_client.post(url, follow=True).content.decode()
    assert "were not linked" in second


def test_removing_from_the_page_is_403_for_someone_who_may_change_neither(
    teammate_client, priya, tom
):
    acquaintance_add(contact=priya, other=tom, by=priya.owner)

    response = teammate_client.post(reverse("cultivation:knows-remove", args=[priya.pk, tom.pk]))

    assert response.status_code == 403 and Acquaintance.objects.count() == 2


@pytest.mark.parametrize("viewer", ["owner_client", "teammate_client"])
def test_the_person_page_query_count_does_not_grow_with_links(
    request, viewer, priya, django_assert_max_num_queries
):
    client = request.getfixturevalue(viewer)

    def count():
        with django_assert_max_num_queries(40) as queries:
            assert client.get(priya.get_absolute_url()).status_code == 200
        return len(queries.captured_queries)

    acquaintance_add(contact=priya, other=factories.ContactFactory(), by=priya.owner)
    few = count()
    for person in factories.ContactFactory.create_batch(8):
        acquaintance_add(contact=priya, other=person, by=priya.owner, how="friend")

    assert count() == few


# In the admin -----------------------------------------------------------------


def _knows_rows(*rows, initial=0):
    data = {"knows-TOTAL_FORMS": len(rows), "knows-INITIAL_FORMS": initial}
    for index, row in enumerate(rows):
        data.update({f"knows-{index}-{name}": value for name, value in row.items()})
    return data


def test_the_admin_adds_and_removes_links_through_the_services(manager_client, priya, tom):
    url = reverse("admin:cultivation_contact_change", args=[priya.pk])
    added = _knows_rows({"to_contact": tom.pk, "how": "friend", "detail": "School"})

    response = manager_client.post(url, person_form(priya, **added))

    assert response.status_code == 302, response.content.decode()[:2000]
    assert _links() == {("Priya Shah", "Tom Reed"), ("Tom Reed", "Priya Shah")}
    assert len(_knows_events()) == 2
    link = Acquaintance.objects.get(from_contact=priya)
    removed = _knows_rows({"id": link.pk, "from_contact": priya.pk, "DELETE": "on"}, initial=1)
    response = manager_client.post(url, person_form(priya, **removed))

    assert response.status_code == 302
    assert not Acquaintance.objects.exists()
    assert [event[1] for event in _knows_events()].count("knows_removed") == 2
