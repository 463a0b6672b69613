"""Who knows whom: "knows" links between two people, with how they know each other.

A link is symmetrical (one row each way, `Acquaintance`); adding or removing it
leaves a history row on both people. "Who could introduce us?" reads these links.
"""

from django.db import transaction
from django.utils import timezone

from convivio.errors import RuleViolation
from convivio.limits import check_text

from .. import policy
from ..models import Acquaintance, Contact, ContactEvent

DETAIL_MAX = Acquaintance._meta.get_field("detail").max_length

Action = ContactEvent.Action


@transaction.atomic
def acquaintance_add(*, contact, other, by, how="", detail=""):
    """Record that `contact` and `other` know each other, and how: anyone who may change
    either person may. Never oneself, never an erased person. A link already there is
    left as it is: nothing changes and nothing is recorded.

    Returns (the link from `contact` to `other`, whether it was added now)."""
    person, known = _lock_pair(contact, other)
    doing = f"record that {person.name} knows {known.name}"
    policy.require(_may_link(by, person, known), _refusal(by, person, known, doing))
    return record_link(person, known, by=by, how=how, detail=detail)


@transaction.atomic
def acquaintance_remove(*, contact, other, by):
    """Remove the link between two people (both directions), with a history row on each:
    anyone who may change either person. Returns False if they were not linked."""
    person, known = _lock_pair(contact, other)
    doing = f"remove the link between {person.name} and {known.name}"
    policy.require(_may_link(by, person, known), _refusal(by, person, known, doing))
    row = Acquaintance.objects.filter(from_contact=person, to_contact=known).first()
    if row is None:
        return False
    person.knows.remove(known)
    _record(person, known, Action.KNOWS_REMOVED, by=by, note=_described(known, row))
    return True


def record_link(person, known, *, by, how="", detail=""):
    """Link two people (already locked) unless they are linked: `acquaintance_add`'s rule
    without its permission check, for what follows from another change (an introduction
    we made). Returns (the link from `person` to `known`, whether it was added now)."""
    _check(person, known, how, detail)
    existing = Acquaintance.objects.filter(from_contact=person, to_contact=known).first()
    if existing is not None:
        return existing, False
    values = {"how": how, "detail": detail.strip(), "recorded_by": by}
    person.knows.add(known, through_defaults={**values, "recorded_at": timezone.now()})
    row = Acquaintance.objects.get(from_contact=person, to_contact=known)
    _record(person, known, Action.KNOWS_ADDED, by=by, note=_described(known, row))
    return row, True


def _not_oneself(person, known):
    if person.pk == known.pk:
        raise RuleViolation(f"{person.name} cannot know themselves: choose someone else.")


def _lock_pair(contact, other):
    """Both people, locked in id order (two people linking the same pair take turns)."""
    _not_oneself(contact, other)
    rows = Contact.objects.select_for_update(of=("self",)).select_related("owner")
    people = {row.pk: row for row in rows.filter(pk__in=[contact.pk, other.pk]).order_by("pk")}
    return people[contact.pk], people[other.pk]


def _check(person, known, how, detail):
    _not_oneself(person, known)
    if person.is_erased or known.is_erased:
        raise RuleViolation("An erased person's links are not recorded: choose someone else.")
    if person.is_merged or known.is_merged:
        raise RuleViolation(
            "A record merged into another person has no links of its own: choose that person."
        )
    if how not in ("", *Acquaintance.How.values):
        choices = ", ".join(str(label).lower() for label in Acquaintance.How.labels)
        raise RuleViolation(f"“{how}” is not how people know each other: choose {choices}.")
    check_text(detail, what="How they know each other", limit=DETAIL_MAX)


def _may_link(user, person, known):
    return policy.can_change_person(user, person) or policy.can_change_person(user, known)


def _refusal(user, person, known, doing):
    """“Only Alice Owner (Priya Shah's owner), Carl Other (Tom Reed's owner) or a manager
    can record that Priya Shah knows Tom Reed.”"""
    if not policy.is_signed_in(user) or None in (person.owner_id, known.owner_id):
        return f"Sign in to {doing}."
    if person.owner_id == known.owner_id:
        who = f"{policy.full_name(person.owner)}, who owns both,"
    else:
        who = ", ".join(
            f"{policy.full_name(someone.owner)} ({someone.name}'s owner)"
            for someone in (person, known)
        )
    return f"Only {who} or a manager can {doing}."


def _described(known, row):
    """ "Knows Tom Reed (alliance partner: met at the Law Society dinner)"."""
    how = ": ".join(part for part in (row.get_how_display().lower(), row.detail) if part)
    return f"Knows {known.name}" + (f" ({how})" if how else "") + "."


def _record(person, known, action, *, by, note):
    """One history row on each of the two people, naming the other."""
    mirrored = f"Knows {person.name}" + note.removeprefix(f"Knows {known.name}")
    ContactEvent.objects.bulk_create(
        [
            ContactEvent(contact=person, action=action, by=by, note=note),
            ContactEvent(contact=known, action=action, by=by, note=mirrored),
        ]
    )
