"""Editing a person's details, with a history row for every change."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from convivio.errors import RuleViolation

from .. import policy
from ..history import field_change
from ..models import Contact, ContactEvent

# A person's details; the owner changes by `contact_reassign`, "asked to stop" by a touch.
PERSON_FIELDS = (
    "name",
    "organisation",
    "role",
    "email",
    "phone",
    "has_opted_in",
    "how_we_know_them",
    "what_makes_them_tick",
)


@transaction.atomic
def contact_update(*, contact, by, knows=None, **changes):
    """Change a person's details: the person's owner or a manager (anyone, for a person
    nobody owns). One history row records who changed which field from what to what;
    saving what is already there records nothing."""
    person = (
        Contact.objects.select_for_update(of=("self",)).select_related("owner").get(pk=contact.pk)
    )
    policy.require(
        policy.can_change_person(by, person),
        policy.person_refusal(person, f"change {person.name}'s details"),
    )
    unknown = set(changes) - set(PERSON_FIELDS)
    if unknown:
        raise RuleViolation(f"These details cannot be changed here: {', '.join(sorted(unknown))}.")
    entries = _apply(person, changes)
    if knows is not None:
        entries += _set_knows(person, knows)
    if entries:
        ContactEvent.objects.create(
            contact=person, action=ContactEvent.Action.UPDATED, by=by, changes=entries
        )
    for name in changes:
        setattr(contact, name, getattr(person, name))
    return person


def _apply(person, changes):
    entries = [
        field_change(Contact, name, getattr(person, name), value)
        for name, value in changes.items()
        if getattr(person, name) != value
    ]
    if not entries:
        return []
    names = [entry["field"] for entry in entries]
    for name in names:
        setattr(person, name, changes[name])
    if "has_opted_in" in names:  # consent is kept with its date
        person.opted_in_at = timezone.now() if person.has_opted_in else None
        names.append("opted_in_at")
    try:
        person.full_clean(exclude=[f.name for f in Contact._meta.fields if f.name not in names])
    except ValidationError as error:
        raise RuleViolation(" ".join(error.messages)) from error
    person.save(update_fields=names)
    return entries


def _set_knows(person, knows):
    before, after = set(person.knows.all()), set(knows)
    if before == after:
        return []
    person.knows.set(after)
    return [field_change(Contact, "knows", before, after)]
