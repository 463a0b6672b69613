"""Editing a person: every detail through `contact_update`, the owner through
`contact_reassign` (capacity), one history row per save, nothing for an unchanged one."""

from html import unescape

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from convivio.errors import PermissionRefused, RuleViolation
from cultivation.models import Contact, ContactEvent, Organisation
from cultivation.services import contact_edit, contact_update, touch_plan_start
from tests import factories

pytestmark = pytest.mark.django_db
Action = ContactEvent.Action


@pytest.fixture
def priya(owner):
    organisation = factories.OrganisationFactory(name="Harbour Logistics")
    return factories.ContactFactory(
        name="Priya Shah",
        owner=owner,
        organisation=organisation,
        role="Director",
        email="priya@harbour.example",
        phone="",
        linkedin_url="",
        needs="",
    )


def _rows(person, action=Action.UPDATED):
    return [
        (event.by.username, [(c["field"], c["from"], c["to"]) for c in event.changes])
        for event in person.events.filter(action=action).order_by("pk")
    ]


def _url(person, suffix="edit/"):
    return f"/contacts/{person.pk}/{suffix}"


# The service ---------------------------------------------------------------------


def test_the_owner_changes_the_new_details_and_saving_them_again_records_nothing(
    owner, teammate, priya
):
    sam = factories.ContactFactory(name="Sam Patel")
    for _ in range(2):
        contact_update(
            contact=priya,
            by=owner,
            linkedin_url="https://www.linkedin.com/in/priya-shah",
            needs="Office move\nA tax adviser",
            referred_by=sam,
            referred_by_colleague=teammate,
        )

    assert _rows(priya) == [
        (
            "alice",
            [
                ("linkedin_url", "", "https://www.linkedin.com/in/priya-shah"),
                ("needs", "", "Office move\nA tax adviser"),
                ("referred_by", "", "Sam Patel"),
                ("referred_by_colleague", "", "Bob Teammate"),
            ],
        )
    ]
    priya.refresh_from_db()
    assert (priya.referred_by, priya.linkedin_key) == (sam, "linkedin.com/in/priya-shah")


def test_a_teammate_may_not_edit_and_nothing_changes_twice(teammate, priya):
    for _ in range(2):
        with pytest.raises(PermissionRefused, match="Only Alice Owner, Priya Shah's owner"):
            contact_update(contact=priya, by=teammate, role="Chair", needs="Mine")

    priya.refresh_from_db()
    assert (priya.role, priya.needs) == ("Director", "") and _rows(priya) == []


def test_a_manager_edits_anyones_person(manager, priya):
    contact_update(contact=priya, by=manager, role="Chair")

    assert _rows(priya) == [("maria", [("role", "Director", "Chair")])]


def test_anyone_signed_in_edits_a_person_nobody_owns(teammate, priya):
    priya.owner = None
    priya.save()

    contact_update(contact=priya, by=teammate, phone="020 7946 0000")

    assert _rows(priya) == [("bob", [("phone", "", "020 7946 0000")])]


@pytest.mark.parametrize("nobody", [None, AnonymousUser()])
def test_no_one_and_anonymous_edit_nothing(nobody, priya):
    with pytest.raises(PermissionRefused):
        contact_update(contact=priya, by=nobody, role="Chair")

    assert _rows(priya) == []


@pytest.mark.parametrize(
    ("changes", "sentence"),
    [
        ({"name": " "}, "Give the person's name."),
        ({"email": "nope"}, "valid email"),
        ({"has_opted_in": True}, "cannot be changed here: has_opted_in"),
        ({"owner": None}, "cannot be changed here: owner"),
        ({"what_makes_them_tick": "x" * 10_001}, "10,001 characters"),
        ({"role": "a\x00b"}, "NUL character"),
    ],
)
def test_an_edit_the_rules_refuse_is_a_sentence_and_saves_nothing(owner, priya, changes, sentence):
    with pytest.raises(RuleViolation, match=sentence):
        contact_update(contact=priya, by=owner, **changes)

    priya.refresh_from_db()
    assert (priya.name, priya.email, priya.has_opted_in) == (
        "Priya Shah",
        "priya@harbour.example",
        Contact.objects.get(pk=priya.pk).has_opted_in,
    )
    assert _rows(priya) == []


def test_a_person_cannot_be_referred_by_themselves(owner, priya):
    with pytest.raises(RuleViolation, match="cannot be referred to us by themselves"):
        contact_update(contact=priya, by=owner, referred_by=priya)

    assert _rows(priya) == []


def test_an_erased_person_cannot_be_named_as_the_referrer(owner, priya):
    erased = factories.ContactFactory(erased_at=timezone.now())

    with pytest.raises(RuleViolation, match="An erased person cannot be named"):
        contact_update(contact=priya, by=owner, referred_by=erased)

    assert _rows(priya) == []


def test_an_erased_person_is_never_written_back(owner, manager, priya):
    Contact.objects.filter(pk=priya.pk).update(erased_at=timezone.now())

    with pytest.raises(RuleViolation, match="was erased"):
        contact_update(contact=priya, by=manager, role="Chair")


def test_a_new_organisation_named_on_edit_is_found_or_added(owner, priya):
    contact_update(contact=priya, by=owner, organisation=None, new_organisation="Quayside Ltd")

    priya.refresh_from_db()
    assert priya.organisation.name == "Quayside Ltd"
    assert _rows(priya) == [("alice", [("organisation", "Harbour Logistics", "Quayside Ltd")])]


def test_handing_on_through_the_edit_records_the_details_and_the_owner(owner, teammate, priya):
    contact_edit(contact=priya, by=owner, owner=teammate, role="Chair")

    assert _rows(priya) == [("alice", [("role", "Director", "Chair")])]
    assert _rows(priya, Action.REASSIGNED) == [
        ("alice", [("owner", "Alice Owner", "Bob Teammate")])
    ]


def test_a_hand_on_the_capacity_refuses_saves_no_detail_either(owner, teammate, priya, settings):
    settings.CONVIVIO = {**settings.CONVIVIO, "CAPACITY_MAX": 1}
    touch_plan_start(contact=priya, by=owner)
    touch_plan_start(contact=factories.ContactFactory(owner=teammate), by=teammate)

    with pytest.raises(RuleViolation, match="cannot move: bob already cultivates 1 people"):
        contact_edit(contact=priya, by=owner, owner=teammate, role="Chair")

    priya.refresh_from_db()
    assert (priya.role, priya.owner) == ("Director", owner)
    assert _rows(priya) == [] and _rows(priya, Action.REASSIGNED) == []


# The page --------------------------------------------------------------------------


def _form(person, **fields):
    return {
        "name": person.name,
        "organisation": person.organisation_id or "",
        "new_organisation": "",
        "role": person.role,
        "email": person.email,
        "phone": person.phone,
        "linkedin_url": person.linkedin_url,
        "how_we_know_them": person.how_we_know_them,
        "what_makes_them_tick": person.what_makes_them_tick,
        "needs": person.needs,
        "owner": person.owner_id or "",
        "referred_by": person.referred_by_id or "",
        "referred_by_colleague": person.referred_by_colleague_id or "",
        **fields,
    }


def test_the_person_page_offers_edit_to_their_owner_and_not_to_a_teammate(
    priya, owner_client, teammate
):
    assert f'href="{_url(priya)}"' in owner_client.get(priya.get_absolute_url()).content.decode()

    owner_client.force_login(teammate)
    assert (
        f'href="{_url(priya)}"' not in owner_client.get(priya.get_absolute_url()).content.decode()
    )


def test_the_edit_page_shows_the_person_as_they_are(priya, owner_client):
    page = owner_client.get(_url(priya)).content.decode()

    assert 'value="Priya Shah"' in page and 'value="priya@harbour.example"' in page
    assert "Harbour Logistics" in page


def test_an_edit_saved_on_the_page_shows_in_their_history(priya, owner_client):
    response = owner_client.post(
        _url(priya), _form(priya, role="Managing director", needs="Office move"), follow=True
    )

    page = unescape(response.content.decode())
    assert response.redirect_chain[-1][0] == priya.get_absolute_url()
    assert "Saved Priya Shah." in page and "Details changed" in page
    assert "<strong>Managing director</strong>" in page and "Office move" in page


def test_saving_the_page_unchanged_twice_records_nothing(priya, owner_client):
    for _ in range(2):
        response = owner_client.post(_url(priya), _form(priya), follow=True)
        assert "Nothing changed." in response.content.decode()

    assert not priya.events.exists()


def test_a_teammate_gets_the_sentence_and_changes_nothing(priya, teammate_client):
    for response in (
        teammate_client.get(_url(priya)),
        teammate_client.post(_url(priya), _form(priya, role="Mine")),
    ):
        assert response.status_code == 403
        assert "Only Alice Owner, Priya Shah's owner, or a manager" in unescape(
            response.content.decode()
        )
    priya.refresh_from_db()
    assert priya.role == "Director" and not priya.events.exists()


def test_the_owner_hands_the_person_on_from_the_page(priya, teammate, owner_client):
    owner_client.post(_url(priya), _form(priya, owner=teammate.pk))

    priya.refresh_from_db()
    assert priya.owner == teammate
    assert _rows(priya, Action.REASSIGNED) == [
        ("alice", [("owner", "Alice Owner", "Bob Teammate")])
    ]
    assert _rows(priya) == []


def test_staff_editing_a_person_nobody_owns_may_take_them_but_not_give_them_away(
    priya, owner, teammate, teammate_client
):
    priya.owner = None
    priya.save()

    refused = teammate_client.post(_url(priya), _form(priya, owner=owner.pk))
    taken = teammate_client.post(_url(priya), _form(priya, owner=teammate.pk))

    assert refused.status_code == 400 and taken.status_code == 302
    priya.refresh_from_db()
    assert priya.owner == teammate


def test_a_new_organisation_typed_over_the_one_they_had_replaces_it(priya, owner_client):
    owner_client.post(_url(priya), _form(priya, new_organisation="Quayside Ltd"))

    priya.refresh_from_db()
    assert priya.organisation.name == "Quayside Ltd"
    assert _rows(priya) == [("alice", [("organisation", "Harbour Logistics", "Quayside Ltd")])]


def test_a_manager_edits_and_hands_on_anyones_person(priya, teammate, manager_client):
    manager_client.post(_url(priya), _form(priya, role="Chair", owner=teammate.pk))

    priya.refresh_from_db()
    assert (priya.role, priya.owner) == ("Chair", teammate)


def test_an_edit_that_matches_someone_else_warns_first(priya, owner_client):
    other = factories.ContactFactory(name="P. Shah", email="ps@quayside.example")

    warned = owner_client.post(_url(priya), _form(priya, email="PS@quayside.example"))

    page = unescape(warned.content.decode())
    assert "Possible duplicate:" in page and f'href="{other.get_absolute_url()}"' in page
    priya.refresh_from_db()
    assert priya.email == "priya@harbour.example"

    owner_client.post(_url(priya), _form(priya, email="PS@quayside.example", save_anyway="yes"))
    priya.refresh_from_db()
    assert priya.email == "PS@quayside.example"


def test_an_edit_that_leaves_the_matched_details_alone_does_not_warn(priya, owner_client):
    factories.ContactFactory(name="Priya Shah", organisation=priya.organisation)

    response = owner_client.post(_url(priya), _form(priya, role="Chair"))

    assert response.status_code == 302


@pytest.mark.parametrize(
    ("fields", "sentence"),
    [
        ({"name": "Pri\x00ya"}, "Null characters are not allowed."),
        ({"role": "x" * 201}, "at most 200 characters"),
        ({"linkedin_url": "not a url at all"}, "Enter a valid URL."),
        ({"referred_by": "abc"}, ""),
    ],
)
def test_bad_input_is_a_400_sentence_and_changes_nothing(priya, owner_client, fields, sentence):
    response = owner_client.post(_url(priya), _form(priya, **fields))

    assert response.status_code == 400
    assert sentence in unescape(response.content.decode())
    assert not priya.events.exists()


def test_a_person_cannot_be_picked_as_their_own_referrer(priya, owner_client):
    response = owner_client.post(_url(priya), _form(priya, referred_by=priya.pk))

    assert response.status_code == 400
    assert not priya.events.exists()


@pytest.mark.parametrize("path", ["/contacts/99999999/edit/", "/contacts/0/edit/"])
def test_an_unknown_person_is_404(owner_client, path):
    assert owner_client.get(path).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, priya):
    response = client.post(_url(priya), _form(priya, role="Chair"))

    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert not priya.events.exists()


# Referred by, on both pages ------------------------------------------------------------


def test_both_pages_show_the_referral(owner, teammate, owner_client, priya):
    sam = factories.ContactFactory(name="Sam Patel")
    contact_update(contact=priya, by=owner, referred_by=sam, referred_by_colleague=teammate)

    page = owner_client.get(priya.get_absolute_url()).content.decode()
    referrer = owner_client.get(sam.get_absolute_url()).content.decode()

    assert "Referred by <a" in page and "Sam Patel" in page
    assert "Referred by colleague Bob Teammate" in page
    assert "Referred to us" in referrer and f'href="{priya.get_absolute_url()}"' in referrer


def test_the_person_page_links_to_their_organisation(priya, owner_client):
    page = owner_client.get(priya.get_absolute_url()).content.decode()

    assert f'href="/organisations/{priya.organisation_id}/"' in page
    assert Organisation.objects.count() == 1
