"""Strategic alliances and their preferral-exchange lunches (docs/method.md).

A partner is marked against the seven criteria with their Preferral Profile; about once a
quarter we lunch with each and swap names both ways. The names are referrals (the
referral ledger), so what became of each is the ledger's outcome.
"""

import zoneinfo
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from convivio.errors import RuleViolation
from convivio.limits import EARLIEST_DATE, check_text

from .. import policy, schedule, seams
from ..matching import SAME_EMAIL, possible_duplicates
from ..models import (
    CRITERIA,
    Alliance,
    Contact,
    ContactEvent,
    Exchange,
    Method,
    Organisation,
    Referral,
    TouchPlan,
)
from ..models.people import name_match_key
from .people import contact_create
from .plans import plan_lunch_drop, touch_plan_start
from .referrals import referral_record
from .touches import touch_log

Action = ContactEvent.Action
CRITERIA_NAMES = tuple(name for name, _ in CRITERIA)
ASKED_TO_STOP = "They asked us to stop."
# When in the day a logged lunch is put in the partner's history (the form asks the day).
LUNCH_TIME = time(12, 30)


def firm_zone():
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def firm_today(now=None):
    return timezone.localdate(now or timezone.now(), firm_zone())


def _lunch_days():
    return settings.CONVIVIO["EXCHANGE_LUNCH_DAYS"]


@dataclass(frozen=True)
class Marked:
    """An alliance marked: the `alliance`, whether it `is_new` (started or restarted), and
    why no alliance touch plan was started when one was refused (`plan_refusal`)."""

    alliance: Alliance
    is_new: bool
    plan_refusal: str = ""


def _lock_person(contact):
    return (
        Contact.objects.select_for_update(of=("self",)).select_related("owner").get(pk=contact.pk)
    )


def _require_partner_keeper(by, contact, doing):
    policy.require(policy.can_change_person(by, contact), policy.person_refusal(contact, doing))


def _refuse_retired(contact):
    if contact.retired_reason:
        raise RuleViolation(contact.retired_reason)
    if contact.has_asked_to_stop:
        raise RuleViolation(f"{contact.name} asked us to stop: they cannot be an alliance partner.")


def _criteria(criteria):
    unknown = sorted(set(criteria) - set(CRITERIA_NAMES))
    if unknown:
        raise RuleViolation(f"“{unknown[0]}” is not one of the seven criteria.")
    return {name: bool(criteria.get(name, False)) for name in CRITERIA_NAMES}


def _long_text(text, what):
    text = (text or "").strip()
    if "\x00" in text:
        raise RuleViolation("Text cannot contain a NUL character: type it again.")
    check_text(text, what=what)
    return text


@transaction.atomic
def alliance_mark(*, contact, criteria, preferral_profile, by, now=None):
    """Make `contact` a strategic alliance partner (or update one): the seven criteria as a
    checklist and their Preferral Profile. The person's owner or a manager may; not for
    someone who asked us to stop, was erased or merged. A new partner gets a first lunch
    in the quietest week of the coming quarter and, if they have no live touch plan, an
    alliance touch plan (a full pool refuses the plan, not the alliance)."""
    now = now or timezone.now()
    contact = _lock_person(contact)
    _require_partner_keeper(by, contact, f"make {contact.name} an alliance partner")
    _refuse_retired(contact)
    values = {
        **_criteria(criteria),
        "preferral_profile": _long_text(preferral_profile, "Their Preferral Profile"),
    }
    alliance = Alliance.objects.select_for_update().filter(contact=contact).first()
    if alliance is not None and alliance.ended_at is None:
        _update(alliance, values, by)
        return Marked(alliance, is_new=False)
    alliance = alliance or Alliance(contact=contact)
    for name, value in values.items():
        setattr(alliance, name, value)
    alliance.since, alliance.ended_at, alliance.end_reason = now, None, ""
    alliance.recorded_by = by
    alliance.save()
    met = len(alliance.criteria_met)
    ContactEvent.objects.create(
        contact=contact,
        action=Action.ALLIANCE_STARTED,
        by=by,
        at=now,
        note=f"Meets {met} of {len(CRITERIA)} criteria.",
    )
    alliance = alliance_reschedule(alliance=alliance, now=now)
    plan_lunch_drop(contact, by=by)
    return Marked(alliance, is_new=True, plan_refusal=_plan_for(contact, by=by, now=now))


def _update(alliance, values, by):
    changes = []
    for name, value in values.items():
        before = getattr(alliance, name)
        if before != value:
            label = str(Alliance._meta.get_field(name).verbose_name)
            changes.append({"field": name, "label": label, "from": before, "to": value})
            setattr(alliance, name, value)
    if not changes:
        return
    alliance.save(update_fields=[change["field"] for change in changes])
    ContactEvent.objects.create(
        contact=alliance.contact,
        action=Action.ALLIANCE_CHANGED,
        by=by,
        note=f"Meets {len(alliance.criteria_met)} of {len(CRITERIA)} criteria.",
        changes=changes,
    )


def _plan_for(contact, *, by, now):
    """Start an alliance touch plan unless they have a live plan; the refusal, or ""."""
    if TouchPlan.objects.live().filter(contact=contact).exists():
        return ""
    try:
        with transaction.atomic():
            touch_plan_start(contact=contact, by=by, kind=TouchPlan.Kind.ALLIANCE, now=now)
    except RuleViolation as refusal:
        ContactEvent.objects.create(
            contact=contact,
            action=Action.PLAN_NOT_STARTED,
            by=by,
            note=f"No alliance touch plan: {refusal}",
        )
        return str(refusal)
    return ""


@transaction.atomic
def alliance_end(*, alliance, reason, by, now=None):
    """End an alliance, with a reason (the person's owner or a manager). Their lunches stop
    being scheduled; their history, names and touch plan stay."""
    alliance = (
        Alliance.objects.select_for_update(of=("self",))
        .select_related("contact__owner")
        .get(pk=alliance.pk)
    )
    contact = alliance.contact
    _require_partner_keeper(by, contact, f"end the alliance with {contact.name}")
    if alliance.ended_at is not None:
        raise RuleViolation(f"The alliance with {contact.name} has already ended.")
    reason = _long_text(reason, "The reason")
    if not reason:
        raise RuleViolation("Say why the alliance ends.")
    _end(alliance, reason=reason, by=by, now=now)
    return alliance


def _end(alliance, *, reason, by, now=None):
    alliance.ended_at, alliance.end_reason, alliance.next_lunch_on = (
        now or timezone.now(),
        reason,
        None,
    )
    alliance.save(update_fields=["ended_at", "end_reason", "next_lunch_on"])
    ContactEvent.objects.create(
        contact=alliance.contact, action=Action.ALLIANCE_ENDED, by=by, note=reason
    )


def end_live_alliance(contact, *, by, reason, now=None):
    """End the person's live alliance, if any (inside a caller's transaction, which has
    checked who may): no lunch is booked with them any more; history and names stay."""
    alliance = Alliance.objects.select_for_update().live().filter(contact=contact).first()
    if alliance is None:
        return False
    alliance.contact = contact
    _end(alliance, reason=reason, by=by, now=now)
    return True


def booked_lunches(*, start, end, exclude=None):
    """{day: lunches booked} for live alliances from `start` to `end`: one aggregate query."""
    rows = Alliance.objects.live().filter(next_lunch_on__range=(start, end))
    if exclude is not None:
        rows = rows.exclude(pk=exclude.pk)
    counted = rows.values("next_lunch_on").annotate(n=Count("pk")).order_by()
    return Counter({row["next_lunch_on"]: row["n"] for row in counted})


@transaction.atomic
def alliance_reschedule(*, alliance, now=None):
    """Book the partner's next lunch: about EXCHANGE_LUNCH_DAYS after the last exchange,
    moved by up to two weeks into the week with the fewest lunches across the firm (a
    weekday, never in the past); with no lunch yet, the quietest week of the coming
    quarter. Nobody's choice, so no permission check: the services that call it have one."""
    alliance = Alliance.objects.select_for_update(of=("self",)).get(pk=alliance.pk)
    if alliance.ended_at is not None:
        return alliance
    days = _lunch_days()
    exchanges = Exchange.objects.filter(partner_id=alliance.contact_id)
    last = exchanges.order_by("-on").values_list("on", flat=True).first()
    today = firm_today(now)
    ideal = last + timedelta(days=days) if last is not None else None
    earliest, latest = schedule.lunch_window(today=today, ideal=ideal, quarter_days=days)
    load = booked_lunches(
        start=schedule.week_of(earliest), end=latest + timedelta(days=6), exclude=alliance
    )
    alliance.next_lunch_on = schedule.lunch_day(
        earliest=earliest, latest=latest, ideal=ideal or earliest, load=load
    )
    alliance.save(update_fields=["next_lunch_on"])
    return alliance


@transaction.atomic
def exchange_log(*, partner, on, by, note="", names_offered=(), names_given=(), now=None):
    """Log a preferral-exchange lunch with an alliance partner, all or nothing: the lunch
    (also a lunch touch, so their plan's lunch falls due again a quarter on), each name
    they offered us (the person we have by that email or name, or a new one we keep,
    referred by the partner; a received referral, optionally a Research card), each name
    we offered them (a given referral about someone we know). Then their next lunch is
    booked. For the partner's owner or a manager; a bad row refuses the whole lunch with a
    sentence naming the row.

    `names_offered`: dicts with name, organisation, email, need, research_card.
    `names_given`: dicts with person (a Contact) and need."""
    now = now or timezone.now()
    partner = _lock_person(partner)
    _require_partner_keeper(by, partner, f"log an exchange lunch with {partner.name}")
    alliance = Alliance.objects.live().filter(contact=partner).first()
    if alliance is None:
        raise RuleViolation(f"{partner.name} is not an alliance partner: mark them as one first.")
    _refuse_retired(partner)
    # Today is the person's own (their zone is active), as for any referral they record.
    if on > timezone.localdate(now):
        raise RuleViolation("A lunch is logged once it has happened: the date is in the future.")
    if on < EARLIEST_DATE:
        raise RuleViolation(f"Choose a date from {EARLIEST_DATE:%-d %B %Y} on.")
    logged = Exchange.objects.filter(partner=partner, on=on).first()
    if logged is not None:
        raise RuleViolation(
            f"A lunch with {partner.name} on {on:%-d %b %Y} is already logged: "
            f"{logged.names.count()} name(s). Nothing was logged twice."
        )
    _refuse_repeated_names(names_offered, names_given)
    note = _long_text(note, "The note")
    touch = touch_log(contact=partner, method=Method.LUNCH, by=by, at=_lunch_at(on, now), note=note)
    exchange = Exchange.objects.create(partner=partner, on=on, by=by, note=note, touch=touch)
    for number, row in enumerate(names_offered, start=1):
        _row(f"Name offered to us {number}", _name_received, exchange, row)
    for number, row in enumerate(names_given, start=1):
        _row(f"Name we offered {number}", _name_given, exchange, row)
    offered, given = len(names_offered), len(names_given)
    ContactEvent.objects.create(
        contact=partner,
        action=Action.EXCHANGE_LOGGED,
        by=by,
        note=f"Lunch on {on:%-d %b %Y}: {offered} name(s) offered to us, {given} by us.",
    )
    alliance_reschedule(alliance=alliance, now=now)
    return exchange


def _lunch_at(on, now):
    """The moment the lunch goes in the history: lunchtime that day where the person is,
    or now if that is still to come today."""
    zone = timezone.get_current_timezone()
    return min(datetime.combine(on, LUNCH_TIME, tzinfo=zone), now)


def _offered_keys(row):
    """(email or None, (name, organisation) or None) of a name offered to us."""
    if not isinstance(row, dict):
        return None, None
    email = row.get("email")
    email = email.strip().lower() if isinstance(email, str) and email.strip() else None
    name, organisation = row.get("name"), row.get("organisation") or ""
    if not isinstance(name, str) or not isinstance(organisation, str) or not name.strip():
        return email, None
    return email, (name_match_key(name), " ".join(organisation.lower().split()))


def _same_offered(one, other):
    """Two names offered are one person: the same email, or the same name at the same
    organisation unless both give an email and they differ (namesakes, as matching)."""
    (email, named), (other_email, other_named) = _offered_keys(one), _offered_keys(other)
    if email and email == other_email:
        return True
    if named is None or named != other_named:
        return False
    return not (email and other_email)


def _same_given(one, other):
    person = one.get("person") if isinstance(one, dict) else None
    other_person = other.get("person") if isinstance(other, dict) else None
    return (
        isinstance(person, Contact)
        and isinstance(other_person, Contact)
        and (person.pk == other_person.pk)
    )


def _refuse_repeated_names(names_offered, names_given):
    """One person twice in one lunch would be two referrals: refused, naming both rows.
    (A lunch has at most a few dozen rows: each is compared with those before it.)"""
    for label, rows, same in (
        ("Names offered to us", names_offered, _same_offered),
        ("Names we offered", names_given, _same_given),
    ):
        for number, row in enumerate(rows, start=1):
            for earlier, before in enumerate(rows[: number - 1], start=1):
                if same(before, row):
                    raise RuleViolation(
                        f"{label} {earlier} and {number} are the same person: give them once."
                    )


def _row(label, record, exchange, row):
    try:
        record(exchange, row)
    except RuleViolation as error:
        raise type(error)(f"{label}: {error}") from error


def _text(row, key):
    value = row.get(key) or ""
    if not isinstance(value, str):
        raise RuleViolation(f"the {key} is not text.")
    if "\x00" in value:
        raise RuleViolation("text cannot contain a NUL character.")
    return value.strip()


def _name_received(exchange, row):
    name, email = _text(row, "name"), _text(row, "email")
    organisation, need = _text(row, "organisation"), _text(row, "need")
    if not name:
        raise RuleViolation("give the person's name.")
    by, partner = exchange.by, exchange.partner
    person = _known_person(name=name, organisation=organisation, email=email)
    if person is None:
        person = contact_create(
            by=by,
            owner=by,
            name=name,
            email=email,
            new_organisation=organisation,
            referred_by=partner,
        )
    elif person.has_asked_to_stop:
        raise RuleViolation(f"{person.name} asked us to stop: we don't contact them again.")
    referral = referral_record(
        direction=Referral.Direction.RECEIVED,
        person=person,
        partner=partner,
        colleague=by,
        on=exchange.on,
        need=need,
        by=by,
        exchange=exchange,
    )
    if row.get("research_card"):
        seams.open_research_card(referral=referral, by=by)
    return referral


def _known_person(*, name, organisation, email):
    """The person we already have by this email, else by name at this organisation; not a
    namesake whose email is another one (two people, then)."""
    if email:
        match = next(iter(possible_duplicates(email=email, limit=1)), None)
        if match is not None and match.reason == SAME_EMAIL:
            return match.contact
    at = Organisation.objects.filter(name__iexact=organisation).first() if organisation else None
    if organisation and at is None:
        return None
    match = next(iter(possible_duplicates(name=name, organisation=at, limit=1)), None)
    if match is None or (email and match.contact.email):
        return None  # both have an email, and they differ (the same one matched above)
    return match.contact


def _name_given(exchange, row):
    person = row.get("person")
    if not isinstance(person, Contact):
        raise RuleViolation("choose the person we introduced.")
    person = Contact.objects.get(pk=person.pk)  # as it is now, not as the form read it
    if person.retired_reason:
        raise RuleViolation(person.retired_reason)
    if person.has_asked_to_stop:
        raise RuleViolation(f"{person.name} asked us to stop: we don't pass their name on.")
    return referral_record(
        direction=Referral.Direction.GIVEN,
        person=person,
        partner=exchange.partner,
        colleague=exchange.by,
        on=exchange.on,
        need=_text(row, "need"),
        by=exchange.by,
        exchange=exchange,
    )


# Merging two records of one partner (services/merge.py) --------------------------------


def _alliance_decision(mine, theirs):
    """(kept, other, sentence) when both records are alliance partners: a live one goes on."""
    if theirs.ended_at is None and mine.ended_at is not None:
        return theirs, mine, "Both were alliance partners: the duplicate's live alliance goes on."
    return mine, theirs, "Both were alliance partners: the survivor's alliance goes on."


def merge_alliances(*, survivor, duplicate, by):
    """The duplicate's alliance moves to the survivor. If both have one, the live one goes
    on (the survivor's when both are live); the other ends and stays with the merged
    record. The lunches themselves move as any other rows."""
    found = {
        alliance.contact_id: alliance
        for alliance in Alliance.objects.select_for_update().filter(
            contact__in=[survivor, duplicate]
        )
    }
    mine, theirs = found.get(survivor.pk), found.get(duplicate.pk)
    if theirs is None:
        return []
    if mine is None:
        Alliance.objects.filter(pk=theirs.pk).update(contact=survivor)
        return []
    kept, other, sentence = _alliance_decision(mine, theirs)
    if other.ended_at is None:
        reason = f"Merged: {survivor.name}'s records were both alliance partners; one goes on."
        Alliance.objects.filter(pk=other.pk).update(
            ended_at=timezone.now(), end_reason=reason, next_lunch_on=None
        )
        ContactEvent.objects.create(
            contact=survivor, action=Action.ALLIANCE_ENDED, by=by, note=reason
        )
    if kept is theirs:
        # One alliance per person (a unique column): the rows swap through a placeholder.
        placeholder = Contact.objects.create(name="(merging)")
        Alliance.objects.filter(pk=mine.pk).update(contact=placeholder)
        Alliance.objects.filter(pk=theirs.pk).update(contact=survivor)
        Alliance.objects.filter(pk=mine.pk).update(contact=duplicate)
        Contact.objects.filter(pk=placeholder.pk).delete()
    return [sentence]


def foresee_alliances(*, survivor, duplicate):
    found = {a.contact_id: a for a in Alliance.objects.filter(contact__in=[survivor, duplicate])}
    mine, theirs = found.get(survivor.pk), found.get(duplicate.pk)
    if mine is None or theirs is None:
        return []
    return [_alliance_decision(mine, theirs)[2]]
