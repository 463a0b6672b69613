"""Pickers: people and organisations found by searching, never a list of everyone.

The suggestions (`/pick/contacts/`, `/pick/organisations/`) and the fields that post
the chosen id, with and without JavaScript (the form comes back with the matches).
"""

import re

import pytest
from django import forms
from django.core.cache import cache
from django.utils import timezone

from cultivation.models import Contact, Organisation, Touch
from cultivation.pickers import (
    SUGGESTIONS_MAX,
    ContactPickerField,
    ContactsPickerField,
    OrganisationPickerField,
    contact_suggestions,
)
from tests import factories

pytestmark = pytest.mark.django_db

OPTION = re.compile(r'role="option" aria-selected="false" data-pick-id="(\d+)"')


def _picked(response):
    """The ids a suggestions answer offers, in order."""
    return [int(pk) for pk in OPTION.findall(response.content.decode())]


def _person(name, **extra):
    extra.setdefault("organisation", None)
    return factories.ContactFactory(name=name, **extra)


@pytest.fixture
def people():
    acme = factories.OrganisationFactory(name="Acme Holdings")
    return {
        "jose": _person("José O'Brien-Smith", email="jose@harbour.example"),
        "priya": _person("Priya Shah", organisation=acme, email="ps@acme.example"),
        "sam": _person("Sam Priestley", email="sam@example.org"),
        "omar": _person("Omar Nasser", organisation=acme, email="omar@nasser.example"),
    }


def _suggest(client, q, **params):
    return client.get("/pick/contacts/", {"q": q, **params})


# --- Suggestions ------------------------------------------------------------------------


def test_a_name_is_found_by_its_start_then_by_a_later_word(owner_client, people):
    response = _suggest(owner_client, "pri")

    assert response.status_code == 200
    assert _picked(response) == [people["priya"].pk, people["sam"].pk]


def test_case_accents_and_punctuation_are_ignored(owner_client, people):
    for typed in ("JOSE", "josé o'brien", "obrien", "smith", "  Jose   OBrien "):
        assert _picked(_suggest(owner_client, typed)) == [people["jose"].pk], typed


def test_people_are_found_by_email_and_by_organisation(owner_client, people):
    assert _picked(_suggest(owner_client, "ps@acme")) == [people["priya"].pk]
    assert _picked(_suggest(owner_client, "acme")) == [people["omar"].pk, people["priya"].pk]
    assert _picked(_suggest(owner_client, "holdings")) == []  # a name's word, not its middle


def test_a_suggestion_shows_the_name_organisation_and_email(owner_client, people):
    html = _suggest(owner_client, "priya").content.decode()

    assert 'data-pick-label="Priya Shah (Acme Holdings)"' in html
    assert "Acme Holdings · ps@acme.example" in html


def test_at_most_twenty_suggestions_in_a_fixed_number_of_queries(
    owner_client, django_assert_max_num_queries
):
    Contact.objects.bulk_create(Contact(name=f"Parker {n:03}") for n in range(30))

    with django_assert_max_num_queries(8):
        response = _suggest(owner_client, "par")

    assert len(_picked(response)) == SUGGESTIONS_MAX
    names = Contact.objects.filter(pk__in=_picked(response)).values_list("name", flat=True)
    assert sorted(names) == [f"Parker {n:03}" for n in range(20)]


def test_the_query_count_does_not_grow_with_the_people(owner_client, django_assert_max_num_queries):
    Contact.objects.bulk_create(Contact(name=f"Parker {n}", email=f"p{n}@x.org") for n in range(5))
    with django_assert_max_num_queries(8) as few:
        _suggest(owner_client, "p")
    Contact.objects.bulk_create(Contact(name=f"Parks {n}", email=f"q{n}@x.org") for n in range(200))
    with django_assert_max_num_queries(8) as many:
        _suggest(owner_client, "p")

    assert len(many.captured_queries) <= len(few.captured_queries)


def test_erased_people_are_never_suggested(owner_client, people):
    people["priya"].erased_at = timezone.now()
    people["priya"].save(update_fields=["erased_at"])

    assert _picked(_suggest(owner_client, "pri")) == [people["sam"].pk]


@pytest.mark.parametrize("typed", ["", "   ", "x\x00y", "a" * 10_000, "%", "_", "\\"])
def test_an_empty_or_unreadable_search_finds_no_one(owner_client, people, typed):
    response = _suggest(owner_client, typed)

    assert response.status_code == 200
    assert _picked(response) == []


def test_wildcards_are_matched_as_typed(owner_client):
    percent = _person("100% Design Ltd", email="a%b@example.org")
    _person("Anne Other")

    assert _picked(_suggest(owner_client, "a%b")) == [percent.pk]


def test_no_match_says_so(owner_client, people):
    html = _suggest(owner_client, "zebedee").content.decode()

    assert "No people match “zebedee”." in html
    assert _picked(_suggest(owner_client, "zebedee")) == []


def test_anonymous_visitors_are_sent_to_sign_in(client, people):
    response = client.get("/pick/contacts/", {"q": "pri"})

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    assert client.get("/pick/organisations/", {"q": "acme"}).status_code == 302


def test_suggestions_answer_only_a_get(owner_client):
    assert owner_client.post("/pick/contacts/", {"q": "pri"}).status_code == 405


def test_organisations_are_found_by_the_start_of_their_name_or_a_later_word(owner_client):
    harbour = factories.OrganisationFactory(name="Harbour Logistics")
    logic = factories.OrganisationFactory(name="Logica")

    def found(q):
        return _picked(owner_client.get("/pick/organisations/", {"q": q}))

    assert found("harb") == [harbour.pk]
    assert found("LOGI") == [logic.pk, harbour.pk]
    assert found("") == []


# --- A restricted field: its suggestions and its validation ------------------------------


class NotPriyaForm(forms.Form):
    contact = ContactPickerField(queryset=Contact.objects.exclude(name="Priya Shah"))


def _restriction(form, name="contact"):
    """The suggestion URL the form's picker asks (it carries the restriction's key)."""
    html = str(form[name])
    return re.search(r'hx-get="([^"]+)"', html).group(1).replace("&amp;", "&")


def test_a_restricted_field_suggests_only_whom_it_allows(owner_client, people):
    url = _restriction(NotPriyaForm())

    assert "?r=" in url
    assert _picked(owner_client.get(f"{url}&q=pri")) == [people["sam"].pk]
    assert _picked(_suggest(owner_client, "pri")) == [people["priya"].pk, people["sam"].pk]


def test_an_unrestricted_field_carries_no_restriction(people):
    class AnyoneForm(forms.Form):
        contact = ContactPickerField(queryset=Contact.objects.order_by("name"))

    assert _restriction(AnyoneForm()) == "/pick/contacts/"


def test_a_restriction_of_a_slice_is_honoured(owner_client, people):
    class FirstTwoForm(forms.Form):
        contact = ContactPickerField(queryset=Contact.objects.order_by("name")[:2])

    url = _restriction(FirstTwoForm())

    # The first two by name are José and Omar: Sam and Priya Shah are outside it.
    assert _picked(owner_client.get(f"{url}&q=s")) == [people["jose"].pk]


def test_a_field_that_allows_no_one_suggests_no_one(owner_client, people):
    class NobodyForm(forms.Form):
        contact = ContactPickerField(queryset=Contact.objects.none())

    url = _restriction(NobodyForm())

    assert _picked(owner_client.get(f"{url}&q=sam")) == []


def test_an_expired_restriction_asks_for_a_reload_and_suggests_no_one(owner_client, people):
    url = _restriction(NotPriyaForm())
    cache.delete("picker:" + url.split("?r=")[1])  # kept for 7 days: as if they had passed

    response = owner_client.get(f"{url}&q=sam")

    assert response.status_code == 200
    assert _picked(response) == []
    assert "reload the page" in response.content.decode()


def test_a_cache_that_is_down_costs_the_suggestions_never_the_form(owner_client, people, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    form = NotPriyaForm({"contact": "", "contact_search": "sam"})

    assert not form.is_valid()
    assert f'value="{people["sam"].pk}"' in str(form["contact"])  # the plain search works
    answer = owner_client.get(f"{_restriction(form)}&q=sam")
    assert answer.status_code == 200
    assert _picked(answer) == []
    assert "reload the page" in answer.content.decode()


@pytest.mark.parametrize("token", ["abc", "\x00", "0" * 5000, "../../etc"])
def test_a_restriction_that_is_not_one_is_refused(owner_client, people, token):
    response = _suggest(owner_client, "sam", r=token)

    assert response.status_code == 400
    assert _picked(response) == []


def test_the_field_takes_an_allowed_id(people):
    form = NotPriyaForm({"contact": str(people["sam"].pk)})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["contact"] == people["sam"]


@pytest.mark.parametrize("value", ["abc", "1\x00", "-5", "²", str(2**63), "9" * 5000])
def test_a_value_that_is_not_an_id_is_refused_with_a_sentence(
    value, people, django_assert_num_queries
):
    form = NotPriyaForm({"contact": value})

    with django_assert_num_queries(0):
        assert not form.is_valid()
    assert "is not the number of one" in form.errors["contact"][0]


def test_an_id_the_field_does_not_allow_is_refused(people):
    erased = _person("Ghost", erased_at=timezone.now())
    for pk in (people["priya"].pk, erased.pk, 4_000_000):
        form = NotPriyaForm({"contact": str(pk)})

        assert not form.is_valid()
        assert form.errors["contact"] == [
            "That person cannot be chosen here: search for the person you mean."
        ]


def test_a_chosen_person_shows_by_name_when_the_form_comes_back(people):
    form = NotPriyaForm({"contact": str(people["sam"].pk), "contact_search": "Sam Priestley"})
    form.full_clean()

    html = str(form["contact"])

    assert f'name="contact" value="{people["sam"].pk}"' in html
    assert 'value="Sam Priestley"' in html


def test_an_initial_person_shows_by_name_with_their_organisation(people):
    form = NotPriyaForm(initial={"contact": people["omar"].pk})

    html = str(form["contact"])

    assert 'value="Omar Nasser (Acme Holdings)"' in html
    assert 'role="combobox"' in html
    assert 'aria-controls="id_contact_list"' in html


# --- Without JavaScript: typing and sending the form ------------------------------------


def test_a_typed_name_is_never_guessed_the_form_offers_the_matches(people):
    form = NotPriyaForm({"contact": "", "contact_search": "sam"})

    assert not form.is_valid()
    assert "Choose the person you mean from those matching “sam”" in form.errors["contact"][0]
    html = str(form["contact"])
    assert f'type="radio" name="contact" value="{people["sam"].pk}"' in html
    assert 'name="contact_searched" value="sam"' in html


def test_choosing_an_offered_match_and_sending_again_picks_them(people):
    data = {"contact": ["", str(people["sam"].pk)], "contact_search": "sam"}
    data["contact_searched"] = "sam"

    form = NotPriyaForm(data)

    assert form.is_valid(), form.errors
    assert form.cleaned_data["contact"] == people["sam"]


def test_typing_something_else_after_choosing_is_a_new_search(people):
    data = {"contact": str(people["sam"].pk), "contact_search": "omar"}

    form = NotPriyaForm(data)

    assert not form.is_valid()
    assert f'value="{people["omar"].pk}"' in str(form["contact"])


def test_a_search_that_finds_no_one_says_so(people):
    form = NotPriyaForm({"contact": "", "contact_search": "zebedee"})

    assert not form.is_valid()
    assert "No person matches “zebedee”" in str(form["contact"])


def test_an_empty_required_picker_asks_for_a_person(people):
    form = NotPriyaForm({"contact": "", "contact_search": ""})

    assert not form.is_valid()
    assert form.errors["contact"] == ["Choose a person: type part of their name and pick."]


# --- Several people ---------------------------------------------------------------------


class GuestsForm(forms.Form):
    contacts = ContactsPickerField()


def test_several_people_are_posted_as_ids(people):
    form = GuestsForm({"contacts": [str(people["sam"].pk), str(people["omar"].pk)]})

    assert form.is_valid(), form.errors
    assert set(form.cleaned_data["contacts"]) == {people["sam"], people["omar"]}


def test_several_keep_those_chosen_and_offer_the_matches_of_a_search(people):
    data = {"contacts": [str(people["sam"].pk)], "contacts_search": "acme"}

    form = GuestsForm(data)

    assert not form.is_valid()
    html = str(form["contacts"])
    assert f'type="checkbox" name="contacts" value="{people["sam"].pk}"' in html
    assert (
        f'value="{people["sam"].pk}" id="id_contacts_list_chosen_{people["sam"].pk}" checked'
        in html
    )
    assert f'type="checkbox" name="contacts" value="{people["omar"].pk}"' in html


def test_several_refuse_an_id_that_is_not_one(people):
    form = GuestsForm({"contacts": [str(people["sam"].pk), "abc"]})

    assert not form.is_valid()
    assert "“abc” is not the number of one" in form.errors["contacts"][0]


# --- Organisations ----------------------------------------------------------------------


def test_an_organisation_picker_takes_an_id_and_shows_the_name():
    acme = factories.OrganisationFactory(name="Acme Holdings")

    class CardishForm(forms.Form):
        organisation = OrganisationPickerField(required=False)

    form = CardishForm({"organisation": str(acme.pk)})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["organisation"] == acme
    assert 'value="Acme Holdings"' in str(form["organisation"])
    assert CardishForm({"organisation": ""}).is_valid()
    assert Organisation.objects.count() == 1


# --- The product's forms ----------------------------------------------------------------


def test_the_touch_form_is_a_search_not_a_list_of_everyone(
    owner_client, people, django_assert_max_num_queries
):
    Contact.objects.bulk_create(Contact(name=f"Person {n}") for n in range(300))

    with django_assert_max_num_queries(12):
        response = owner_client.get("/touches/new/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<option" not in html.split('name="method"')[0]
    assert "Person 1" not in html
    assert 'role="combobox"' in html


def test_a_touch_is_logged_for_the_picked_person(owner_client, owner, people):
    data = {"contact": people["sam"].pk, "contact_search": "Sam Priestley"}
    data |= {"method": "note", "direction": "ours", "on": timezone.localdate().isoformat()}

    response = owner_client.post("/touches/new/", data)

    assert response.status_code == 302
    assert Touch.objects.get().contact == people["sam"]


def test_a_touch_with_only_a_typed_name_is_not_logged_and_offers_the_matches(owner_client, people):
    data = {"contact": "", "contact_search": "pri", "method": "note", "direction": "ours"}
    data["on"] = timezone.localdate().isoformat()

    response = owner_client.post("/touches/new/", data)

    assert response.status_code == 400
    assert not Touch.objects.exists()
    html = response.content.decode()
    assert f'type="radio" name="contact" value="{people["priya"].pk}"' in html
    assert "Choose the person you mean" in html


def test_the_touch_form_from_a_person_shows_them_chosen(owner_client, people):
    response = owner_client.get("/touches/new/", {"contact": people["priya"].pk})

    html = response.content.decode()
    assert f'name="contact" value="{people["priya"].pk}"' in html
    assert 'value="Priya Shah (Acme Holdings)"' in html


def test_suggestions_and_the_plain_search_agree(people):
    assert [c.pk for c in contact_suggestions("acme")] == [people["omar"].pk, people["priya"].pk]
