"""Helpers for the scheduled-job tests: something of every kind due for a person."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from tests import factories

# A Monday morning in London, after the weekly email's 07:00.
MONDAY = timezone.make_aware(datetime(2026, 11, 23, 9, 0))


@dataclass
class DueThings:
    contact: object
    follow_up: object
    plan_item: object
    promise: object
    decision: object


@pytest.fixture
def due_things():
    """For `user`: a follow-up, a touch-base call and a promise due on `now`'s date, and an
    exhausted follow-up (three attempts, a week ago) awaiting a decision."""

    def make(user, *, now=MONDAY, name="Priya Shah"):
        contact = factories.ContactFactory(owner=user, name=name)
        follow_up = factories.FollowUpFactory(
            contact=contact, met_at=now - timedelta(days=7, hours=1)
        )
        plan = factories.TouchPlanFactory(contact=contact)
        item = factories.PlanItemFactory(plan=plan, next_due_on=timezone.localdate(now))
        promise = factories.PromiseFactory(
            contact=contact, due_on=timezone.localdate(now), what="Send the salary survey"
        )
        silent = factories.ContactFactory(owner=user, name=f"{name} (silent)")
        decision = factories.FollowUpFactory(
            contact=silent,
            attempt_count=3,
            next_due_at=None,
            exhausts_at=now - timedelta(days=1),
        )
        return DueThings(contact, follow_up, item, promise, decision)

    return make


@pytest.fixture
def weekly_digest_task(django_capture_on_commit_callbacks):
    """Run the beat's weekly task, then each per-person task it queued, as a worker would;
    returns how many it queued."""
    from cultivation import tasks

    def run(**kwargs):
        with django_capture_on_commit_callbacks() as queued:
            count = tasks.weekly_digest(**kwargs)
        for call in queued:
            assert call.func.__self__.name == "cultivation.tasks.send_weekly_digest_to"
            tasks.send_weekly_digest_to(*call.args[0])
        assert len(queued) == (count or 0)  # None (not Monday morning): nothing queued
        return count

    return run
