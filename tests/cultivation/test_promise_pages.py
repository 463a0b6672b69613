"""The promise pages: record a promise, keep it, or openly release it.

Each through its URL as a person uses it: allowed (with its history row), refused
(nothing changed, no history row), twice, and as the person's owner, a teammate,
a manager and an anonymous visitor.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from cultivation.models import ContactEvent, Promise, Touch
from tests import factories
from tests.pages import said

pytestmark = pytest.mark.django_db
Action = ContactEvent.Action
LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime(2026, 6, 10, 10, 0, tzinfo=LONDON), tick=False):
        yield


@pytest.fixture
def promise(person, owner):
    return factories.PromiseFactory(
        contact=person, owner=owner, what="Send the succession checklist", due_on=date(2026, 6, 12)
    )


def _is_sign_in(response):
    return response.status_code == 302 and response.url.startswith(reverse("login"))


def _events(contact, action):
    return list(contact.events.filter(action=action).values_list("by__username", "note"))


# Recording a promise --------------------------------------------------------------------


def _record(client, person, owner, what="Introduce them to our tax partner"):
    data = {"contact": person.pk, "what": what, "due_on": "2026-06-17", "owner": owner.pk}
    return client.post(reverse("cultivation:promise-new"), data, follow=True)


def test_the_promise_form_opens_for_the_person_owned_by_me_and_due_in_a_week(as_role, person):
    response = as_role("teammate").get(reverse("cultivation:promise-new"), {"contact": person.pk})

    form = response.context["form"]
    assert response.status_code == 200
    assert form["contact"].value() == person.pk
    assert form["owner"].value() == response.context["user"].pk
    assert form["due_on"].value() == date(2026, 6, 17)


def test_the_owner_records_a_promise_and_sees_it_on_the_persons_page(as_role, person, owner):
    response = _record(as_role("owner"), person, owner)

    assert response.redirect_chain[-1][0] == person.get_absolute_url() + "#promises"
    assert said(response, "success", "Introduce them to our tax partner")
    promise = Promise.objects.get()
    assert (promise.owner, promise.due_on, promise.made_by) == (owner, date(2026, 6, 17), owner)
    [(by, note)] = _events(person, Action.PROMISE_MADE)
    assert (by, "Introduce them to our tax partner" in note) == ("alice", True)


def test_a_teammate_records_a_promise_they_will_keep_themselves(as_role, person, teammate):
    _record(as_role("teammate"), person, teammate)

    assert Promise.objects.get().owner == teammate
    assert [by for by, _ in _events(person, Action.PROMISE_MADE)] == ["bob"]


def test_a_teammate_may_not_record_a_promise_for_the_persons_owner_to_keep(as_role, person, owner):
    client = as_role("teammate")

    responses = [_record(client, person, owner) for _ in range(2)]

    assert [r.status_code for r in responses] == [403, 403]
    assert "Only Alice Owner" in responses[0].content.decode()
    assert not Promise.objects.exists()
    assert not person.events.exists()


def test_a_manager_records_a_promise_for_the_persons_owner_to_keep(as_role, person, owner):
    _record(as_role("manager"), person, owner)

    assert Promise.objects.get().owner == owner
    assert [by for by, _ in _events(person, Action.PROMISE_MADE)] == ["maria"]


def test_no_promise_is_recorded_to_someone_who_asked_us_to_stop(as_role, person, owner):
    person.asked_to_stop_at = datetime(2026, 5, 1, tzinfo=LONDON)
    person.save(update_fields=["asked_to_stop_at"])
    client = as_role("owner")

    for _ in range(2):
        response = _record(client, person, owner)
        assert response.status_code == 400
        assert "Priya Shah asked us to stop: no new promises" in response.content.decode()

    assert not Promise.objects.exists()
    assert not person.events.exists()


@pytest.mark.parametrize("what", ["", "   ", "x" * 301])
def test_a_promise_without_a_readable_what_is_a_400_and_nothing_is_recorded(
    as_role, person, owner, what
):
    response = _record(as_role("owner"), person, owner, what=what)

    assert response.status_code == 400
    assert response.context["form"].errors["what"]
    assert not Promise.objects.exists()


def test_an_anonymous_visitor_records_no_promise(as_role, person, owner):
    data = {"contact": person.pk, "what": "Call", "due_on": "2026-06-17", "owner": owner.pk}

    response = as_role("anonymous").post(reverse("cultivation:promise-new"), data)

    assert _is_sign_in(response)
    assert not Promise.objects.exists()


# Keeping a promise ----------------------------------------------------------------------


def _keep(client, promise, method="note"):
    url = reverse("cultivation:promise-keep", args=[promise.pk])
    return client.post(url, {"method": method}, follow=True)


def test_the_owner_keeps_a_promise_once_and_it_is_logged_as_a_touch(as_role, promise):
    client = as_role("owner")

    first, second = _keep(client, promise), _keep(client, promise)

    assert first.redirect_chain[-1][0] == promise.get_absolute_url()
    assert said(first, "success", "Send the succession checklist")
    assert said(second, "error", "already kept")
    promise.refresh_from_db()
    assert (promise.kept_touch.method, promise.kept_touch.by.username) == ("note", "alice")
    assert Touch.objects.count() == 1
    [(by, note)] = _events(promise.contact, Action.PROMISE_KEPT)
    assert (by, "Send the succession checklist" in note) == ("alice", True)


@pytest.mark.parametrize("method", ["", "carrier pigeon"])
def test_a_promise_kept_by_an_unknown_method_is_refused_and_stays_open(as_role, promise, method):
    response = _keep(as_role("owner"), promise, method)

    assert said(response, "error", "kept")
    promise.refresh_from_db()
    assert promise.is_open
    assert not Touch.objects.exists()


def test_a_teammate_may_not_keep_someone_elses_promise_and_a_manager_may(as_role, promise):
    refused = _keep(as_role("teammate"), promise)
    promise.refresh_from_db()
    assert (refused.status_code, promise.is_open) == (403, True)

    _keep(as_role("manager"), promise)

    promise.refresh_from_db()
    assert not promise.is_open
    assert [by for by, _ in _events(promise.contact, Action.PROMISE_KEPT)] == ["maria"]


def test_a_teammate_keeps_the_promise_they_own_to_someone_elses_person(as_role, person, teammate):
    theirs = factories.PromiseFactory(contact=person, owner=teammate, what="Lend the book")

    response = _keep(as_role("teammate"), theirs)

    assert response.status_code == 200
    theirs.refresh_from_db()
    assert theirs.kept_touch.by == teammate


def test_an_anonymous_visitor_keeps_no_promise(as_role, promise):
    url = reverse("cultivation:promise-keep", args=[promise.pk])

    response = as_role("anonymous").post(url, {"method": "note"})

    assert _is_sign_in(response)
    promise.refresh_from_db()
    assert promise.is_open


# Releasing a promise --------------------------------------------------------------------


def _release(client, promise, reason="They found someone closer"):
    url = reverse("cultivation:promise-release", args=[promise.pk])
    return client.post(url, {"reason": reason}, follow=True)


def test_the_owner_releases_a_promise_with_a_reason_once(as_role, promise):
    client = as_role("owner")

    first, second = _release(client, promise), _release(client, promise)

    assert first.redirect_chain[-1][0] == promise.get_absolute_url()
    assert said(first, "success", "Send the succession checklist")
    assert said(second, "error", "already released")
    promise.refresh_from_db()
    assert promise.release_reason == "They found someone closer"
    [(by, note)] = _events(promise.contact, Action.PROMISE_RELEASED)
    assert (by, "They found someone closer" in note) == ("alice", True)


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_promise_is_not_released_without_a_reason(as_role, promise, reason):
    response = _release(as_role("owner"), promise, reason)

    assert said(response, "error", "reason")
    promise.refresh_from_db()
    assert promise.is_open
    assert not promise.contact.events.filter(action=Action.PROMISE_RELEASED).exists()


def test_a_kept_promise_cannot_then_be_released(as_role, promise):
    client = as_role("owner")
    _keep(client, promise)

    response = _release(client, promise)

    assert said(response, "error", "already kept")
    promise.refresh_from_db()
    assert promise.released_at is None


def test_a_teammate_may_not_release_someone_elses_promise_and_a_manager_may(as_role, promise):
    refused = _release(as_role("teammate"), promise)
    promise.refresh_from_db()
    assert (refused.status_code, promise.is_open) == (403, True)

    _release(as_role("manager"), promise)

    promise.refresh_from_db()
    assert not promise.is_open
    assert [by for by, _ in _events(promise.contact, Action.PROMISE_RELEASED)] == ["maria"]


def test_an_anonymous_visitor_releases_no_promise(as_role, promise):
    url = reverse("cultivation:promise-release", args=[promise.pk])

    response = as_role("anonymous").post(url, {"reason": "No longer needed"})

    assert _is_sign_in(response)
    promise.refresh_from_db()
    assert promise.is_open
