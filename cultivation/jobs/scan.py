"""The daily due scan: one reminder per thing due, inserted once, bad rows skipped.

See docs/jobs.md.
"""

import logging
from dataclasses import dataclass, field

from django.db import DatabaseError, connection, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from .. import selectors
from ..models import Reminder
from ..services import follow_ups_exhaust
from .heartbeats import DUE_SCAN, heartbeat

logger = logging.getLogger(__name__)

# When one statement for all reminders fails on a bad row, they go in chunks of
# this many, so the query count grows per chunk, never per row.
CHUNK_SIZE = 5000


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
    # Identifiers come from model metadata through quote_name; every value is a parameter.
    sql = (
        f"INSERT INTO {quote(Reminder._meta.db_table)} ({', '.join(map(quote, columns))}) "  # nosec B608
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
    with heartbeat(DUE_SCAN, now=now, partial=owners is not None) as report:
        result.exhausted = follow_ups_exhaust(now=now)
        for kind, due in _due_querysets(result.day, now).items():
            if owners is not None:
                due = due.filter(reminder_owner_id__in=[user.pk for user in owners])
            result.closed += _close_done(kind, due, now, owners)
            result.created[kind] = _create_reminders(
                kind, due, now, result.skipped, chunk_size=chunk_size
            )
        if result.skipped:
            report.problem = f"Skipped {len(result.skipped)} bad row(s): {result.skipped[:5]}"
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
