"""The daily due scan: exhausted follow-ups stamped once, with their history row, and a heartbeat.

What is due is never copied into a table: My week and the weekly email read the
live selectors, so they show the same before the scan as after it.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from cultivation import jobs, selectors, tasks
from cultivation.models import ContactEvent, FollowUp, JobRun
from tests import factories

from .conftest import MONDAY

pytestmark = pytest.mark.django_db
EXHAUSTED = ContactEvent.Action.FOLLOW_UP_EXHAUSTED


def _waited_out(owner, *, name="Sam Silent", at=MONDAY - timedelta(days=1)):
    """Three unanswered attempts whose week of waiting ended at `at`."""
    return factories.FollowUpFactory(
        contact=factories.ContactFactory(owner=owner, name=name),
        attempt_count=3,
        next_due_at=None,
        exhausts_at=at,
    )


def _stamps(follow_up):
    return ContactEvent.objects.filter(contact=follow_up.contact_id, action=EXHAUSTED).count()


def test_the_scan_stamps_a_waited_out_follow_up_exhausted_with_a_history_row(owner):
    silent = _waited_out(owner)

    result = jobs.due_scan(now=MONDAY)

    silent.refresh_from_db()
    assert (result.exhausted, silent.status) == (1, FollowUp.Status.EXHAUSTED)
    event = ContactEvent.objects.get(contact=silent.contact, action=EXHAUSTED)
    assert (event.at, event.by) == (MONDAY, None)
    assert "back to Research or Lost" in event.note


def test_run_three_times_the_scan_stamps_each_follow_up_once(owner, teammate):
    mine, theirs = _waited_out(owner), _waited_out(teammate, name="Tom Quiet")

    runs = [jobs.due_scan(now=MONDAY + timedelta(minutes=n)) for n in range(3)]

    assert [run.exhausted for run in runs] == [2, 0, 0]
    assert (_stamps(mine), _stamps(theirs)) == (1, 1)


def test_a_follow_up_is_exhausted_at_exactly_its_time_and_not_a_second_before(owner):
    silent = _waited_out(owner, at=MONDAY)

    before = jobs.due_scan(now=MONDAY - timedelta(seconds=1))
    at = jobs.due_scan(now=MONDAY)

    assert (before.exhausted, at.exhausted) == (0, 1)
    assert _stamps(silent) == 1


def test_answered_closed_and_still_waiting_follow_ups_are_left_alone(owner):
    answered = _waited_out(owner, name="Ann Answered")
    FollowUp.objects.filter(pk=answered.pk).update(status=FollowUp.Status.ANSWERED)
    closed = _waited_out(owner, name="Carl Closed")
    FollowUp.objects.filter(pk=closed.pk).update(status=FollowUp.Status.CLOSED)
    _waited_out(owner, name="Wendy Waiting", at=MONDAY + timedelta(days=2))

    assert jobs.due_scan(now=MONDAY).exhausted == 0
    statuses = FollowUp.objects.order_by("pk").values_list("status", flat=True)
    assert list(statuses) == ["answered", "closed", "open"]
    assert not ContactEvent.objects.filter(action=EXHAUSTED).exists()


def test_my_week_shows_the_decision_the_same_before_and_after_the_scan(owner, due_things):
    due_things(owner)

    before = selectors.my_week(owner, now=MONDAY)
    jobs.due_scan(now=MONDAY)
    after = selectors.my_week(owner, now=MONDAY)

    assert before == after
    assert [item.contact.name for item in after.decisions] == ["Priya Shah (silent)"]
    assert (len(after.follow_ups), len(after.touches), len(after.promises)) == (1, 1, 1)


@pytest.mark.parametrize("people", [3, 30])
def test_scan_query_count_does_not_grow_with_the_follow_ups_it_stamps(
    people, owner, django_assert_max_num_queries
):
    for n in range(people):
        _waited_out(owner, name=f"Person {n}")

    with django_assert_max_num_queries(12):
        result = jobs.due_scan(now=MONDAY)

    assert result.exhausted == people
    assert ContactEvent.objects.filter(action=EXHAUSTED).count() == people


def test_preview_counts_and_writes_nothing(owner):
    silent = _waited_out(owner)

    assert jobs.due_scan_preview(now=MONDAY) == 1
    silent.refresh_from_db()
    assert silent.status == FollowUp.Status.OPEN
    assert not ContactEvent.objects.exists()
    assert not JobRun.objects.exists()


def test_heartbeat_records_start_and_success(owner):
    jobs.due_scan(now=MONDAY)

    run = JobRun.objects.get(name=jobs.DUE_SCAN)
    assert run.last_started_at == MONDAY
    assert run.last_success_at >= MONDAY
    assert run.last_error == ""


def test_a_failed_scan_records_its_error_and_no_success(owner, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(jobs.scan, "follow_ups_exhaust", broken)

    with pytest.raises(RuntimeError):
        jobs.due_scan(now=MONDAY)

    run = JobRun.objects.get(name=jobs.DUE_SCAN)
    assert run.last_success_at is None
    assert "database went away" in run.last_error


def test_the_task_runs_the_scan(owner):
    _waited_out(owner, at=timezone.now() - timedelta(hours=1))

    assert tasks.due_scan() == 1
    assert tasks.due_scan() == 0
