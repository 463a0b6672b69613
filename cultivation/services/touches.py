"""Logging touches: one person, a gathering of several, or an introduction of two."""

from django.db import transaction
from django.utils import timezone

from convivio.errors import RuleViolation
from convivio.limits import check_text

from .. import policy
from ..models import (
    LOGGABLE_METHODS,
    OPT_IN_METHODS,
    Acquaintance,
    Contact,
    ContactEvent,
    Direction,
    FollowUp,
    Gathering,
    Method,
    Outcome,
    Touch,
)
from . import acquaintances, follow_ups, plans

GATHERING_SIZES = (2, 3)
# Why a plan ends when a touch-base call finds the person no longer worth cultivating.
NO_LONGER_QUALIFIES = "No longer qualifies."


def touch_refusal(touch, *, contact, is_first_touch):
    """Why the method refuses this touch, or None. Follow-up limits are checked apart."""
    name = contact.name
    if touch.method not in dict(LOGGABLE_METHODS):
        return f"“{touch.method}” is not a kind of touch."
    ours = touch.direction == Direction.OURS
    if ours and contact.has_asked_to_stop:
        return (
            f"{name} asked us to stop on {timezone.localdate(contact.asked_to_stop_at):%-d %b %Y}: "
            "we don't contact them again."
        )
    if touch.outcome and touch.method != Method.CALL:
        return "Only a phone call has an outcome."
    if ours and touch.method == Method.CALL and not touch.outcome:
        return "Say how the call went: choose its outcome."
    if touch.still_qualifies is not None and not touch.is_requalifying:
        return "Only a call that reached the person says whether they are still worth cultivating."
    if ours and touch.method in OPT_IN_METHODS and not contact.has_opted_in:
        return (
            f"{name} has not opted in to email: no {touch.get_method_display().lower()} "
            "without their consent."
        )
    if ours and touch.method == Method.CALL and is_first_touch and not touch.is_arranged:
        return (
            f"A phone call as the first touch with {name} would be a cold call: never call "
            "out of the blue. Make the first connection another way, or mark the call as "
            "arranged if they agreed to it."
        )
    return None


def is_first_touch(contact, follow_up):
    """A touch now would be the first with someone just met (a live `follow_up`): where a
    call out of the blue is a cold call. The touch form's preview asks the same."""
    return follow_up is not None and not contact.touches.exists()


@transaction.atomic
def touch_log(
    *,
    contact,
    method,
    by,
    direction=Direction.OURS,
    at=None,
    note="",
    outcome="",
    is_arranged=False,
    gathering=None,
    introduced_to=None,
    still_qualifies=None,
):
    """Record a touch with a person, by the rules of docs/method.md.

    Refused: an opt-in email to someone who has not opted in, anything from us
    to someone who asked us to stop, a first call out of the blue to someone we
    are connecting with, and a follow-up attempt past the third (or a third by
    the same method as both earlier ones). A touch from them answers the
    follow-up; "asked to stop" ends their cultivation for good, so only the person's
    owner or a manager may record it.

    A call that reached them also requalifies them (`still_qualifies`, docs/method.md):
    "no longer qualifies" ends their live touch plan, not for good (they may come back and
    get a new plan later); as it ends their cultivation, only their owner or a manager may
    record it. Any other touch leaves `still_qualifies` empty.
    """
    check_text(note, what="The note")
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    if outcome == Outcome.ASKED_TO_STOP:
        policy.require(
            policy.can_change_person(by, contact),
            policy.person_refusal(contact, f"record that {contact.name} asked us to stop")
            + " Log the call as reached and tell them.",
        )
    if still_qualifies is False:
        policy.require(
            policy.can_change_person(by, contact),
            policy.person_refusal(contact, f"record that {contact.name} no longer qualifies")
            + " Log the call as still worth cultivating and tell them.",
        )
    touch = Touch(
        contact=contact,
        method=method,
        direction=direction,
        at=at or timezone.now(),
        note=note.strip(),
        outcome=outcome or "",
        is_arranged=is_arranged,
        by=by,
        gathering=gathering,
        introduced_to=introduced_to,
        still_qualifies=still_qualifies,
    )
    follow_up = FollowUp.objects.select_for_update().live().filter(contact=contact).first()
    is_first = is_first_touch(contact, follow_up)
    refusal = touch_refusal(touch, contact=contact, is_first_touch=is_first)
    if refusal is None and follow_up is not None:
        follow_up.contact = contact
        earlier = list(follow_up.attempts.values_list("method", flat=True))
        refusal = follow_ups.attempt_refusal(follow_up, touch, earlier)
    if refusal:
        raise RuleViolation(refusal)
    if follow_up is not None:
        follow_ups.record_attempt(follow_up, touch)
    touch.save()
    plans.record_touch(contact, touch)
    if touch.outcome == Outcome.ASKED_TO_STOP:
        _stop(contact, touch)
    if touch.still_qualifies is False:
        plans.end_live_plan(contact, by=touch.by, reason=NO_LONGER_QUALIFIES)
    return touch


def _stop(contact, touch):
    """They asked us to stop: cultivation ends for good, and so does an alliance (no more
    exchange lunches); the history stays."""
    # alliances.py logs its lunches through touch_log: imported here, not above.
    from .alliances import ASKED_TO_STOP, end_live_alliance

    contact.asked_to_stop_at = touch.at
    contact.save(update_fields=["asked_to_stop_at"])
    plans.end_live_plan(contact, by=touch.by, reason="They asked us to stop.")
    end_live_alliance(contact, by=touch.by, reason=ASKED_TO_STOP, now=touch.at)
    follow_ups.follow_up_close(contact=contact, by=touch.by, note="They asked us to stop.")
    contact.promises.open().update(released_at=touch.at, release_reason="They asked us to stop.")
    ContactEvent.objects.create(
        contact=contact, action=ContactEvent.Action.ASKED_TO_STOP, at=touch.at, by=touch.by
    )


@transaction.atomic
def gathering_log(*, contacts, by, at=None, note=""):
    """A lunch or coffee with two or three people: one gathering, a touch for each."""
    people = list(dict.fromkeys(contacts))
    if len(people) not in GATHERING_SIZES:
        raise RuleViolation(
            "A lunch or coffee brings together two or three people: choose two or three."
        )
    gathering = Gathering.objects.create(at=at or timezone.now(), by=by, note=note.strip())
    for person in people:
        touch_log(
            contact=person,
            method=Method.LUNCH,
            by=by,
            at=gathering.at,
            note=note,
            gathering=gathering,
        )
    return gathering


@transaction.atomic
def introduction_log(*, contact, expert, by, at=None, note=""):
    """Introduce our contact to an expert we know: they now know each other; both are touched."""
    if contact.pk == expert.pk:
        raise RuleViolation("An introduction needs two different people.")
    at = at or timezone.now()
    touches = [
        touch_log(
            contact=person,
            method=Method.INTRODUCTION,
            by=by,
            at=at,
            note=note,
            introduced_to=other,
        )
        for person, other in ((contact, expert), (expert, contact))
    ]
    # They now know each other: a fact that follows from the introduction, whoever logged it.
    who = policy.full_name(by) if by is not None else "us"
    acquaintances.record_link(
        contact, expert, by=by, how=Acquaintance.How.MET_AT, detail=f"introduced by {who}"
    )
    return touches
