"""Live alliance partners lose their plan's own lunch on a database with data: the booked
exchange lunch is their lunch."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("cultivation", "0020_alliance_events")]
AFTER = [("cultivation", "0021_alliance_plan_lunch")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def _person(apps, name, *, alliance_ended=None, plan_ended=None):
    person = apps.get_model("cultivation", "Contact").objects.create(name=name)
    plan = apps.get_model("cultivation", "TouchPlan").objects.create(
        contact=person, kind="alliance", started_at="2026-01-01T10:00Z", ended_at=plan_ended
    )
    item = apps.get_model("cultivation", "PlanItem")
    for method in ("call", "lunch"):
        item.objects.create(plan=plan, method=method, interval_days=90, next_due_on="2026-04-01")
    if alliance_ended != "none":
        apps.get_model("cultivation", "Alliance").objects.create(
            contact=person, ended_at=alliance_ended
        )
    return person


@pytest.mark.django_db(transaction=True)
def test_only_live_partners_with_a_live_plan_lose_the_plans_lunch():
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        apps = _migrate(BEFORE)
        _person(apps, "Paula Partner")
        _person(apps, "Erin Ended", alliance_ended="2026-02-01T10:00Z")
        _person(apps, "Nora Nobody", alliance_ended="none")
        _person(apps, "Pat Planless", plan_ended="2026-02-01T10:00Z")

        apps = _migrate(AFTER)

        items = apps.get_model("cultivation", "PlanItem").objects.order_by("plan__contact__name")
        lunches = [i.plan.contact.name for i in items.filter(method="lunch")]
        assert lunches == ["Erin Ended", "Nora Nobody", "Pat Planless"]
        assert items.filter(method="call").count() == 4
        events = apps.get_model("cultivation", "ContactEvent").objects.filter(action="plan_changed")
        assert [(e.contact.name, e.note) for e in events] == [
            (
                "Paula Partner",
                "Dropped lunch or coffee every 90 days: "
                "the preferral-exchange lunch booked with Paula Partner is their lunch.",
            )
        ]
    finally:
        _migrate(leaves)
