"""Reads for the contact list and the contact page: constant queries per page."""

from dataclasses import dataclass
from itertools import chain

from django.db.models import Exists, F, OuterRef, Prefetch, Q, Subquery, Window
from django.db.models.functions import Lower, RowNumber
from django.utils import timezone

from convivio.parsing import parse_id

from . import seams
from .models import (
    MAX_ATTEMPTS,
    OPT_IN_METHODS,
    Acquaintance,
    Contact,
    Direction,
    FollowUp,
    Method,
    Organisation,
    Outcome,
    PlanItem,
    Promise,
    Tag,
    Touch,
)
from .models.people import name_match_key
from .pickers import starting
from .selectors import follow_up_label


def contacts_for_list(*, q="", owner=None, cultivation="", overdue=False, tag="", now):
    """The people the list shows for its search and filters, in name order (case and
    accents aside). Plain rows to slice a page from: `list_rows` adds what a row shows,
    for that page only, so a page far in costs no more than the first. `tag` is a tag's
    name (any case) or its id. The export reads the same rows."""
    contacts = Contact.objects.active()
    if tag:
        contacts = contacts.filter(pk__in=_tagged(tag))
    if q:
        contacts = contacts.filter(_list_search(q))
    if owner is not None:
        contacts = contacts.filter(owner=owner)
    if cultivation == "yes":
        contacts = contacts.in_cultivation()
    elif cultivation == "no":
        contacts = contacts.not_in_cultivation()
    if overdue:
        contacts = contacts.filter(_has_something_overdue(now))
    return contacts.order_by("name_key", "pk")


def _tagged(tag):
    """The ids of the people carrying the tag named `tag` (any case), or numbered `tag`."""
    pk = parse_id(tag)
    named = Q(tag__name__iexact=tag) | (Q(tag_id=pk) if pk else Q())
    return Contact.tags.through.objects.filter(named).values("contact_id")


def _list_search(q):
    """Part of the name (case, accents and punctuation aside), part of the organisation's
    name, or the start of the email. Each person costs one LIKE on `name_key`: the
    organisations and the emails (through their index) are read once, as lists."""
    organisations = Organisation.objects.filter(name__icontains=q).values("pk")
    found = Q(organisation__in=organisations)
    if text := q.strip().casefold():
        emails = Contact.objects.alias(email_ci=Lower("email"))
        found |= Q(pk__in=emails.filter(**starting("email_ci", text)).values("pk"))
    if key := name_match_key(q):
        found |= Q(name_key__contains=key)
    return found


def _has_something_overdue(now):
    """A planned touch, a follow-up attempt or a promise past due: three lists of people
    read once each (not three lookups a person). Not one union: PostgreSQL then joins
    it to everyone before it can take a page in name order."""
    today = timezone.localdate(now)
    return (
        Q(pk__in=PlanItem.objects.overdue_on(today).values("plan__contact"))
        | Q(pk__in=FollowUp.objects.due_before(now).values("contact"))
        | Q(pk__in=Promise.objects.overdue_on(today).values("contact"))
    )


def list_rows(page_ids, *, now):
    """The people of a page of the list (`page_ids`: that page's slice of the list's ids,
    read as a subquery), in name order, with their next planned touch (`next_touch_due`)
    and whether anything of theirs is overdue (`is_overdue`): one query."""
    today = timezone.localdate(now)
    planned = PlanItem.objects.live().filter(plan__contact=OuterRef("pk"))
    overdue_touch = PlanItem.objects.overdue_on(today).filter(plan__contact=OuterRef("pk"))
    overdue_follow_up = FollowUp.objects.due_before(now).filter(contact=OuterRef("pk"))
    overdue_promise = Promise.objects.overdue_on(today).filter(contact=OuterRef("pk"))
    people = (
        Contact.objects.filter(pk__in=page_ids)
        .select_related("organisation", "owner", "touch_plan")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")))
        .annotate(
            next_touch_due=Subquery(planned.order_by("next_due_on").values("next_due_on")[:1]),
            is_overdue=Exists(overdue_touch) | Exists(overdue_follow_up) | Exists(overdue_promise),
        )
    )
    return list(people.order_by("name_key", "pk"))


@dataclass
class ContactPage:
    contact: Contact
    plan: object
    plan_items: list
    follow_up: object
    timeline: list
    open_promises: list
    closed_promises: list
    known: list
    cards: list
    referrals: list
    tags: list


def contact_page(pk, *, now):
    """Everything the contact page shows, in a fixed number of queries."""
    contact = (
        Contact.objects.select_related(
            "organisation", "owner", "touch_plan", "referred_by", "referred_by_colleague"
        )
        .filter(pk=pk)
        .first()
    )
    if contact is None:
        return None
    plan = getattr(contact, "touch_plan", None)
    touches = contact.touches.select_related("by", "introduced_to", "gathering")
    events = contact.events.select_related("by")
    promises = list(contact.promises.select_related("owner").order_by("due_on", "pk"))
    return ContactPage(
        contact=contact,
        plan=plan,
        plan_items=list(plan.items.all()) if plan else [],
        follow_up=contact.follow_ups.order_by("-met_at", "-pk").first(),
        timeline=sorted(chain(touches, events), key=lambda row: row.at, reverse=True),
        open_promises=[p for p in promises if p.is_open],
        closed_promises=[p for p in promises if not p.is_open],
        known=knows_of(contact),
        cards=seams.cards_of(contact),
        # The people this person referred to us.
        referrals=list(contact.referrals.active().select_related("organisation").order_by("name")),
        tags=list(contact.tags.order_by("name")),
    )


def knows_of(contact):
    """The people `contact` knows, as their links (how, detail), by name: one query."""
    links = Acquaintance.objects.filter(from_contact=contact, to_contact__erased_at=None)
    return list(
        links.select_related("to_contact__organisation", "to_contact__owner").order_by(
            "to_contact__name", "to_contact_id"
        )
    )


# A person's relationship at a glance: the card page and the touch form -------------

LAST_TOUCHES = 5
"""How many of a person's latest touches the card page shows beside them."""


@dataclass(frozen=True)
class FollowUpState:
    """Where a live follow-up stands: attempt n of `max_attempts`, the methods used so far
    (each once, in the order first used), when the next attempt is due."""

    follow_up: FollowUp
    attempt_methods: tuple
    label: str
    is_exhausted: bool
    max_attempts: int = MAX_ATTEMPTS

    @property
    def methods_used(self):
        return tuple(dict.fromkeys(self.attempt_methods))

    @property
    def attempts_made(self):
        return self.follow_up.attempt_count

    @property
    def next_attempt(self):
        """The number of the next attempt, or None after the last one."""
        made = self.follow_up.attempt_count
        return made + 1 if made < self.max_attempts else None

    @property
    def next_due_at(self):
        return self.follow_up.next_due_at

    @property
    def method_labels(self):
        return [Method(method).label for method in self.methods_used]


def follow_up_states(contact_ids, *, now):
    """{contact id: FollowUpState} for those of these people with a live follow-up: two
    queries whatever their number."""
    attempts = Prefetch("attempts", queryset=Touch.objects.order_by("at", "pk"))
    rows = FollowUp.objects.live().filter(contact_id__in=list(contact_ids))
    return {
        row.contact_id: FollowUpState(
            follow_up=row,
            attempt_methods=tuple(touch.method for touch in row.attempts.all()),
            label=follow_up_label(row, now=now),
            is_exhausted=row.is_exhausted_at(now),
        )
        for row in rows.prefetch_related(attempts)
    }


def recent_touches(contact_ids, *, limit=LAST_TOUCHES):
    """{contact id: their latest `limit` touches, newest first}: one query (a window)."""
    latest = Window(
        RowNumber(), partition_by=F("contact_id"), order_by=[F("at").desc(), F("pk").desc()]
    )
    rows = (
        Touch.objects.filter(contact_id__in=list(contact_ids))
        .annotate(rank=latest)
        .filter(rank__lte=limit)
        .select_related("by", "introduced_to")
        .order_by("contact_id", "-at", "-pk")
    )
    grouped = {}
    for touch in rows:
        grouped.setdefault(touch.contact_id, []).append(touch)
    return grouped


def open_promises_of(contact_ids):
    """{contact id: their open promises, soonest due first}: one query."""
    rows = Promise.objects.open().filter(contact_id__in=list(contact_ids))
    grouped = {}
    for promise in rows.select_related("owner").order_by("due_on", "pk"):
        grouped.setdefault(promise.contact_id, []).append(promise)
    return grouped


@dataclass(frozen=True)
class TouchRules:
    """What the method says about a touch from us to `contact` now, before the touch form
    refuses one: their follow-up, their consent for each email kind that needs it, and
    each refusal that would apply, in the services' own words."""

    contact: Contact
    follow_up: FollowUpState | None
    email_kinds: tuple = ()  # (label, refusal or "") for each kind that needs consent
    stop_refusal: str = ""
    cold_call_refusal: str = ""
    attempt_refusal: str = ""

    @property
    def warnings(self):
        if self.stop_refusal:
            return [self.stop_refusal]
        return [text for text in (self.cold_call_refusal, self.attempt_refusal) if text]


def touch_rules_for(contact, *, now):
    """The `TouchRules` for one person, in three queries. The sentences are those
    `touch_log` refuses with (`touch_refusal`, `attempt_refusal`): one home per rule."""
    from .services.follow_ups import attempt_refusal  # the services import no selectors
    from .services.touches import is_first_touch, touch_refusal

    state = follow_up_states([contact.pk], now=now).get(contact.pk)
    follow_up = state.follow_up if state else None
    is_first = is_first_touch(contact, follow_up)

    def refusal(method, **extra):
        touch = Touch(contact=contact, method=method, direction=Direction.OURS, **extra)
        return touch_refusal(touch, contact=contact, is_first_touch=is_first) or ""

    if contact.has_asked_to_stop:
        return TouchRules(contact=contact, follow_up=state, stop_refusal=refusal(Method.EMAIL))
    attempt = ""
    if follow_up is not None:
        follow_up.contact = contact
        earlier = list(state.attempt_methods)
        touch = Touch(contact=contact, method=earlier[0] if earlier else Method.EMAIL)
        attempt = attempt_refusal(follow_up, touch, earlier) or ""
    return TouchRules(
        contact=contact,
        follow_up=state,
        email_kinds=tuple((Method(kind).label, refusal(kind)) for kind in OPT_IN_METHODS),
        cold_call_refusal=refusal(Method.CALL, outcome=Outcome.NOT_REACHED),
        attempt_refusal=attempt,
    )
