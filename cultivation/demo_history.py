"""A year of cultivation for the demo firm, replayed week by week through the services.

Each staff member gets a pool that grows over the year. Every week the touch-base calls
that fell due are logged with `touch_log(at=…)`, so plan items, follow-ups and history move
exactly as they would have. Outcomes follow docs/method.md's funnel: about half the calls
reach the person, about half of those find no need, the rest a need, a meeting or a
referral; each month someone asks us to stop and someone no longer qualifies.

Some services stamp what they cause with the current time (a plan's end, history events,
a referral's follow-up): a replay moves those stamps back to the moment of the touch or
decision that caused them (`backdate_events`, and updates beside each), and changes
nothing else.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.utils import timezone

from convivio.errors import RuleViolation

from . import factories
from .models import (
    Contact,
    ContactEvent,
    Method,
    Outcome,
    PlanItem,
    Promise,
    Referral,
    TouchPlan,
)
from .services import (
    promise_keep,
    promise_make,
    promise_release,
    referral_outcome,
    referral_record,
    touch_log,
    touch_plan_start,
)

Action = ContactEvent.Action
HISTORY_MONTHS = 12
# Each staff member's pool a year ago, and the people they add to it every month since:
# with the people their cards and referrals bring, about 60 by now (a quarter of the
# method's 240, to keep `seed_demo` quick).
FIRST_POOL = 30
JOINING_PER_MONTH = 1
# A staff member's calls in a month take outcomes from this deck, in order, reshuffled
# every 16 calls: the rarer outcomes come first, so every month has each of them.
RARE = [Outcome.NEED_FOUND, Outcome.MEETING_AGREED, Outcome.REFERRAL_GIVEN]
COMMON = [Outcome.NOT_REACHED] * 8 + [Outcome.NO_NEED] * 4
# From the month's 4th call on, the first call to someone not protected is the month's
# "let's stop" (for one staff member in three, in turn) or "no longer qualifies" (for
# another).
STOP_AT = 3
NEEDS = [
    "Succession planning for the family business",
    "A second opinion on a property purchase",
    "Audit of a growing charity",
    "Restructuring after a merger",
    "Advice on a first overseas office",
]
PROMISES = [
    "Send the article on cash-flow forecasting",
    "Introduce them to our tax partner",
    "Share the sector salary survey",
    "Invite them to the autumn seminar",
    "Send the checklist for a board review",
]
REFERRAL_FATES = [
    Referral.Outcome.NO_FUTURE,
    Referral.Outcome.STAY_IN_TOUCH,
    Referral.Outcome.NEXT_STEP,
]


def history_start(now):
    """The first day of the month twelve months before this one, in the firm's zone."""
    today = timezone.localdate(now)
    month = today.year * 12 + today.month - 1 - HISTORY_MONTHS
    return today.replace(year=month // 12, month=month % 12 + 1, day=1)


def moment(day, rng):
    """A moment in working hours on `day`, in the firm's zone."""
    return timezone.make_aware(
        datetime.combine(day, time(rng.randint(9, 16), rng.randrange(0, 60)))
    )


def backdate_events(contact_ids, actions, at):
    """History events the services just wrote (stamped now) happened at `at`."""
    ContactEvent.objects.filter(contact_id__in=contact_ids, action__in=actions, at__gt=at).update(
        at=at
    )


def new_people(owner, organisations, count, *, rng, at):
    """`count` new people for `owner`, added at `at`, in one insert."""
    people = Contact.objects.bulk_create(
        factories.ContactFactory.build(owner=owner, organisation=rng.choice(organisations))
        for _ in range(count)
    )
    Contact.objects.filter(pk__in=[person.pk for person in people]).update(created_at=at)
    return people


def plan_start(contact, *, at, by=None, kind=TouchPlan.Kind.CULTIVATING):
    """Start a plan at `at` through the service; its history event dated then too."""
    plan = touch_plan_start(contact=contact, by=by or contact.owner, kind=kind, now=at)
    backdate_events([contact.pk], [Action.PLAN_STARTED], at)
    return plan


@dataclass
class Replay:
    """The week-by-week replay of touch-base calls for a set of people."""

    rng: random.Random
    now: datetime
    organisations: list
    staff: list
    referrals: bool = True  # a "referral given" call records the referral and its outcome
    protected: set = field(default_factory=set)  # never asked to stop nor unqualified
    joining: list = field(default_factory=list)  # (when, person): plans to start then
    people: set = field(default_factory=set)
    decks: dict = field(default_factory=dict)
    calls: dict = field(default_factory=dict)  # calls so far per staff member and month
    ended: set = field(default_factory=set)  # staff members' months that ended a plan
    next_steps: list = field(default_factory=list)  # (referral, followed up at)

    def run(self, start):
        today = timezone.localdate(self.now)
        week = start
        while week <= today:
            end = week + timedelta(days=7)
            self._join(until=end)
            for item in self._due(end):
                self._call(item, max(item.next_due_on, week))
            week = end
        self._join(until=today + timedelta(days=1))

    def _join(self, until):
        self.joining.sort(key=lambda pair: pair[0])
        while self.joining and timezone.localdate(self.joining[0][0]) < until:
            at, person = self.joining.pop(0)
            if at < self.now:
                plan_start(person, at=at)
                self.people.add(person.pk)

    def _due(self, end):
        return list(
            PlanItem.objects.live()
            .filter(method=Method.CALL, plan__contact__in=self.people, next_due_on__lt=end)
            .select_related("plan__contact__owner")
            .order_by("next_due_on", "pk")
        )

    def _call(self, item, day):
        at = moment(day, self.rng)
        if at >= self.now:
            return
        contact = item.plan.contact
        outcome, qualifies = self._outcome(contact, at)
        touch_log(
            contact=contact,
            method=Method.CALL,
            outcome=outcome,
            is_arranged=True,
            still_qualifies=qualifies,
            by=contact.owner,
            at=at,
            note="Quarterly touch-base.",
        )
        if outcome == Outcome.ASKED_TO_STOP or qualifies is False:
            TouchPlan.objects.filter(contact=contact).update(ended_at=at)
            backdate_events([contact.pk], [Action.PLAN_ENDED], at)
        if outcome == Outcome.REFERRAL_GIVEN and self.referrals:
            self._referral(contact, at)

    def _outcome(self, contact, at):
        key = (contact.owner_id, at.year, at.month)
        number = self.calls[key] = self.calls.get(key, -1) + 1
        if number % 16 == 0:
            rest = COMMON + [self.rng.choice(RARE)]
            self.rng.shuffle(rest)
            self.decks[key] = [RARE[0], rest[0], RARE[1], rest[1], RARE[2], *rest[2:]]
        outcome = self.decks[key][number % 16]
        turn = (at.month + self._index(contact.owner_id)) % 3
        if number >= STOP_AT and key not in self.ended and contact.pk not in self.protected:
            if turn == 0:
                self.ended.add(key)
                return Outcome.ASKED_TO_STOP, None
            if turn == 1 and outcome != Outcome.NOT_REACHED:
                self.ended.add(key)
                return outcome, False
        if outcome == Outcome.NOT_REACHED:
            return outcome, None
        return outcome, True

    def _index(self, owner_id):
        return [user.pk for user in self.staff].index(owner_id)

    def _referral(self, partner, at):
        """`partner` gave us a name on the call: a new person, referred to the caller."""
        owner = partner.owner
        (person,) = new_people(owner, self.organisations, 1, rng=self.rng, at=at)
        referral = referral_record(
            direction=Referral.Direction.RECEIVED,
            person=person,
            partner=partner,
            colleague=owner,
            on=timezone.localdate(at),
            need=self.rng.choice(NEEDS),
            by=owner,
        )
        Referral.objects.filter(pk=referral.pk).update(recorded_at=at)
        backdate_events([person.pk], [Action.REFERRAL_RECORDED], at)
        followed_up = at + timedelta(days=self.rng.randint(3, 20))
        if followed_up >= self.now:
            return  # not followed up yet
        fate = REFERRAL_FATES[referral.pk % 3]
        if fate == Referral.Outcome.NEXT_STEP:
            self.next_steps.append((referral, followed_up))
            return
        record_outcome(referral, outcome=fate, at=followed_up)
        if fate == Referral.Outcome.STAY_IN_TOUCH:
            self.joining.append((followed_up, person))


def record_outcome(referral, *, outcome, at, card=None):
    """What became of `referral`, through the service, dated `at`."""
    referral_outcome(referral=referral, by=referral.colleague, outcome=outcome, card=card)
    Referral.objects.filter(pk=referral.pk).update(outcome_at=at)
    backdate_events([referral.person_id], [Action.REFERRAL_OUTCOME], at)


def build_pools(*, staff, organisations, rng, now):
    """Each staff member's pool over the year: a first pool, then a few people a month.
    Returns the replay, ready to run from `history_start(now)`."""
    start = history_start(now)
    replay = Replay(rng=rng, now=now, organisations=organisations, staff=staff)
    for owner in staff:
        first = moment(start, rng)
        replay.joining += [
            (first, person)
            for person in new_people(owner, organisations, FIRST_POOL, rng=rng, at=first)
        ]
        for month in range(1, HISTORY_MONTHS + 1):
            day = start + timedelta(days=30 * month + rng.randint(0, 20))
            at = moment(day, rng)
            if at < now:
                people = new_people(owner, organisations, JOINING_PER_MONTH, rng=rng, at=at)
                replay.joining += [(at, person) for person in people]
    return replay


def build_given_referrals(*, staff, rng, now):
    """About one referral a month from each staff member to a partner in their pool."""
    start = history_start(now)
    for owner in staff:
        people = list(Contact.objects.in_touch().filter(owner=owner).order_by("pk"))
        for month in range(HISTORY_MONTHS + 1):
            day = start + timedelta(days=30 * month + rng.randint(1, 25))
            at = moment(day, rng)
            if at >= now:
                break
            person, partner = rng.sample([p for p in people if p.created_at <= at], 2)
            referral = referral_record(
                direction=Referral.Direction.GIVEN,
                person=person,
                partner=partner,
                colleague=owner,
                on=day,
                need=rng.choice(NEEDS),
                by=owner,
            )
            Referral.objects.filter(pk=referral.pk).update(recorded_at=at)
            backdate_events([person.pk], [Action.REFERRAL_RECORDED], at)
            followed_up = at + timedelta(days=rng.randint(5, 30))
            if followed_up < now:
                record_outcome(referral, outcome=REFERRAL_FATES[month % 3], at=followed_up)


def build_promises(*, staff, rng, now):
    """Two promises a month for each staff member: most kept, some late, a few released,
    the latest still open."""
    start = history_start(now)
    for owner in staff:
        people = list(Contact.objects.in_touch().filter(owner=owner).order_by("pk"))
        for number in range(2 * (HISTORY_MONTHS + 1)):
            made = moment(start + timedelta(days=15 * number + rng.randint(1, 14)), rng)
            if made >= now:
                break
            known = [person for person in people if person.created_at <= made]
            _promise(owner, rng.choice(known), number, made, rng=rng, now=now)


def _promise(owner, person, number, made, *, rng, now):
    due_on = timezone.localdate(made) + timedelta(days=rng.randint(5, 21))
    promise = promise_make(
        contact=person, owner=owner, what=PROMISES[number % 5], due_on=due_on, by=owner
    )
    Promise.objects.filter(pk=promise.pk).update(made_at=made)
    backdate_events([person.pk], [Action.PROMISE_MADE], made)
    settled = moment(due_on + timedelta(days=rng.choice([-4, -2, -1, 0, 0, 2, 6])), rng)
    if settled >= now or settled <= made:
        return
    try:
        if number % 9 == 4:
            promise_release(promise=promise, by=owner, reason="They found what they needed.")
            Promise.objects.filter(pk=promise.pk).update(released_at=settled)
            backdate_events([person.pk], [Action.PROMISE_RELEASED], settled)
        else:
            promise_keep(promise=promise, by=owner, method=Method.EMAIL, at=settled)
            backdate_events([person.pk], [Action.PROMISE_KEPT], settled)
    except RuleViolation:
        pass  # they asked us to stop meanwhile: the promise stays as the service left it
