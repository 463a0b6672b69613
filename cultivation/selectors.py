"""Reads that pages and the weekly email share.

My week (`my_week` and one function per list: `follow_ups_due`, `touches_due`,
`promises_due`, `decisions_awaiting`) returns `DueItem`s; the weekly email
uses exactly these, live: there is no stored copy of what is due. Each list
costs one query, whatever its length. What counts as open, live, due or
exhausted is spelled once, in the models' querysets (`Promise.objects.open()`).

`badges_for_contacts(contact_ids, now=...)` gives the board card its badges in
three queries for any number of cards.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import apnumber
from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone

from .models import Alliance, FollowUp, PlanItem, Promise, Referral, TouchPlan
from .models.follow_ups import MAX_ATTEMPTS


@dataclass(frozen=True)
class DueItem:
    """One thing due for a person: `kind` is "follow_up", "touch", "promise", "decision",
    "lunch" (a preferral-exchange lunch) or "exchange_name" (a name from one, to follow up)."""

    kind: str
    contact: object
    title: str
    due: date | datetime
    is_overdue: bool
    url: str
    subject: object = field(repr=False, compare=False)

    @property
    def subject_id(self):
        return self.subject.pk

    @property
    def due_date(self):
        return timezone.localdate(self.due) if isinstance(self.due, datetime) else self.due


@dataclass(frozen=True)
class MyWeek:
    """Everything overdue or due by `until` for one person, grouped as My week shows it."""

    until: date
    follow_ups: list
    touches: list
    promises: list
    decisions: list
    lunches: list = field(default_factory=list)
    exchange_names: list = field(default_factory=list)

    @property
    def groups(self):
        return (
            self.follow_ups,
            self.touches,
            self.promises,
            self.decisions,
            self.lunches,
            self.exchange_names,
        )

    @property
    def total(self):
        return sum(len(group) for group in self.groups)

    @property
    def is_empty(self):
        return self.total == 0

    @property
    def overdue_count(self):
        groups = (self.follow_ups, self.touches, self.promises, self.lunches, self.exchange_names)
        return sum(item.is_overdue for group in groups for item in group)


def week_end(now):
    """The Sunday that ends `now`'s week, in local time."""
    today = timezone.localdate(now)
    return today + timedelta(days=6 - today.weekday())


def start_of_day(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def touch_form_url(contact_id, **params):
    return touch_form_urls()(contact_id, **params)


def touch_form_urls():
    """`touch_form_url` for a list of rows: the form's path is reversed once, not per row
    (hundreds of `reverse()` calls were a tenth of a weekly email's time)."""
    path = reverse("cultivation:touch-new")
    return lambda contact_id, **params: f"{path}?{urlencode({'contact': contact_id, **params})}"


def follow_ups_due(user, *, until, now):
    """Follow-up attempts `user` owes, overdue or due on or before the date `until`."""
    rows = (
        FollowUp.objects.of_people_in_touch()
        .due_before(start_of_day(until + timedelta(days=1)))
        .filter(owner=user)
        .select_related("contact")
        .order_by("next_due_at", "pk")
    )
    touch_url = touch_form_urls()
    return [
        DueItem(
            kind="follow_up",
            contact=row.contact,
            title=f"Follow-up attempt {row.attempt_count + 1}/{MAX_ATTEMPTS}",
            due=row.next_due_at,
            is_overdue=row.next_due_at < now,
            url=touch_url(row.contact_id),
            subject=row,
        )
        for row in rows
    ]


def touches_due(user, *, until, now):
    """Planned touches (touch-base calls first among equals) due on or before `until`."""
    today = timezone.localdate(now)
    rows = (
        PlanItem.objects.of_people_in_touch()
        .due_by(until)
        .filter(plan__contact__owner=user)
        .select_related("plan__contact")
        .order_by("next_due_on", "pk")
    )
    touch_url = touch_form_urls()
    return [
        DueItem(
            kind="touch",
            contact=row.plan.contact,
            title=row.label,
            due=row.next_due_on,
            is_overdue=row.next_due_on < today,
            url=touch_url(row.plan.contact_id, method=row.method),
            subject=row,
        )
        for row in rows
    ]


def promises_due(user, *, until, now):
    """Open promises `user` owns, due on or before `until`."""
    today = timezone.localdate(now)
    rows = (
        Promise.objects.of_people_in_touch()
        .due_by(until)
        .filter(owner=user)
        .select_related("contact")
    )
    return [
        DueItem(
            kind="promise",
            contact=row.contact,
            title=f"Promise: {row.what}",
            due=row.due_on,
            is_overdue=row.due_on < today,
            url=row.get_absolute_url(),
            subject=row,
        )
        for row in rows.order_by("due_on", "pk")
    ]


def decisions_awaiting(user, *, now, until=None):
    """Exhausted follow-ups of `user`: back to Research or Lost, a person decides."""
    rows = (
        FollowUp.objects.of_people_in_touch()
        .exhausted(now)
        .filter(owner=user)
        .select_related("contact")
        .order_by("exhausts_at", "pk")
    )
    return [
        DueItem(
            kind="decision",
            contact=row.contact,
            title=f"{apnumber(MAX_ATTEMPTS).capitalize()} attempts unanswered: "
            "back to Research or Lost?",
            due=row.exhausts_at,
            is_overdue=False,
            url=reverse("cultivation:contact-detail", args=[row.contact_id]) + "#follow-up",
            subject=row,
        )
        for row in rows
    ]


def lunches_due(user, *, until, now):
    """Preferral-exchange lunches with partners `user` keeps, booked by `until` (overdue
    ones too), soonest first."""
    today = timezone.localdate(now)
    rows = (
        Alliance.objects.lunch_due_by(until)
        .filter(contact__owner=user)
        .select_related("contact")
        .order_by("next_lunch_on", "pk")
    )
    return [
        DueItem(
            kind="lunch",
            contact=row.contact,
            title="Preferral-exchange lunch",
            due=row.next_lunch_on,
            is_overdue=row.next_lunch_on < today,
            url=reverse("cultivation:exchange-new", args=[row.contact_id]),
            subject=row,
        )
        for row in rows
    ]


def exchange_names_waiting(user, *, now):
    """Names offered to `user` at exchange lunches and not followed up within the window
    (FOLLOW_UP_HOURS["referral"]): overdue since the window ended."""
    window = timedelta(hours=settings.CONVIVIO["FOLLOW_UP_HOURS"]["referral"])
    rows = (
        Referral.objects.exchange_names_waiting(now)
        .filter(to_user=user)
        .select_related("person", "from_person")
        .order_by("on", "pk")
    )
    return [
        DueItem(
            kind="exchange_name",
            contact=row.person,
            title=f"Name from {row.from_person.name}: follow up"
            + (f" ({row.need})" if row.need else ""),
            due=row.on + window,
            is_overdue=True,
            url=row.get_absolute_url(),
            subject=row,
        )
        for row in rows
    ]


def my_week(user, *, now):
    """My week: everything overdue or due by this Sunday, in six lists (six queries)."""
    until = week_end(now)
    follow_ups = follow_ups_due(user, until=until, now=now)
    # An open follow-up past its third attempt is listed once, as a decision.
    return MyWeek(
        until=until,
        follow_ups=follow_ups,
        touches=touches_due(user, until=until, now=now),
        promises=promises_due(user, until=until, now=now),
        decisions=decisions_awaiting(user, now=now),
        lunches=lunches_due(user, until=until, now=now),
        exchange_names=exchange_names_waiting(user, now=now),
    )


# Board badges ----------------------------------------------------------------


@dataclass(frozen=True)
class ContactBadges:
    """What the board card shows about its person."""

    follow_up_label: str = ""
    is_exhausted: bool = False
    follow_up_is_overdue: bool = False
    next_touch_due: date | None = None
    open_promises: int = 0
    overdue_promises: int = 0

    @property
    def is_blank(self):
        return not (self.follow_up_label or self.next_touch_due or self.open_promises)


def follow_up_label(follow_up, *, now):
    """ "attempt 2/3, next due Thu", "3/3 made: answer awaited until Tue" or "exhausted: decide"."""
    if follow_up.is_exhausted_at(now):
        return "exhausted: decide"
    if follow_up.attempt_count >= MAX_ATTEMPTS:
        waiting = timezone.localdate(follow_up.exhausts_at)
        return f"{MAX_ATTEMPTS}/{MAX_ATTEMPTS} made: answer awaited until {waiting:%a}"
    due = timezone.localdate(follow_up.next_due_at)
    when = f"{due:%a}" if abs((due - timezone.localdate(now)).days) < 7 else f"{due:%-d %b}"
    return f"attempt {follow_up.attempt_count + 1}/{MAX_ATTEMPTS}, next due {when}"


def badges_for_contacts(contact_ids, *, now):
    """{contact_id: ContactBadges} for the given people, in three queries."""
    ids = list(contact_ids)
    badges = {pk: {} for pk in ids}
    for row in FollowUp.objects.live().of_people_in_touch().filter(contact_id__in=ids):
        badges[row.contact_id].update(
            follow_up_label=follow_up_label(row, now=now),
            is_exhausted=row.is_exhausted_at(now),
            follow_up_is_overdue=row.next_due_at is not None and row.next_due_at < now,
        )
    next_touches = (
        PlanItem.objects.live()
        .of_people_in_touch()
        .filter(plan__contact_id__in=ids)
        .values("plan__contact_id")
        .annotate(next_due=Min("next_due_on"))
    )
    for row in next_touches:
        badges[row["plan__contact_id"]]["next_touch_due"] = row["next_due"]
    today = timezone.localdate(now)
    promise_counts = (
        Promise.objects.open()
        .filter(contact_id__in=ids)
        .values("contact_id")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today)))
    )
    for row in promise_counts:
        badges[row["contact_id"]].update(open_promises=row["open"], overdue_promises=row["overdue"])
    return {pk: ContactBadges(**values) for pk, values in badges.items()}


# Capacity ------------------------------------------------------------------


@dataclass(frozen=True)
class Capacity:
    size: int
    month_load: int
    warn_at: int
    maximum: int

    @property
    def is_warning(self):
        return self.size >= self.warn_at

    @property
    def is_full(self):
        return self.size >= self.maximum


def pool_size(user):
    """How many people `user` cultivates: contacts they own with a live touch plan."""
    return TouchPlan.objects.pool_of(user).count()


def capacity_for(user, *, now):
    """Pool size and this month's load (planned touches due this month) for `user`."""
    today = timezone.localdate(now)
    month_start = today.replace(day=1)
    next_month = (month_start + timedelta(days=32)).replace(day=1)
    month_load = (
        PlanItem.objects.live()
        .of_people_in_touch()
        .filter(plan__contact__owner=user, next_due_on__gte=month_start, next_due_on__lt=next_month)
        .count()
    )
    return Capacity(
        size=pool_size(user),
        month_load=month_load,
        warn_at=settings.CONVIVIO["CAPACITY_WARN"],
        maximum=settings.CONVIVIO["CAPACITY_MAX"],
    )
