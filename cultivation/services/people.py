"""Adding and editing people: their details, their consent to email, and a mistaken
"asked to stop" undone. Each change leaves a history row; saving what is already
there records nothing."""

import functools
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from convivio.errors import RuleViolation
from convivio.limits import check_text

from .. import policy, seams
from ..history import field_change
from ..models import Contact, ContactEvent, Direction, Method, Outcome
from ..models.privacy import refuse_erased_email
from .organisations import organisation_for_name
from .plans import contact_reassign
from .tags import contact_tag, tags_change, tags_for_names
from .touches import touch_log

Action = ContactEvent.Action

# A person's details; the owner changes by `contact_reassign`, consent by
# `contact_opt_in`/`contact_opt_out`, "asked to stop" by a touch.
PERSON_FIELDS = (
    "name",
    "organisation",
    "role",
    "email",
    "phone",
    "linkedin_url",
    "how_we_know_them",
    "what_makes_them_tick",
    "needs",
    "referred_by",
    "referred_by_colleague",
)
LONG_TEXTS = {
    "how_we_know_them": "How we know them",
    "what_makes_them_tick": "What makes them tick",
    "needs": "Needs we have heard",
}
# The reason a card is lost when its person asked us to stop.
STOP_REASON = "asked us to stop"


def _tidy(name, value):
    """A value as it is kept: text without surrounding spaces, needs one per line."""
    if not isinstance(value, str):
        return value
    if "\x00" in value:
        raise RuleViolation("Text cannot contain a NUL character: type it again.")
    if name == "needs":
        return "\n".join(line.strip() for line in value.splitlines() if line.strip())
    if name == "linkedin_url" and value.strip() and "://" not in value:
        return "https://" + value.strip()  # as typed from the profile: "linkedin.com/in/…"
    return value.strip()


def _tidied(details):
    tidy = {name: _tidy(name, value) for name, value in details.items()}
    for name, what in LONG_TEXTS.items():
        check_text(tidy.get(name), what=what)
    if "name" in tidy and not tidy["name"]:
        raise RuleViolation("Give the person's name.")
    return tidy


def _check_referrer(person, referrer):
    if referrer is None:
        return
    if person.pk is not None and referrer.pk == person.pk:
        raise RuleViolation(f"{person.name} cannot be referred to us by themselves.")
    if referrer.is_erased:
        raise RuleViolation("An erased person cannot be named as the one who referred them.")


def _validate(person, names=None, *, erased_checked=False):
    """The model's own checks on `names` (all fields when None). `erased_checked`: the
    caller refused erased people's emails itself, in bulk (an import), so only the
    address's form is checked here, without a query per person."""
    exclude = set()
    if names is not None:
        exclude = {f.name for f in Contact._meta.fields if f.name not in names}
    if erased_checked:
        exclude.add("email")
    try:
        person.full_clean(exclude=exclude or None, validate_constraints=False)
        if erased_checked and person.email:
            for check in EMAIL_FORM_CHECKS:
                check(person.email)
    except ValidationError as error:
        raise RuleViolation(" ".join(error.messages)) from error


EMAIL_FORM_CHECKS = [
    check
    for check in Contact._meta.get_field("email").validators
    if check is not refuse_erased_email
]
IMPORTED_FIELDS = (
    "name",
    "role",
    "email",
    "phone",
    "linkedin_url",
    "how_we_know_them",
    "what_makes_them_tick",
    "needs",
)


def person_details_checked(details):
    """A new person's details (of IMPORTED_FIELDS) tidied and checked by the person form's
    rules, raising RuleViolation with the sentence; the import's way in. The erased-email
    check is left to the caller, which does it for many people in one query."""
    tidy = _tidied(details)
    try:
        for name, value in tidy.items():
            if value:  # as full_clean: a blank field's validators do not run
                for check in _field_checks(name):
                    check(value)
    except ValidationError as error:
        raise RuleViolation(" ".join(error.messages)) from error
    return tidy


@functools.cache
def _field_checks(name):
    """The model field's own validators (the erased-email check apart): what full_clean
    runs, without building a Contact for each of a file's rows."""
    if name == "email":
        return EMAIL_FORM_CHECKS
    return Contact._meta.get_field(name).validators


def _lock(contact):
    return (
        Contact.objects.select_for_update(of=("self",)).select_related("owner").get(pk=contact.pk)
    )


def _require_change(by, person, doing):
    policy.require(policy.can_change_person(by, person), policy.person_refusal(person, doing))
    if person.retired_reason:
        raise RuleViolation(person.retired_reason)


def _add_refusal(owner):
    if owner is None:
        return "Sign in to add a person."
    return f"Only a manager can add a person for {policy.full_name(owner)} to keep."


@transaction.atomic
def contact_create(
    *,
    by,
    name,
    owner=None,
    organisation=None,
    role="",
    email="",
    phone="",
    linkedin_url="",
    how_we_know_them="",
    what_makes_them_tick="",
    needs="",
    referred_by=None,
    referred_by_colleague=None,
    new_organisation="",
    tags=(),
):
    """Add a person. Anyone signed in may add one they will own, or one nobody owns; a
    manager may add one for anyone. A new person is not in cultivation, so no capacity
    is taken. `new_organisation` names an organisation to find (any case) or create;
    `tags` names their tags (new names are added as tags)."""
    policy.require(policy.can_add_person(by, owner), _add_refusal(owner))
    if owner is not None and not owner.is_active:
        raise RuleViolation(f"{owner} is no longer active and cannot keep relationships.")
    details = _tidied(
        dict(
            name=name,
            role=role,
            email=email,
            phone=phone,
            linkedin_url=linkedin_url,
            how_we_know_them=how_we_know_them,
            what_makes_them_tick=what_makes_them_tick,
            needs=needs,
        )
    )
    person = Contact(
        owner=owner,
        referred_by=referred_by,
        referred_by_colleague=referred_by_colleague,
        organisation=organisation or _new_organisation(by, new_organisation),
        **details,
    )
    _check_referrer(person, referred_by)
    _validate(person)
    person.save()
    note = f"Kept by {policy.full_name(owner)}." if owner else "Nobody keeps them yet."
    if entry := tags_change(person, tags_for_names(tags)):
        note += f" Tagged: {entry['to']}."
    ContactEvent.objects.create(contact=person, action=Action.CREATED, by=by, note=note)
    return person


def _new_organisation(by, name):
    return organisation_for_name(by=by, name=name) if name and name.strip() else None


@transaction.atomic
def contact_update(*, contact, by, new_organisation="", **changes):
    """Change a person's details: the person's owner or a manager (anyone, for a person
    nobody owns). One history row records who changed which field from what to what;
    saving what is already there records nothing."""
    person = _lock(contact)
    _require_change(by, person, f"change {person.name}'s details")
    unknown = set(changes) - set(PERSON_FIELDS)
    if unknown:
        raise RuleViolation(f"These details cannot be changed here: {', '.join(sorted(unknown))}.")
    changes = _tidied(changes)
    if new_organisation and new_organisation.strip() and not changes.get("organisation"):
        changes["organisation"] = organisation_for_name(by=by, name=new_organisation)
    _check_referrer(person, changes.get("referred_by"))
    entries = _apply(person, changes)
    if entries:
        ContactEvent.objects.create(contact=person, action=Action.UPDATED, by=by, changes=entries)
    for name in changes:
        setattr(contact, name, getattr(person, name))
    return person


@transaction.atomic
def contact_edit(*, contact, by, owner, tags=None, **details):
    """The person form's save: the details through `contact_update`, the tags (unless
    None) through `contact_tag`, then, if `owner` differs, the owner through
    `contact_reassign` (capacity, its own history row). A refusal of any saves none."""
    person = contact_update(contact=contact, by=by, **details)
    if tags is not None:
        contact_tag(contact=person, by=by, names=tags)
    if person.owner_id != getattr(owner, "pk", None):
        person = contact_reassign(contact=person, owner=owner, by=by)
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
    _validate(person, names)
    person.save(update_fields=names)
    return entries


# Consent to email ---------------------------------------------------------------


def _sync(contact, person, names):
    for name in names:
        setattr(contact, name, getattr(person, name))


CONSENT = ("has_opted_in", "opted_in_at", "opt_in_how")
HOW_MAX = Contact._meta.get_field("opt_in_how").max_length


@transaction.atomic
def contact_opt_in(*, contact, by, how):
    """Record that a person consented to email, with how ("asked at lunch"): the person's
    owner or a manager. Kept with its date, and in their history."""
    person = _lock(contact)
    _require_change(by, person, f"record {person.name}'s consent")
    how = _tidy("opt_in_how", how or "")
    if not how:
        raise RuleViolation(f"Say how {person.name} gave consent, e.g. “asked at lunch”.")
    if len(how) > HOW_MAX:
        raise RuleViolation(f"Say how they gave consent in {HOW_MAX} characters or fewer.")
    if person.has_opted_in:
        raise RuleViolation(
            f"{person.name} already opted in on "
            f"{timezone.localdate(person.opted_in_at):%-d %b %Y}: {person.opt_in_how}."
        )
    if person.has_asked_to_stop:
        raise RuleViolation(f"{person.name} asked us to stop: we don't ask for their consent.")
    person.has_opted_in, person.opted_in_at, person.opt_in_how = True, timezone.now(), how
    person.save(update_fields=CONSENT)
    ContactEvent.objects.create(
        contact=person, action=Action.OPTED_IN, at=person.opted_in_at, by=by, note=how
    )
    _sync(contact, person, CONSENT)
    return person


@transaction.atomic
def contact_opt_out(*, contact, by, why=""):
    """Record that a person withdrew their consent to email: the person's owner or a
    manager. When and how they had opted in stay in the history row."""
    person = _lock(contact)
    _require_change(by, person, f"record that {person.name} withdrew consent")
    why = _tidy("why", why or "")
    check_text(why, what="Why")
    if not person.has_opted_in:
        raise RuleViolation(f"{person.name} has not opted in to email: nothing to withdraw.")
    given = (
        f"Consent given on {timezone.localdate(person.opted_in_at):%-d %b %Y}"
        f" ({person.opt_in_how or 'how not recorded'})."
    )
    person.has_opted_in, person.opted_in_at, person.opt_in_how = False, None, ""
    person.save(update_fields=CONSENT)
    note = f"{why}\n{given}" if why else given
    ContactEvent.objects.create(contact=person, action=Action.OPTED_OUT, by=by, note=note)
    _sync(contact, person, CONSENT)
    return person


# "Asked us to stop" ---------------------------------------------------------------


@dataclass
class Stopped:
    """What recording "asked us to stop" did: the call logged, the cards moved to Lost,
    and the cards left where they were with the sentence saying why."""

    touch: object
    lost: list = field(default_factory=list)
    kept: list = field(default_factory=list)


@transaction.atomic
def contact_asked_to_stop(
    *,
    contact,
    by,
    direction=Direction.OURS,
    at=None,
    note="",
    is_arranged=False,
    lose_open_cards=False,
):
    """Log the call in which a person asked us to stop (their plans, follow-ups and open
    promises end for good), and, if asked, move their open cards to Lost with the
    reason "asked us to stop". A card its mover may not move stays, and is named."""
    touch = touch_log(
        contact=contact,
        method=Method.CALL,
        direction=direction,
        at=at,
        note=note,
        outcome=Outcome.ASKED_TO_STOP,
        is_arranged=is_arranged,
        by=by,
    )
    stopped = Stopped(touch=touch)
    if lose_open_cards:
        for card in seams.open_cards_of(touch.contact):
            _lose(card, by, stopped)
    return stopped


def _lose(card, by, stopped):
    try:
        with transaction.atomic():
            seams.lose_card(card, by=by, reason=STOP_REASON)
    except RuleViolation as error:
        stopped.kept.append((card, str(error)))
    else:
        stopped.lost.append(card)


@transaction.atomic
def contact_stop_reverse(*, contact, by, why):
    """Undo a mistaken "asked us to stop": a manager only, saying why. The person may be
    contacted again; their ended plans and follow-ups are not restarted."""
    person = _lock(contact)
    policy.require(
        policy.can_reverse_stop(by),
        f"Only a manager can reverse “asked us to stop” for {person.name}.",
    )
    why = _tidy("why", why or "")
    check_text(why, what="Why")
    if not why:
        raise RuleViolation(f"Say why “asked us to stop” for {person.name} was a mistake.")
    if person.retired_reason:
        raise RuleViolation(person.retired_reason)
    if not person.has_asked_to_stop:
        raise RuleViolation(f"{person.name} has not asked us to stop: nothing to reverse.")
    stopped_on = f"{timezone.localdate(person.asked_to_stop_at):%-d %b %Y}"
    person.asked_to_stop_at = None
    person.save(update_fields=["asked_to_stop_at"])
    ContactEvent.objects.create(
        contact=person,
        action=Action.STOP_REVERSED,
        by=by,
        note=f"{why}\nMarked as asking us to stop on {stopped_on}.",
    )
    contact.asked_to_stop_at = None
    return person
