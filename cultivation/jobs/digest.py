"""The weekly reminder email: one per person with something due, at most once a week.

Each person's email is claimed (a unique `WeeklyDigest` row, in its own
transaction) after the mail server has answered and before the message goes
out, and stamped `sent_at` after. A failure before the mail server had the
message (`delivery.NotDelivered`) releases the claim; one after keeps it. On
Celery, the weekly run is a short sweep that queues one short task per person
(`weekly_digest_fan_out`). See docs/jobs.md.
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .. import selectors
from ..models import JobRun, WeeklyDigest
from . import delivery
from .digest_render import digest_groups
from .heartbeats import WEEKLY_DIGEST

logger = logging.getLogger(__name__)

# A claim younger than this may be a run sending right now: never shown as
# "never sent", never released for a resend.
UNSENT_GRACE = timedelta(hours=1)


def unsent_digests(*, now, grace=UNSENT_GRACE):
    """Weekly emails claimed over `grace` ago and never sent: the process died in between."""
    return WeeklyDigest.objects.filter(sent_at=None, claimed_at__lt=now - grace).select_related(
        "user"
    )


def week_start_of(now):
    """The Monday of `now`'s ISO week, in the firm's time zone (TIME_ZONE)."""
    today = timezone.localdate(now)
    return today - timedelta(days=today.weekday())


def is_digest_time(now):
    """Monday morning, local time, from WEEKLY_DIGEST_LOCAL_HOUR on: the beat's runs send then."""
    local = timezone.localtime(now)
    return local.weekday() == 0 and local.hour >= settings.WEEKLY_DIGEST_LOCAL_HOUR


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


def digest_recipients(*, week_start=None, usernames=None):
    """Active people with an email address, not yet claimed for `week_start` (if given)."""
    users = get_user_model().objects.filter(is_active=True).exclude(email="").order_by("pk")
    if usernames:
        users = users.filter(username__in=usernames)
    if week_start is not None:
        users = users.exclude(weekly_digests__week_start=week_start)
    return users


def _claim(user, week_start, item_count):
    """Insert the (user, week) row in a transaction of its own: only one process wins it.

    `durable=True` refuses to run inside another transaction, where the claim
    would not be visible to others until later (and the email would go first).
    """
    try:
        with transaction.atomic(durable=True):
            return WeeklyDigest.objects.create(
                user=user, week_start=week_start, item_count=item_count
            )
    except IntegrityError:
        return None


@dataclass
class DigestResult:
    week_start: object
    sent: list = field(default_factory=list)
    nothing_due: int = 0
    failed: list = field(default_factory=list)


def _send_one(user, week_start, now, result):
    """Build, connect, claim, send, stamp. Nothing is claimed until the mail server has
    answered, so a worker killed while it waits leaves nothing behind."""
    week = selectors.my_week(user, now=now)
    if week.is_empty:
        result.nothing_due += 1
        return
    message = digest_message(user, week, now=now)
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


def _send_logged(user, now, result, *, record):
    """One person's email; a failure is logged and recorded, never raised: the run goes on."""
    try:
        _send_one(user, result.week_start, now, result)
    except Exception as error:
        logger.exception("Weekly email to %s failed", user.username)
        result.failed.append((user.username, repr(error)))
        if record:
            _record(f"weekly email to {user.username} not sent: {error!r}")
        return
    if record:
        _record()


def _start(now):
    """A run for everyone starts: its heartbeat, with the last run's problem cleared."""
    JobRun.objects.update_or_create(
        name=WEEKLY_DIGEST, defaults={"last_started_at": now, "last_error": ""}
    )


def weekly_digest_send(*, now=None, usernames=None):
    """One combined email per active person with anything due this week; at most one a week.

    Nothing goes to people with nothing due, nor to inactive users. One
    person's failure is logged and skipped; the others still get theirs. A run
    for some `usernames` (by hand) leaves the heartbeat alone.
    """
    now = now or timezone.now()
    result = DigestResult(week_start=week_start_of(now))
    if not usernames:
        _start(now)
    for user in digest_recipients(week_start=result.week_start, usernames=usernames):
        _send_logged(user, now, result, record=not usernames)
    return result


def weekly_digest_fan_out(*, enqueue, now=None, scheduled=True):
    """The weekly run on Celery: `enqueue(user_id, week_start)` for each person not yet claimed.

    A `scheduled` run (the beat's, hourly) does this only on Monday morning,
    local time, and returns None at other times; otherwise how many were queued.
    """
    now = now or timezone.now()
    if scheduled and not is_digest_time(now):
        return None
    week_start = week_start_of(now)
    _start(now)
    user_ids = list(digest_recipients(week_start=week_start).values_list("pk", flat=True))
    try:
        for user_id in user_ids:
            enqueue(user_id, week_start.isoformat())
    except Exception as error:
        _record(f"queueing the weekly emails failed: {error!r}")
        raise
    return len(user_ids)


def weekly_digest_send_to(*, user_id, week_start, now=None):
    """One person's email for the week of `week_start`, as `weekly_digest_fan_out` queued it.

    Returns None, doing nothing, once that week is over, or when the person no
    longer gets one (inactive, no address) or this week's is already claimed.
    """
    now = now or timezone.now()
    user = digest_recipients(week_start=week_start).filter(pk=user_id).first()
    if user is None or week_start_of(now) != week_start:
        return None
    result = DigestResult(week_start=week_start)
    _send_logged(user, now, result, record=True)
    return result


def weekly_digest_preview(*, now=None, usernames=None):
    """The emails that would go out now, sent or not: [(user, message or None)]."""
    now = now or timezone.now()
    previews = []
    for user in digest_recipients(usernames=usernames):
        week = selectors.my_week(user, now=now)
        previews.append((user, None if week.is_empty else digest_message(user, week, now=now)))
    return previews


def weekly_digest_release_unsent(*, now=None, usernames):
    """Forget this week's claims for `usernames` that were never sent, so a run sends them.

    For the window documented in docs/jobs.md: a process that died between
    claiming and sending. A sent email (`sent_at` set) is never released.
    """
    now = now or timezone.now()
    # Only claims old enough that no run can still be sending them.
    return (
        unsent_digests(now=now)
        .filter(week_start=week_start_of(now), user__username__in=usernames)
        .delete()[0]
    )
