"""Marking a strategic alliance partner and ending the alliance: the criteria, the profile,
the touch plan it starts, who may, and whom it refuses."""

from datetime import date, datetime

import pytest
import time_machine
from django.utils import timezone

from convivio.errors import PermissionRefused, RuleViolation
from cultivation.models import Alliance, ContactEvent, Exchange, TouchPlan
from cultivation.services import (
    alliance_end,
    alliance_mark,
    contact_erase,
    contact_export,
    contact_merge,
)
from tests import factories

pytestmark = pytest.mark.django_db
Action = ContactEvent.Action
ALL = {
    "respects_us": True,
    "knows_our_people": True,
    "has_standing": True,
    "will_introduce": True,
    "complementary": True,
    "can_receive": False,
    "is_growing": False,
}
# A Wednesday: the first lunch goes in the coming quarter, from Thursday 7 January.
NOW = datetime(2027, 1, 6, 10, 0, tzinfo=timezone.get_fixed_timezone(0))


@pytest.fixture
def partner(owner):
    return factories.ContactFactory(owner=owner, name="Paula Partner")


def _mark(partner, by, **extra):
    extra.setdefault("criteria", ALL)
    extra.setdefault("preferral_profile", "Owners of family firms planning a sale")
    return alliance_mark(contact=partner, by=by, now=NOW, **extra)


def test_marking_makes_an_alliance_with_its_criteria_plan_and_first_lunch(partner, owner):
    marked = _mark(partner, owner)

    alliance = Alliance.objects.get(contact=partner)
    assert marked.is_new and marked.plan_refusal == ""
    assert len(alliance.criteria_met) == 5
    assert alliance.criteria_missing == [
        "Can receive introductions to people who fit their profile",
        "Is actively growing their practice",
    ]
    assert alliance.preferral_profile == "Owners of family firms planning a sale"
    # No lunches booked anywhere: the quietest week is the first, its first weekday tomorrow.
    assert alliance.next_lunch_on == date(2027, 1, 7)
    plan = TouchPlan.objects.get(contact=partner)
    assert plan.kind == TouchPlan.Kind.ALLIANCE
    # Their lunch is the booked exchange lunch, not a plan item as well.
    assert set(plan.items.values_list("method", flat=True)) == {"call"}
    started = partner.events.get(action=Action.ALLIANCE_STARTED)
    assert (started.by, started.note) == (owner, "Meets 5 of 7 criteria.")


def test_marking_again_updates_the_criteria_and_records_what_changed(partner, owner):
    _mark(partner, owner)
    lunch = Alliance.objects.get().next_lunch_on

    marked = _mark(partner, owner, criteria={**ALL, "is_growing": True})
    twice = _mark(partner, owner, criteria={**ALL, "is_growing": True})

    alliance = Alliance.objects.get()
    assert not marked.is_new and not twice.is_new
    assert alliance.is_growing and alliance.next_lunch_on == lunch
    changed = partner.events.get(action=Action.ALLIANCE_CHANGED)  # the second: no change
    assert changed.changes == [
        {
            "field": "is_growing",
            "label": "Is actively growing their practice",
            "from": False,
            "to": True,
        }
    ]


def test_a_person_with_a_live_plan_keeps_it(partner, owner):
    factories.TouchPlanFactory(contact=partner, kind=TouchPlan.Kind.CULTIVATING)

    _mark(partner, owner)

    assert TouchPlan.objects.get(contact=partner).kind == TouchPlan.Kind.CULTIVATING


def test_a_full_pool_refuses_the_plan_not_the_alliance(partner, owner, settings):
    settings.CONVIVIO = {**settings.CONVIVIO, "CAPACITY_MAX": 0}

    marked = _mark(partner, owner)

    assert Alliance.objects.filter(contact=partner).exists()
    assert "already cultivates 0 people" in marked.plan_refusal
    assert not TouchPlan.objects.filter(contact=partner).exists()
    assert partner.events.filter(action=Action.PLAN_NOT_STARTED).exists()


@pytest.mark.parametrize(
    ("role", "allowed"), [("owner", True), ("manager", True), ("teammate", False), (None, False)]
)
def test_who_may_mark_a_partner(partner, owner, teammate, manager, role, allowed):
    by = {"owner": owner, "teammate": teammate, "manager": manager, None: None}[role]
    if allowed:
        _mark(partner, by)
        assert Alliance.objects.filter(contact=partner).exists()
        return
    with pytest.raises(PermissionRefused, match="Alice Owner, Paula Partner's owner"):
        _mark(partner, by)
    assert not Alliance.objects.exists()
    assert not partner.events.exists()


def test_someone_who_asked_us_to_stop_is_refused(partner, owner):
    partner.asked_to_stop_at = timezone.now()
    partner.save()

    with pytest.raises(RuleViolation, match="Paula Partner asked us to stop"):
        _mark(partner, owner)
    assert not Alliance.objects.exists()


def test_an_erased_person_is_refused(partner, manager):
    contact_erase(contact=partner, by=manager, reason="Asked to be forgotten")

    with pytest.raises(RuleViolation):
        _mark(partner, manager)
    assert not Alliance.objects.exists()


@pytest.mark.parametrize(
    ("criteria", "profile", "sentence"),
    [
        ({"charming": True}, "", "“charming” is not one of the seven criteria."),
        (ALL, "bad\x00", "NUL character"),
        (ALL, "x" * 10_001, "keep it to 10,000"),
    ],
)
def test_bad_input_is_refused(partner, owner, criteria, profile, sentence):
    with pytest.raises(RuleViolation, match=sentence):
        _mark(partner, owner, criteria=criteria, preferral_profile=profile)
    assert not Alliance.objects.exists()


def test_ending_an_alliance_clears_its_lunch_and_keeps_the_plan(partner, owner):
    alliance = _mark(partner, owner).alliance

    alliance_end(alliance=alliance, reason="Retired from practice", by=owner)

    alliance.refresh_from_db()
    assert alliance.ended_at is not None and alliance.next_lunch_on is None
    assert alliance.end_reason == "Retired from practice"
    assert Alliance.objects.live().count() == 0
    assert TouchPlan.objects.live().filter(contact=partner).exists()
    assert partner.events.filter(
        action=Action.ALLIANCE_ENDED, note="Retired from practice"
    ).exists()
    with pytest.raises(RuleViolation, match="already ended"):
        alliance_end(alliance=alliance, reason="Again", by=owner)


def test_ending_needs_a_reason_and_the_owner(partner, owner, teammate):
    alliance = _mark(partner, owner).alliance

    with pytest.raises(RuleViolation, match="Say why"):
        alliance_end(alliance=alliance, reason="  ", by=owner)
    with pytest.raises(PermissionRefused):
        alliance_end(alliance=alliance, reason="No", by=teammate)
    alliance.refresh_from_db()
    assert alliance.ended_at is None


def test_an_ended_alliance_can_start_again(partner, owner):
    alliance = _mark(partner, owner).alliance
    alliance_end(alliance=alliance, reason="Paused", by=owner)

    with time_machine.travel(NOW, tick=False):
        marked = _mark(partner, owner)

    alliance.refresh_from_db()
    assert marked.is_new and alliance.ended_at is None and alliance.end_reason == ""
    assert alliance.next_lunch_on is not None


def test_merging_two_partners_keeps_the_live_alliance_and_moves_the_lunches(owner, partner):
    duplicate = factories.ContactFactory(owner=owner, name="Paula Partner")
    old = _mark(partner, owner).alliance
    alliance_end(alliance=old, reason="Paused", by=owner)
    live = _mark(duplicate, owner).alliance
    Exchange.objects.create(partner=duplicate, on=date(2026, 1, 5), by=owner)

    contact_merge(survivor=partner, duplicate=duplicate, by=owner)

    assert Alliance.objects.get(contact=partner) == live
    assert Alliance.objects.get(contact=duplicate) == old
    assert Exchange.objects.get().partner == partner


def test_merging_two_live_partners_ends_the_duplicates(owner, partner):
    duplicate = factories.ContactFactory(owner=owner, name="Paula Partner")
    mine = _mark(partner, owner).alliance
    theirs = _mark(duplicate, owner).alliance

    contact_merge(survivor=partner, duplicate=duplicate, by=owner)

    theirs.refresh_from_db()
    assert Alliance.objects.get(contact=partner) == mine
    assert theirs.ended_at is not None and theirs.next_lunch_on is None
    assert partner.events.filter(action=Action.ALLIANCE_ENDED).exists()


def test_erasing_a_partner_ends_the_alliance_and_blanks_what_we_wrote(owner, manager, partner):
    alliance = _mark(partner, owner).alliance
    Exchange.objects.create(partner=partner, on=date(2026, 1, 5), by=owner, note="Talked about X")

    contact_erase(contact=partner, by=manager, reason="Asked to be forgotten")

    alliance.refresh_from_db()
    assert alliance.ended_at is not None and alliance.next_lunch_on is None
    assert alliance.preferral_profile == ""
    assert Exchange.objects.get().note == ""


def test_a_partners_export_holds_their_alliance_and_lunches(owner, manager, partner):
    _mark(partner, owner)
    Exchange.objects.create(partner=partner, on=date(2026, 1, 5), by=owner, note="Soup")

    export = contact_export(contact=partner, by=manager)

    assert export["alliance"]["preferral_profile"] == "Owners of family firms planning a sale"
    assert [lunch["note"] for lunch in export["exchange_lunches"]] == ["Soup"]
