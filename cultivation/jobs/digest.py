"""The weekly reminder email: one per person per week of their own, at the day and hour
they chose on their own clock (Monday 07:00 unless they chose otherwise), or none if
they turned it off.

Beat runs the sweep every hour (`weekly_digest_fan_out`); it queues one short task per
person whose moment has come this week and whose week is not yet claimed. Each
person's email is claimed (a unique `WeeklyDigest` row, in its own transaction)
after the mail server has answered and before the message goes out, and stamped
`sent_at` after. A failure before the mail server had the message
(`delivery.NotDelivered`) releases the claim; one after keeps it. A week with
nothing due is claimed too (no items, no email), so it is decided once. See
docs/jobs.md.
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .. import selectors
from ..models import JobRun, Preferences, WeeklyDigest
from . import delivery
from .digest_render import digest_groups
from .heartbeats import WEEKLY_DIGEST

logger = logging.getLogger(__name__)

# A claim younger than this may be a run sending right now: never shown as
# "never sent", never released for a resend.
UNSENT_GRACE = timedelta(hours=1)


def unsent_digests(*, now, grace=UNSENT_GRACE):
    """Weekly emails claimed over `grace` ago and never sent: the process died in between.
    (A week with nothing due is claimed with no items and has nothing to send.)"""
    return WeeklyDigest.objects.filter(
        sent_at=None, item_count__gt=0, claimed_at__lt=now - grace
    ).select_related("user")


def sent_when(preferences):
    """When this person's email comes, as the email's footer says it: "Mondays at 07:00"."""
    day = preferences.get_weekly_email_weekday_display()
    return f"{day}s at {preferences.weekly_email_hour:02d}:00"


def digest_message(user, week, *, now):
    """The weekly email for `user`: My week's groups, in plain text and HTML, absolute links."""
    context = {
        "user": user,
        "week": week,
        "now": now,
        "site_url": settings.SITE_URL,
        "my_week_url": settings.SITE_URL + reverse("cultivation:my-week"),
        # Each group's lines are built once, in Python, for both parts (digest_render).
        "groups": digest_groups(week, site_url=settings.SITE_URL),
        "sent_when": sent_when(Preferences.of(user)),
        "settings_url": settings.SITE_URL + reverse("cultivation:settings"),
    }
    subject = " ".join(render_to_string("emails/weekly_digest_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("emails/weekly_digest.txt", context),
        to=[user.email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(render_to_string("emails/weekly_digest.html", context), "text/html")
    return message


def digest_recipients(*, usernames=None):
    """Active people with an email address, with their preferences and the Monday of the
    latest week claimed for them (`last_week_start`, None if never): one query."""
    latest = WeeklyDigest.objects.filter(user=OuterRef("pk")).order_by("-week_start")
    users = (
        get_user_model()
        .objects.filter(is_active=True)
        .exclude(email="")
        .select_related("preferences")
        .annotate(last_week_start=Subquery(latest.values("week_start")[:1]))
        .order_by("pk")
    )
    if usernames:
        users = users.filter(username__in=usernames)
    return users


@dataclass(frozen=True)
class Due:
    """A person whose email for the week of `week_start` (their own Monday) may go now."""

    user: object
    week_start: object


def due_people(users, *, now, scheduled=True):
    """`Due` for each of `users` (from `digest_recipients`) with the weekly email on and
    nothing claimed for this week of theirs or a later one; when `scheduled`, only those
    whose chosen day and hour, on their own clock, has come this week.

    "Or a later one": a person who moved west can find themselves back in a week (named
    by its Monday) older than one already claimed from their old zone: they have had
    that email, so none goes until their next week."""
    due = []
    for user in users:
        preferences = Preferences.of(user)
        week_start = preferences.week_start(now)
        if not preferences.weekly_email:
            continue
        if user.last_week_start is not None and user.last_week_start >= week_start:
            continue
        if scheduled and not preferences.is_weekly_email_due(now):
            continue
        due.append(Due(user, week_start))
    return due


def _claim(user, week_start, item_count):
    """Insert the (user, week) row in a transaction of its own: only one process wins it.

    The person's row is locked first and nothing is claimed when this week or a later
    one already is, so two runs that saw them in two zones (they changed theirs in
    between) cannot both send. `durable=True` refuses to run inside another
    transaction, where the claim would not be visible to others until later (and the
    email would go first).
    """
    try:
        with transaction.atomic(durable=True):
            person = get_user_model().objects.select_for_update().filter(pk=user.pk)
            if person.filter(weekly_digests__week_start__gte=week_start).exists():
                return None
            return WeeklyDigest.objects.create(
                user=user, week_start=week_start, item_count=item_count
            )
    except IntegrityError:
        return None


@dataclass
class DigestResult:
    sent: list = field(default_factory=list)
    nothing_due: int = 0
    turned_off: list = field(default_factory=list)
    failed: list = field(default_factory=list)


def _build(user, now):
    """My week and its email for `user`, on their own clock: (week, message or None)."""
    with timezone.override(Preferences.of(user).zone):
        week = selectors.my_week(user, now=now)
        return week, None if week.is_empty else digest_message(user, week, now=now)


def _send_one(user, week_start, now, result):
    """Build, connect, claim, send, stamp. Nothing is claimed until the mail server has
    answered, so a worker killed while it waits leaves nothing behind. A week with
    nothing due is claimed with no items: decided once, not again each hour."""
    week, message = _build(user, now)
    if message is None:
        _claim(user, week_start, 0)
        result.nothing_due += 1
        return
    with delivery.mail_connection() as outbox:
        claim = _claim(user, week_start, week.total)
        if claim is None:
            return  # another run, worker or beat got there first
        try:
            outbox.send(message)
        except delivery.NotDelivered:
            # Surely not sent: let a retry or the next run send it rather than lose the week.
            WeeklyDigest.objects.filter(pk=claim.pk, sent_at=None).delete()
            raise
        WeeklyDigest.objects.filter(pk=claim.pk).update(sent_at=timezone.now())
    result.sent.append(user.username)


def _record(text=None):
    """The weekly job's heartbeat: a person's email done (success), or the last problem."""
    runs = JobRun.objects.filter(name=WEEKLY_DIGEST)
    if text is None:
        runs.update(last_success_at=timezone.now())
    else:
        runs.update(last_error=f"{timezone.now():%c}: {text}")


def _send_logged(person, now, result, *, record):
    """One person's email; a failure is logged and recorded, never raised: the run goes on."""
    username = person.user.username
    try:
        _send_one(person.user, person.week_start, now, result)
    except Exception as error:
        logger.exception("Weekly email to %s failed", username)
        result.failed.append((username, repr(error)))
        if record:
            _record(f"weekly email to {username} not sent: {error!r}")
        return
    if record:
        _record()


def _start(now):
    """A run for everyone starts: its heartbeat, with the last run's problem cleared."""
    JobRun.objects.update_or_create(
        name=WEEKLY_DIGEST, defaults={"last_started_at": now, "last_error": ""}
    )


def weekly_digest_send(*, now=None, usernames=None):
    """By hand: this week's email, now, to each active person who has not had it (whatever
    day and hour they chose); at most one a week each, on their own clock.

    Nothing goes to people who turned it off (`result.turned_off`), nor to people with
    nothing due, nor to inactive users. One person's failure is logged and skipped;
    the others still get theirs. A run for some `usernames` leaves the heartbeat alone.
    """
    now = now or timezone.now()
    result = DigestResult()
    if not usernames:
        _start(now)
    users = list(digest_recipients(usernames=usernames))
    result.turned_off = [user.username for user in users if not Preferences.of(user).weekly_email]
    for person in due_people(users, now=now, scheduled=False):
        _send_logged(person, now, result, record=not usernames)
    return result


def weekly_digest_fan_out(*, enqueue, now=None, scheduled=True):
    """The weekly email on Celery: `enqueue(user_id, week_start)` for each person due.

    A `scheduled` run (the beat's, every hour) queues the people whose chosen day and
    hour has come this week, on their own clock, and whose week is not yet claimed:
    on time, or at the first run after an outage. `scheduled=False` queues everyone
    whose week is not yet claimed. Returns how many were queued.
    """
    now = now or timezone.now()
    due = due_people(digest_recipients(), now=now, scheduled=scheduled)
    if not due:
        return 0
    _start(now)
    try:
        for person in due:
            enqueue(person.user.pk, person.week_start.isoformat())
    except Exception as error:
        _record(f"queueing the weekly emails failed: {error!r}")
        raise
    return len(due)


def weekly_digest_send_to(*, user_id, week_start, now=None):
    """One person's email for their week of `week_start`, as `weekly_digest_fan_out` queued it.

    Returns None, doing nothing, once that week is over on the person's clock (or they
    changed zone into another week), or when they no longer get one (inactive, no
    address, turned off) or their week is already claimed.
    """
    now = now or timezone.now()
    users = digest_recipients().filter(pk=user_id)
    person = next(iter(due_people(users, now=now, scheduled=False)), None)
    if person is None or person.week_start != week_start:
        return None
    result = DigestResult()
    _send_logged(person, now, result, record=True)
    return result


def weekly_digest_preview(*, now=None, usernames=None):
    """The emails that would go out now, sent or not: [(user, message or None)]; None for
    nothing due or the email turned off (`Preferences.of(user).weekly_email`)."""
    now = now or timezone.now()
    previews = []
    for user in digest_recipients(usernames=usernames):
        is_on = Preferences.of(user).weekly_email
        previews.append((user, _build(user, now)[1] if is_on else None))
    return previews


def weekly_digest_release_unsent(*, now=None, usernames):
    """Forget this week's claims (each person's own week) for `usernames` that were never
    sent, so a run sends them.

    For the window documented in docs/jobs.md: a process that died between
    claiming and sending. A sent email (`sent_at` set) is never released.
    """
    now = now or timezone.now()
    released = 0
    for user in digest_recipients(usernames=usernames):
        # Only claims old enough that no run can still be sending them.
        this_week = Preferences.of(user).week_start(now)
        released += unsent_digests(now=now).filter(user=user, week_start=this_week).delete()[0]
    return released
