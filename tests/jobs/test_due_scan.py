"""The daily due scan: one reminder per thing due, each once, whatever happens."""

import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from cultivation import jobs, tasks
from cultivation.jobs import scan
from cultivation.models import ContactEvent, FollowUp, JobRun, Reminder
from cultivation.services import promise_release
from tests import factories

from .conftest import MONDAY

pytestmark = pytest.mark.django_db
Kind = Reminder.Kind


def _reminders():
    return sorted(
        Reminder.objects.values_list("kind", "subject_id", "owner_id", "contact_id", "due_on")
    )


def test_scan_creates_one_reminder_per_thing_due_with_its_owner_contact_and_date(owner, due_things):
    due = due_things(owner)
    today = MONDAY.date()

    result = jobs.due_scan(now=MONDAY)

    assert result.created == {Kind.FOLLOW_UP: 1, Kind.TOUCH: 1, Kind.PROMISE: 1, Kind.DECISION: 1}
    assert _reminders() == sorted(
        [
            (Kind.FOLLOW_UP, due.follow_up.pk, owner.pk, due.contact.pk, today),
            (Kind.TOUCH, due.plan_item.pk, owner.pk, due.contact.pk, today),
            (Kind.PROMISE, due.promise.pk, owner.pk, due.contact.pk, today),
            (
                Kind.DECISION,
                due.decision.pk,
                owner.pk,
                due.decision.contact_id,
                today - timedelta(days=1),
            ),
        ]
    )


def test_scan_run_three_times_creates_each_reminder_once(owner, teammate, due_things):
    due_things(owner)
    due_things(teammate, name="Tom Reed")

    runs = [jobs.due_scan(now=MONDAY + timedelta(minutes=n)) for n in range(3)]

    assert [run.created_total for run in runs] == [8, 0, 0]
    assert Reminder.objects.count() == 8


def test_scan_marks_follow_ups_exhausted_after_three_unanswered_attempts(owner, due_things):
    due = due_things(owner)

    result = jobs.due_scan(now=MONDAY)

    due.decision.refresh_from_db()
    assert result.exhausted == 1
    assert due.decision.status == FollowUp.Status.EXHAUSTED
    assert (
        ContactEvent.objects.filter(
            contact=due.decision.contact, action=ContactEvent.Action.FOLLOW_UP_EXHAUSTED
        ).count()
        == 1
    )


def test_nothing_due_later_or_for_people_who_asked_us_to_stop(owner):
    contact = factories.ContactFactory(owner=owner)
    plan = factories.TouchPlanFactory(contact=contact)
    factories.PlanItemFactory(plan=plan, next_due_on=MONDAY.date() + timedelta(days=1))
    stopped = factories.ContactFactory(owner=owner, asked_to_stop_at=MONDAY - timedelta(days=9))
    factories.PromiseFactory(contact=stopped, due_on=MONDAY.date())

    assert jobs.due_scan(now=MONDAY).created_total == 0
    assert not Reminder.objects.exists()


def test_a_bad_row_is_logged_and_skipped_and_the_rest_of_its_batch_goes_in(
    owner, due_things, caplog
):
    due_things(owner)
    # Stamped exhausted by hand without a date: its reminder has no due date.
    bad = factories.FollowUpFactory(
        contact=factories.ContactFactory(owner=owner),
        status=FollowUp.Status.EXHAUSTED,
        next_due_at=None,
        exhausts_at=None,
    )

    with caplog.at_level(logging.ERROR, logger="cultivation.jobs"):
        result = jobs.due_scan(now=MONDAY)
    again = jobs.due_scan(now=MONDAY + timedelta(hours=1))

    assert result.created_total == 4
    assert [(kind, subject) for kind, subject, _ in result.skipped] == [(Kind.DECISION, bad.pk)]
    assert f"Skipped decision reminder for subject {bad.pk}" in caplog.text
    assert Reminder.objects.count() == 4
    assert again.created_total == 0 and len(again.skipped) == 1
    run = JobRun.objects.get(name=jobs.DUE_SCAN)
    assert run.last_success_at is not None
    assert "Skipped 1 bad row" in run.last_error


@pytest.mark.django_db(transaction=True)
def test_a_row_the_database_refuses_is_skipped_and_the_rest_of_its_chunk_goes_in(owner):
    contact = factories.ContactFactory(owner=owner)
    gone = factories.UserFactory()
    gone_pk = gone.pk
    gone.delete()  # the owner was deleted between the read and the insert
    day = MONDAY.date()
    rows = [(1, owner.pk, contact.pk, day), (2, gone_pk, contact.pk, day), (3, owner.pk, None, day)]
    skipped = []

    created = scan._insert(Kind.PROMISE, rows, skipped)

    assert created == 2
    assert sorted(Reminder.objects.values_list("subject_id", flat=True)) == [1, 3]
    assert [(kind, subject) for kind, subject, _ in skipped] == [(Kind.PROMISE, 2)]


@pytest.mark.parametrize("people", [3, 30])
def test_scan_query_count_does_not_grow_with_the_rows_due(
    people, owner, due_things, django_assert_max_num_queries
):
    for n in range(people):
        due_things(owner, name=f"Person {n}")

    with django_assert_max_num_queries(28):
        result = jobs.due_scan(now=MONDAY)

    assert result.created_total == 4 * people


def test_after_a_bad_row_the_scan_goes_chunk_by_chunk_and_creates_all_the_rest(owner, due_things):
    for n in range(5):
        due_things(owner, name=f"Person {n}")
    factories.FollowUpFactory(
        contact=factories.ContactFactory(owner=owner),
        status=FollowUp.Status.EXHAUSTED,
        next_due_at=None,
        exhausts_at=None,
    )

    result = jobs.due_scan(now=MONDAY, chunk_size=2)

    assert result.created == {Kind.FOLLOW_UP: 5, Kind.TOUCH: 5, Kind.PROMISE: 5, Kind.DECISION: 5}
    assert Reminder.objects.count() == 20
    assert len(result.skipped) == 1


def test_a_rerun_after_a_partial_run_creates_the_rest_and_nothing_twice(
    owner, teammate, due_things
):
    due_things(owner)
    due_things(teammate, name="Tom Reed")
    jobs.due_scan(now=MONDAY, owners=[owner])  # what a worker killed half-way leaves
    assert set(Reminder.objects.values_list("owner", flat=True)) == {owner.pk}

    rerun = jobs.due_scan(now=MONDAY + timedelta(hours=1))

    assert rerun.created_total == 4
    assert Reminder.objects.count() == 8


def test_reminders_close_when_the_thing_is_done_or_snoozed(owner, due_things):
    due = due_things(owner)
    jobs.due_scan(now=MONDAY)
    promise_release(promise=due.promise, by=owner, reason="They found it elsewhere.")
    due.plan_item.next_due_on = MONDAY.date() + timedelta(days=10)
    due.plan_item.save(update_fields=["next_due_on"])

    result = jobs.due_scan(now=MONDAY + timedelta(days=1))

    closed = Reminder.objects.exclude(closed_at=None).values_list("kind", flat=True)
    assert result.closed == 2
    assert sorted(closed) == sorted([Kind.PROMISE, Kind.TOUCH])


def test_user_option_limits_the_scan_to_their_reminders(owner, teammate, due_things):
    due_things(owner)
    due_things(teammate, name="Tom Reed")

    jobs.due_scan(now=MONDAY, owners=[teammate])

    assert set(Reminder.objects.values_list("owner", flat=True)) == {teammate.pk}


def test_preview_counts_and_writes_nothing(owner, due_things):
    due_things(owner)

    counts = jobs.due_scan_preview(now=MONDAY)

    assert counts == {Kind.FOLLOW_UP: 1, Kind.TOUCH: 1, Kind.PROMISE: 1, Kind.DECISION: 1}
    assert not Reminder.objects.exists()
    assert not JobRun.objects.exists()


def test_heartbeat_records_start_and_success(owner, due_things):
    due_things(owner)

    jobs.due_scan(now=MONDAY)

    run = JobRun.objects.get(name=jobs.DUE_SCAN)
    assert run.last_started_at == MONDAY
    assert run.last_success_at >= MONDAY
    assert run.last_error == ""


def test_the_task_runs_the_scan(owner, due_things):
    due_things(owner, now=timezone.now())

    assert tasks.due_scan() == 4
    assert tasks.due_scan() == 0


def test_a_run_for_one_person_leaves_the_heartbeat_alone(owner, due_things):
    due_things(owner)

    jobs.due_scan(now=MONDAY, owners=[owner])
    jobs.weekly_digest_send(now=MONDAY, usernames=["alice"])

    assert Reminder.objects.count() == 4
    assert not JobRun.objects.exists()
