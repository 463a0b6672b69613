"""The move of a promise's card number up to the board's app, on a database with data."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("cultivation", "0005_contact_event_changes"),
    ("opportunities", "0006_card_value_not_negative"),
]
AFTER = [
    ("cultivation", "0006_promise_card_link_moves_up"),
    ("opportunities", "0007_card_promise"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def _old_promises(apps):
    user = apps.get_model("auth", "User").objects.create(username="alice")
    person = apps.get_model("cultivation", "Contact").objects.create(name="Priya", owner=user)
    card = apps.get_model("opportunities", "Opportunity").objects.create(title="Audit", owner=user)
    promise = apps.get_model("cultivation", "Promise")
    made = {"contact": person, "owner": user, "due_on": "2026-01-01"}
    return card, [
        promise.objects.create(what="about the card", opportunity_id=card.pk, **made),
        promise.objects.create(what="about a card long gone", opportunity_id=card.pk + 99, **made),
        promise.objects.create(what="about nothing", **made),
    ]


@pytest.mark.django_db(transaction=True)
def test_card_numbers_become_links_and_numbers_pointing_nowhere_are_dropped():
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        card, (linked, dangling, plain) = _old_promises(_migrate(BEFORE))

        apps = _migrate(AFTER)

        links = apps.get_model("opportunities", "CardPromise").objects.all()
        assert [(link.promise_id, link.opportunity_id) for link in links] == [(linked.pk, card.pk)]
        promises = apps.get_model("cultivation", "Promise").objects.order_by("pk")
        assert list(promises.values_list("pk", flat=True)) == [linked.pk, dangling.pk, plain.pk]
    finally:
        _migrate(leaves)
