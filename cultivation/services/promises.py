"""Promises: doing what we said we would."""

from django.db import transaction
from django.utils import timezone

from convivio.errors import RuleViolation

from .. import policy, seams
from ..models import Contact, ContactEvent, Method, Promise
from .touches import touch_log

Action = ContactEvent.Action


@transaction.atomic
def promise_make(*, contact, owner, what, due_on, by, about=None):
    """Record a promise to a person, with an owner and a due date, optionally about a card.

    Anyone may record a promise they will keep; one for someone else to keep is
    for the person's owner or a manager (cultivation.policy). `about` is what
    the layer above found for `seams.promise_subject()` (a card); that layer
    records the link, in this transaction.
    """
    contact = (
        Contact.objects.select_for_update(of=("self",)).select_related("owner").get(pk=contact.pk)
    )
    policy.require(
        policy.can_make_promise(by, contact, owner),
        policy.person_refusal(
            contact, f"record a promise to {contact.name} for {policy.full_name(owner)} to keep"
        ),
    )
    if not what.strip():
        raise RuleViolation("Say what was promised.")
    if contact.has_asked_to_stop:
        raise RuleViolation(f"{contact.name} asked us to stop: no new promises to them.")
    promise = Promise.objects.create(
        contact=contact,
        owner=owner,
        what=what.strip(),
        due_on=due_on,
        made_by=by,
    )
    if about is not None:
        seams.promise_made_about(promise=promise, subject=about)
    ContactEvent.objects.create(
        contact=contact,
        action=Action.PROMISE_MADE,
        by=by,
        note=f"{promise.what}, by {due_on:%-d %b %Y} ({owner}).",
    )
    return promise


def _lock_open(promise, *, by, doing):
    """Lock the promise; refused unless `by` may settle it and it is still open."""
    promise = (
        Promise.objects.select_for_update(of=("self",))
        .select_related("contact__owner", "owner")
        .get(pk=promise.pk)
    )
    policy.require(policy.can_settle_promise(by, promise), policy.promise_refusal(promise, doing))
    if promise.kept_at is not None:
        raise RuleViolation("This promise was already kept.")
    if promise.released_at is not None:
        raise RuleViolation("This promise was already released.")
    return promise


@transaction.atomic
def promise_keep(*, promise, by, method=Method.EMAIL, at=None, note=""):
    """Keep a promise (its owner, the person's owner or a manager). A kept promise is a
    touch, so it logs one."""
    promise = _lock_open(promise, by=by, doing="keep")
    touch = touch_log(
        contact=promise.contact,
        method=method,
        by=by,
        at=at,
        note=note or f"Kept a promise: {promise.what}",
    )
    promise.kept_at = touch.at
    promise.kept_touch = touch
    promise.save(update_fields=["kept_at", "kept_touch"])
    ContactEvent.objects.create(
        contact=promise.contact, action=Action.PROMISE_KEPT, by=by, note=promise.what
    )
    return promise


@transaction.atomic
def promise_release(*, promise, by, reason):
    """Openly release a promise we will not keep (its owner, the person's owner or a
    manager). A reason is required."""
    promise = _lock_open(promise, by=by, doing="release")
    if not reason.strip():
        raise RuleViolation("Say why the promise is released: a reason is required.")
    promise.released_at = timezone.now()
    promise.release_reason = reason.strip()
    promise.save(update_fields=["released_at", "release_reason"])
    ContactEvent.objects.create(
        contact=promise.contact,
        action=Action.PROMISE_RELEASED,
        by=by,
        note=f"{promise.what}: {promise.release_reason}",
    )
    return promise
