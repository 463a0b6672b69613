"""Bad input on the cultivation pages: a 4xx with a sentence, and nothing written."""

from datetime import timedelta

import pytest
from django.utils import timezone

from convivio.errors import RuleViolation
from convivio.limits import TEXT_MAX
from cultivation.models import ContactEvent, Gathering, Promise, Touch
from cultivation.services import touch_log
from tests import factories

pytestmark = pytest.mark.django_db

ONE_MB = "x" * 2**20


def _today():
    return timezone.localdate().isoformat()


def _nothing_written():
    return not (
        Touch.objects.exists()
        or Gathering.objects.exists()
        or Promise.objects.exists()
        or ContactEvent.objects.exists()
    )


def _touch(person, **changes):
    return {"contact": person.pk, "method": "email", "direction": "ours", "on": _today(), **changes}


@pytest.mark.parametrize("contact_id", ["abc", "1\x00", "²", str(10**25), "-5", "0"])
def test_touch_page_for_an_unreadable_person_is_not_found(owner_client, contact_id):
    response = owner_client.get("/touches/new/", {"contact": contact_id})

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("contact_id", "sentence"),
    [
        ("abc", "“abc” is not the number of one"),
        ("²", "“²” is not the number of one"),
        (str(10**25), "is not the number of one"),
        ("-5", "“-5” is not the number of one"),
        ("1\x00", "that is not the number of one"),
    ],
)
def test_touch_for_an_unreadable_person_is_refused_and_nothing_written(
    owner_client, person, contact_id, sentence
):
    for _ in range(2):
        response = owner_client.post("/touches/new/", _touch(person, contact=contact_id))

        assert response.status_code == 400
        assert sentence in response.content.decode()
    assert _nothing_written()


def test_touch_page_names_the_person_it_was_opened_for(owner_client, person):
    response = owner_client.get("/touches/new/", {"contact": person.pk})

    assert response.status_code == 200
    assert "Log a touch with Priya Shah" in response.content.decode()


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31"])
def test_touch_dated_before_1900_is_refused_and_nothing_written(owner_client, person, day):
    response = owner_client.post("/touches/new/", _touch(person, on=day))

    assert response.status_code == 400
    assert "Choose a date from 1 January 1900" in response.content.decode()
    assert _nothing_written()


def test_touch_dated_tomorrow_is_refused_a_touch_is_something_done(owner_client, person):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()

    response = owner_client.post("/touches/new/", _touch(person, on=tomorrow))

    assert response.status_code == 400
    assert "A touch is logged once it has happened" in response.content.decode()
    assert _nothing_written()


def test_touch_dated_1900_is_logged(owner_client, person):
    response = owner_client.post("/touches/new/", _touch(person, on="1900-01-01"))

    assert response.status_code == 302
    assert timezone.localdate(Touch.objects.get().at).isoformat() == "1900-01-01"


def test_touch_note_at_the_limit_is_kept_and_one_more_character_is_refused(owner_client, person):
    refused = owner_client.post("/touches/new/", _touch(person, note="x" * (TEXT_MAX + 1)))
    assert refused.status_code == 400
    assert f"at most {TEXT_MAX}" in refused.content.decode()
    assert _nothing_written()

    kept = owner_client.post("/touches/new/", _touch(person, note="x" * TEXT_MAX))
    assert kept.status_code == 302
    assert len(Touch.objects.get().note) == TEXT_MAX


def test_one_megabyte_touch_note_is_refused_on_the_page_and_by_the_service(
    owner_client, person, owner
):
    response = owner_client.post("/touches/new/", _touch(person, note=ONE_MB))
    assert response.status_code == 400

    for _ in range(2):
        with pytest.raises(RuleViolation, match="The note is 1,048,576 characters long"):
            touch_log(contact=person, method="email", by=owner, note=ONE_MB)
    assert _nothing_written()


def test_one_megabyte_introduction_note_is_refused_and_nothing_written(owner_client, person):
    expert = factories.ContactFactory(name="Tax Expert")
    data = {"contact": person.pk, "expert": expert.pk, "on": _today(), "note": ONE_MB}

    for _ in range(2):
        response = owner_client.post("/introductions/new/", data)
        assert response.status_code == 400
        assert "Ensure this value has at most 10000 characters" in response.content.decode()
    assert _nothing_written() and not person.knows.exists()


def test_one_megabyte_gathering_note_is_refused_and_nothing_written(owner_client, person):
    other = factories.ContactFactory(name="Lunch Guest", has_opted_in=True)
    data = {"contacts": [person.pk, other.pk], "on": _today(), "note": ONE_MB}

    response = owner_client.post("/gatherings/new/", data)

    assert response.status_code == 400
    assert _nothing_written()


# Promises --------------------------------------------------------------------


def _promise(person, owner, **changes):
    return {
        "contact": person.pk,
        "owner": owner.pk,
        "what": "Send the checklist",
        "due_on": (timezone.localdate() + timedelta(days=7)).isoformat(),
        **changes,
    }


@pytest.mark.parametrize(
    ("card_id", "sentence"),
    [
        (str(10**25), "Enter the number of a record, in digits."),
        (str(2**63), "Enter the number of a record, in digits."),
        ("-5", "Ensure this value is greater than or equal to 1"),
        ("0", "Ensure this value is greater than or equal to 1"),
        ("999999", "There is no card number 999999"),
        ("²", "Enter the number of a record"),
        ("1\x00", "Enter the number of a record"),
    ],
)
def test_promise_for_a_card_that_cannot_exist_is_refused_and_nothing_written(
    owner_client, person, owner, card_id, sentence
):
    for _ in range(2):
        response = owner_client.post(
            "/promises/new/", _promise(person, owner, opportunity_id=card_id)
        )

        assert response.status_code == 400
        assert sentence in response.content.decode()
    assert _nothing_written()


def test_promise_for_a_real_card_is_recorded_with_it(owner_client, person, owner):
    card = factories.OpportunityFactory(owner=owner)

    response = owner_client.post("/promises/new/", _promise(person, owner, opportunity_id=card.pk))

    assert response.status_code == 302
    assert Promise.objects.get().card_link.opportunity == card


@pytest.mark.parametrize("due_on", ["0001-01-01", "1899-12-31", "9999-12-31"])
def test_promise_due_outside_the_sane_window_is_refused(owner_client, person, owner, due_on):
    response = owner_client.post("/promises/new/", _promise(person, owner, due_on=due_on))

    assert response.status_code == 400
    assert "Choose a date from 1 January 1900" in response.content.decode()
    assert _nothing_written()


def test_promise_due_next_year_is_recorded(owner_client, person, owner):
    next_year = (timezone.localdate() + timedelta(days=365)).isoformat()

    response = owner_client.post("/promises/new/", _promise(person, owner, due_on=next_year))

    assert response.status_code == 302
    assert Promise.objects.get().due_on.isoformat() == next_year


@pytest.mark.parametrize("value", ["abc", "²", "1\x00", str(10**25), "-5"])
def test_promise_page_ignores_an_unreadable_preset(owner_client, value):
    response = owner_client.get("/promises/new/", {"contact": value, "opportunity": value})

    assert response.status_code == 200
    assert 'name="opportunity_id" value' not in response.content.decode()


def test_snoozing_to_year_one_is_refused_and_the_date_stays(owner_client, person, owner):
    follow_up = factories.FollowUpFactory(contact=person, owner=owner)
    due = follow_up.next_due_at

    response = owner_client.post(
        f"/follow-ups/{follow_up.pk}/snooze/", {"until": "0001-01-01"}, follow=True
    )

    assert "Choose a date to snooze to." in response.content.decode()
    follow_up.refresh_from_db()
    assert follow_up.next_due_at == due


@pytest.mark.parametrize(
    "query", [{"q": "\x00"}, {"q": "x" * 1000}, {"owner": "²"}, {"owner": str(10**25)}]
)
def test_an_unreadable_contact_filter_is_ignored(owner_client, person, query):
    response = owner_client.get("/contacts/", query)

    assert response.status_code == 200
    assert "Priya Shah" in response.content.decode()


@pytest.mark.parametrize("target", ["/\x00", "/my-week/\x00", "//evil.example/"])
def test_a_next_page_that_cannot_be_read_falls_back_to_the_persons_page(
    owner_client, person, target
):
    response = owner_client.post("/touches/new/", {**_touch(person), "next": target})

    assert response.status_code == 302
    assert response["Location"] == person.get_absolute_url()
