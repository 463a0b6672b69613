"""The year of history `seed_demo` builds: its shape and the invariants the services keep.

Numbers come from the seeded data itself; the tests check what any seed must give.
"""

import io
from collections import defaultdict
from datetime import datetime, time, timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import F
from django.test import override_settings
from django.utils import timezone

from cultivation.demo_history import HISTORY_MONTHS, history_start
from cultivation.models import (
    Contact,
    ContactEvent,
    FollowUp,
    Method,
    Outcome,
    PlanItem,
    Promise,
    Referral,
    Touch,
    TouchPlan,
)
from cultivation.services.follow_ups import due_hours
from opportunities.models import CardReferral, Opportunity, Source, Stage
from opportunities.rules import creation_refusal, move_refusal

STAFF = ("alice", "bob", "carol")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo firm, seeded once for the module and rolled back after it."""
    with django_db_blocker.unblock(), override_settings(DEBUG=True), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        yield timezone.now()
        transaction.set_rollback(True)


def _months(now):
    """The twelve whole months of history, as (year, month), oldest first."""
    start = history_start(now)
    return [
        ((start.year * 12 + start.month - 1 + n) // 12, (start.month - 1 + n) % 12 + 1)
        for n in range(HISTORY_MONTHS)
    ]


def _local_month(moment):
    local = timezone.localtime(moment)
    return local.year, local.month


@pytest.mark.django_db
def test_every_month_of_the_year_has_calls_with_every_outcome(demo):
    seen = defaultdict(set)
    unqualified = defaultdict(int)
    for touch in Touch.objects.filter(method=Method.CALL):
        seen[_local_month(touch.at)].add(touch.outcome)
        unqualified[_local_month(touch.at)] += touch.still_qualifies is False

    for month in _months(demo):
        assert seen[month] == set(Outcome.values), month
        assert unqualified[month] >= 1, month
    assert min(seen) == _months(demo)[0]


@pytest.mark.django_db
def test_about_half_the_calls_reach_the_person_and_half_of_those_find_no_need(demo):
    calls = Touch.objects.filter(method=Method.CALL, at__gte=timezone.now() - timedelta(days=365))
    made = calls.count()
    reached = calls.exclude(outcome=Outcome.NOT_REACHED).count()
    no_need = calls.filter(outcome=Outcome.NO_NEED).count()

    assert made > 12 * 3 * 10  # each of three people makes calls every month
    assert 0.4 < reached / made < 0.6
    assert 0.35 < no_need / reached < 0.65


@pytest.mark.django_db
def test_only_reached_calls_say_whether_the_person_still_qualifies(demo):
    calls = Touch.objects.filter(method=Method.CALL)

    assert not calls.filter(outcome=Outcome.NOT_REACHED, still_qualifies__isnull=False).exists()
    assert not calls.filter(outcome=Outcome.ASKED_TO_STOP, still_qualifies__isnull=False).exists()
    for touch in calls.filter(still_qualifies=False).select_related("contact__touch_plan"):
        plan = touch.contact.touch_plan
        assert plan.ended_at == touch.at
        assert plan.end_reason == "No longer qualifies."


@pytest.mark.django_db
def test_people_who_asked_to_stop_are_never_touched_again(demo):
    stopped = Contact.objects.exclude(asked_to_stop_at=None)

    assert stopped.count() >= HISTORY_MONTHS
    for person in stopped.select_related("touch_plan"):
        assert not person.touches.filter(at__gt=person.asked_to_stop_at, direction="ours").exists()
        assert person.touch_plan.ended_at == person.asked_to_stop_at


@pytest.mark.django_db
def test_touches_and_history_are_in_the_past_and_after_the_person_was_added(demo):
    now = timezone.now()

    assert not Touch.objects.filter(at__gt=now).exists()
    assert not ContactEvent.objects.filter(at__gt=now).exists()
    assert not Touch.objects.filter(at__lt=F("contact__created_at")).exists()
    assert not Referral.objects.filter(on__gt=timezone.localdate(now)).exists()


@pytest.mark.django_db
def test_no_plan_item_falls_due_before_its_plan_started(demo):
    for item in PlanItem.objects.select_related("plan"):
        assert item.next_due_on >= timezone.localdate(item.plan.started_at), item


@pytest.mark.django_db
def test_each_pool_grows_over_the_year_and_a_third_of_it_is_called_a_month(demo):
    start = timezone.make_aware(datetime.combine(history_start(demo), time.min))
    for username in STAFF:
        plans = TouchPlan.objects.filter(contact__owner__username=username)
        at_start = plans.filter(started_at__lte=start + timedelta(days=1)).count()
        live = plans.live().count()
        calls = Touch.objects.filter(
            method=Method.CALL, by__username=username, at__gte=demo - timedelta(days=90)
        ).count()

        assert 0 < at_start < live < 120
        # A quarterly call for each: about the whole pool in three months.
        assert 0.5 * live < calls < 1.5 * live


@pytest.mark.django_db
def test_every_card_moved_only_by_the_rules(demo):
    for card in Opportunity.objects.prefetch_related("stage_changes"):
        changes = sorted(card.stage_changes.all(), key=lambda change: (change.at, change.pk))
        first, *moves = changes
        assert first.from_stage == ""
        assert creation_refusal(first.to_stage, card.source) is None, card
        for before, after in zip(changes, moves, strict=False):
            assert after.from_stage == before.to_stage
            assert move_refusal(after.from_stage, after.to_stage, after.note) is None, card
            assert after.at >= before.at
        assert changes[-1].to_stage == card.stage
        assert changes[-1].at == card.stage_entered_at
        assert changes[-1].at <= demo


@pytest.mark.django_db
def test_won_cards_have_values_lost_ones_reasons_and_every_source_is_there(demo):
    won = Opportunity.objects.filter(stage=Stage.WON)
    lost = Opportunity.objects.filter(stage=Stage.LOST)
    won_months = {_local_month(card.stage_entered_at) for card in won}

    assert not won.filter(estimated_value=None).exists()
    assert not lost.filter(lost_reason="").exists()
    assert len(set(lost.values_list("lost_reason", flat=True))) >= 3
    assert len(won_months & set(_months(demo))) >= 6
    for source in Source.values:
        assert won.filter(source=source).exists() or source == Source.INBOUND
        assert Opportunity.objects.filter(source=source).exists()


@pytest.mark.django_db
def test_won_cards_people_are_cultivated_as_clients(demo):
    for card in Opportunity.objects.filter(stage=Stage.WON).prefetch_related("contacts"):
        for person in card.contacts.all():
            plans = TouchPlan.objects.filter(contact=person)
            assert plans.filter(kind=TouchPlan.Kind.CLIENT).exists() or person.has_asked_to_stop


@pytest.mark.django_db
def test_referrals_given_and_received_every_month_with_their_outcomes(demo):
    received = defaultdict(int)
    for referral in Referral.objects.received():
        received[(referral.on.year, referral.on.month)] += 1
    outcomes = set(Referral.objects.values_list("outcome", flat=True))

    assert all(received[month] for month in _months(demo))
    assert Referral.objects.given().count() >= HISTORY_MONTHS * len(STAFF)
    assert set(Referral.Outcome.values) <= outcomes
    assert not Referral.objects.exclude(outcome="").filter(outcome_at__gt=demo).exists()
    for referral in Referral.objects.exclude(outcome=""):
        assert timezone.localdate(referral.outcome_at) >= referral.on


@pytest.mark.django_db
def test_cards_from_referrals_show_the_referral_they_came_from(demo):
    links = CardReferral.objects.select_related("opportunity", "referral")

    assert links.exists()
    for link in links:
        assert link.opportunity.source == Source.REFERRAL
        assert link.referral.person in link.opportunity.contacts.all()
        if link.referral.outcome == Referral.Outcome.BECAME_CLIENT:
            assert link.opportunity.stage == Stage.WON


@pytest.mark.django_db
def test_follow_ups_made_in_and_out_of_their_deadline_and_some_exhausted(demo):
    in_time = late = 0
    for follow_up in FollowUp.objects.prefetch_related("attempts"):
        first = min(follow_up.attempts.all(), key=lambda touch: touch.at, default=None)
        if first is None:
            continue
        deadline = follow_up.met_at + timedelta(hours=due_hours(follow_up.priority))
        in_time += first.at <= deadline
        late += first.at > deadline

    assert in_time > late > 0
    assert ContactEvent.objects.filter(action=ContactEvent.Action.FOLLOW_UP_EXHAUSTED).exists()
    assert FollowUp.objects.filter(status=FollowUp.Status.ANSWERED).exists()


@pytest.mark.django_db
def test_promises_kept_on_time_and_late_and_never_before_they_were_made(demo):
    kept = Promise.objects.exclude(kept_at=None)
    on_time = sum(timezone.localdate(p.kept_at) <= p.due_on for p in kept)

    assert kept.count() > on_time > 0
    assert not kept.filter(kept_at__lt=F("made_at")).exists()
    assert Promise.objects.exclude(released_at=None).exists()
    assert Promise.objects.open().exists()
    for promise in kept.select_related("kept_touch"):
        assert promise.kept_touch.at == promise.kept_at
