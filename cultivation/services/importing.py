"""Importing people from a file: upload, column mapping, preview (a dry run), the import
itself in chunks (resumable), and undo. docs/importing.md, "The import service".

The readers (cultivation/importing/readers.py) turn a file into `PersonRow`s;
import_rows.py judges each row by the person form's rules, finds duplicates within the
file and people we already have (by email, LinkedIn profile, then name at the same
organisation, as cultivation/matching.py); import_chunks.py writes them in chunks of
IMPORT_CHUNK_ROWS rows: a few queries per chunk, never one per row. Each chunk is one
transaction that also advances the batch's `rows_done`, so a killed worker's successor
resumes after the last committed chunk.
"""

import time
from dataclasses import dataclass

from django.conf import settings
from django.db import OperationalError, transaction
from django.utils import timezone

from convivio.errors import RuleViolation

from .. import policy
from ..importing.rows import FileRefused
from ..models import (
    Contact,
    ContactEvent,
    ImportBatch,
    SavedMapping,
)
from ..models.imports import empty_counts
from .import_chunks import (
    CADENCES,
    Run,
    plan_interval,
    restore,
    touched_since,
)
from .import_rows import Seen, judge_alone, judge_chunk

Status = ImportBatch.Status
OnMatch = ImportBatch.OnMatch
Action = ContactEvent.Action


PREVIEW_ROWS = 5  # the first rows of each group the preview shows
PREVIEW_ERRORS_MAX = 1000  # errors kept in the preview; all are in the run's error rows

GROUPS = ("new", "matched", "duplicates_in_file", "errors")


# Reading the file ------------------------------------------------------------------


def _read(*, data, file_name, encoding=None, layout=None, mapping=None):
    from ..importing.readers import read_people  # the readers' module, loaded when used

    return read_people(
        data, filename=file_name, encoding=encoding or None, layout=layout or None, mapping=mapping
    )


def _file_of(batch):
    return _read(
        data=bytes(batch.data),
        file_name=batch.file_name,
        encoding=batch.encoding,
        layout=batch.layout,
        mapping=batch.mapping or None,
    )


def _describe(batch, read):
    if any("\x00" in header for header in read.mapping or {}):
        raise FileRefused(
            "This file's header has a NUL character in it: it is not a list of people."
        )
    batch.format, batch.encoding = read.format or "", read.encoding or ""
    batch.layout = read.layout or ""
    batch.header_signature = read.header_signature or ""
    batch.mapping = read.mapping or {}
    batch.status = Status.NEEDS_MAPPING if read.needs_mapping else Status.PREVIEWED


def _chunks(rows, size):
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# Upload and mapping ----------------------------------------------------------------


def _require_batch(by, batch, doing):
    policy.require(
        policy.can_see_import(by, batch),
        f"Only {policy.full_name(batch.created_by)}, who imported {batch.file_name}, "
        f"or a manager can {doing}.",
    )


def _import_refusal(owner):
    if owner is None:
        return "Sign in to import people."
    return f"Only a manager can import people for {policy.full_name(owner)} to keep."


@transaction.atomic
def import_upload(*, by, owner, file_name, data, encoding=None, layout=None):
    """Take a file to import into `owner`'s pool (None: nobody keeps them yet): staff into
    their own pool or nobody's, managers for anyone. The file is recognised (a saved
    mapping is used again for a header seen before) and, unless it needs a mapping,
    previewed. A file that cannot be imported raises `FileRefused` with its sentence."""
    policy.require(policy.can_import_for(by, owner), _import_refusal(owner))
    if owner is not None and not owner.is_active:
        raise RuleViolation(f"{owner} is no longer active and cannot keep relationships.")
    file_name = (file_name or "").replace("\x00", "").strip()[:255] or "file"
    read = _read(data=data, file_name=file_name, encoding=encoding, layout=layout)
    signature = read.header_signature or ""
    saved = SavedMapping.objects.filter(header_signature=signature or "-").first()
    if read.needs_mapping and saved is not None:
        read = _read(
            data=data, file_name=file_name, encoding=encoding, layout=layout, mapping=saved.mapping
        )
    batch = ImportBatch(created_by=by, owner=owner, file_name=file_name, data=data)
    _describe(batch, read)
    batch.header_signature = signature
    batch.save()
    if batch.status == Status.PREVIEWED:
        _preview(batch, read)
    return batch


@transaction.atomic
def import_set_mapping(*, batch, by, mapping, encoding=None, bucket_plans=None):
    """Say which column holds what (and, optionally, the encoding, and which buckets start a
    touch plan at which cadence), remember the mapping for files with the same header, and
    preview again. Only before the import is confirmed."""
    batch = _lock(batch)
    _require_batch(by, batch, f"change how {batch.file_name} is read")
    _require_status(batch, (Status.NEEDS_MAPPING, Status.PREVIEWED), "change how it is read")
    _require_name_column(mapping)
    if bucket_plans is not None:
        batch.bucket_plans = _checked_bucket_plans(bucket_plans)
    read = _read(
        data=bytes(batch.data),
        file_name=batch.file_name,
        encoding=encoding or batch.encoding,
        layout=batch.layout,
        mapping=mapping,
    )
    signature = batch.header_signature  # the file's own header, as the next upload reads it
    _describe(batch, read)
    batch.header_signature = signature or batch.header_signature
    if batch.header_signature and not read.needs_mapping:
        SavedMapping.objects.update_or_create(
            header_signature=batch.header_signature,
            defaults={"mapping": read.mapping, "saved_by": by},
        )
    batch.save()
    if batch.status == Status.PREVIEWED:
        _preview(batch, read)
    return batch


def _checked_bucket_plans(bucket_plans):
    if not isinstance(bucket_plans, dict):
        raise RuleViolation("Say for each bucket how often its people are called.")
    checked = {}
    for bucket, cadence in bucket_plans.items():
        if not cadence:
            continue
        if cadence not in CADENCES:
            raise RuleViolation(f"“{cadence}” is not a cadence: choose {', '.join(CADENCES)}.")
        checked[str(bucket).strip().casefold()] = cadence
    return checked


def _lock(batch):
    return ImportBatch.objects.select_for_update(of=("self",)).get(pk=batch.pk)


def _require_status(batch, statuses, doing):
    if batch.status in statuses:
        return
    if batch.status == Status.NEEDS_MAPPING:
        raise RuleViolation(
            f"Say first which column of {batch.file_name} holds what: then you can {doing}."
        )
    raise RuleViolation(
        f"{batch.file_name} is {batch.get_status_display().lower()}: it is too late to {doing}."
    )


NAME_FIELDS = {"name", "first_name", "last_name"}


def _require_name_column(mapping):
    """A mapping that names nobody imports nobody: refused before anything is saved."""
    if not NAME_FIELDS & set(mapping.values()):
        raise FileRefused(
            "Say which column holds the person's name (or first and last name): "
            "without a name nobody can be added."
        )


# Preview -----------------------------------------------------------------------------


@dataclass
class Preview:
    """A dry run's findings: `counts` (new, matched, duplicates_in_file, errors, opted_in,
    without_plan_beyond_capacity), the first rows of each group, every error as
    "row 212: no name and no email" (the first PREVIEW_ERRORS_MAX), and the buckets found."""

    total_rows: int
    counts: dict
    groups: dict
    errors: list
    buckets: dict

    def as_json(self):
        return {
            "total_rows": self.total_rows,
            "counts": self.counts,
            "groups": self.groups,
            "errors": self.errors,
            "buckets": self.buckets,
        }


def preview_of(batch):
    """The preview stored on `batch` by the last dry run (None before one)."""
    if not batch.preview:
        return None
    return Preview(**batch.preview)


def _shown(verdict):
    row = verdict.row
    # As the file has them, for the preview to show: without NUL characters, which JSON
    # on PostgreSQL cannot hold.
    shown = {
        "row": row.number,
        "name": row.name.replace("\x00", ""),
        "email": row.email.replace("\x00", ""),
        "organisation": row.organisation.replace("\x00", ""),
    }
    if verdict.match is not None:
        shown["match"] = {"id": verdict.match.pk, "name": verdict.match.name}
        shown["reason"] = verdict.reason
    if verdict.sentence:
        shown["sentence"] = verdict.sentence
    return shown


def _error_line(verdict):
    return f"row {verdict.row.number}: {verdict.sentence}"


def import_preview(*, batch):
    """A dry run over the whole file: nothing is written but the findings, stored on the
    batch (`batch.preview`, `batch.counts`, `batch.total_rows`)."""
    with transaction.atomic():
        batch = _lock(batch)
        _require_status(batch, (Status.PREVIEWED,), "preview it again")
        return _preview(batch, _file_of(batch))


def _preview(batch, read):
    counts, groups, errors, buckets = empty_counts(), {g: [] for g in GROUPS}, [], {}
    seen, total, planned = Seen(), 0, 0
    for chunk in _chunks(read.rows(), settings.IMPORT_CHUNK_ROWS):
        total += len(chunk)
        verdicts, _ = judge_chunk(chunk, seen)
        for verdict in verdicts:
            counts[verdict.group] += 1
            if len(groups[verdict.group]) < PREVIEW_ROWS:
                groups[verdict.group].append(_shown(verdict))
            if verdict.group == "errors" and len(errors) < PREVIEW_ERRORS_MAX:
                errors.append(_error_line(verdict))
            for bucket in verdict.row.buckets:
                bucket = bucket.replace("\x00", "")
                buckets[bucket] = buckets.get(bucket, 0) + 1
            if verdict.group == "new":
                counts["opted_in"] += verdict.row.opted_in is True
                planned += plan_interval(batch, verdict.row) is not None
    if total == 0:
        raise FileRefused("There is no one in this file: it has no rows under its header.")
    counts["without_plan_beyond_capacity"] = _beyond_capacity(batch.owner, planned)
    preview = Preview(total, counts, groups, errors, buckets)
    batch.total_rows, batch.counts, batch.preview = total, counts, preview.as_json()
    batch.save(update_fields=["total_rows", "counts", "preview", "status", "mapping"])
    return preview


def _beyond_capacity(owner, planned):
    if owner is None or not planned:
        return 0
    from ..models import TouchPlan

    room = settings.CONVIVIO["CAPACITY_MAX"] - TouchPlan.objects.pool_of(owner).count()
    return max(0, planned - max(room, 0))


# Confirm and run ---------------------------------------------------------------------


@transaction.atomic
def import_confirm(*, batch, by, on_match, bucket_plans=None, enqueue=True):
    """Start the import of a previewed batch, saying what to do with people we already
    have (skip, fill only their empty fields, or update them). The work is queued for a
    worker once this transaction commits (`enqueue=False`: the caller runs it)."""
    batch = _lock(batch)
    _require_batch(by, batch, f"import {batch.file_name}")
    _require_status(batch, (Status.PREVIEWED,), "start it again")
    if on_match not in OnMatch.values:
        raise RuleViolation("Choose what to do with people we already have: skip, fill or update.")
    if bucket_plans is not None:
        batch.bucket_plans = _checked_bucket_plans(bucket_plans)
    batch.on_match, batch.status, batch.queued_at = on_match, Status.QUEUED, timezone.now()
    batch.rows_done, batch.counts = 0, empty_counts()
    batch.save(
        update_fields=["on_match", "status", "queued_at", "rows_done", "counts", "bucket_plans"]
    )
    if enqueue:
        from .. import tasks  # tasks call services: imported here, not at the top

        tasks.import_people.delay_on_commit(batch.pk)
    return batch


def import_run(*, batch_id, time_budget=None):
    """The worker's part: claim the batch, then import its rows chunk by chunk from
    `rows_done`, each chunk one transaction. Returns True when the batch is finished
    (done, failed, or nothing to do), False when `time_budget` seconds ran out first
    (the caller queues the rest). Safe to run twice and after a killed worker: a chunk is
    written only by the one who finds `rows_done` where it left it."""
    ImportBatch.objects.filter(pk=batch_id, status=Status.QUEUED).update(
        status=Status.RUNNING, started_at=timezone.now()
    )
    batch = ImportBatch.objects.select_related("owner", "created_by").filter(pk=batch_id).first()
    if batch is None or batch.status != Status.RUNNING:
        return True
    try:
        return _run(batch, time_budget)
    except RuleViolation as error:
        _fail(batch, str(error))
        return True
    except OperationalError:
        raise  # the database went away: the task retries, and resumes where it was
    except Exception:
        _fail(batch, UNEXPECTED)
        raise


UNEXPECTED = (
    "The import stopped on an error we did not expect (it is in the worker's log). The "
    "people before it are imported: undo them, or import the file again to add the rest."
)


def _run(batch, time_budget):
    started = time.monotonic()
    run = Run(batch)
    rows = _file_of(batch).rows()
    position = 0
    for chunk in _chunks(rows, settings.IMPORT_CHUNK_ROWS):
        written = chunk[: max(0, batch.rows_done - position)]
        for row in written:  # written before (by a worker now dead): only remember keys
            judge_alone(row, run.seen)
        chunk, position = chunk[len(written) :], position + len(written)
        if not chunk:
            continue
        if not run.write(chunk, position):
            return True  # another worker has it, or it was stopped
        position += len(chunk)
        if time_budget is not None and time.monotonic() - started > time_budget:
            return False
    _finish(batch)
    return True


def _fail(batch, sentence):
    ImportBatch.objects.filter(pk=batch.pk, status=Status.RUNNING).update(
        status=Status.FAILED, failure=sentence, finished_at=timezone.now(), data=b""
    )


def _finish(batch):
    ImportBatch.objects.filter(pk=batch.pk, status=Status.RUNNING).update(
        status=Status.DONE, finished_at=timezone.now(), data=b""
    )


# Undo --------------------------------------------------------------------------------


@transaction.atomic
def import_undo(*, batch, by):
    """Undo an import: remove the people it added that nobody has touched since, and put
    back the fields it changed on people we had (where nobody changed them again). Its
    creator or a manager, once it is done or failed. Returns the sentences saying what
    could not be undone and why (also kept on the batch)."""
    batch = _lock(batch)
    _require_batch(by, batch, f"undo the import of {batch.file_name}")
    _require_status(batch, (Status.DONE, Status.FAILED), "undo it")
    report = []
    created = list(
        batch.people.filter(action="created").exclude(contact=None).select_related("contact")
    )
    for start in range(0, len(created), settings.IMPORT_CHUNK_ROWS):
        part = created[start : start + settings.IMPORT_CHUNK_ROWS]
        touched = touched_since(part)
        for record in part:
            if record.contact_id in touched:
                name = record.contact.name
                report.append(
                    f"{name} (row {record.row_number}) was kept: {touched[record.contact_id]}."
                )
        Contact.objects.filter(
            pk__in=[r.contact_id for r in part if r.contact_id not in touched]
        ).delete()
    for record in batch.people.filter(action="updated").exclude(contact=None):
        report += restore(record, by, batch)
    batch.status, batch.undone_at, batch.undone_by, batch.undo_report = (
        Status.UNDONE,
        timezone.now(),
        by,
        report,
    )
    batch.save(update_fields=["status", "undone_at", "undone_by", "undo_report"])
    return report
