"""A year of history for the demo firm, so the reports have something to show at once.

Cards flow through the board month by month: researched or inbound, connected with
(follow-up attempts in and out of their deadline, answered or exhausted), cultivated, then
won (with a value) or lost (with a reason). Referrals from touch-base calls lead to cards of
their own. The cultivation side (pools, calls, promises, referrals) is
`cultivation/demo_history.py`.

The move service (`opportunity_move`) cannot take a past time, so a card is written once
with its final stage, and its `StageChange` rows are written with the times of its moves:
each move a legal one (opportunities/rules.py), the card's `stage_entered_at` the time of
its last. What a move does to the card's people, the move service's `_person_follows`
(follow-up on entering Connecting, closed on leaving it, a touch plan on entering
Cultivating, servicing on Won), is done here through the same cultivation services, at
the move's time.
"""

import contextlib
from datetime import timedelta

from django.utils import timezone

from cultivation import demo_history as cultivation
from cultivation.models import ContactEvent, FollowUp, Priority, Referral, TouchPlan
from cultivation.services import (
    follow_up_close,
    follow_up_start,
    follow_ups_exhaust,
    touch_log,
    touch_plan_serve,
    touch_plan_start_for_card,
)
from cultivation.services.follow_ups import due_hours

from . import factories
from .models import Opportunity, Source, Stage, StageChange

Action = ContactEvent.Action
CARDS_PER_MONTH = 2  # each staff member opens this many a month; referrals bring more
VALUES = [4000, 7500, 12000, 18000, 25000, 40000, 60000]
NO_ANSWER = "No answer after three attempts."
WORK_KINDS = ["audit", "tax advice", "year-end accounts", "due diligence", "payroll"]
# Ranked by how often they come up, as a lost-reasons report would show them.
LOST_REASONS = (
    ["They stayed with their current adviser."] * 4
    + ["No budget this year."] * 3
    + ["Our fees were higher than a rival's."] * 2
    + ["The person we knew left the firm."]
)
ATTEMPT_METHODS = ["email", "note", "email"]


class Now(Exception):
    """The walk of a card's history reached the present: it stays where it is."""


def build_history(*, staff, organisations, rng, now):
    """Twelve months of cards, calls, referrals and promises for each of `staff`."""
    start = cultivation.history_start(now)
    replay = cultivation.build_pools(staff=staff, organisations=organisations, rng=rng, now=now)
    on_cards = []
    for owner in staff:
        for month in range(cultivation.HISTORY_MONTHS + 1):
            for number in range(CARDS_PER_MONTH):
                day = start + timedelta(days=30 * month + rng.randint(0, 27))
                opened = cultivation.moment(day, rng)
                if opened >= now:
                    continue
                source = Source.INBOUND if (month + number) % 3 == 0 else Source.RESEARCH
                (person,) = cultivation.new_people(owner, organisations, 1, rng=rng, at=opened)
                _card(owner, person, source, opened, rng=rng, now=now)
                on_cards.append(person.pk)
    replay.people.update(_with_plans(on_cards))
    replay.protected.update(on_cards)
    replay.run(start)
    _referral_cards(replay, start, rng=rng, now=now)
    cultivation.build_given_referrals(staff=staff, rng=rng, now=now)
    cultivation.build_promises(staff=staff, rng=rng, now=now)


def _with_plans(people):
    return set(
        TouchPlan.objects.live().filter(contact__in=people).values_list("contact", flat=True)
    )


def _referral_cards(replay, start, *, rng, now):
    """A card for each referral whose follow-up found a next step; its people's calls since."""
    people = []
    for referral, followed_up in replay.next_steps:
        person = referral.person
        card = _card(referral.to_user, person, Source.REFERRAL, followed_up, rng=rng, now=now)
        won = card.stage == Stage.WON
        cultivation.record_outcome(
            referral,
            outcome=Referral.Outcome.BECAME_CLIENT if won else Referral.Outcome.NEXT_STEP,
            at=card.stage_entered_at if won else followed_up,
            card=card,
        )
        people.append(person.pk)
    later = cultivation.Replay(
        rng=rng,
        now=now,
        organisations=replay.organisations,
        staff=replay.staff,
        referrals=False,
        protected=set(people),
        people=_with_plans(people),
    )
    later.run(start)


def _card(owner, person, source, opened, *, rng, now):
    """One card opened at `opened`, walked through the board until now."""
    priority = rng.choice(Priority.values)
    first = Stage.CONNECTING if source == Source.INBOUND else Stage.RESEARCH
    moves = [(first, opened, "")]
    walk = Walk(owner=owner, person=person, priority=priority, rng=rng, now=now, moves=moves)
    with contextlib.suppress(Now):  # the walk reached today: the card stays where it is
        walk.run()
    final = moves[-1][0]
    card = factories.OpportunityFactory(
        title=f"{person.organisation.name}: {rng.choice(WORK_KINDS)}",
        organisation=person.organisation,
        owner=owner,
        stage=final,
        priority=priority,
        source=source,
        estimated_value=walk.value or rng.choice([None, *VALUES]),
        lost_reason=moves[-1][2] if final == Stage.LOST else "",
        history=False,
    )
    factories.OpportunityContactFactory(
        opportunity=card, contact=person, role="Decision maker", is_primary=True
    )
    previous = ""
    for stage, at, note in moves:
        StageChange.objects.create(
            opportunity=card, by=owner, at=at, from_stage=previous, to_stage=stage, note=note
        )
        previous = stage
    Opportunity.objects.filter(pk=card.pk).update(stage_entered_at=at, created_at=opened)
    card.stage_entered_at = at
    return card


class Walk:
    """A card's moves from its first stage, with what each does to its person, in time order.
    Raises `Now` when the next step would be in the future."""

    def __init__(self, *, owner, person, priority, rng, now, moves):
        self.owner, self.person, self.priority = owner, person, priority
        self.rng, self.now, self.moves = rng, now, moves
        self.value = None

    def at(self, after, days):
        when = after + timedelta(days=self.rng.randint(*days), hours=self.rng.randint(0, 6))
        if when >= self.now:
            raise Now
        return when

    def move(self, stage, at, note=""):
        self.moves.append((stage, at, note))

    def run(self):
        stage, opened, _ = self.moves[0]
        if stage == Stage.RESEARCH:
            entered = self.at(opened, (4, 25))
            if self.rng.random() < 0.15:
                self.move(Stage.LOST, entered, self.rng.choice(LOST_REASONS))
                return
            self.move(Stage.CONNECTING, entered)
        else:
            entered = opened
        self.connecting(entered)

    def connecting(self, entered):
        follow_up_start(contact=self.person, priority=self.priority, by=self.owner, met_at=entered)
        answered = self.rng.random() < 0.65
        last = self.attempts(entered, self.rng.randint(1, 2) if answered else 3)
        if answered:
            reply = self.at(last, (1, 5))
            touch_log(
                contact=self.person,
                method="email",
                direction="theirs",
                by=self.owner,
                at=reply,
                note="They wrote back: glad to talk.",
            )
            self.after_answer(self.at(reply, (3, 20)))
        else:
            waited = FollowUp.objects.get(contact=self.person).exhausts_at
            if waited >= self.now:
                raise Now
            follow_ups_exhaust(now=waited)
            decided = self.at(waited, (1, 6))
            if self.rng.random() < 0.6:
                self.leave_connecting(Stage.LOST, decided, NO_ANSWER)
            else:
                self.leave_connecting(Stage.RESEARCH, decided, "Try another way in later.")

    def attempts(self, entered, count):
        """Follow-up attempts, most within the priority's deadline, some late."""
        hours = due_hours(self.priority)
        last = entered
        for number in range(count):
            late = self.rng.random() < 0.25
            share = self.rng.uniform(1.1, 1.8) if late else self.rng.uniform(0.2, 0.9)
            last = last + timedelta(hours=hours * share)
            if last >= self.now:
                raise Now
            touch_log(contact=self.person, method=ATTEMPT_METHODS[number], by=self.owner, at=last)
        return last

    def after_answer(self, at):
        chance = self.rng.random()
        if chance < 0.15:
            self.leave_connecting(Stage.WON, at)
        elif chance < 0.3:
            self.leave_connecting(Stage.LOST, at, self.rng.choice(LOST_REASONS))
        else:
            self.leave_connecting(Stage.CULTIVATING, at)
            touch_plan_start_for_card(contact=self.person, by=self.owner, now=at)
            cultivation.backdate_events([self.person.pk], [Action.PLAN_STARTED], at)
            self.cultivating(at)

    def leave_connecting(self, stage, at, note=""):
        self.move(stage, at, note)
        follow_up_close(contact=self.person, by=self.owner, note=f"Moved to {stage.label}.")
        FollowUp.objects.filter(contact=self.person, ended_at__gt=at).update(ended_at=at)
        cultivation.backdate_events([self.person.pk], [Action.FOLLOW_UP_CLOSED], at)
        if stage == Stage.WON:
            self.won(at)

    def cultivating(self, entered):
        decided = self.at(entered, (20, 120))
        chance = self.rng.random()
        if chance < 0.5:
            self.move(Stage.WON, decided)
            self.won(decided)
        elif chance < 0.85:
            self.move(Stage.LOST, decided, self.rng.choice(LOST_REASONS))

    def won(self, at):
        self.value = self.rng.choice(VALUES)
        when = timezone.localdate(at)
        touch_plan_serve(
            contact=self.person, by=self.owner, why=f"Won on {when:%-d %b %Y}.", now=at
        )
        cultivation.backdate_events(
            [self.person.pk], [Action.PLAN_STARTED, Action.PLAN_CHANGED], at
        )
