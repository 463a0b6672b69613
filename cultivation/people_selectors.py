"""Reads for the contact list and the contact page: constant queries per page."""

from dataclasses import dataclass
from itertools import chain

from django.db.models import Exists, Min, OuterRef, Q
from django.utils import timezone

from . import seams
from .models import Contact, FollowUp, PlanItem, Promise


def contacts_for_list(*, q="", owner=None, cultivation="", overdue=False, now):
    """Contacts matching the list's search and filters, with their next planned touch."""
    today = timezone.localdate(now)
    overdue_touch = PlanItem.objects.filter(
        plan__contact=OuterRef("pk"), plan__ended_at=None, next_due_on__lt=today
    )
    overdue_follow_up = FollowUp.objects.filter(
        contact=OuterRef("pk"), status=FollowUp.Status.OPEN, next_due_at__lt=now
    )
    overdue_promise = Promise.objects.filter(
        contact=OuterRef("pk"), kept_at=None, released_at=None, due_on__lt=today
    )
    contacts = (
        Contact.objects.active()
        .select_related("organisation", "owner", "touch_plan")
        .annotate(
            next_touch_due=Min(
                "touch_plan__items__next_due_on", filter=Q(touch_plan__ended_at=None)
            ),
            is_overdue=Exists(overdue_touch) | Exists(overdue_follow_up) | Exists(overdue_promise),
        )
        .order_by("name", "pk")
    )
    if q:
        contacts = contacts.filter(
            Q(name__icontains=q)
            | Q(organisation__name__icontains=q)
            | Q(role__icontains=q)
            | Q(email__icontains=q)
        )
    if owner is not None:
        contacts = contacts.filter(owner=owner)
    if cultivation == "yes":
        contacts = contacts.filter(touch_plan__ended_at__isnull=True, touch_plan__isnull=False)
    elif cultivation == "no":
        contacts = contacts.exclude(touch_plan__ended_at__isnull=True, touch_plan__isnull=False)
    if overdue:
        contacts = contacts.filter(is_overdue=True)
    return contacts


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


def contact_page(pk, *, now):
    """Everything the contact page shows, in a fixed number of queries."""
    contact = (
        Contact.objects.select_related("organisation", "owner", "touch_plan").filter(pk=pk).first()
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
        known=list(contact.knows.select_related("organisation", "owner").order_by("name")),
        cards=seams.cards_of(contact),
    )
