"""Right of access and right to erasure (GDPR articles 15 and 17), for one person at a time.

`contact_export` gathers everything held about a person into one JSON-safe
dict; `contact_erase` blanks their personal data for good, keeping the rows
that reports count; `is_erased_email` tells an import or a form that an
address belongs to someone erased. Only managers may export or erase
(`policy.is_manager`: a superuser or the Managers group).

The seam with the layers above. Cultivation imports nothing from the board's
app, yet that layer holds more about a person (their places and roles on
cards, ideas to connect via them). So it registers its part from its
`AppConfig.ready()` (its apps.py and privacy.py); see also cultivation/seams.py:

    privacy.register_exporter("cards", export_fn)   # export_fn(contact) -> JSON-safe value
    privacy.register_eraser("cards", erase_fn)      # erase_fn(contact=..., needles=...)

An exporter's value lands under its name in the export. An eraser runs
inside the erasure's transaction, after cultivation's own rows are blanked;
`needles` are the person's former name, email and phone, which it passes to
`scrub_texts` for its models. Any app that stores something about a person
registers both, or an erasure leaves that data behind.
"""

import json
import logging
import re

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from convivio.errors import RuleViolation

from .. import policy
from ..models import (
    Alliance,
    Contact,
    ContactEvent,
    ErasedIdentity,
    Exchange,
    FollowUp,
    PlanItem,
    Promise,
    Referral,
    Touch,
    TouchPlan,
)
from ..models.privacy import email_hash

logger = logging.getLogger(__name__)

# /2: no "reminders" (what is due is computed live, never stored: docs/jobs.md).
# /3: "referrals": about them, made by them, and given to them.
EXPORT_FORMAT = "convivio-contact-export/3"
# Placeholders for the text columns that may not be empty; optional ones become "".
ERASED_TEXT = "(erased)"
ERASURE_REASON = "Erased (right to erasure)."
MENTION = "[erased]"
MAX_REASON_LENGTH = 1000
# A former name, email or phone shorter than this is too likely to be part of
# unrelated words to be replaced everywhere.
MIN_NEEDLE_LENGTH = 3

_exporters = {}
_erasers = {}


def register_exporter(name, exporter):
    """`exporter(contact)` returns what the registering layer holds, put under `name`."""
    _exporters[name] = exporter


def register_eraser(name, eraser):
    """`eraser(contact=..., needles=...)` blanks what the registering layer holds."""
    _erasers[name] = eraser


def may_handle_personal_data(user):
    """Only managers (the Managers group, or a superuser) may export or erase a person."""
    return policy.is_manager(user)


def _require_manager(user, what):
    policy.require(
        may_handle_personal_data(user), f"Only a manager can {what} everything held about a person."
    )


def is_erased_email(email):
    """True if `email` (any case or surrounding spaces) belonged to a person we erased."""
    return ErasedIdentity.objects.matching(email).exists()


# Access ----------------------------------------------------------------------

_ENCODER = DjangoJSONEncoder()
# A JSON column (history rows' changes) holds lists and dicts of plain values already.
_PLAIN = (str, int, float, bool, type(None), list, dict)


def _plain(value):
    return value if isinstance(value, _PLAIN) else _ENCODER.default(value)


def _row(instance):
    """Every column of a row, JSON-safe; a colleague appears by username, other rows by id."""
    user_model = get_user_model()
    values = {}
    for field in instance._meta.concrete_fields:
        if field.is_relation and field.related_model is user_model:
            user = getattr(instance, field.name)
            values[field.name] = user.get_username() if user else None
        else:
            values[field.attname] = _plain(field.value_from_object(instance))
    return values


def _rows(queryset):
    return [_row(instance) for instance in queryset]


def _plan(contact):
    plan = TouchPlan.objects.filter(contact=contact).select_related("started_by").first()
    if plan is None:
        return None
    return {**_row(plan), "items": _rows(PlanItem.objects.filter(plan=plan))}


def contact_export(*, contact, by):
    """Everything held about one person (right of access), as a JSON-safe dict.

    Their own fields, organisation, owner, the people they know, and every
    touch, promise, follow-up, touch plan, alliance, exchange lunch, event and referral
    about them (and the referrals they made or were given);
    then what the layers above registered (their cards and roles there).
    """
    _require_manager(by, "export")
    contact = Contact.objects.select_related("organisation", "owner").get(pk=contact.pk)
    export = {
        "format": EXPORT_FORMAT,
        "exported_at": _plain(timezone.now()),
        "exported_by": by.get_username(),
        "contact": _row(contact),
        "organisation": _row(contact.organisation) if contact.organisation else None,
        "owner": _owner(contact.owner),
        "knows": [{"id": pk, "name": name} for pk, name in contact.knows.values_list("pk", "name")],
        "touches": _rows(contact.touches.select_related("by").order_by("at", "pk")),
        "promises": _rows(contact.promises.select_related("owner", "made_by").order_by("pk")),
        "follow_ups": _rows(contact.follow_ups.select_related("owner").order_by("pk")),
        "touch_plan": _plan(contact),
        "alliance": _alliance(contact),
        "exchange_lunches": _rows(contact.exchanges.select_related("by").order_by("on", "pk")),
        "events": _rows(contact.events.select_related("by").order_by("at", "pk")),
        "referrals": _referrals(contact),
        "erasure": _erasure(contact),
    }
    for name, exporter in sorted(_exporters.items()):
        export[name] = exporter(contact)
    logger.info("Contact #%s exported by user #%s", contact.pk, by.pk)
    return export


def _referrals(contact):
    """The referral ledger's rows about them, made by them, and given to them."""
    rows = Referral.objects.select_related("to_user", "by_user", "outcome_by", "recorded_by")
    return {
        side: _rows(rows.filter(**{column: contact}).order_by("on", "pk"))
        for side, column in (
            ("about_them", "person"),
            ("made_by_them", "from_person"),
            ("given_to_them", "to_person"),
        )
    }


def _alliance(contact):
    alliance = Alliance.objects.filter(contact=contact).select_related("recorded_by").first()
    return _row(alliance) if alliance else None


def _owner(user):
    if user is None:
        return None
    return {"username": user.get_username(), "name": user.get_full_name(), "email": user.email}


def _erasure(contact):
    erasure = ErasedIdentity.objects.filter(contact=contact).select_related("by").first()
    return _row(erasure) if erasure else None


# Erasure ---------------------------------------------------------------------


def _needles(contact):
    """The person's former name, email and phone, longest first (so the longest match wins)."""
    values = {value.strip() for value in (contact.name, contact.email, contact.phone)}
    return sorted((v for v in values if len(v) >= MIN_NEEDLE_LENGTH), key=len, reverse=True)


def _mentions(needles):
    if not needles:
        return None
    words = "|".join(re.escape(needle) for needle in needles)
    return re.compile(rf"(?<!\w)(?:{words})(?!\w)", re.IGNORECASE)


def scrub(text, needles):
    """`text` with every mention of the needles (as whole words, any case) replaced."""
    pattern = _mentions(needles)
    return pattern.sub(MENTION, text) if pattern and text else text


# Another person's own name, email and phone are never rewritten: a namesake is not them.
_IDENTITY_COLUMNS = {(Contact, "name"), (Contact, "email"), (Contact, "phone")}


def _free_text_fields(model, *, with_identity=False):
    """Columns people write in: text (not a choice) and JSON (history rows' from/to)."""
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, (models.CharField, models.TextField, models.JSONField))
        and not field.choices
        and (with_identity or (model, field.name) not in _IDENTITY_COLUMNS)
    ]


def _scrubbed(value, pattern):
    if isinstance(value, str):
        return pattern.sub(MENTION, value)
    if isinstance(value, list):
        return [_scrubbed(item, pattern) for item in value]
    if isinstance(value, dict):
        return {key: _scrubbed(item, pattern) for key, item in value.items()}
    return value


def _mentioned_in(fields, needles):
    """A WHERE clause finding rows that may mention a needle; Python then decides."""
    mentioned = models.Q()
    for field in fields:
        for needle in needles:
            mentioned |= models.Q(**{f"{field.attname}__icontains": needle})
            escaped = json.dumps(needle)[1:-1]
            if isinstance(field, models.JSONField) and escaped != needle:
                # SQLite keeps JSON ASCII-escaped: "José" is stored as "Jos\u00e9".
                mentioned |= models.Q(**{f"{field.attname}__icontains": escaped})
    return mentioned


def _scrub_row(model, instance, fields, pattern):
    changes = {}
    for field in fields:
        value = getattr(instance, field.attname)
        scrubbed = _scrubbed(value, pattern)
        if scrubbed != value:
            is_text = isinstance(scrubbed, str)
            changes[field.attname] = scrubbed[: field.max_length] if is_text else scrubbed
    if not changes:
        return 0
    rows = model._base_manager.filter(pk=instance.pk)
    try:
        with transaction.atomic():
            rows.update(**changes)
    except IntegrityError:
        # A unique text column (an organisation's name): make this row's text unique.
        rows.update(
            **{
                name: f"{value} #{instance.pk}" if isinstance(value, str) else value
                for name, value in changes.items()
            }
        )
    return 1


def scrub_texts(model_list, needles):
    """Replace mentions of a former name, email or phone in every text column of these models.

    Updates rows directly (no save(), no signals): an erasure writes no new
    copy of what it removes. Returns how many rows changed.
    """
    pattern = _mentions(needles)
    changed = 0
    for model in model_list if pattern else ():
        fields = _free_text_fields(model)
        if not fields:
            continue
        mentioned = _mentioned_in(fields, needles)
        for instance in model._base_manager.filter(mentioned).iterator():
            changed += _scrub_row(model, instance, fields, pattern)
    return changed


def _models_to_scrub():
    found = list(apps.get_app_config("cultivation").get_models())
    if apps.is_installed("django.contrib.admin"):
        found.append(apps.get_model("admin", "LogEntry"))
    return found


def blank_free_text(queryset):
    """Empty every column people write in (text and JSON) of these rows; the rows stay."""
    fields = _free_text_fields(queryset.model)
    return queryset.update(**{field.attname: field.get_default() for field in fields})


def _erase_history(contact, now):
    """Keep every row reports count; blank what they say; end everything still running."""
    blank_free_text(Touch.objects.filter(contact=contact))
    blank_free_text(Touch.objects.filter(introduced_to=contact))
    blank_free_text(ContactEvent.objects.filter(contact=contact))
    # Like touches: the referral stays (given and received counts), what it said goes.
    blank_free_text(Referral.objects.filter(person=contact))
    promises = Promise.objects.filter(contact=contact)
    promises.open().update(released_at=now, release_reason=ERASURE_REASON)
    promises.filter(released_at=None).update(what=ERASED_TEXT)
    promises.exclude(released_at=None).update(what=ERASED_TEXT, release_reason=ERASURE_REASON)
    TouchPlan.objects.live().filter(contact=contact).update(ended_at=now)
    TouchPlan.objects.filter(contact=contact).update(end_reason=ERASURE_REASON)
    FollowUp.objects.live().filter(contact=contact).update(
        status=FollowUp.Status.CLOSED, ended_at=now, next_due_at=None
    )
    contact.knows.clear()
    # An erased partner's alliance ends; what we wrote about them and their lunches goes.
    Alliance.objects.live().filter(contact=contact).update(ended_at=now, next_lunch_on=None)
    Alliance.objects.filter(contact=contact).update(preferral_profile="", end_reason=ERASURE_REASON)
    blank_free_text(Exchange.objects.filter(partner=contact))


def _blank_person(contact, now):
    # Every text column, so a field added later is blanked too.
    fields = _free_text_fields(Contact, with_identity=True)
    blanks = {field.attname: field.get_default() for field in fields}
    # update(), not save(): nothing that listens to saves gets a copy of the old values.
    Contact.objects.filter(pk=contact.pk).update(
        **{
            **blanks,
            "name": f"Erased person #{contact.pk}",
            "organisation": None,
            "has_opted_in": False,
            "opted_in_at": None,
            # Matching keys are personal data too: an erased person matches nobody.
            "name_key": "",
            "linkedin_key": "",
            "referred_by": None,
            "referred_by_colleague": None,
            # Every "never contact them again" rule already reads this field.
            "asked_to_stop_at": contact.asked_to_stop_at or now,
            "erased_at": now,
        }
    )


def _checked_reason(reason):
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation("Say why this person is erased: a reason is required.")
    if len(reason) > MAX_REASON_LENGTH or "\x00" in reason:
        raise RuleViolation(
            f"Keep the reason to one plain paragraph of at most {MAX_REASON_LENGTH} characters."
        )
    return reason


@transaction.atomic
def contact_erase(*, contact, by, reason):
    """Erase a person for good (right to erasure). Irreversible; refused if already erased.

    Their personal fields are blanked and the free text about them removed
    (touch and event notes, promises, mentions of their name, email or phone
    elsewhere); the rows stay, so counts in reports are kept. Plans end,
    follow-ups close, knows links go. A one-way hash of their email stays
    so they never come back through an import.
    """
    _require_manager(by, "erase")
    reason = _checked_reason(reason)
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    if contact.is_erased:
        raise RuleViolation(
            f"Contact #{contact.pk} was already erased on "
            f"{timezone.localdate(contact.erased_at):%-d %b %Y}: nothing changed."
        )
    now = timezone.now()
    needles = _needles(contact)
    identity_hash = email_hash(contact.email)
    _erase_history(contact, now)
    _blank_person(contact, now)
    for erase in _erasers.values():
        erase(contact=contact, needles=needles)
    scrub_texts(_models_to_scrub(), needles)
    ErasedIdentity.objects.create(
        contact=contact,
        email_hash=identity_hash,
        erased_at=now,
        by=by,
        reason=scrub(reason, needles),
    )
    transaction.on_commit(lambda: logger.info("Contact #%s erased by user #%s", contact.pk, by.pk))
    contact.refresh_from_db()
    return contact
