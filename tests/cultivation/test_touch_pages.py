"""The pages that log touches: one person, a lunch or coffee of two or three, an introduction.

Each through its URL as a person uses it: logged (the touch is the history row),
refused (400 with the sentence, nothing written), twice, and as the person's owner,
a teammate, a manager and an anonymous visitor.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from convivio.errors import RuleViolation
from cultivation.models import Gathering, Touch
from cultivation.services import touch_log, touch_plan_start
from tests import factories

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
USERNAMES = {"owner": "alice", "teammate": "bob", "manager": "maria"}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime(2026, 6, 10, 10, 0, tzinfo=LONDON), tick=False):
        yield


@pytest.fixture
def omar(owner):
    return factories.ContactFactory(owner=owner, name="Omar Reid", has_opted_in=True)


def _said(response, level, words):
    """Whether the page showed exactly one message, of `level`, that says `words`."""
    messages = [(message.level_tag, str(message)) for message in response.context["messages"]]
    return len(messages) == 1 and messages[0][0] == level and words in messages[0][1]


def _is_sign_in(response):
    return response.status_code == 302 and response.url.startswith(reverse("login"))


def _touch(contact, **extra):
    return {
        "contact": contact.pk,
        "method": "note",
        "direction": "ours",
        "on": "2026-06-10",
    } | extra


def _asked_to_stop(contact):
    contact.asked_to_stop_at = datetime(2026, 5, 1, 12, 0, tzinfo=LONDON)
    contact.save(update_fields=["asked_to_stop_at"])


# One touch ------------------------------------------------------------------------------


def test_the_touch_form_opens_with_what_the_link_preset(as_role, person):
    query = {"contact": person.pk, "method": "call", "outcome": "no_need", "direction": "ours"}

    response = as_role("owner").get(reverse("cultivation:touch-new"), query)

    form = response.context["form"]
    assert response.status_code == 200
    assert "Log a touch with Priya Shah" in response.content.decode()
    assert (form["contact"].value(), form["method"].value(), form["outcome"].value()) == (
        person.pk,
        "call",
        "no_need",
    )


def test_the_touch_form_without_a_person_asks_for_one(as_role):
    response = as_role("owner").get(reverse("cultivation:touch-new"))

    assert response.status_code == 200
    assert response.context["form"]["contact"].value() is None


@pytest.mark.parametrize("role", ["owner", "teammate", "manager"])
def test_anyone_signed_in_logs_a_touch_they_made_with_any_person(as_role, person, role):
    response = as_role(role).post(reverse("cultivation:touch-new"), _touch(person), follow=True)

    assert response.redirect_chain[-1][0] == person.get_absolute_url()
    assert _said(response, "success", "Priya Shah")
    touch = Touch.objects.get()
    assert (touch.contact, touch.by.username) == (person, USERNAMES[role])


def test_a_touch_logged_from_a_card_goes_back_to_the_card(as_role, person, owner):
    card = factories.OpportunityFactory(owner=owner)
    data = _touch(person, next=card.get_absolute_url())

    response = as_role("owner").post(reverse("cultivation:touch-new"), data)

    assert response.status_code == 302
    assert response.url == card.get_absolute_url()


def test_an_anonymous_visitor_logs_no_touch(as_role, person):
    response = as_role("anonymous").post(reverse("cultivation:touch-new"), _touch(person))

    assert _is_sign_in(response)
    assert not Touch.objects.exists()


def test_a_touch_refused_twice_is_a_400_with_the_sentence_and_nothing_is_written(as_role, person):
    _asked_to_stop(person)
    client = as_role("owner")

    for _ in range(2):
        response = client.post(reverse("cultivation:touch-new"), _touch(person))
        assert response.status_code == 400
        assert "Priya Shah asked us to stop on 1 May 2026" in response.content.decode()

    assert not Touch.objects.exists()


@pytest.mark.parametrize("field", ["contact", "method", "direction", "on"])
def test_a_touch_missing_what_the_form_needs_is_a_400_and_nothing_is_written(
    as_role, person, field
):
    data = _touch(person)
    del data[field]

    response = as_role("owner").post(reverse("cultivation:touch-new"), data)

    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not Touch.objects.exists()


def test_an_older_touch_logged_late_does_not_pull_the_next_due_date_back(as_role, person, owner):
    item = touch_plan_start(contact=person, by=owner).items.get()
    touch_log(contact=person, method="call", outcome="no_need", is_arranged=True, by=owner)
    item.refresh_from_db()
    assert item.next_due_on == date(2026, 9, 8)

    as_role("owner").post(
        reverse("cultivation:touch-new"),
        _touch(person, method="call", outcome="not_reached", on="2026-06-01"),
    )

    item.refresh_from_db()
    assert Touch.objects.filter(contact=person).count() == 2
    assert item.next_due_on == date(2026, 9, 8)
    assert timezone.localdate(item.last_done_at) == date(2026, 6, 10)


# A lunch or coffee ----------------------------------------------------------------------


def _gathering(client, people, note="Harbour lunch"):
    data = {"contacts": [p.pk for p in people], "on": "2026-06-10", "note": note}
    return client.post(reverse("cultivation:gathering-new"), data, follow=True)


def test_the_gathering_form_opens_with_the_person_it_was_reached_from(as_role, person):
    response = as_role("owner").get(reverse("cultivation:gathering-new"), {"contact": person.pk})

    assert response.status_code == 200
    assert response.context["form"].initial == {"contacts": [person.pk]}


def test_a_lunch_with_two_people_is_one_gathering_and_a_touch_each(as_role, person, omar):
    response = _gathering(as_role("teammate"), [person, omar])

    assert response.redirect_chain[-1][0] == reverse("cultivation:my-week")
    assert _said(response, "success", "Omar Reid, Priya Shah")
    gathering = Gathering.objects.get()
    touches = gathering.touches.order_by("contact__name")
    assert [(t.contact, t.method, t.by.username) for t in touches] == [
        (omar, "lunch", "bob"),
        (person, "lunch", "bob"),
    ]


@pytest.mark.parametrize("size", [1, 4])
def test_a_lunch_of_one_or_four_is_refused_and_nothing_is_written(as_role, owner, size):
    people = factories.ContactFactory.create_batch(size, owner=owner)

    response = _gathering(as_role("owner"), people)

    assert response.status_code == 400
    assert "choose two or three" in response.content.decode()
    assert not Gathering.objects.exists()
    assert not Touch.objects.exists()


def test_the_same_person_twice_is_one_person_and_is_refused(as_role, person):
    response = _gathering(as_role("owner"), [person, person])

    assert response.status_code == 400
    assert not Gathering.objects.exists()


def test_a_lunch_with_someone_who_asked_us_to_stop_writes_nothing_for_anyone(as_role, person, omar):
    _asked_to_stop(omar)
    client = as_role("owner")

    for _ in range(2):
        response = _gathering(client, [person, omar])
        assert response.status_code == 400
        assert "Omar Reid asked us to stop" in response.content.decode()

    assert not Gathering.objects.exists()
    assert not Touch.objects.exists()


def test_an_anonymous_visitor_logs_no_lunch(as_role, person, omar):
    data = {"contacts": [person.pk, omar.pk], "on": "2026-06-10"}

    response = as_role("anonymous").post(reverse("cultivation:gathering-new"), data)

    assert _is_sign_in(response)
    assert not Gathering.objects.exists()


# An introduction ------------------------------------------------------------------------


def _introduce(client, contact, expert):
    data = {"contact": contact.pk, "expert": expert.pk, "on": "2026-06-10", "note": "Pensions"}
    return client.post(reverse("cultivation:introduction-new"), data, follow=True)


def test_the_introduction_form_opens_with_the_person_it_was_reached_from(as_role, person):
    url = reverse("cultivation:introduction-new")

    response = as_role("owner").get(url, {"contact": person.pk})

    assert response.status_code == 200
    assert response.context["form"]["contact"].value() == person.pk


def test_an_introduction_touches_both_people_and_goes_back_to_our_contact(as_role, person, omar):
    response = _introduce(as_role("manager"), person, omar)

    assert response.redirect_chain[-1][0] == person.get_absolute_url()
    assert _said(response, "success", "Priya Shah to Omar Reid")
    touches = Touch.objects.filter(method="introduction").order_by("contact__name")
    assert [(t.contact, t.introduced_to, t.by.username) for t in touches] == [
        (omar, person, "maria"),
        (person, omar, "maria"),
    ]


def test_introducing_someone_to_themselves_is_refused_and_nothing_is_written(as_role, person):
    client = as_role("owner")

    for _ in range(2):
        response = _introduce(client, person, person)
        assert response.status_code == 400
        assert "An introduction needs two different people." in response.content.decode()

    assert not Touch.objects.exists()


def test_an_introduction_to_someone_who_asked_us_to_stop_touches_neither(as_role, person, omar):
    _asked_to_stop(omar)

    response = _introduce(as_role("owner"), person, omar)

    assert response.status_code == 400
    assert "Omar Reid asked us to stop" in response.content.decode()
    assert not Touch.objects.exists()


def test_an_anonymous_visitor_logs_no_introduction(as_role, person, omar):
    data = {"contact": person.pk, "expert": omar.pk, "on": "2026-06-10"}

    response = as_role("anonymous").post(reverse("cultivation:introduction-new"), data)

    assert _is_sign_in(response)
    assert not Touch.objects.exists()


def test_the_service_refuses_a_kind_of_touch_that_does_not_exist(person, owner):
    with pytest.raises(RuleViolation, match="is not a kind of touch"):
        touch_log(contact=person, method="telegram", by=owner)

    assert not Touch.objects.exists()
