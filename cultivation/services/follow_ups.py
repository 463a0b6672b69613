"""The follow-up after meeting someone new."""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from convivio.errors import RuleViolation

from .. import policy, schedule
from ..models import Contact, ContactEvent, FollowUp, Priority
from ..models.follow_ups import MAX_ATTEMPTS

Action = ContactEvent.Action


def due_hours(priority):
    """Hours from meeting someone to their first follow-up, by priority; refused if unknown."""
    value = str(priority)
    if value not in Priority.values:
        choices = ", ".join(str(label).lower() for label in Priority.labels)
        raise RuleViolation(f"“{value}” is not a priority: choose one of {choices}.")
    hours = settings.CONVIVIO["FOLLOW_UP_HOURS"]
    if value not in hours:
        raise ImproperlyConfigured(f"CONVIVIO['FOLLOW_UP_HOURS'] has no entry for “{value}”.")
    return hours[value]


def _when(moment):
    return f"{timezone.localtime(moment):%a %-d %b %H:%M}"


@transaction.atomic
def follow_up_start(*, contact, priority, by, met_at=None):
    """After meeting someone new, a follow-up falls due by the card's priority.

    Hot lead 48 hours, referral partner 7 days, low priority 21 days
    (settings). Returns the live follow-up (the one already running, if any),
    or None for a person who asked us to stop: they are never reminded again.
    """
    hours = due_hours(priority)
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    if contact.has_asked_to_stop:
        return None
    live = contact.follow_ups.live().first()
    if live is not None:
        return live
    met_at = met_at or timezone.now()
    follow_up = FollowUp.objects.create(
        contact=contact,
        owner=contact.owner or by,
        priority=priority,
        met_at=met_at,
        next_due_at=schedule.follow_up_due_at(met_at, hours),
    )
    ContactEvent.objects.create(
        contact=contact,
        action=Action.FOLLOW_UP_STARTED,
        at=min(met_at, timezone.now()),
        by=by,
        note=f"First follow-up due by {_when(follow_up.next_due_at)}.",
    )
    return follow_up


def record_attempt(follow_up, touch):
    """Count `touch` (already checked) against the live follow-up and save both."""
    touch.follow_up = follow_up
    if touch.is_two_way:
        follow_up.status = FollowUp.Status.ANSWERED
        follow_up.ended_at = touch.at
        follow_up.next_due_at = None
        ContactEvent.objects.create(
            contact=follow_up.contact,
            action=Action.FOLLOW_UP_ANSWERED,
            at=touch.at,
            by=touch.by,
            note=f"{touch.get_method_display()} ({touch.get_direction_display().lower()}).",
        )
    else:
        follow_up.attempt_count += 1
        follow_up.last_attempt_at = touch.at
        if follow_up.attempt_count < MAX_ATTEMPTS:
            follow_up.next_due_at = schedule.follow_up_due_at(
                touch.at, due_hours(follow_up.priority)
            )
        else:
            follow_up.next_due_at = None
            days = settings.CONVIVIO["FOLLOW_UP_EXHAUSTED_AFTER_DAYS"]
            follow_up.exhausts_at = schedule.elapsed_after(touch.at, timedelta(days=days))
    follow_up.save(
        update_fields=[
            "status",
            "ended_at",
            "next_due_at",
            "attempt_count",
            "last_attempt_at",
            "exhausts_at",
        ]
    )


def attempt_refusal(follow_up, touch, earlier_methods):
    """Why `touch` may not be another attempt of `follow_up`, or None."""
    if touch.is_two_way or touch.direction != "ours":
        return None
    name = follow_up.contact.name
    if follow_up.attempt_count >= MAX_ATTEMPTS:
        return (
            f"Three attempts to reach {name} went unanswered: a fourth is refused. "
            "Don't be a stalker: decide whether the card goes back to Research or to Lost."
        )
    if follow_up.attempt_count == MAX_ATTEMPTS - 1 and set(earlier_methods) == {touch.method}:
        return (
            f"The third attempt must use a different method: both earlier attempts to reach "
            f"{name} were by {touch.get_method_display().lower()}."
        )
    return None


@transaction.atomic
def follow_up_close(*, contact, by, note=""):
    """Close the person's live follow-up: someone decided (the card moved on). None if none."""
    follow_up = FollowUp.objects.select_for_update().live().filter(contact=contact).first()
    if follow_up is None:
        return None
    follow_up.status = FollowUp.Status.CLOSED
    follow_up.ended_at = timezone.now()
    follow_up.next_due_at = None
    follow_up.save(update_fields=["status", "ended_at", "next_due_at"])
    ContactEvent.objects.create(
        contact_id=follow_up.contact_id, action=Action.FOLLOW_UP_CLOSED, by=by, note=note
    )
    return follow_up


@transaction.atomic
def follow_ups_exhaust(*, now=None):
    """Mark exhausted every follow-up whose third attempt has gone unanswered a week.

    The daily sweep calls it; safe to run twice (the second run finds nothing).
    Returns how many it marked.
    """
    now = now or timezone.now()
    due = FollowUp.objects.select_for_update().waited_out(now)
    rows = list(due.values_list("pk", "contact_id"))
    FollowUp.objects.open().filter(pk__in=[pk for pk, _ in rows]).update(
        status=FollowUp.Status.EXHAUSTED
    )
    ContactEvent.objects.bulk_create(
        ContactEvent(
            contact_id=contact_id,
            action=Action.FOLLOW_UP_EXHAUSTED,
            at=now,
            note="Three attempts unanswered: back to Research or Lost? A person decides.",
        )
        for _, contact_id in rows
    )
    return len(rows)


@transaction.atomic
def follow_up_snooze(*, follow_up, until, by, now=None):
    """Put the next attempt off to the morning of `until` (a date after today): the
    person's owner or a manager."""
    now = now or timezone.now()
    follow_up = (
        FollowUp.objects.select_for_update(of=("self",))
        .select_related("contact__owner")
        .get(pk=follow_up.pk)
    )
    contact = follow_up.contact
    policy.require(
        policy.can_change_person(by, contact),
        policy.person_refusal(contact, f"snooze the follow-up with {contact.name}"),
    )
    if follow_up.status != FollowUp.Status.OPEN or follow_up.next_due_at is None:
        raise RuleViolation("There is no follow-up attempt due to snooze.")
    if until <= timezone.localdate(now):
        raise RuleViolation("Snooze to a date after today.")
    before = follow_up.next_due_at
    after = timezone.make_aware(datetime.combine(until, time(9)))
    if after == before:  # a double click or a resent form: already snoozed there
        return follow_up
    follow_up.next_due_at = after
    follow_up.save(update_fields=["next_due_at"])
    ContactEvent.objects.create(
        contact_id=follow_up.contact_id,
        action=Action.SNOOZED,
        by=by,
        note=f"Follow-up moved from {_when(before)} to {_when(follow_up.next_due_at)}.",
    )
    return follow_up
