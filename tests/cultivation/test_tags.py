"""Tags on people: given through `contact_tag` (or the person form, or the admin), one
name whatever its case, a history row when they change, refused with a sentence."""

from html import unescape

import pytest

from convivio.errors import PermissionRefused, RuleViolation
from cultivation.models import ContactEvent, Tag
from cultivation.services import contact_create, contact_erase, contact_tag
from cultivation.services.tags import tag_names
from tests import factories

pytestmark = pytest.mark.django_db
Action = ContactEvent.Action


@pytest.fixture
def priya(owner):
    return factories.ContactFactory(name="Priya Shah", owner=owner)


def _tags(person):
    return sorted(person.tags.values_list("name", flat=True))


def _tag_rows(person):
    return [
        (event.by.username, [(c["field"], c["from"], c["to"]) for c in event.changes])
        for event in person.events.filter(action=Action.UPDATED).order_by("pk")
    ]


# The service ---------------------------------------------------------------------


def test_the_owner_tags_a_person_new_names_become_tags_and_history_says_so(owner, priya):
    contact_tag(contact=priya, by=owner, names=["Clients", "board members"])

    assert _tags(priya) == ["Clients", "board members"]
    assert sorted(Tag.objects.values_list("name", flat=True)) == ["Clients", "board members"]
    assert _tag_rows(priya) == [("alice", [("tags", "", "board members, Clients")])]


def test_a_name_in_another_case_is_the_same_tag(owner, priya):
    clients = Tag.objects.create(name="Clients")
    sam = factories.ContactFactory(name="Sam Patel", owner=owner)

    contact_tag(contact=priya, by=owner, names=["clients"])
    contact_tag(contact=sam, by=owner, names=["CLIENTS", "Clients", "clients "])

    assert Tag.objects.count() == 1
    assert list(priya.tags.all()) == [clients]
    assert list(sam.tags.all()) == [clients]


def test_the_same_tags_again_record_nothing(owner, priya):
    for _ in range(2):
        contact_tag(contact=priya, by=owner, names=["Clients", "Alliance"])

    assert _tags(priya) == ["Alliance", "Clients"]
    assert len(_tag_rows(priya)) == 1


def test_changing_and_clearing_tags_is_history(owner, priya):
    contact_tag(contact=priya, by=owner, names=["Clients"])
    contact_tag(contact=priya, by=owner, names=["Alliance"])
    contact_tag(contact=priya, by=owner, names=[])

    assert _tags(priya) == []
    assert [changes for _, changes in _tag_rows(priya)] == [
        [("tags", "", "Clients")],
        [("tags", "Clients", "Alliance")],
        [("tags", "Alliance", "")],
    ]
    assert Tag.objects.count() == 2  # a tag nobody carries stays, to be chosen again


@pytest.mark.parametrize(
    "name, sentence",
    [
        ("Cli\x00ents", "A tag name cannot contain a NUL character: type it again."),
        ("x" * 10_000, "A tag name is 10,000 characters long: keep it to 100 or fewer."),
        ("   ", "A tag needs a name: one made only of spaces is not a name."),
        ("Smith, Jones", "A tag name cannot contain a comma (“Smith, Jones”): commas part tags."),
    ],
)
def test_a_bad_name_is_refused_with_a_sentence_and_nothing_changes(owner, priya, name, sentence):
    contact_tag(contact=priya, by=owner, names=["Clients"])

    with pytest.raises(RuleViolation) as refusal:
        contact_tag(contact=priya, by=owner, names=["Alliance", name])

    assert str(refusal.value) == sentence
    assert _tags(priya) == ["Clients"]
    assert Tag.objects.count() == 1
    assert len(_tag_rows(priya)) == 1


def test_too_many_tags_are_refused(owner, priya):
    with pytest.raises(RuleViolation) as refusal:
        contact_tag(contact=priya, by=owner, names=[f"tag {n}" for n in range(51)])

    assert str(refusal.value) == "51 tags is too many for one person: keep to 50."
    assert Tag.objects.count() == 0


def test_a_teammate_may_not_tag_someone_elses_person_and_nothing_changes(teammate, priya):
    with pytest.raises(PermissionRefused) as refusal:
        contact_tag(contact=priya, by=teammate, names=["Clients"])

    assert str(refusal.value) == (
        "Only Alice Owner, Priya Shah's owner, or a manager can change their tags."
    )
    assert _tags(priya) == []
    assert Tag.objects.count() == 0
    assert _tag_rows(priya) == []


def test_a_manager_tags_anyones_person_and_anyone_tags_a_person_nobody_owns(
    manager, teammate, priya
):
    nobodys = factories.ContactFactory(name="Sam Patel", owner=None)

    contact_tag(contact=priya, by=manager, names=["Clients"])
    contact_tag(contact=nobodys, by=teammate, names=["Alliance"])

    assert _tags(priya) == ["Clients"]
    assert _tags(nobodys) == ["Alliance"]


def test_an_erased_person_gets_no_tags(manager, priya):
    contact_erase(contact=priya, by=manager, reason="They asked to be forgotten.")

    with pytest.raises(RuleViolation) as refusal:
        contact_tag(contact=priya, by=manager, names=["Clients"])

    assert "was erased" in str(refusal.value)
    assert _tags(priya) == []


def test_a_person_added_with_tags_says_so_in_the_added_row(owner):
    Tag.objects.create(name="Clients")

    person = contact_create(by=owner, name="Priya Shah", owner=owner, tags=["clients", "New"])

    assert _tags(person) == ["Clients", "New"]
    created = person.events.get(action=Action.CREATED)
    assert created.note == "Kept by Alice Owner. Tagged: Clients, New."


@pytest.mark.parametrize(
    "text, names",
    [
        ("", []),
        ("   ", []),
        ("clients, Board members,", ["clients", "Board members"]),
        (" a ,, A, b ", ["a", "b"]),
    ],
)
def test_a_comma_separated_text_gives_each_name_once(text, names):
    assert tag_names(text) == names


# The person form ---------------------------------------------------------------------


def _person_post(**fields):
    return {"name": "Priya Shah", "owner": "", **fields}


def test_the_new_person_form_takes_tags(owner, owner_client):
    Tag.objects.create(name="Clients")

    response = owner_client.post(
        "/contacts/new/", _person_post(owner=owner.pk, tags="clients, Alliance")
    )

    assert response.status_code == 302
    person = owner.contacts.get()
    assert _tags(person) == ["Alliance", "Clients"]


def test_the_edit_form_shows_changes_and_clears_tags(owner, owner_client, priya):
    contact_tag(contact=priya, by=owner, names=["Clients", "Alliance"])
    page = owner_client.get(f"/contacts/{priya.pk}/edit/").content.decode()
    assert 'value="Alliance, Clients"' in page

    post = _person_post(owner=owner.pk, email=priya.email, phone=priya.phone, role=priya.role)
    post["organisation"] = priya.organisation_id
    owner_client.post(f"/contacts/{priya.pk}/edit/", post | {"tags": "Clients, Board"})
    assert _tags(priya) == ["Board", "Clients"]

    owner_client.post(f"/contacts/{priya.pk}/edit/", post | {"tags": ""})
    assert _tags(priya) == []
    assert [changes for _, changes in _tag_rows(priya)][-2:] == [
        [("tags", "Alliance, Clients", "Board, Clients")],
        [("tags", "Board, Clients", "")],
    ]


@pytest.mark.parametrize(
    "tags, sentence",
    [
        ("a\x00b", "Null characters are not allowed."),
        ("x" * 200, "A tag name is 200 characters long: keep it to 100 or fewer."),
        ("x" * 10_001, "Ensure this value has at most 10000 characters (it has 10001)."),
    ],
)
def test_the_form_refuses_a_bad_tag_with_a_sentence(owner, owner_client, tags, sentence):
    response = owner_client.post("/contacts/new/", _person_post(owner=owner.pk, tags=tags))

    assert response.status_code == 400
    assert sentence in unescape(response.content.decode())
    assert not owner.contacts.exists()
    assert not Tag.objects.exists()


# Shown, and filtered on ----------------------------------------------------------------


def test_the_contact_page_and_list_show_the_tags_as_links_to_the_filter(owner, owner_client, priya):
    contact_tag(contact=priya, by=owner, names=["Board members"])
    link = '<a class="badge rounded-pill text-bg-light border text-decoration-none me-1" '
    link += 'href="/contacts/?tag=Board%20members">Board members</a>'

    assert link in owner_client.get(f"/contacts/{priya.pk}/").content.decode()
    assert link in owner_client.get("/contacts/").content.decode()


def _listed(client, query):
    page = client.get(f"/contacts/?{query}").content.decode()
    return sorted(name for name in ("Priya Shah", "Sam Patel", "Ann Lee") if name in page)


def test_the_list_filters_by_a_tags_name_in_any_case_or_its_id_with_the_other_filters(
    owner, teammate, owner_client, priya
):
    sam = factories.ContactFactory(name="Sam Patel", owner=teammate)
    factories.ContactFactory(name="Ann Lee", owner=owner)
    contact_tag(contact=priya, by=owner, names=["Clients"])
    contact_tag(contact=sam, by=teammate, names=["clients", "Alliance"])
    clients = Tag.objects.get(name="Clients")

    assert _listed(owner_client, "tag=CLIENTS") == ["Priya Shah", "Sam Patel"]
    assert _listed(owner_client, f"tag={clients.pk}") == ["Priya Shah", "Sam Patel"]
    assert _listed(owner_client, "tag=alliance") == ["Sam Patel"]
    assert _listed(owner_client, f"tag=clients&owner={owner.pk}") == ["Priya Shah"]
    assert _listed(owner_client, "tag=clients&q=sam") == ["Sam Patel"]
    assert _listed(owner_client, "tag=nobody-has-this") == []
    assert _listed(owner_client, "") == ["Ann Lee", "Priya Shah", "Sam Patel"]


@pytest.mark.parametrize("size", [3, 40])
def test_the_list_with_tags_runs_the_same_queries_at_any_size(
    size, owner, owner_client, django_assert_max_num_queries
):
    tags = [Tag.objects.create(name=f"tag {n}") for n in range(3)]
    for person in factories.ContactFactory.create_batch(size, owner=owner):
        person.tags.set(tags)

    with django_assert_max_num_queries(9):
        response = owner_client.get("/contacts/?tag=tag 1")

    assert response.content.decode().count(">tag 2</a>") == min(size, 25)


# The admin -------------------------------------------------------------------------------


def test_the_admin_change_page_tags_through_the_service(manager, manager_client, priya):
    from tests.admin_forms import person_form

    clients = Tag.objects.create(name="Clients")

    response = manager_client.post(
        f"/admin/cultivation/contact/{priya.pk}/change/",
        person_form(priya, tags=[clients.pk]),
    )

    assert response.status_code == 302
    assert _tags(priya) == ["Clients"]
    assert _tag_rows(priya) == [("maria", [("tags", "", "Clients")])]


def test_the_tag_admin_lists_searches_and_renames_but_never_merges_by_case(
    manager, manager_client, priya
):
    Tag.objects.create(name="Clients")
    alliance = Tag.objects.create(name="Alliance")
    priya.tags.add(alliance)

    listing = manager_client.get("/admin/cultivation/tag/?q=alli").content.decode()
    assert "Alliance" in listing and "Clients" not in listing

    clash = manager_client.post(
        f"/admin/cultivation/tag/{alliance.pk}/change/", {"name": "CLIENTS"}
    )
    assert clash.status_code == 200
    assert "There is already a tag called “Clients”: use that one." in unescape(
        clash.content.decode()
    )

    renamed = manager_client.post(
        f"/admin/cultivation/tag/{alliance.pk}/change/", {"name": "Alliance partners"}
    )
    assert renamed.status_code == 302
    assert _tags(priya) == ["Alliance partners"]

    comma = manager_client.post(f"/admin/cultivation/tag/{alliance.pk}/change/", {"name": "a, b"})
    assert "commas part tags" in unescape(comma.content.decode())
    assert manager_client.get(f"/admin/cultivation/tag/{alliance.pk}/delete/").status_code == 403


def test_a_person_added_in_the_admin_with_tags_gets_them_through_the_service(owner, manager_client):
    from tests.admin_forms import PERSON_INLINES

    clients = Tag.objects.create(name="Clients")
    inlines = {f"{p}-{n}": 0 for p in PERSON_INLINES for n in ("TOTAL_FORMS", "INITIAL_FORMS")}
    form = {"name": "Priya Shah", "owner": owner.pk, "tags": [clients.pk], **inlines}

    response = manager_client.post("/admin/cultivation/contact/add/", form)

    assert response.status_code == 302, unescape(response.content.decode())[:2000]
    person = owner.contacts.get()
    assert _tags(person) == ["Clients"]
    assert _tag_rows(person) == [("maria", [("tags", "", "Clients")])]


def test_the_admin_refuses_tags_for_an_erased_person_and_saves_nothing(
    manager, manager_client, priya
):
    from django.contrib.messages import get_messages

    from tests.admin_forms import person_form

    contact_erase(contact=priya, by=manager, reason="Asked to be forgotten.")
    priya.refresh_from_db()
    clients = Tag.objects.create(name="Clients")

    response = manager_client.post(
        f"/admin/cultivation/contact/{priya.pk}/change/", person_form(priya, tags=[clients.pk])
    )

    assert response.status_code == 302
    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert message.startswith("Nothing was saved: ") and "was erased" in message
    assert _tags(priya) == []
