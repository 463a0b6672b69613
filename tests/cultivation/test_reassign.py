"""Handing a person to another owner: who may, to whom, and the history row it leaves."""

import pytest

from convivio.errors import PermissionRefused, RuleViolation
from cultivation.models import ContactEvent, FollowUp
from cultivation.services import contact_reassign
from tests import factories

pytestmark = pytest.mark.django_db
Action = ContactEvent.Action


def _reassignments(contact):
    return list(
        contact.events.filter(action=Action.REASSIGNED).values_list("by__username", flat=True)
    )


def test_the_owner_hands_a_person_on_once_with_their_live_follow_up_and_one_history_row(
    person, owner, teammate
):
    follow_up = factories.FollowUpFactory(contact=person, owner=owner)

    contact_reassign(contact=person, owner=teammate, by=owner)
    # The person is no longer theirs: the same hand-over again is refused.
    with pytest.raises(PermissionRefused, match="Only Bob Teammate"):
        contact_reassign(contact=person, owner=teammate, by=owner)

    person.refresh_from_db()
    follow_up.refresh_from_db()
    assert (person.owner, follow_up.owner) == (teammate, teammate)
    assert _reassignments(person) == ["alice"]


def test_a_closed_follow_up_stays_with_whoever_had_it(person, owner, teammate):
    closed = factories.FollowUpFactory(contact=person, owner=owner, status=FollowUp.Status.CLOSED)

    contact_reassign(contact=person, owner=teammate, by=owner)

    closed.refresh_from_db()
    assert closed.owner == owner


def test_a_manager_hands_someone_elses_person_to_nobody(person, manager):
    contact_reassign(contact=person, owner=None, by=manager)

    person.refresh_from_db()
    assert person.owner is None
    assert _reassignments(person) == ["maria"]


def test_a_teammate_may_not_take_someone_elses_person(person, owner, teammate):
    with pytest.raises(PermissionRefused, match="Only Alice Owner"):
        contact_reassign(contact=person, owner=teammate, by=teammate)

    person.refresh_from_db()
    assert person.owner == owner
    assert _reassignments(person) == []


def test_anyone_may_take_on_a_person_nobody_owns(teammate):
    nobodys = factories.ContactFactory(owner=None, name="Nadia Free")

    contact_reassign(contact=nobodys, owner=teammate, by=teammate)

    nobodys.refresh_from_db()
    assert nobodys.owner == teammate
    assert _reassignments(nobodys) == ["bob"]


def test_no_one_is_handed_to_someone_who_has_left(person, owner):
    leaver = factories.UserFactory(username="lee", is_active=False)

    with pytest.raises(RuleViolation, match="no longer active"):
        contact_reassign(contact=person, owner=leaver, by=owner)

    person.refresh_from_db()
    assert person.owner == owner
    assert _reassignments(person) == []


def test_handing_a_person_to_their_own_owner_changes_nothing(person, owner):
    contact_reassign(contact=person, owner=owner, by=owner)

    assert _reassignments(person) == []
