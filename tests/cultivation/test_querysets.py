"""The named querysets: each derived fact spelled once, and where its boundary lies.

Each fact that also exists for one row (`Promise.is_open`, `FollowUp.is_exhausted_at`,
`TouchPlan.is_live`) must agree with its set form, row by row.
"""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from cultivation.models import Contact, FollowUp, PlanItem, Promise, TouchPlan
from tests import factories

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime(2026, 11, 25, 10, 0))
TODAY = NOW.date()
DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)


def _names(queryset, path="name"):
    return sorted(queryset.values_list(path, flat=True))


# Promises ----------------------------------------------------------------------------


@pytest.fixture
def promises(owner):
    person = factories.ContactFactory(owner=owner, name="Priya Shah")
    made = {
        what: factories.PromiseFactory(contact=person, what=what, due_on=due_on)
        for what, due_on in [
            ("yesterday", TODAY - DAY),
            ("today", TODAY),
            ("tomorrow", TODAY + DAY),
            ("kept", TODAY - DAY),
            ("released", TODAY - DAY),
        ]
    }
    Promise.objects.filter(pk=made["kept"].pk).update(kept_at=NOW)
    Promise.objects.filter(pk=made["released"].pk).update(released_at=NOW, release_reason="No")
    return made


def test_a_kept_or_released_promise_is_not_open(promises):
    assert _names(Promise.objects.open(), "what") == ["today", "tomorrow", "yesterday"]
    for promise in Promise.objects.all():
        assert promise.is_open == Promise.objects.open().filter(pk=promise.pk).exists()


def test_a_promise_is_overdue_from_the_day_after_it_was_due(promises):
    assert _names(Promise.objects.overdue_on(TODAY), "what") == ["yesterday"]
    assert _names(Promise.objects.due_by(TODAY), "what") == ["today", "yesterday"]


def test_promises_to_someone_who_asked_us_to_stop_or_was_erased_are_not_due(owner, promises):
    stopped = factories.ContactFactory(owner=owner, asked_to_stop_at=NOW - DAY)
    erased = factories.ContactFactory(owner=owner, erased_at=NOW - DAY)
    for person in (stopped, erased):
        factories.PromiseFactory(contact=person, what=person.name, due_on=TODAY)

    due = Promise.objects.of_people_in_touch().due_by(TODAY)

    assert _names(due, "what") == ["today", "yesterday"]


# Touch plans and their items -----------------------------------------------------------


def test_an_ended_plan_is_not_live_and_leaves_the_pool(owner, teammate):
    live = factories.TouchPlanFactory(contact=factories.ContactFactory(owner=owner, name="Live"))
    ended = factories.TouchPlanFactory(
        contact=factories.ContactFactory(owner=owner, name="Ended"), ended_at=NOW
    )
    factories.TouchPlanFactory(contact=factories.ContactFactory(owner=teammate, name="Bob's"))

    assert _names(TouchPlan.objects.live(), "contact__name") == ["Bob's", "Live"]
    assert list(TouchPlan.objects.pool_of(owner)) == [live]
    assert (live.is_live, ended.is_live) == (True, False)


def test_a_plan_item_is_due_on_its_day_and_overdue_from_the_next(owner):
    plan = factories.TouchPlanFactory(contact=factories.ContactFactory(owner=owner))
    for method, due_on in [("call", TODAY - DAY), ("note", TODAY), ("lunch", TODAY + DAY)]:
        factories.PlanItemFactory(plan=plan, method=method, next_due_on=due_on)

    assert _names(PlanItem.objects.due_by(TODAY), "method") == ["call", "note"]
    assert _names(PlanItem.objects.overdue_on(TODAY), "method") == ["call"]


def test_items_of_an_ended_plan_or_of_someone_who_asked_us_to_stop_are_never_due(owner):
    ended = factories.TouchPlanFactory(contact=factories.ContactFactory(owner=owner), ended_at=NOW)
    factories.PlanItemFactory(plan=ended, next_due_on=TODAY - DAY)
    stopped = factories.ContactFactory(owner=owner, asked_to_stop_at=NOW)
    factories.PlanItemFactory(
        plan=factories.TouchPlanFactory(contact=stopped), next_due_on=TODAY - DAY
    )

    assert not PlanItem.objects.live().filter(plan=ended).exists()
    assert PlanItem.objects.due_by(TODAY).count() == 1  # the stopped person's, still live
    assert not PlanItem.objects.of_people_in_touch().due_by(TODAY).exists()


# People ------------------------------------------------------------------------------


def test_in_cultivation_means_a_live_touch_plan(owner):
    factories.TouchPlanFactory(contact=factories.ContactFactory(owner=owner, name="Cultivated"))
    factories.TouchPlanFactory(
        contact=factories.ContactFactory(owner=owner, name="Plan ended"), ended_at=NOW
    )
    factories.ContactFactory(owner=owner, name="No plan")

    assert _names(Contact.objects.in_cultivation()) == ["Cultivated"]
    assert _names(Contact.objects.not_in_cultivation()) == ["No plan", "Plan ended"]


def test_people_in_touch_did_not_ask_us_to_stop_and_are_not_erased(owner):
    factories.ContactFactory(owner=owner, name="In touch")
    factories.ContactFactory(owner=owner, name="Stopped", asked_to_stop_at=NOW)
    factories.ContactFactory(owner=owner, name="Erased", erased_at=NOW)

    assert _names(Contact.objects.in_touch()) == ["In touch"]
    assert _names(Contact.objects.active()) == ["In touch", "Stopped"]


# Follow-ups --------------------------------------------------------------------------


def _follow_up(owner, name, **fields):
    return factories.FollowUpFactory(
        contact=factories.ContactFactory(owner=owner, name=name), **fields
    )


@pytest.fixture
def follow_ups(owner):
    """One of each: waiting for an attempt, waited out at NOW, still waiting an answer,
    stamped exhausted, answered, closed."""
    third = {"attempt_count": 3, "next_due_at": None}
    return [
        _follow_up(owner, "Waiting", next_due_at=NOW),
        _follow_up(owner, "Waited out", exhausts_at=NOW, **third),
        _follow_up(owner, "Answer awaited", exhausts_at=NOW + SECOND, **third),
        _follow_up(owner, "Stamped", status=FollowUp.Status.EXHAUSTED, exhausts_at=NOW, **third),
        _follow_up(owner, "Answered", status=FollowUp.Status.ANSWERED, next_due_at=None),
        _follow_up(owner, "Closed", status=FollowUp.Status.CLOSED, next_due_at=None),
    ]


def test_a_follow_up_is_exhausted_at_exactly_its_time_and_not_a_second_before(follow_ups):
    assert _names(FollowUp.objects.exhausted(NOW), "contact__name") == ["Stamped", "Waited out"]
    assert _names(FollowUp.objects.exhausted(NOW - SECOND), "contact__name") == ["Stamped"]
    assert _names(FollowUp.objects.waited_out(NOW), "contact__name") == ["Waited out"]


@pytest.mark.parametrize("moment", [NOW - SECOND, NOW, NOW + SECOND])
def test_exhausted_agrees_with_the_follow_ups_own_answer(follow_ups, moment):
    exhausted = set(FollowUp.objects.exhausted(moment).values_list("pk", flat=True))

    assert {f.pk for f in follow_ups if f.is_exhausted_at(moment)} == exhausted


def test_live_follow_ups_are_open_or_exhausted_and_answered_or_closed_ones_are_not(follow_ups):
    assert _names(FollowUp.objects.live(), "contact__name") == [
        "Answer awaited",
        "Stamped",
        "Waited out",
        "Waiting",
    ]
    assert all(f.is_live == (f.status in FollowUp.LIVE) for f in follow_ups)


def test_an_attempt_due_at_a_moment_is_due_before_the_next_moment_only(follow_ups):
    assert not FollowUp.objects.due_before(NOW).exists()
    assert _names(FollowUp.objects.due_before(NOW + SECOND), "contact__name") == ["Waiting"]
