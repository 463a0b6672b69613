"""Logging touches: opt-in, asked to stop, no cold calls, gatherings and introductions."""

from datetime import timedelta

import pytest
from django.utils import timezone

from convivio.errors import PermissionRefused, RuleViolation
from cultivation import selectors
from cultivation.models import ContactEvent, FollowUp, Gathering, PlanItem, Promise, Touch
from cultivation.services import (
    follow_up_start,
    gathering_log,
    introduction_log,
    touch_log,
    touch_plan_start,
)
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("method", ["newsletter", "thinking_of_you"])
def test_opt_in_email_to_someone_not_opted_in_is_refused_and_nothing_saved(method, owner):
    contact = factories.ContactFactory(owner=owner, has_opted_in=False, name="Ann Lee")

    for _ in range(2):
        with pytest.raises(RuleViolation, match="Ann Lee has not opted in to email"):
            touch_log(contact=contact, method=method, by=owner)

    assert not Touch.objects.exists()


@pytest.mark.parametrize("method", ["newsletter", "thinking_of_you"])
def test_opt_in_email_to_someone_opted_in_is_logged(method, person, owner):
    touch = touch_log(contact=person, method=method, by=owner, note="Article on succession")

    assert Touch.objects.get() == touch
    assert touch.note == "Article on succession"


def test_asked_to_stop_ends_cultivation_for_good_and_keeps_history(person, owner):
    touch_plan_start(contact=person, by=owner)
    factories.PromiseFactory(contact=person, owner=owner)
    touch_log(contact=person, method="note", by=owner)

    touch_log(contact=person, method="call", outcome="asked_to_stop", by=owner)

    person.refresh_from_db()
    assert person.has_asked_to_stop
    assert person.touch_plan.ended_at is not None
    assert Promise.objects.get().release_reason == "They asked us to stop."
    assert Touch.objects.filter(contact=person).count() == 2
    assert person.events.filter(action=ContactEvent.Action.ASKED_TO_STOP).exists()
    far = timezone.now() + timedelta(days=400)
    assert selectors.my_week(owner, now=far).is_empty
    assert not PlanItem.objects.due_by(far.date()).exists()


def test_asked_to_stop_by_someone_other_than_the_owner_is_refused_and_nothing_ends(
    person, owner, teammate, manager
):
    touch_plan_start(contact=person, by=owner)
    factories.PromiseFactory(contact=person, owner=owner)

    for _ in range(2):
        with pytest.raises(PermissionRefused, match="owner, or a manager can record that Priya"):
            touch_log(contact=person, method="call", outcome="asked_to_stop", by=teammate)

    person.refresh_from_db()
    assert not person.has_asked_to_stop
    assert person.touch_plan.ended_at is None
    assert Promise.objects.get().released_at is None
    assert not Touch.objects.exists()
    touch_log(contact=person, method="call", outcome="asked_to_stop", by=manager)
    person.refresh_from_db()
    assert person.has_asked_to_stop


def test_after_asked_to_stop_nothing_from_us_is_logged_and_no_follow_up_starts(person, owner):
    touch_log(contact=person, method="call", outcome="asked_to_stop", by=owner, is_arranged=True)

    for _ in range(2):
        with pytest.raises(RuleViolation, match="asked us to stop on"):
            touch_log(contact=person, method="email", by=owner)

    assert follow_up_start(contact=person, priority="hot", by=owner) is None
    assert not FollowUp.objects.exists()
    assert Touch.objects.count() == 1
    with pytest.raises(RuleViolation, match="not cultivated again"):
        touch_plan_start(contact=person, by=owner)


def test_first_touch_as_a_phone_call_to_someone_in_connecting_is_refused_as_a_cold_call(
    person, owner, met
):
    met(person)

    for _ in range(2):
        with pytest.raises(RuleViolation, match="would be a cold call"):
            touch_log(contact=person, method="call", outcome="not_reached", by=owner)

    assert not Touch.objects.exists()
    assert FollowUp.objects.get().attempt_count == 0


def test_an_arranged_first_call_is_not_a_cold_call(person, owner, met):
    met(person)

    touch_log(contact=person, method="call", outcome="meeting_agreed", is_arranged=True, by=owner)

    assert FollowUp.objects.get().status == FollowUp.Status.ANSWERED


def test_a_call_after_a_first_connection_is_allowed(person, owner, met):
    met(person)
    touch_log(contact=person, method="email", by=owner)

    touch = touch_log(contact=person, method="call", outcome="not_reached", by=owner)

    assert touch.follow_up.attempt_count == 2


def test_a_call_needs_an_outcome_and_only_calls_have_one(person, owner):
    with pytest.raises(RuleViolation, match="Say how the call went"):
        touch_log(contact=person, method="call", by=owner)
    with pytest.raises(RuleViolation, match="Only a phone call has an outcome"):
        touch_log(contact=person, method="note", outcome="no_need", by=owner)

    assert not Touch.objects.exists()


def test_lunch_with_three_people_logs_one_gathering_and_a_touch_each(owner):
    people = factories.ContactFactory.create_batch(3, owner=owner)

    gathering = gathering_log(contacts=people, by=owner, note="Alliance lunch")

    assert Gathering.objects.get() == gathering
    assert sorted(t.contact_id for t in gathering.touches.all()) == sorted(p.pk for p in people)
    assert set(gathering.touches.values_list("method", flat=True)) == {"lunch"}


@pytest.mark.parametrize("size", [1, 4])
def test_lunch_must_bring_two_or_three_people(size, owner):
    people = factories.ContactFactory.create_batch(size, owner=owner)

    with pytest.raises(RuleViolation, match="two or three people"):
        gathering_log(contacts=people, by=owner)

    assert not Gathering.objects.exists()
    assert not Touch.objects.exists()


def test_gathering_refused_for_one_person_saves_nothing_for_the_others(owner):
    guests = factories.ContactFactory.create_batch(2, owner=owner)
    touch_log(contact=guests[1], method="call", outcome="asked_to_stop", by=owner, is_arranged=True)

    with pytest.raises(RuleViolation, match="asked us to stop"):
        gathering_log(contacts=guests, by=owner)

    assert not Gathering.objects.exists()
    assert Touch.objects.count() == 1


def test_introduction_links_two_people_and_touches_both(owner):
    client = factories.ContactFactory(owner=owner, name="Client Carla")
    expert = factories.ContactFactory(owner=owner, name="Expert Ed")

    introduction_log(contact=client, expert=expert, by=owner)

    assert list(client.knows.all()) == [expert]
    touches = Touch.objects.filter(method="introduction")
    assert {(t.contact, t.introduced_to) for t in touches} == {(client, expert), (expert, client)}


def test_touch_form_refusal_shows_the_sentence_and_saves_nothing(owner_client, owner):
    contact = factories.ContactFactory(owner=owner, has_opted_in=False, name="Ann Lee")
    data = {"contact": contact.pk, "method": "newsletter", "direction": "ours"}
    data["on"] = timezone.localdate().isoformat()

    response = owner_client.post("/touches/new/", data)

    assert response.status_code == 400
    assert "Ann Lee has not opted in to email" in response.content.decode()
    assert not Touch.objects.exists()


def test_touch_form_logs_and_returns_to_the_contact_page(owner_client, owner):
    contact = factories.ContactFactory(owner=owner, name="Ann Lee")
    data = {"contact": contact.pk, "method": "note", "direction": "ours", "note": "Congrats"}
    data["on"] = (timezone.localdate() - timedelta(days=2)).isoformat()

    response = owner_client.post("/touches/new/", data, follow=True)

    assert response.redirect_chain[-1][0] == contact.get_absolute_url()
    assert "Logged: Handwritten note with Ann Lee" in response.content.decode()
    touch = Touch.objects.get()
    assert timezone.localdate(touch.at) == timezone.localdate() - timedelta(days=2)


def test_touch_form_refuses_a_future_date(owner_client, owner):
    contact = factories.ContactFactory(owner=owner)
    data = {"contact": contact.pk, "method": "note", "direction": "ours"}
    data["on"] = (timezone.localdate() + timedelta(days=1)).isoformat()

    response = owner_client.post("/touches/new/", data)

    assert "once it has happened" in response.content.decode()
    assert not Touch.objects.exists()
