"""Tags on people ("Board members", a Contactually bucket, a Google label).

A tag's name is its own whatever its case: "clients" finds "Clients". Naming a tag
that does not exist yet adds it. Changing a person's tags leaves a history row.
"""

from django.db import IntegrityError, transaction
from django.db.models.functions import Lower

from convivio.errors import RuleViolation

from .. import policy
from ..history import field_change
from ..models import Contact, ContactEvent, Tag

TAG_NAME_MAX = Tag._meta.get_field("name").max_length
TAGS_MAX = 50
"""How many tags one person may carry."""


def tag_names(text):
    """The names in a comma-separated `text` ("clients, Board members,"): trimmed, empty
    pieces left out, each name once whatever its case (the first spelling wins)."""
    if "\x00" in (text or ""):
        raise RuleViolation("Tags cannot contain a NUL character: type them again.")
    return _unique(tag_name_checked(piece) for piece in (text or "").split(",") if piece.strip())


def _unique(names):
    seen = {}
    for name in names:
        seen.setdefault(name.casefold(), name)
    return list(seen.values())


def tag_name_checked(name):
    """`name` trimmed, or a refusal: NUL, only spaces, too long, a comma."""
    if not isinstance(name, str) or "\x00" in name:
        raise RuleViolation("A tag name cannot contain a NUL character: type it again.")
    name = name.strip()
    if not name:
        raise RuleViolation("A tag needs a name: one made only of spaces is not a name.")
    if len(name) > TAG_NAME_MAX:
        raise RuleViolation(
            f"A tag name is {len(name):,} characters long: keep it to {TAG_NAME_MAX} or fewer."
        )
    if "," in name:
        raise RuleViolation(f"A tag name cannot contain a comma (“{name[:40]}”): commas part tags.")
    return name


def tag_clash(name, *, exclude=None):
    """The sentence refusing `name` for a tag because another has it in some case, or ""."""
    same = Tag.objects.filter(name__iexact=name).exclude(pk=exclude).first()
    return f"There is already a tag called “{same.name}”: use that one." if same else ""


def tags_for_names(names):
    """The tags called `names` (any case), the missing ones added: two or three queries."""
    names = _unique(tag_name_checked(name) for name in names)
    if len(names) > TAGS_MAX:
        raise RuleViolation(f"{len(names)} tags is too many for one person: keep to {TAGS_MAX}.")
    if not names:
        return []
    wanted = {name.casefold() for name in names}
    found = {tag.name.casefold(): tag for tag in _named(wanted)}
    missing = [name for name in names if name.casefold() not in found]
    if missing:
        found |= {tag.name.casefold(): tag for tag in _add(missing)}
    return [found[name.casefold()] for name in names]


def _named(folded):
    # name__iexact per name would be one OR per tag; Lower() compares them in one IN.
    return Tag.objects.alias(folded=Lower("name")).filter(folded__in=folded)


def _add(names):
    """Create `names`; one another request added meanwhile is read, not refused."""
    try:
        with transaction.atomic():
            return Tag.objects.bulk_create([Tag(name=name) for name in names])
    except IntegrityError:
        return [_get_or_add(name) for name in names]


def _get_or_add(name):
    tag = Tag.objects.filter(name__iexact=name).first()
    return tag or Tag.objects.create(name=name)


def tags_change(person, tags):
    """Set `person`'s tags to `tags`; the history entry for it, or None if nothing changed.
    For the services that already hold the person locked and checked."""
    before = sorted(person.tags.values_list("name", flat=True), key=str.casefold)
    after = sorted((tag.name for tag in tags), key=str.casefold)
    if before == after:
        return None
    person.tags.set(tags)
    return field_change(Contact, "tags", ", ".join(before), ", ".join(after))


@transaction.atomic
def contact_tag(*, contact, by, names):
    """Give a person exactly the tags `names` (any case; new names are added as tags): the
    person's owner or a manager, as for their other details. A history row says from
    what to what; the same tags again record nothing."""
    person = (
        Contact.objects.select_for_update(of=("self",)).select_related("owner").get(pk=contact.pk)
    )
    policy.require(
        policy.can_change_person(by, person), policy.person_refusal(person, "change their tags")
    )
    if person.retired_reason:
        raise RuleViolation(person.retired_reason)
    entry = tags_change(person, tags_for_names(names))
    if entry is not None:
        ContactEvent.objects.create(
            contact=person, action=ContactEvent.Action.UPDATED, by=by, changes=[entry]
        )
    return person
