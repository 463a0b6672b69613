"""Organisations: added and edited by anyone signed in, one name each (in any case)."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from convivio.errors import RuleViolation
from convivio.limits import check_text

from .. import policy
from ..models import Organisation

ORGANISATION_FIELDS = ("name", "website", "sector", "notes")


def _tidy(changes):
    tidy = {}
    for name, value in changes.items():
        value = (value or "").strip()
        if "\x00" in value:
            raise RuleViolation("Text cannot contain a NUL character: type it again.")
        if name == "website" and value and "://" not in value:
            value = "https://" + value  # as the form assumes: "quayside.example"
        tidy[name] = value
    check_text(tidy.get("notes"), what="The notes")
    if "name" in tidy and not tidy["name"]:
        raise RuleViolation("Give the organisation's name.")
    return tidy


def _clash(name, *, exclude=None):
    same = Organisation.objects.filter(name__iexact=name).exclude(pk=exclude).first()
    if same is None:
        return None
    return f"There is already an organisation called “{same.name}”: choose it, or another name."


def _save(organisation, names=None):
    """Validate and save; a name another request took meanwhile is a sentence too."""
    exclude = [f.name for f in Organisation._meta.fields if names and f.name not in names]
    try:
        organisation.full_clean(exclude=exclude, validate_constraints=False)
    except ValidationError as error:
        raise RuleViolation(" ".join(error.messages)) from error
    try:
        with transaction.atomic():
            organisation.save(update_fields=names)
    except IntegrityError as error:
        raise RuleViolation(_clash(organisation.name) or "That name is taken.") from error


def _require_signed_in(by, doing):
    policy.require(policy.is_signed_in(by), f"Sign in to {doing}.")


@transaction.atomic
def organisation_create(*, by, name, website="", sector="", notes=""):
    """Add an organisation: anyone signed in. Its name is its own, in any case."""
    _require_signed_in(by, "add an organisation")
    details = _tidy(dict(name=name, website=website, sector=sector, notes=notes))
    clash = _clash(details["name"])
    if clash:
        raise RuleViolation(clash)
    organisation = Organisation(**details)
    _save(organisation)
    return organisation


@transaction.atomic
def organisation_update(*, organisation, by, **changes):
    """Change an organisation's name, website, sector or notes: anyone signed in.
    A name another organisation has (in any case) is refused."""
    _require_signed_in(by, "change an organisation")
    unknown = set(changes) - set(ORGANISATION_FIELDS)
    if unknown:
        raise RuleViolation(f"These details cannot be changed here: {', '.join(sorted(unknown))}.")
    locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
    changes = _tidy(changes)
    names = [name for name, value in changes.items() if getattr(locked, name) != value]
    if not names:
        return locked
    if "name" in names:
        clash = _clash(changes["name"], exclude=locked.pk)
        if clash:
            raise RuleViolation(clash)
    for name in names:
        setattr(locked, name, changes[name])
    _save(locked, names)
    for name in names:
        setattr(organisation, name, changes[name])
    return locked


@transaction.atomic
def organisation_for_name(*, by, name):
    """The organisation called `name` (any case), added if there is none yet."""
    _require_signed_in(by, "add an organisation")
    name = _tidy({"name": name})["name"]
    existing = Organisation.objects.filter(name__iexact=name).first()
    return existing or organisation_create(by=by, name=name)
