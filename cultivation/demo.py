"""Demo cultivation for the demo firm: plans, follow-ups at every stage, promises.

Built through the services, so the demo obeys the same rules as real use.
"""

from datetime import timedelta

from . import seams
from .models import Contact, FollowUp, PlanItem, Promise, TouchPlan
from .services import (
    follow_up_start,
    plan_item_add,
    promise_keep,
    promise_make,
    touch_log,
    touch_plan_serve,
    touch_plan_start,
)

PROMISES = [
    "Send the succession-planning checklist",
    "Introduce them to our employment lawyer",
    "Share the benchmarking survey results",
    "Invite them to the spring breakfast briefing",
    "Look over their draft tender, informally",
]


def build_cultivation_demo(*, rng, now):
    """Touch plans for cultivated people, follow-ups for those being connected, promises.

    The demo cards come from the layer above, through `seams.people_on_cards`.
    """
    for index, (contact, _priority) in enumerate(seams.people_on_cards(stage="cultivating")):
        _cultivated(index, contact, rng=rng, now=now)
    for index, (contact, priority) in enumerate(seams.people_on_cards(stage="connecting")):
        _connecting(index, contact, priority, rng=rng, now=now)
    for contact, _priority in seams.people_on_cards(stage="won"):
        # Their card was won: they are clients now, cultivated too (docs/method.md).
        touch_plan_serve(contact=contact, by=contact.owner, why="Their card was won.", now=now)
    people = list(
        Contact.objects.in_touch()
        .exclude(owner=None)
        .exclude(follow_ups__in=FollowUp.objects.live())
        .order_by("pk")[:40]
    )
    for index, contact in enumerate(rng.sample(people, 12)):
        _promise(index, contact, rng=rng, now=now)


def _cultivated(index, contact, *, rng, now):
    owner = contact.owner
    kind = TouchPlan.Kind.ALLIANCE if index % 6 == 0 else TouchPlan.Kind.CULTIVATING
    # The plan started before its last call, so no touch of it falls due before it began.
    started = now - timedelta(days=120)
    plan = touch_plan_start(contact=contact, by=owner, kind=kind, now=started)
    if index % 3 == 0:
        plan_item_add(plan=plan, method="note", interval_days=180, by=owner, now=now)
    last_call = now - timedelta(days=rng.randint(40, 110))
    touch_log(
        contact=contact,
        method="call",
        outcome=rng.choice(["no_need", "not_reached", "need_found"]),
        is_arranged=True,
        by=owner,
        at=last_call,
        note="Quarterly touch-base.",
    )
    if index % 4 == 1:
        # A few fall due this week, so My week has something to show.
        PlanItem.objects.filter(plan=plan, method="call").update(
            next_due_on=(now + timedelta(days=rng.randint(-6, 2))).date()
        )
    if index == 5:
        touch_log(contact=contact, method="call", outcome="asked_to_stop", by=owner, at=now)
        # The service ends the plan at the time it runs: the demo's "now" is a minute back.
        TouchPlan.objects.filter(contact=contact).update(ended_at=now)


def _connecting(index, contact, priority, *, rng, now):
    owner = contact.owner
    met_at = now - timedelta(days=[1, 4, 9, 16, 30][index % 5])
    follow_up_start(contact=contact, priority=priority, by=owner, met_at=met_at)
    attempts = index % 4
    methods = ["email", "note", "email"]
    for number in range(attempts):
        at = met_at + timedelta(days=number * 3 + 1)
        if at >= now:
            break
        touch_log(contact=contact, method=methods[number], by=owner, at=at)


def _promise(index, contact, *, rng, now):
    owner = contact.owner
    promise = promise_make(
        contact=contact,
        owner=owner,
        what=PROMISES[index % len(PROMISES)],
        due_on=(now + timedelta(days=rng.randint(-5, 12))).date(),
        by=owner,
    )
    # Made a few days before it is kept or falls due (the service stamps it made now).
    Promise.objects.filter(pk=promise.pk).update(made_at=now - timedelta(days=3 + index))
    if index % 4 == 3:
        promise_keep(promise=promise, by=owner, method="email", at=now - timedelta(days=1))
