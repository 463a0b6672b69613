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
