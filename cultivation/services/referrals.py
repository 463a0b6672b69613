"""The referral ledger: recording introductions and what became of them."""

from django.db import transaction
from django.utils import timezone

from convivio.errors import RuleViolation

from .. import policy, seams
from ..models import Contact, ContactEvent, Referral

Action = ContactEvent.Action
Direction = Referral.Direction


def _sides(*, direction, person, partner, colleague):
    """The four side columns of a referral, by direction; refused if they make no sense."""
    if partner is None or colleague is None:
        raise RuleViolation("Say who the partner and the colleague are.")
    if partner.pk == person.pk:
        raise RuleViolation(f"{person.name} cannot be introduced to or by themselves.")
    if direction == Direction.RECEIVED:
        return {"from_person": partner, "to_user": colleague}
    if direction == Direction.GIVEN:
        return {"by_user": colleague, "to_person": partner}
    raise RuleViolation("Say whether the referral was given or received.")


@transaction.atomic
def referral_record(*, direction, person, partner, colleague, on, need="", by, exchange=None):
    """Record a referral: received (`partner` introduced `person` to `colleague`) or given
    (`colleague` introduced `person` to `partner`). Anyone signed in may record one; a
    received referral makes the partner the person's "referred by" when it is empty.
    `exchange`: the preferral-exchange lunch the name was offered at (services/alliances.py)."""
    policy.require(policy.is_signed_in(by), "Sign in to record a referral.")
    person = Contact.objects.select_for_update(of=("self",)).get(pk=person.pk)
    sides = _sides(direction=direction, person=person, partner=partner, colleague=colleague)
    # Erased or merged (the admin's raw ids can name them), read now, not as passed in.
    for someone in (person, Contact.objects.get(pk=partner.pk)):
        if someone.retired_reason:
            raise RuleViolation(someone.retired_reason)
    if on > timezone.localdate():
        raise RuleViolation("A referral is recorded once it is made: the date is in the future.")
    referral = Referral.objects.create(
        direction=direction,
        person=person,
        on=on,
        need=need.strip(),
        recorded_by=by,
        exchange=exchange,
        **sides,
    )
    if direction == Direction.RECEIVED and person.referred_by_id is None:
        person.referred_by = partner
        person.save(update_fields=["referred_by"])
    ContactEvent.objects.create(
        contact=person, action=Action.REFERRAL_RECORDED, by=by, note=_sentence(referral)
    )
    return referral


def _sentence(referral):
    colleague = policy.full_name(referral.colleague)
    if referral.direction == Direction.RECEIVED:
        said = f"{referral.from_person.name} referred {referral.person.name} to {colleague}"
    else:
        said = f"{colleague} referred {referral.person.name} to {referral.to_person.name}"
    return f"{said} on {referral.on:%-d %b %Y}" + (
        f", for {referral.need}." if referral.need else "."
    )


@transaction.atomic
def referral_outcome(*, referral, by, outcome, card=None):
    """Record what became of a referral, once: no future, stay in touch, next step, or
    became a client (optionally with the card it led to, linked by the layer above).
    For its recorder, its colleague, the person's owner, or a manager."""
    referral = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("person__owner", "from_person", "to_person", "to_user", "by_user")
        .get(pk=referral.pk)
    )
    policy.require(
        policy.can_follow_up_referral(by, referral),
        policy.referral_refusal(referral, "record what became of it"),
    )
    if referral.person.retired_reason:  # erased or merged: nothing more about them
        raise RuleViolation(referral.person.retired_reason)
    if referral.outcome:
        raise RuleViolation(
            f"What became of this referral is already recorded: {referral.get_outcome_display()}."
        )
    if outcome not in Referral.Outcome.values:
        raise RuleViolation("Choose what became of the referral.")
    if card is not None and outcome not in (
        Referral.Outcome.NEXT_STEP,
        Referral.Outcome.BECAME_CLIENT,
    ):
        raise RuleViolation("Only a next step or a new client leads to a card.")
    referral.outcome = outcome
    referral.outcome_at = timezone.now()
    referral.outcome_by = by
    referral.save(update_fields=["outcome", "outcome_at", "outcome_by"])
    if card is not None:
        seams.referral_led_to(referral=referral, card=card)
    note = f"{_sentence(referral)} Outcome: {referral.get_outcome_display()}"
    ContactEvent.objects.create(
        contact=referral.person,
        action=Action.REFERRAL_OUTCOME,
        by=by,
        note=note + (f" ({card})." if card is not None else "."),
    )
    return referral
