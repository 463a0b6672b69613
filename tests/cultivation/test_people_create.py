"""Adding a person: staff add people they keep (or nobody keeps), managers for anyone.

Through `contact_create` from the "New person" page and the admin: a CREATED row in
their history, duplicates warned about (never refused), bad input a 4xx sentence.
"""

from html import unescape

import pytest
from django.contrib.auth.models import AnonymousUser

from convivio.errors import PermissionRefused, RuleViolation
from cultivation.models import Contact, ContactEvent, Organisation, TouchPlan
from cultivation.services import contact_create, touch_plan_start
from tests import factories

pytestmark = pytest.mark.django_db
Action = ContactEvent.Action
NEW = "/contacts/new/"


def _created(person):
    return list(person.events.filter(action=Action.CREATED).values_list("by__username", "note"))


# The service ---------------------------------------------------------------------


def test_staff_add_a_person_they_keep_and_their_history_says_who(owner):
    person = contact_create(by=owner, name="  Priya Shah ", owner=owner, role="Partner")

    assert (person.name, person.role, person.owner) == ("Priya Shah", "Partner", owner)
    assert _created(person) == [("alice", "Kept by Alice Owner.")]


def test_staff_add_a_person_nobody_keeps_yet(teammate):
    person = contact_create(by=teammate, name="Omar Reid")

    assert person.owner is None
    assert _created(person) == [("bob", "Nobody keeps them yet.")]


def test_staff_cannot_add_a_person_for_someone_else_and_nothing_is_written(owner, teammate):
    for _ in range(2):
        with pytest.raises(PermissionRefused, match="Only a manager can add a person for Alice"):
            contact_create(by=teammate, name="Priya Shah", owner=owner)

    assert not Contact.objects.exists() and not ContactEvent.objects.exists()


def test_a_manager_adds_a_person_for_anyone(manager, teammate):
    person = contact_create(by=manager, name="Priya Shah", owner=teammate)

    assert person.owner == teammate
    assert _created(person) == [("maria", "Kept by Bob Teammate.")]


@pytest.mark.parametrize("nobody", [None, AnonymousUser()])
def test_no_one_and_anonymous_add_nobody(nobody):
    with pytest.raises(PermissionRefused, match="Sign in to add a person"):
        contact_create(by=nobody, name="Priya Shah")

    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    ("details", "sentence"),
    [
        ({"name": "   "}, "Give the person's name."),
        ({"email": "not an email"}, "valid email"),
        ({"linkedin_url": "not a url"}, "valid URL"),
        ({"needs": "x" * 10_001}, "Needs we have heard is 10,001 characters long"),
        ({"name": "Pri\x00ya"}, "NUL character"),
    ],
)
def test_a_person_the_rules_refuse_is_a_sentence_and_saves_nothing(owner, details, sentence):
    with pytest.raises(RuleViolation, match=sentence):
        contact_create(by=owner, owner=owner, **{"name": "Priya Shah", **details})

    assert not Contact.objects.exists() and not ContactEvent.objects.exists()


def test_an_inactive_owner_keeps_no_one(manager, teammate):
    teammate.is_active = False
    teammate.save()

    with pytest.raises(RuleViolation, match="no longer active"):
        contact_create(by=manager, name="Priya Shah", owner=teammate)


def test_every_detail_is_kept_and_needs_one_per_line(owner, teammate):
    referrer = factories.ContactFactory(name="Sam Patel")
    organisation = factories.OrganisationFactory(name="Harbour Logistics")

    person = contact_create(
        by=owner,
        owner=owner,
        name="Priya Shah",
        organisation=organisation,
        role="Operations director",
        email="priya@harbour.example",
        phone="+44 20 7946 0000",
        linkedin_url="linkedin.com/in/priya-shah",
        how_we_know_them="Sam's sailing club",
        what_makes_them_tick="Her apprentices",
        needs="  A new warehouse lease \n\n succession planning  ",
        referred_by=referrer,
        referred_by_colleague=teammate,
    )

    person.refresh_from_db()
    assert person.needs == "A new warehouse lease\nsuccession planning"
    assert person.linkedin_url == "https://linkedin.com/in/priya-shah"
    assert person.linkedin_key == "linkedin.com/in/priya-shah"
    assert (person.referred_by, person.referred_by_colleague) == (referrer, teammate)
    assert person.organisation == organisation and person.name_key == "priya shah"


def test_a_new_organisation_named_in_any_case_is_found_or_added_once(owner):
    harbour = factories.OrganisationFactory(name="Harbour Logistics")

    first = contact_create(by=owner, name="Priya Shah", new_organisation="harbour LOGISTICS")
    second = contact_create(by=owner, name="Omar Reid", new_organisation="Quayside Ltd")
    third = contact_create(by=owner, name="Ann Lee", new_organisation=" quayside ltd ")

    assert first.organisation == harbour
    assert second.organisation == third.organisation
    assert Organisation.objects.filter(name="Quayside Ltd").count() == 1


def test_a_refused_person_leaves_no_new_organisation(owner):
    with pytest.raises(RuleViolation):
        contact_create(by=owner, name="Priya", email="nope", new_organisation="Quayside Ltd")

    assert not Organisation.objects.exists()


def test_a_full_owner_can_still_add_people_a_new_person_is_not_cultivated(owner, settings):
    settings.CONVIVIO = {**settings.CONVIVIO, "CAPACITY_MAX": 1}
    touch_plan_start(contact=factories.ContactFactory(owner=owner), by=owner)

    person = contact_create(by=owner, name="Priya Shah", owner=owner)

    assert person.owner == owner
    assert not TouchPlan.objects.filter(contact=person).exists()


# The "New person" page -------------------------------------------------------------


def _form(**fields):
    return {
        "name": "Priya Shah",
        "organisation": "",
        "new_organisation": "",
        "role": "",
        "email": "",
        "phone": "",
        "linkedin_url": "",
        "how_we_know_them": "",
        "what_makes_them_tick": "",
        "needs": "",
        "owner": "",
        "referred_by": "",
        "referred_by_colleague": "",
        **fields,
    }


def test_the_contact_list_offers_new_person(owner_client):
    page = owner_client.get("/contacts/").content.decode()

    assert f'href="{NEW}"' in page and "New person" in page


def test_a_person_added_on_the_page_is_on_their_page(owner, owner_client):
    response = owner_client.post(
        NEW,
        _form(owner=owner.pk, new_organisation="Harbour Logistics", needs="Office move"),
        follow=True,
    )

    person = Contact.objects.get()
    assert response.redirect_chain[-1][0] == person.get_absolute_url()
    page = response.content.decode()
    assert "Added Priya Shah." in page and "Harbour Logistics" in page and "Office move" in page
    assert person.owner == owner and _created(person) == [("alice", "Kept by Alice Owner.")]


def test_the_new_person_form_starts_with_me_as_owner_and_offers_only_me_or_nobody(
    owner, teammate, owner_client
):
    page = owner_client.get(NEW).content.decode()

    assert f'<option value="{owner.pk}" selected>Alice Owner</option>' in page
    owners = page.split('name="owner"')[1].split("</select>")[0]
    assert "Nobody yet" in owners and "Bob Teammate" not in owners


def test_staff_posting_someone_else_as_owner_is_a_400_and_adds_no_one(teammate, owner_client):
    for _ in range(2):
        response = owner_client.post(NEW, _form(owner=teammate.pk))

        assert response.status_code == 400
        assert "Select a valid choice" in response.content.decode()
    assert not Contact.objects.exists()


def test_a_manager_may_add_a_person_for_a_teammate_on_the_page(teammate, manager_client):
    manager_client.post(NEW, _form(owner=teammate.pk))

    assert Contact.objects.get().owner == teammate


def test_a_possible_duplicate_is_a_warning_with_a_link_and_save_anyway_saves(owner, owner_client):
    known = factories.ContactFactory(name="Priya Shah", email="PRIYA@harbour.example")

    warned = owner_client.post(NEW, _form(email="priya@harbour.example"))

    page = unescape(warned.content.decode())
    assert warned.status_code == 200
    assert "Possible duplicate:" in page and f'href="{known.get_absolute_url()}"' in page
    assert "(same email)" in page and "Save anyway" in page
    assert Contact.objects.count() == 1

    saved = owner_client.post(NEW, _form(email="priya@harbour.example", save_anyway="yes"))

    assert saved.status_code == 302
    assert Contact.objects.count() == 2


def test_posting_the_same_person_twice_warns_the_second_time(owner_client):
    owner_client.post(NEW, _form(linkedin_url="https://www.linkedin.com/in/priya/"))
    second = owner_client.post(NEW, _form(linkedin_url="linkedin.com/in/Priya"))

    assert "same LinkedIn profile" in second.content.decode()
    assert Contact.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "sentence"),
    [
        ({"name": ""}, "This field is required."),
        ({"name": "Pri\x00ya"}, "Null characters are not allowed."),
        ({"name": "x" * 201}, "at most 200 characters"),
        ({"organisation": "abc"}, ""),
        ({"organisation": "99999999"}, ""),
        ({"referred_by": "1" * 30}, ""),
        ({"email": "nope"}, "Enter a valid email address."),
        ({"needs": "x" * 10_001}, "at most 10000 characters"),
        ({"organisation": "ORG", "new_organisation": "Quayside"}, "not both"),
    ],
)
def test_bad_input_is_a_400_with_a_sentence_and_adds_no_one(owner_client, fields, sentence):
    if fields.get("organisation") == "ORG":
        fields["organisation"] = factories.OrganisationFactory().pk

    response = owner_client.post(NEW, _form(**fields))

    assert response.status_code == 400
    assert sentence in unescape(response.content.decode())  # the pickers' own sentences vary
    assert "is-invalid" in response.content.decode()
    assert not Contact.objects.exists()


def test_an_erased_person_cannot_be_picked_as_the_referrer(owner, owner_client):
    erased = factories.ContactFactory()
    Contact.objects.filter(pk=erased.pk).update(erased_at="2024-01-01T00:00:00Z")

    response = owner_client.post(NEW, _form(referred_by=erased.pk))

    assert response.status_code == 400
    assert Contact.objects.count() == 1


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for response in (client.get(NEW), client.post(NEW, _form())):
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert not Contact.objects.exists()


# The admin -------------------------------------------------------------------------


def test_a_person_added_in_the_admin_goes_through_the_service(owner, manager_client):
    from tests.admin_forms import PERSON_INLINES

    inlines = {f"{p}-{n}": 0 for p in PERSON_INLINES for n in ("TOTAL_FORMS", "INITIAL_FORMS")}
    response = manager_client.post(
        "/admin/cultivation/contact/add/", {**_form(owner=owner.pk), **inlines}
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    person = Contact.objects.get()
    assert _created(person) == [("maria", "Kept by Alice Owner.")]
