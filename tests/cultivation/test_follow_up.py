"""Follow-up discipline: due by priority, at most three attempts, two methods, then decide."""

from datetime import UTC, timedelta

import pytest
import time_machine
from django.utils import timezone

from convivio.errors import RuleViolation
from cultivation import selectors
from cultivation.models import ContactEvent, FollowUp, Touch
from cultivation.services import follow_up_start, follow_ups_exhaust, touch_log
from opportunities.models import Stage
from opportunities.services import opportunity_move
from tests import factories

pytestmark = pytest.mark.django_db
Action = ContactEvent.Action


@pytest.mark.parametrize(
    ("priority", "due_after"),
    [("hot", timedelta(hours=48)), ("referral", timedelta(days=7)), ("low", timedelta(days=21))],
)
def test_card_entering_connecting_starts_a_follow_up_due_by_its_priority(
    priority, due_after, person, met
):
    card = met(person, priority)

    follow_up = FollowUp.objects.get(contact=person)
    assert follow_up.next_due_at == card.stage_entered_at + due_after
    assert follow_up.status == FollowUp.Status.OPEN
    assert person.events.get().action == Action.FOLLOW_UP_STARTED


def test_starting_twice_keeps_one_follow_up(person, owner):
    first = follow_up_start(contact=person, priority="hot", by=owner)
    second = follow_up_start(contact=person, priority="low", by=owner)

    assert first == second
    assert FollowUp.objects.count() == 1
    assert ContactEvent.objects.filter(action=Action.FOLLOW_UP_STARTED).count() == 1


def test_hot_lead_is_due_exactly_48_hours_after_meeting_and_overdue_a_second_later(person, owner):
    met_at = timezone.now()
    follow_up_start(contact=person, priority="hot", by=owner, met_at=met_at)
    deadline = met_at + timedelta(hours=48)

    on_time = selectors.follow_ups_due(owner, until=deadline.date(), now=deadline)
    late = selectors.follow_ups_due(
        owner, until=deadline.date(), now=deadline + timedelta(seconds=1)
    )

    assert [item.is_overdue for item in on_time] == [False]
    assert [item.is_overdue for item in late] == [True]


def _attempt(contact, owner, method, at, outcome=""):
    return touch_log(
        contact=contact, method=method, by=owner, at=at, outcome=outcome, is_arranged=True
    )


def _two_emails(person, owner, start):
    _attempt(person, owner, "email", start)
    _attempt(person, owner, "email", start + timedelta(days=7))


def test_third_attempt_by_the_same_method_as_both_earlier_is_refused_and_nothing_changes(
    person, owner
):
    start = timezone.now() - timedelta(days=20)
    follow_up_start(contact=person, priority="referral", by=owner, met_at=start)
    _two_emails(person, owner, start)

    with pytest.raises(RuleViolation, match="third attempt must use a different method"):
        _attempt(person, owner, "email", start + timedelta(days=14))

    follow_up = FollowUp.objects.get()
    assert follow_up.attempt_count == 2
    assert Touch.objects.count() == 2


def test_third_attempt_by_another_method_is_counted_and_awaits_an_answer(person, owner):
    start = timezone.now() - timedelta(days=20)
    follow_up_start(contact=person, priority="referral", by=owner, met_at=start)
    _two_emails(person, owner, start)

    third = _attempt(person, owner, "note", start + timedelta(days=14))

    follow_up = FollowUp.objects.get()
    assert (follow_up.attempt_count, follow_up.next_due_at) == (3, None)
    assert follow_up.exhausts_at == third.at + timedelta(days=7)
    assert third.follow_up == follow_up


def test_fourth_attempt_is_refused_and_nothing_changes(person, owner):
    start = timezone.now() - timedelta(days=20)
    follow_up_start(contact=person, priority="referral", by=owner, met_at=start)
    _two_emails(person, owner, start)
    _attempt(person, owner, "call", start + timedelta(days=14), outcome="not_reached")

    for _ in range(2):
        with pytest.raises(RuleViolation, match="a fourth is refused"):
            _attempt(person, owner, "note", start + timedelta(days=15))

    assert FollowUp.objects.get().attempt_count == 3
    assert Touch.objects.count() == 3


def test_a_touch_from_them_ends_the_sequence_as_answered(person, owner):
    start = timezone.now() - timedelta(days=10)
    follow_up_start(contact=person, priority="referral", by=owner, met_at=start)
    _two_emails(person, owner, start)

    touch_log(contact=person, method="email", direction="theirs", by=owner)

    follow_up = FollowUp.objects.get()
    assert follow_up.status == FollowUp.Status.ANSWERED
    assert follow_up.attempt_count == 2
    assert person.events.filter(action=Action.FOLLOW_UP_ANSWERED).count() == 1
    assert selectors.follow_ups_due(owner, until=start.date() + timedelta(days=60), now=start) == []


def test_a_call_that_reaches_them_answers_the_follow_up(person, owner):
    follow_up_start(contact=person, priority="hot", by=owner)

    _attempt(person, owner, "call", timezone.now(), outcome="no_need")

    assert FollowUp.objects.get().status == FollowUp.Status.ANSWERED


def test_third_attempt_unanswered_for_a_week_awaits_a_decision(person, owner):
    start = timezone.now() - timedelta(days=30)
    follow_up_start(contact=person, priority="referral", by=owner, met_at=start)
    _two_emails(person, owner, start)
    third = _attempt(person, owner, "note", start + timedelta(days=14))
    week_later = third.at + timedelta(days=7)

    just_before = selectors.decisions_awaiting(owner, now=week_later - timedelta(seconds=1))
    on_the_dot = selectors.decisions_awaiting(owner, now=week_later)

    assert just_before == []
    assert [item.contact for item in on_the_dot] == [person]
    badges = selectors.badges_for_contacts([person.pk], now=week_later)
    assert badges[person.pk].follow_up_label == "exhausted: decide"


def test_the_sweep_marks_exhausted_once_even_when_run_twice(person, owner):
    start = timezone.now() - timedelta(days=40)
    follow_up_start(contact=person, priority="referral", by=owner, met_at=start)
    _two_emails(person, owner, start)
    _attempt(person, owner, "note", start + timedelta(days=14))

    assert follow_ups_exhaust() == 1
    assert follow_ups_exhaust() == 0

    assert FollowUp.objects.get().status == FollowUp.Status.EXHAUSTED
    assert person.events.filter(action=Action.FOLLOW_UP_EXHAUSTED).count() == 1
    assert [i.contact for i in selectors.decisions_awaiting(owner, now=timezone.now())] == [person]


def test_software_never_moves_the_card_and_the_decision_closes_the_follow_up(person, owner, met):
    card = met(person)
    FollowUp.objects.update(status=FollowUp.Status.EXHAUSTED)
    follow_ups_exhaust()
    card.refresh_from_db()
    assert card.stage == Stage.CONNECTING

    opportunity_move(
        opportunity=card, to_stage=Stage.LOST, by=owner, version=card.version, note="No answer."
    )

    assert FollowUp.objects.get().status == FollowUp.Status.CLOSED
    assert selectors.decisions_awaiting(owner, now=timezone.now()) == []


def test_board_badge_reads_attempt_two_of_three_next_due_thursday(person, owner):
    with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 11, 23, 9)), tick=False):
        # Met a hot lead on Monday; first attempt Tuesday 9:00, so the next is due Thursday.
        follow_up_start(contact=person, priority="hot", by=owner)
        _attempt(person, owner, "email", timezone.now() + timedelta(days=1))
        badges = selectors.badges_for_contacts([person.pk], now=timezone.now())

    assert badges[person.pk].follow_up_label == "attempt 2/3, next due Thu"


def test_badges_take_three_queries_for_any_number_of_people(owner, django_assert_num_queries):
    people = factories.ContactFactory.create_batch(6, owner=owner)
    for contact in people:
        follow_up_start(contact=contact, priority="hot", by=owner)
        factories.PromiseFactory(contact=contact)

    with django_assert_num_queries(3):
        few = selectors.badges_for_contacts([p.pk for p in people[:2]], now=timezone.now())
    with django_assert_num_queries(3):
        many = selectors.badges_for_contacts([p.pk for p in people], now=timezone.now())

    assert len(few) == 2 and len(many) == 6
    assert all(badge.open_promises == 1 for badge in many.values())


def test_48_hours_across_the_clocks_going_forward_are_48_real_hours(person, owner):
    met_at = timezone.make_aware(timezone.datetime(2026, 3, 28, 10, 0))  # Saturday, GMT

    follow_up = follow_up_start(contact=person, priority="hot", by=owner, met_at=met_at)

    elapsed = follow_up.next_due_at.astimezone(UTC) - met_at.astimezone(UTC)
    assert elapsed == timedelta(hours=48)
    assert timezone.localtime(follow_up.next_due_at).hour == 11  # Monday, BST
