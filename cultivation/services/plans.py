"""Touch plans, their due dates, snoozing, and each owner's capacity."""

from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from convivio.errors import RuleViolation

from .. import policy, schedule
from ..history import field_change
from ..models import (
    LOGGABLE_METHODS,
    Alliance,
    Contact,
    ContactEvent,
    FollowUp,
    Method,
    PlanItem,
    TouchPlan,
)

Action = ContactEvent.Action
EXCHANGE_IS_THE_LUNCH = "the preferral-exchange lunch booked with {name} is their lunch."


def _touch_base_days():
    return settings.CONVIVIO["TOUCH_BASE_DAYS"]


def capacity_refusal(owner, *, adding=1):
    """Why `owner` may not take `adding` more cultivated people, or None.

    Locks the owner's row so two plans started at once cannot both take the
    last place.
    """
    get_user_model().objects.select_for_update().filter(pk=owner.pk).first()
    maximum = settings.CONVIVIO["CAPACITY_MAX"]
    size = TouchPlan.objects.pool_of(owner).count()
    if size + adding > maximum:
        return (
            f"{owner} already cultivates {size} people, and {maximum} is the most one "
            "person can keep alive. Hand someone on or end a plan first."
        )
    return None


def counted_as(method):
    """The touches that reset a plan item of `method`: ours of that kind, and for the
    touch-base call also a "last contacted" brought in by an import (how is not known,
    but the person was in touch then)."""
    ours = Q(method=method, direction="ours")
    return ours | Q(method=Method.IMPORTED) if method == Method.CALL else ours


def _first_due(owner, method, interval, today):
    """Spread a new item's first due date over the owner's existing load of that kind."""
    window_end = today + timedelta(days=interval)
    due_dates = (
        PlanItem.objects.live()
        .filter(
            plan__contact__owner=owner,
            method=method,
            next_due_on__gt=today,
            next_due_on__lte=window_end,
        )
        .values_list("next_due_on", flat=True)
    )
    return schedule.spread_first_due(today=today, interval_days=interval, load=Counter(due_dates))


def _add_item(plan, method, interval, today):
    owner = plan.contact.owner
    last = plan.contact.touches.filter(counted_as(method)).order_by("-at").first()
    if last is not None:
        due = max(schedule.next_due_on(last.at, interval, timezone.get_current_timezone()), today)
    else:
        due = _first_due(owner, method, interval, today)
    return PlanItem.objects.create(
        plan=plan, method=method, interval_days=interval, next_due_on=due
    )


@transaction.atomic
def touch_plan_start(*, contact, by, kind=TouchPlan.Kind.CULTIVATING, now=None):
    """Give a cultivated person a touch plan: a touch-base call every 90 days (settings).

    Only the person's owner or a manager may (cultivation.policy). Strategic
    alliances also get a quarterly lunch, except a live alliance partner, whose lunch
    is the booked exchange lunch (see `plan_lunch_drop`). First due dates are spread so about
    a third of the owner's pool falls due each month. Adding a person to a
    full pool (250 by default) is refused. Returns the live plan (the
    existing one if there is one).
    """
    contact = _lock_contact(contact)
    policy.require(
        policy.can_change_person(by, contact),
        policy.person_refusal(contact, f"start a touch plan for {contact.name}"),
    )
    return _start_plan(contact, by=by, kind=kind, now=now)


@transaction.atomic
def touch_plan_start_for_card(*, contact, by, now=None):
    """A person on a card that entered Cultivating gets a touch plan, as `touch_plan_start`.

    The card's own policy already allowed the move (the board app's policy): a
    colleague moving a card puts its people into cultivation without asking
    their owner. Not for pages: they call `touch_plan_start`.
    """
    return _start_plan(_lock_contact(contact), by=by, kind=TouchPlan.Kind.CULTIVATING, now=now)


@transaction.atomic
def touch_plan_serve(*, contact, by, why, now=None):
    """A client (a card won, `why` names it) moves into servicing: a client touch plan, as
    `touch_plan_start_for_card`, or their live plan of another kind becomes a client plan.

    Never refused, since the card's move is not: someone who asked us to stop or does
    not fit in their owner's pool gets no plan, and their history says why; someone
    erased or merged is left alone (nothing more is recorded about them). Returns the
    plan, or None.
    """
    contact = _lock_contact(contact)
    if contact.retired_reason:
        return None
    plan = TouchPlan.objects.live().filter(contact=contact).first()
    if plan is not None:
        if plan.kind != TouchPlan.Kind.CLIENT:
            before = plan.get_kind_display()
            plan.kind = TouchPlan.Kind.CLIENT
            plan.save(update_fields=["kind"])
            ContactEvent.objects.create(
                contact=contact,
                action=Action.PLAN_CHANGED,
                by=by,
                note=f"{before} became {plan.get_kind_display()}: {why}",
            )
        return plan
    try:
        with transaction.atomic():
            return _start_plan(contact, by=by, kind=TouchPlan.Kind.CLIENT, now=now)
    except RuleViolation as refusal:
        ContactEvent.objects.create(
            contact=contact,
            action=Action.PLAN_NOT_STARTED,
            by=by,
            note=f"No client touch plan ({why}): {refusal}",
        )
        return None


def _lock_contact(contact):
    return (
        Contact.objects.select_for_update(of=("self",)).select_related("owner").get(pk=contact.pk)
    )


def _start_plan(contact, *, by, kind, now):
    now = now or timezone.now()
    if contact.retired_reason:
        raise RuleViolation(contact.retired_reason)
    if contact.has_asked_to_stop:
        raise RuleViolation(f"{contact.name} asked us to stop: they are not cultivated again.")
    plan = TouchPlan.objects.filter(contact=contact).first()
    if plan is not None and plan.is_live:
        return plan
    if contact.owner is not None:
        refusal = capacity_refusal(contact.owner)
        if refusal:
            raise RuleViolation(refusal)
    plan = plan or TouchPlan(contact=contact)
    plan.kind, plan.started_at, plan.started_by = kind, now, by
    plan.ended_at, plan.end_reason = None, ""
    plan.save()
    plan.items.all().delete()
    today = timezone.localdate(now)
    _add_item(plan, Method.CALL, _touch_base_days(), today)
    if (
        kind == TouchPlan.Kind.ALLIANCE
        and not Alliance.objects.live().filter(contact=contact).exists()
    ):
        # A quarterly lunch, unless they are a live alliance partner: then the exchange
        # lunch booked with them is it.
        _add_item(plan, Method.LUNCH, _touch_base_days(), today)
    ContactEvent.objects.create(
        contact=contact, action=Action.PLAN_STARTED, by=by, note=plan.get_kind_display()
    )
    return plan


@transaction.atomic
def plan_item_add(*, plan, method, interval_days, by, now=None):
    """Add another kind of touch to a plan, done every `interval_days` (the person's owner
    or a manager)."""
    plan = (
        TouchPlan.objects.select_for_update(of=("self",))
        .select_related("contact__owner")
        .get(pk=plan.pk)
    )
    _require_person(by, plan.contact, f"change the touch plan for {plan.contact.name}")
    if not plan.is_live:
        raise RuleViolation("This touch plan has ended.")
    if method not in dict(LOGGABLE_METHODS):
        raise RuleViolation(f"“{method}” is not a kind of touch.")
    if not 1 <= int(interval_days) <= 730:
        raise RuleViolation("Choose an interval between 1 day and two years.")
    if plan.items.filter(method=method).exists():
        raise RuleViolation(f"{Method(method).label} is already in the plan.")
    if method == Method.LUNCH and Alliance.objects.live().filter(contact=plan.contact).exists():
        raise RuleViolation(EXCHANGE_IS_THE_LUNCH.format(name=plan.contact.name))
    item = _add_item(plan, method, int(interval_days), timezone.localdate(now or timezone.now()))
    ContactEvent.objects.create(
        contact=plan.contact,
        action=Action.PLAN_CHANGED,
        by=by,
        note=f"Added {Method(method).label.lower()} every {interval_days} days.",
    )
    return item


def plan_lunch_drop(contact, *, by):
    """A new alliance partner's booked exchange lunch is their lunch: their live plan's own
    lunch item goes (inside a caller's transaction, which checked who may), so one lunch
    is due, not two. Logging the exchange lunch is still a lunch touch."""
    item = (
        PlanItem.objects.select_for_update()
        .live()
        .filter(plan__contact=contact, method=Method.LUNCH)
        .first()
    )
    if item is None:
        return False
    item.delete()
    ContactEvent.objects.create(
        contact=contact,
        action=Action.PLAN_CHANGED,
        by=by,
        note=f"Dropped {item.label.lower()} every {item.interval_days} days: "
        + EXCHANGE_IS_THE_LUNCH.format(name=contact.name),
    )
    return True


def end_live_plan(contact, *, by, reason):
    """End the person's live plan, if any (inside a caller's transaction)."""
    updated = (
        TouchPlan.objects.live()
        .filter(contact=contact)
        .update(ended_at=timezone.now(), end_reason=reason)
    )
    if updated:
        ContactEvent.objects.create(contact=contact, action=Action.PLAN_ENDED, by=by, note=reason)
    return bool(updated)


@transaction.atomic
def plan_end(*, plan, by, reason):
    """End a touch plan: the person leaves the owner's pool (the person's owner or a
    manager). A reason is required."""
    plan = (
        TouchPlan.objects.select_for_update(of=("self",))
        .select_related("contact__owner")
        .get(pk=plan.pk)
    )
    _require_person(by, plan.contact, f"end the touch plan for {plan.contact.name}")
    if not reason.strip():
        raise RuleViolation("Say why the plan ends: a reason is required.")
    if not plan.is_live:
        raise RuleViolation("This touch plan has already ended.")
    end_live_plan(plan.contact, by=by, reason=reason.strip())
    plan.refresh_from_db()
    return plan


@transaction.atomic
def plan_item_snooze(*, item, until, by, now=None):
    """Put a due touch off to `until`, a date after today. One click on My week, for the
    person's owner or a manager."""
    now = now or timezone.now()
    item = (
        PlanItem.objects.select_for_update(of=("self",))
        .select_related("plan__contact__owner")
        .get(pk=item.pk)
    )
    contact = item.plan.contact
    _require_person(by, contact, f"snooze {item.label.lower()} with {contact.name}")
    if not item.plan.is_live:
        raise RuleViolation("This touch plan has ended.")
    if until <= timezone.localdate(now):
        raise RuleViolation("Snooze to a date after today.")
    before = item.next_due_on
    if until == before:  # a double click or a resent form: already snoozed there
        return item
    if item.snoozed_from is None:  # snoozed again: keep the date it was first due
        item.snoozed_from = before
    item.next_due_on = until
    item.save(update_fields=["next_due_on", "snoozed_from"])
    ContactEvent.objects.create(
        contact=item.plan.contact,
        action=Action.SNOOZED,
        by=by,
        note=f"{item.label} moved from {before:%-d %b} to {until:%-d %b %Y}.",
    )
    return item


def _require_person(by, contact, doing):
    policy.require(policy.can_change_person(by, contact), policy.person_refusal(contact, doing))


def record_touch(contact, touch):
    """Reset the clocks a touch answers: its own kind, and the touch-base call if two-way."""
    methods = {touch.method} if touch.direction == "ours" else set()
    if touch.is_two_way:
        methods.add(Method.CALL)
    items = (
        PlanItem.objects.select_for_update()
        .live()
        .filter(plan__contact=contact, method__in=methods)
    )
    tz = timezone.get_current_timezone()
    for item in items:
        if item.last_done_at is not None and item.last_done_at >= touch.at:
            continue
        item.last_done_at = touch.at
        item.next_due_on = schedule.next_due_on(touch.at, item.interval_days, tz)
        item.snoozed_from = None
        item.save(update_fields=["last_done_at", "next_due_on", "snoozed_from"])


@transaction.atomic
def contact_reassign(*, contact, owner, by):
    """Hand a person to another owner (or to nobody), within that owner's capacity if they
    are cultivated. The person's owner or a manager may; a person nobody owns, anyone.
    Recorded with who, when, from whom and to whom."""
    contact = _lock_contact(contact)
    _require_person(by, contact, f"hand {contact.name} to someone else")
    if owner is not None and not owner.is_active:
        raise RuleViolation(f"{owner} is no longer active and cannot keep relationships.")
    if contact.owner_id == getattr(owner, "pk", None):
        return contact
    is_cultivated = TouchPlan.objects.live().filter(contact=contact).exists()
    if is_cultivated and owner is not None:
        refusal = capacity_refusal(owner)
        if refusal:
            raise RuleViolation(f"{contact.name} cannot move: {refusal}")
    before = contact.owner
    contact.owner = owner
    contact.save(update_fields=["owner"])
    FollowUp.objects.live().filter(contact=contact).update(owner=owner)
    ContactEvent.objects.create(
        contact=contact,
        action=Action.REASSIGNED,
        by=by,
        note=f"From {before or 'nobody'} to {owner or 'nobody'}.",
        changes=[field_change(Contact, "owner", before, owner)],
    )
    return contact


def touch_plans_start_imported(*, people, owner, by, now):
    """Start touch plans for people an import just added (inside its transaction), in a
    few queries whatever their number: a touch-base call every `interval` days, due
    `interval` days after `last_at` (the imported "last contacted") or spread over the
    owner's load. Within the owner's capacity as `touch_plan_start`: those beyond it get no
    plan. `people` is [(contact, interval, last_at)]; returns how many got no plan."""
    if owner is not None:
        get_user_model().objects.select_for_update().filter(pk=owner.pk).first()
        room = settings.CONVIVIO["CAPACITY_MAX"] - TouchPlan.objects.pool_of(owner).count()
        beyond, people = people[max(room, 0) :], people[: max(room, 0)]
    else:
        beyond = []
    if not people:
        return len(beyond)
    today = timezone.localdate(now)
    longest = max(interval for _, interval, _ in people)
    load = Counter(
        PlanItem.objects.live()
        .filter(plan__contact__owner=owner, method=Method.CALL)
        .filter(next_due_on__gt=today, next_due_on__lte=today + timedelta(days=longest))
        .values_list("next_due_on", flat=True)
    )
    plans = TouchPlan.objects.bulk_create(
        TouchPlan(contact=contact, started_at=now, started_by=by) for contact, _, _ in people
    )
    items, events = [], []
    for plan, (contact, interval, last_at) in zip(plans, people, strict=True):
        if last_at is not None:
            tz = timezone.get_current_timezone()
            due = max(schedule.next_due_on(last_at, interval, tz), today)
        else:
            due = schedule.spread_first_due(today=today, interval_days=interval, load=load)
            load[due] += 1
        items.append(
            PlanItem(plan=plan, method=Method.CALL, interval_days=interval, next_due_on=due)
        )
        note = f"{plan.get_kind_display()}: a touch-base call every {interval} days (imported)."
        events.append(
            ContactEvent(contact=contact, action=Action.PLAN_STARTED, at=now, by=by, note=note)
        )
    PlanItem.objects.bulk_create(items)
    ContactEvent.objects.bulk_create(events)
    return len(beyond)
