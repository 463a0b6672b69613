"""The scheduled jobs: the daily due scan, the weekly reminder email, their heartbeats.

Celery tasks (`cultivation/tasks.py`) and the management commands
(`run_due_scan`, `send_weekly_digest`) are thin edges over these functions.
Both jobs are safe to run twice, from two workers at once, or after a worker
died half-way: a reminder is a unique row, inserted with ON CONFLICT DO
NOTHING; a weekly email is a unique `WeeklyDigest` row claimed in its own
transaction before the email is sent. See docs/jobs.md.
"""

import logging
import smtplib
import socket
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from . import selectors
from .models import JobRun, Reminder, WeeklyDigest
from .services import follow_ups_exhaust

logger = logging.getLogger(__name__)

DUE_SCAN = "due_scan"
WEEKLY_DIGEST = "weekly_digest"
# When one statement for all reminders fails on a bad row, they go in chunks of
# this many, so the query count grows per chunk, never per row.
CHUNK_SIZE = 5000


# Heartbeats ------------------------------------------------------------------


@dataclass
class Beat:
    """What a job reports to its heartbeat: a problem to show, and whether it succeeded."""

    problem: str = ""
    succeeded: bool = True


@contextmanager
def heartbeat(name, *, now, partial=False):
    """Record the start of job `name`, then its success (or its error) in `JobRun`.

    A `partial` run (one person's, by hand) records nothing: it must not hide
    that the scheduled run for everyone is late.
    """
    beat = Beat()
    if partial:
        yield beat
        return
    JobRun.objects.update_or_create(name=name, defaults={"last_started_at": now})
    try:
        yield beat
    except Exception as error:
        JobRun.objects.filter(name=name).update(last_error=f"{timezone.now():%c}: {error!r}")
        raise
    update = {"last_error": beat.problem}
    if beat.succeeded:
        update["last_success_at"] = timezone.now()
    JobRun.objects.filter(name=name).update(**update)


@dataclass(frozen=True)
class JobHealth:
    """How one job is doing: `is_late` once its last success is older than `late_after`."""

    name: str
    title: str
    late_after: timedelta
    last_success_at: object
    last_started_at: object
    last_error: str
    now: object

    @property
    def is_late(self):
        return self.last_success_at is None or self.now - self.last_success_at > self.late_after

    @property
    def late_after_text(self):
        hours = int(self.late_after.total_seconds() // 3600)
        return f"{hours // 24} days" if hours % 24 == 0 else f"{hours} hours"


JOBS = (
    (DUE_SCAN, "Daily due scan", timedelta(hours=26)),
    (WEEKLY_DIGEST, "Weekly reminder email", timedelta(days=8)),
)


def job_health(*, now):
    """Each scheduled job's heartbeat, late when the scan is > 26 h or the email > 8 days old."""
    runs = {run.name: run for run in JobRun.objects.filter(name__in=[n for n, _, _ in JOBS])}
    health = []
    for name, title, late_after in JOBS:
        run = runs.get(name, JobRun(name=name))
        health.append(
            JobHealth(
                name=name,
                title=title,
                late_after=late_after,
                last_success_at=run.last_success_at,
                last_started_at=run.last_started_at,
                last_error=run.last_error,
                now=now,
            )
        )
    return health


# A claim younger than this may be a run sending right now: never shown as
# "never sent", never released for a resend.
UNSENT_GRACE = timedelta(hours=1)

# Failures that prove the mail server did not take the message: the claim is
# released for the next run. Any other failure (a connection lost after the
# message went out, a timeout) may have delivered it: the claim stays, and the
# email shows as "claimed but never sent" for a person to check and resend.
NOT_DELIVERED = (
    ConnectionRefusedError,
    socket.gaierror,
    smtplib.SMTPConnectError,
    smtplib.SMTPHeloError,
    smtplib.SMTPAuthenticationError,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPDataError,
)


def unsent_digests(*, now, grace=UNSENT_GRACE):
    """Weekly emails claimed over `grace` ago and never sent: the process died in between."""
    return WeeklyDigest.objects.filter(sent_at=None, claimed_at__lt=now - grace).select_related(
        "user"
    )


# The daily due scan ----------------------------------------------------------


@dataclass
class ScanResult:
    day: object
    created: dict = field(default_factory=dict)
    closed: int = 0
    exhausted: int = 0
    skipped: list = field(default_factory=list)

    @property
    def created_total(self):
        return sum(self.created.values())


def _due_querysets(day, now):
    """Per reminder kind, the rows due by `day`, annotated by the selectors My week shares."""
    return {
        Reminder.Kind.FOLLOW_UP: selectors.scan_follow_ups_due(day),
        Reminder.Kind.TOUCH: selectors.scan_touches_due(day),
        Reminder.Kind.PROMISE: selectors.scan_promises_due(day),
        Reminder.Kind.DECISION: selectors.scan_decisions_awaiting(now),
    }


def _without_reminder(kind, due):
    existing = Reminder.objects.filter(
        kind=kind, subject_id=OuterRef("pk"), due_on=OuterRef("reminder_due_on")
    )
    return due.filter(~Exists(existing))


def _skip(kind, subject_id, reason, skipped):
    logger.error("Skipped %s reminder for subject %s: %s", kind, subject_id, reason)
    skipped.append((kind, subject_id, reason))


def _insert(kind, rows, skipped):
    """Insert a chunk in one statement; if that fails, row by row, skipping the bad rows."""
    reminders = []
    for pk, owner_id, contact_id, due_on in rows:
        if owner_id is None or due_on is None:
            _skip(kind, pk, "no owner or no due date", skipped)
            continue
        reminders.append(
            Reminder(
                kind=kind, subject_id=pk, owner_id=owner_id, contact_id=contact_id, due_on=due_on
            )
        )
    try:
        with transaction.atomic():
            return len(Reminder.objects.bulk_create(reminders, ignore_conflicts=True))
    except DatabaseError:
        logger.warning("A chunk of %s reminders failed; inserting it row by row", kind)
    created = 0
    for reminder in reminders:
        try:
            with transaction.atomic():
                Reminder.objects.bulk_create([reminder], ignore_conflicts=True)
            created += 1
        except DatabaseError as error:
            _skip(kind, reminder.subject_id, str(error).splitlines()[0], skipped)
    return created


def _insert_select(kind, due, now):
    """Insert every missing reminder of `kind` in one INSERT ... SELECT; how many were new.

    No row passes through Python, so 100,000 cost about what 10 do in Python.
    ON CONFLICT DO NOTHING (PostgreSQL, SQLite >= 3.24) skips only reminders
    another scan inserted meanwhile; any other refused row fails the statement.
    """
    new = _without_reminder(kind, due).annotate(reminder_subject_id=F("pk")).order_by()
    aliases = ("reminder_subject_id", "reminder_owner_id", "reminder_contact_id", "reminder_due_on")
    select, params = new.values_list(*aliases).query.sql_with_params()
    quote = connection.ops.quote_name
    columns = ("subject_id", "owner_id", "contact_id", "due_on", "kind", "created_at")
    sql = (
        f"INSERT INTO {quote(Reminder._meta.db_table)} ({', '.join(map(quote, columns))}) "
        f"SELECT {', '.join('due.' + quote(alias) for alias in aliases)}, %s, %s "
        f"FROM ({select}) due WHERE true ON CONFLICT DO NOTHING"
    )
    created_at = Reminder._meta.get_field("created_at").get_db_prep_value(now, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, (kind, created_at, *params))
        return cursor.rowcount


def _insert_in_chunks(kind, due, skipped, *, chunk_size):
    """The careful way: read `chunk_size` rows at a time, insert each chunk, skip bad rows."""
    new = _without_reminder(kind, due).order_by("pk")
    fields = ("pk", "reminder_owner_id", "reminder_contact_id", "reminder_due_on")
    created, after = 0, 0
    while True:
        rows = list(new.filter(pk__gt=after).values_list(*fields)[:chunk_size])
        if rows:
            created += _insert(kind, rows, skipped)
        if len(rows) < chunk_size:
            return created
        after = rows[-1][0]


def _create_reminders(kind, due, now, skipped, *, chunk_size=CHUNK_SIZE):
    """One reminder per due row without one yet: all at once, or chunk by chunk if one is bad."""
    try:
        with transaction.atomic():
            return _insert_select(kind, due, now)
    except DatabaseError as error:
        logger.warning(
            "Inserting %s reminders at once failed (%s); going chunk by chunk", kind, error
        )
    return _insert_in_chunks(kind, due, skipped, chunk_size=chunk_size)


def _close_done(kind, due, now, owners):
    """Close open reminders whose subject is no longer due that day: done, snoozed or released."""
    still_due = due.filter(pk=OuterRef("subject_id"), reminder_due_on=OuterRef("due_on"))
    open_reminders = Reminder.objects.filter(kind=kind, closed_at=None)
    if owners is not None:
        open_reminders = open_reminders.filter(owner__in=owners)
    return open_reminders.filter(~Exists(still_due)).update(closed_at=now)


def due_scan(*, now=None, owners=None, chunk_size=CHUNK_SIZE):
    """The daily due scan: one reminder per thing due, follow-ups exhausted after three tries.

    Creates a reminder for every touch-base call or planned touch, follow-up
    attempt and promise due on or before today (local date), and for every
    exhausted follow-up awaiting a decision; closes reminders whose subject
    is no longer due. Running it again creates nothing new. `owners` (users)
    limits the reminders to those people (the exhaust sweep is for everyone).
    A row that cannot be inserted is logged and skipped; the rest go in.
    """
    now = now or timezone.now()
    result = ScanResult(day=timezone.localdate(now))
    with heartbeat(DUE_SCAN, now=now, partial=owners is not None) as beat:
        result.exhausted = follow_ups_exhaust(now=now)
        for kind, due in _due_querysets(result.day, now).items():
            if owners is not None:
                due = due.filter(reminder_owner_id__in=[user.pk for user in owners])
            result.closed += _close_done(kind, due, now, owners)
            result.created[kind] = _create_reminders(
                kind, due, now, result.skipped, chunk_size=chunk_size
            )
        if result.skipped:
            beat.problem = f"Skipped {len(result.skipped)} bad row(s): {result.skipped[:5]}"
    return result


def due_scan_preview(*, now=None, owners=None):
    """What `due_scan` would create now, per kind, without writing anything."""
    now = now or timezone.now()
    counts = {}
    for kind, due in _due_querysets(timezone.localdate(now), now).items():
        if owners is not None:
            due = due.filter(reminder_owner_id__in=[user.pk for user in owners])
        counts[kind] = _without_reminder(kind, due).count()
    return counts


# The weekly reminder email ---------------------------------------------------


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
        "groups": [
            ("Awaiting your decision", week.decisions),
            ("Follow-ups", week.follow_ups),
            ("Touch-base calls and planned touches", week.touches),
            ("Promises", week.promises),
        ],
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
    week = selectors.my_week(user, now=now)
    if week.is_empty:
        result.nothing_due += 1
        return
    message = digest_message(user, week, now=now)
    claim = _claim(user, week_start, week.total)
    if claim is None:
        return  # another run, worker or beat got there first
    try:
        message.send()
    except NOT_DELIVERED:
        # Surely not sent: let the next run try again rather than lose the week.
        WeeklyDigest.objects.filter(pk=claim.pk, sent_at=None).delete()
        raise
    WeeklyDigest.objects.filter(pk=claim.pk).update(sent_at=timezone.now())
    result.sent.append(user.username)


def weekly_digest_send(*, now=None, usernames=None):
    """One combined email per active person with anything due this week; at most one a week.

    Nothing goes to people with nothing due, nor to inactive users. Each email
    is claimed (a unique WeeklyDigest row per person and ISO week) before it is
    sent and stamped `sent_at` after. One person's failure is logged and
    skipped; the others still get theirs.
    """
    now = now or timezone.now()
    result = DigestResult(week_start=week_start_of(now))
    with heartbeat(WEEKLY_DIGEST, now=now, partial=bool(usernames)) as beat:
        for user in digest_recipients(week_start=result.week_start, usernames=usernames):
            try:
                _send_one(user, result.week_start, now, result)
            except Exception as error:
                logger.exception("Weekly email to %s failed", user.username)
                result.failed.append((user.username, repr(error)))
        if result.failed:
            beat.problem = f"{len(result.failed)} email(s) not sent: {result.failed[:5]}"
            beat.succeeded = False
    return result


def weekly_digest_on_schedule(*, now=None):
    """The beat's hourly call: sends only on Monday morning (local); None at other times."""
    now = now or timezone.now()
    if not is_digest_time(now):
        return None
    return weekly_digest_send(now=now)


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
