"""Snoozing a follow-up: the next attempt is put off to the morning of a later day.

From My week, as a person uses it: allowed (with its history row), refused
(nothing changed, no history row), twice, and as the person's owner, a teammate,
a manager and an anonymous visitor.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from convivio.errors import PermissionRefused, RuleViolation
from cultivation.models import ContactEvent, FollowUp
from cultivation.services import follow_up_snooze
from tests import factories
from tests.pages import said

pytestmark = pytest.mark.django_db
Action = ContactEvent.Action
LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 6, 10, 10, 0, tzinfo=LONDON)  # a Wednesday


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def follow_up(person, owner):
    """Met on Monday; the first attempt is due this Friday morning."""
    return factories.FollowUpFactory(
        contact=person,
        owner=owner,
        met_at=datetime(2026, 6, 8, 11, 0, tzinfo=LONDON),
        next_due_at=datetime(2026, 6, 12, 11, 0, tzinfo=LONDON),
    )


def _snooze(client, follow_up, until, next_url="/my-week/"):
    url = reverse("cultivation:follow-up-snooze", args=[follow_up.pk])
    return client.post(url, {"until": until, "next": next_url}, follow=True)


def _due(follow_up):
    return timezone.localtime(FollowUp.objects.get(pk=follow_up.pk).next_due_at)


def _snoozes(contact):
    return list(contact.events.filter(action=Action.SNOOZED).values_list("by__username", "note"))


def _listed_on_my_week(response, contact):
    return f'data-kind="follow_up" data-contact="{contact.pk}"' in response.content.decode()


def test_the_owner_snoozes_a_follow_up_off_my_week_to_nine_on_the_chosen_morning(
    as_role, follow_up, person
):
    client = as_role("owner")
    assert _listed_on_my_week(client.get("/my-week/"), person)

    response = _snooze(client, follow_up, "2026-06-17")

    assert response.redirect_chain[-1][0] == "/my-week/"
    assert said(response, "success", "Wed 17 Jun")
    assert not _listed_on_my_week(response, person)
    assert _due(follow_up) == datetime(2026, 6, 17, 9, 0, tzinfo=LONDON)
    [(by, note)] = _snoozes(person)
    assert (by, "Fri 12 Jun 11:00" in note, "Wed 17 Jun 09:00" in note) == ("alice", True, True)


def test_a_snoozed_follow_up_keeps_its_attempts_and_its_status(as_role, follow_up):
    FollowUp.objects.filter(pk=follow_up.pk).update(attempt_count=1)

    _snooze(as_role("owner"), follow_up, "2026-06-17")

    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.attempt_count) == (FollowUp.Status.OPEN, 1)


def test_snoozing_past_the_clocks_going_back_still_lands_at_nine_local_time(as_role, person):
    with time_machine.travel(datetime(2026, 10, 22, 10, 0, tzinfo=LONDON), tick=False):
        follow_up = factories.FollowUpFactory(
            contact=person,
            met_at=datetime(2026, 10, 20, 10, 0, tzinfo=LONDON),
            next_due_at=datetime(2026, 10, 23, 10, 0, tzinfo=LONDON),
        )
        _snooze(as_role("owner"), follow_up, "2026-10-26")

    due = _due(follow_up)
    assert (due.date(), due.hour, due.utcoffset().total_seconds()) == (date(2026, 10, 26), 9, 0)


@pytest.mark.parametrize("until", ["2026-06-10", "2026-06-01"])
def test_a_follow_up_is_not_snoozed_to_today_or_earlier(as_role, follow_up, person, until):
    client = as_role("owner")

    for _ in range(2):
        response = _snooze(client, follow_up, until)
        assert said(response, "error", "after today")

    assert _due(follow_up) == datetime(2026, 6, 12, 11, 0, tzinfo=LONDON)
    assert _snoozes(person) == []


@pytest.mark.parametrize("until", ["", "soon", "2026-13-01", "9999-01-01"])
def test_an_unreadable_date_is_refused_and_nothing_changes(as_role, follow_up, person, until):
    response = _snooze(as_role("owner"), follow_up, until)

    assert said(response, "error", "date")
    assert _due(follow_up) == datetime(2026, 6, 12, 11, 0, tzinfo=LONDON)
    assert _snoozes(person) == []


@pytest.mark.parametrize(
    "state",
    [
        {"status": FollowUp.Status.ANSWERED, "next_due_at": None},
        {"status": FollowUp.Status.CLOSED, "next_due_at": None},
        {"attempt_count": 3, "next_due_at": None},
    ],
    ids=["answered", "closed", "three-attempts-made"],
)
def test_there_is_nothing_to_snooze_when_no_attempt_is_due(as_role, follow_up, person, state):
    FollowUp.objects.filter(pk=follow_up.pk).update(**state)

    response = _snooze(as_role("owner"), follow_up, "2026-06-17")

    assert said(response, "error", "no follow-up attempt due")
    assert FollowUp.objects.get(pk=follow_up.pk).next_due_at is None
    assert _snoozes(person) == []


def test_a_teammate_may_not_snooze_someone_elses_follow_up_however_often_they_try(
    as_role, follow_up, person
):
    client = as_role("teammate")

    statuses = [_snooze(client, follow_up, "2026-06-17").status_code for _ in range(2)]

    assert statuses == [403, 403]
    assert _due(follow_up) == datetime(2026, 6, 12, 11, 0, tzinfo=LONDON)
    assert _snoozes(person) == []


def test_a_manager_may_snooze_someone_elses_follow_up(as_role, follow_up, person):
    _snooze(as_role("manager"), follow_up, "2026-06-17")

    assert _due(follow_up) == datetime(2026, 6, 17, 9, 0, tzinfo=LONDON)
    assert [by for by, _ in _snoozes(person)] == ["maria"]


def test_anyone_may_snooze_the_follow_up_of_a_person_nobody_owns(as_role, teammate):
    nobodys = factories.ContactFactory(owner=None, name="Nadia Free")
    follow_up = factories.FollowUpFactory(
        contact=nobodys, owner=teammate, next_due_at=datetime(2026, 6, 11, 9, tzinfo=LONDON)
    )

    _snooze(as_role("teammate"), follow_up, "2026-06-17")

    assert _due(follow_up) == datetime(2026, 6, 17, 9, 0, tzinfo=LONDON)
    assert [by for by, _ in _snoozes(nobodys)] == ["bob"]


def test_an_anonymous_visitor_is_sent_to_sign_in_and_nothing_is_snoozed(as_role, follow_up):
    url = reverse("cultivation:follow-up-snooze", args=[follow_up.pk])

    response = as_role("anonymous").post(url, {"until": "2026-06-17"})

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert _due(follow_up) == datetime(2026, 6, 12, 11, 0, tzinfo=LONDON)


def test_a_follow_up_that_does_not_exist_is_404(as_role):
    url = reverse("cultivation:follow-up-snooze", args=[999999])

    assert as_role("owner").post(url, {"until": "2026-06-17"}).status_code == 404


def test_the_service_refuses_a_teammate_and_a_past_date_with_nothing_saved(
    follow_up, person, owner, teammate
):
    with pytest.raises(PermissionRefused, match="Only Alice Owner"):
        follow_up_snooze(follow_up=follow_up, until=date(2026, 6, 17), by=teammate)
    with pytest.raises(RuleViolation, match="a date after today"):
        follow_up_snooze(follow_up=follow_up, until=date(2026, 6, 10), by=owner)

    assert _due(follow_up) == datetime(2026, 6, 12, 11, 0, tzinfo=LONDON)
    assert _snoozes(person) == []
