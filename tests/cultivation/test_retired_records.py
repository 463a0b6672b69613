"""A merged or erased record is retired: nothing more is written about it, by anyone."""

import pytest

from convivio.errors import RuleViolation
from cultivation.models import Acquaintance, ContactEvent, TouchPlan
from cultivation.services import (
    acquaintance_add,
    contact_erase,
    contact_merge,
    contact_opt_in,
    contact_stop_reverse,
    touch_plan_start,
)
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def merged(owner, manager):
    survivor = factories.ContactFactory(owner=owner, name="Sam O'Neill")
    duplicate = factories.ContactFactory(owner=owner, name="Sam ONeill", has_opted_in=False)
    contact_merge(survivor=survivor, duplicate=duplicate, by=manager)
    duplicate.refresh_from_db()
    return duplicate


@pytest.fixture
def erased(owner, manager):
    person = factories.ContactFactory(owner=owner, name="Eve Gone")
    contact_erase(contact=person, by=manager, reason="They asked to be forgotten.")
    person.refresh_from_db()
    return person


def _writes(record):
    return (
        ContactEvent.objects.filter(contact=record).count(),
        TouchPlan.objects.filter(contact=record, ended_at=None).count(),
    )


@pytest.mark.parametrize("record", ["merged", "erased"])
def test_a_retired_record_gets_no_touch_plan(request, record, manager):
    retired = request.getfixturevalue(record)
    before = _writes(retired)
    with pytest.raises(RuleViolation, match="record it on that person|nothing more is recorded"):
        touch_plan_start(contact=retired, by=manager)
    assert _writes(retired) == before


def test_consent_is_not_recorded_on_a_merged_record(merged, manager):
    before = _writes(merged)
    with pytest.raises(RuleViolation, match="merged into person"):
        contact_opt_in(contact=merged, by=manager, how="asked at lunch")
    merged.refresh_from_db()
    assert not merged.has_opted_in and _writes(merged) == before


def test_a_merged_record_is_linked_to_nobody(merged, owner, manager):
    live = factories.ContactFactory(owner=owner)
    with pytest.raises(RuleViolation, match="merged into another person"):
        acquaintance_add(contact=live, other=merged, by=manager)
    assert not Acquaintance.objects.filter(to_contact=merged).exists()


def test_asked_to_stop_is_never_reversed_for_an_erased_person(erased, manager):
    assert erased.has_asked_to_stop
    with pytest.raises(RuleViolation, match="was erased"):
        contact_stop_reverse(contact=erased, by=manager, why="mistake")
    erased.refresh_from_db()
    assert erased.has_asked_to_stop
