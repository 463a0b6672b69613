"""A partner who asks us to stop is no partner any more: the alliance ends with a reason, no
lunch is booked, and the firm's count drops; a merge and an erasure end it the same way."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from cultivation import alliance_selectors, selectors
from cultivation.models import Alliance, ContactEvent, Method
from cultivation.models.touches import Outcome
from cultivation.services import alliance_mark, contact_erase, contact_merge, touch_log
from tests import factories

pytestmark = pytest.mark.django_db
Action = ContactEvent.Action
NOW = datetime(2027, 1, 6, 10, 0, tzinfo=timezone.get_fixed_timezone(0))  # a Wednesday


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _partner(owner, name="Paula Partner"):
    contact = factories.ContactFactory(owner=owner, name=name)
    alliance_mark(contact=contact, criteria={"respects_us": True}, preferral_profile="", by=owner)
    return contact


def _stop(contact, by):
    touch_log(
        contact=contact,
        method=Method.CALL,
        by=by,
        outcome=Outcome.ASKED_TO_STOP,
        is_arranged=True,
    )


def _no_lunches(owner):
    return selectors.lunches_due(owner, until=date(2028, 1, 1), now=NOW) == []


def test_asking_to_stop_ends_the_alliance_and_its_lunches(owner):
    partner = _partner(owner)
    _partner(owner, "Other Partner")
    before = alliance_selectors.alliances_page(now=NOW).live

    _stop(partner, owner)

    alliance = Alliance.objects.get(contact=partner)
    assert alliance.ended_at == NOW
    assert alliance.end_reason == "They asked us to stop."
    assert alliance.next_lunch_on is None
    ended = partner.events.get(action=Action.ALLIANCE_ENDED)
    assert (ended.note, ended.by) == ("They asked us to stop.", owner)
    assert [
        lunch.contact.name
        for lunch in selectors.lunches_due(owner, until=date(2028, 1, 1), now=NOW)
    ] == ["Other Partner"]
    assert alliance_selectors.alliances_page(now=NOW).live == before - 1


def test_merging_into_someone_who_asked_us_to_stop_ends_the_moved_alliance(owner):
    survivor = factories.ContactFactory(owner=owner, name="Paula Partner")
    _stop(survivor, owner)
    duplicate = _partner(owner)

    contact_merge(survivor=survivor, duplicate=duplicate, by=owner)

    alliance = Alliance.objects.get(contact=survivor)
    assert alliance.ended_at is not None and alliance.next_lunch_on is None
    assert alliance.end_reason == "They asked us to stop."
    assert _no_lunches(owner)


def test_merging_a_duplicate_who_asked_us_to_stop_ends_the_survivors_alliance(owner):
    survivor = _partner(owner)
    duplicate = factories.ContactFactory(owner=owner, name="Paula Partner")
    _stop(duplicate, owner)

    contact_merge(survivor=survivor, duplicate=duplicate, by=owner)

    alliance = Alliance.objects.get(contact=survivor)
    assert alliance.ended_at is not None and alliance.next_lunch_on is None
    assert _no_lunches(owner)


def test_erasure_ends_the_alliance_as_asking_to_stop_does(owner, manager):
    partner = _partner(owner)

    contact_erase(contact=partner, by=manager, reason="Asked to be forgotten")

    alliance = Alliance.objects.get(contact=partner)
    assert alliance.ended_at is not None and alliance.next_lunch_on is None
    assert _no_lunches(owner)
    assert alliance_selectors.alliances_page(now=NOW + timedelta(days=1)).live == 0
