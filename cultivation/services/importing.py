"""Importing people from a file: upload, column mapping, preview (a dry run), the import
itself in chunks (resumable), and undo. docs/importing.md, "The import service".

The readers (cultivation/importing/readers.py) turn a file into `PersonRow`s; this module
judges each row by the person form's rules, finds duplicates within the file and people we
already have (by email, LinkedIn profile, then name at the same organisation, as
cultivation/matching.py), and writes in chunks of IMPORT_CHUNK_ROWS rows: a few queries
per chunk, never one per row. Each chunk is one transaction that also advances the batch's
`rows_done`, so a killed worker's successor resumes after the last committed chunk.
"""

import time
from dataclasses import dataclass, field
from datetime import datetime
from datetime import time as clock

from django.conf import settings
from django.db import OperationalError, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from convivio.errors import RuleViolation

from .. import policy
from ..history import field_change
from ..importing.rows import FileRefused
from ..models import (
    Contact,
    ContactEvent,
    ErasedIdentity,
    ImportBatch,
    ImportedPerson,
    ImportRowError,
    Method,
    Organisation,
    SavedMapping,
    Tag,
    Touch,
)
from ..models.imports import empty_counts
from ..models.people import linkedin_match_key, name_match_key
from ..models.privacy import ERASED_EMAIL_REFUSAL, email_hash, normalise_email
from .people import person_details_checked
from .plans import touch_plans_start_imported

Status = ImportBatch.Status
OnMatch = ImportBatch.OnMatch
Action = ContactEvent.Action

# A bucket mapped to a cadence starts a touch plan: a touch-base call this often (days).
CADENCES = {"monthly": 30, "quarterly": None, "twice_yearly": 182, "yearly": 365}
PREVIEW_ROWS = 5  # the first rows of each group the preview shows
PREVIEW_ERRORS_MAX = 1000  # errors kept in the preview; all are in the run's error rows
# Fields an import may fill or update on someone we have (never the owner or consent).
MATCH_FIELDS = ("organisation_id", "role", "email", "phone", "linkedin_url", "how_we_know_them")
GROUPS = ("new", "matched", "duplicates_in_file", "errors")


def _cadence_days(name):
    days = CADENCES[name]
    return days or settings.CONVIVIO["TOUCH_BASE_DAYS"]


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
    if batch.status not in statuses:
        raise RuleViolation(
            f"{batch.file_name} is {batch.get_status_display().lower()}: it is too late to {doing}."
        )


# Judging rows: the same for the preview and the import -------------------------------


@dataclass
class Verdict:
    """What the import makes of one row: `group` is one of GROUPS; `match` the person we
    have (for "matched"); `details` the row's tidied details; `sentence` why it is an
    error or a duplicate."""

    row: object
    group: str
    details: dict = field(default_factory=dict)
    match: Contact | None = None
    reason: str = ""
    sentence: str = ""
    keys: list = field(default_factory=list)


class Seen:
    """The keys of the rows read so far, to find duplicates within the file."""

    def __init__(self):
        self.keys = {}

    def first(self, keys):
        """The row number of an earlier row with one of `keys`, or None (then remembered)."""
        for key in keys:
            if key in self.keys:
                return self.keys[key]
        return None

    def remember(self, keys, number):
        for key in keys:
            self.keys.setdefault(key, number)


def _details(row):
    how = row.how_we_know_them
    if row.connected_on:
        on = f"Connected on {row.connected_on:%-d %b %Y}."
        how = f"{how}\n{on}" if how else on
    if row.notes:
        how = f"{how}\n{row.notes}" if how else row.notes
    return person_details_checked(
        dict(
            name=row.name,
            role=row.role,
            email=row.email,
            phone=row.phone,
            linkedin_url=row.linkedin_url,
            how_we_know_them=how,
        )
    )


def _keys(details, organisation):
    keys = []
    if email := normalise_email(details["email"]):
        keys.append(("email", email))
    if linkedin := linkedin_match_key(details["linkedin_url"]):
        keys.append(("linkedin", linkedin))
    keys.append(("name", name_match_key(details["name"]), organisation.strip().lower()))
    return keys


def _judge_alone(row, seen):
    """A row's verdict from the row alone: an error, a duplicate, or to be matched."""
    if row.errors:  # a reader's sentence may quote a cell: no NUL in what is kept
        return Verdict(row, "errors", sentence="; ".join(row.errors).replace("\x00", ""))
    try:
        details = _details(row)
    except RuleViolation as error:
        return Verdict(row, "errors", sentence=str(error))
    if "\x00" in row.organisation:
        return Verdict(
            row, "errors", sentence="Text cannot contain a NUL character: type it again."
        )
    if len(row.organisation) > Organisation._meta.get_field("name").max_length:
        return Verdict(row, "errors", sentence="The organisation's name is too long.")
    keys = _keys(details, row.organisation)
    earlier = seen.first(keys)
    if earlier is not None:
        return Verdict(
            row, "duplicates_in_file", details, sentence=f"the same person as row {earlier}"
        )
    seen.remember(keys, row.number)
    return Verdict(row, "new", details, keys=keys)


def _judge(rows, seen):
    """Verdicts for a chunk of rows: a fixed number of queries (erasures, organisations,
    people we have), whatever the chunk's size."""
    verdicts = [_judge_alone(row, seen) for row in rows]
    candidates = [verdict for verdict in verdicts if verdict.group == "new"]
    erased = _erased_hashes(verdict.details["email"] for verdict in candidates)
    for verdict in candidates:
        if verdict.details["email"] and email_hash(verdict.details["email"]) in erased:
            verdict.group, verdict.sentence = "errors", ERASED_EMAIL_REFUSAL
    candidates = [verdict for verdict in candidates if verdict.group == "new"]
    organisations = _organisations(verdict.row.organisation for verdict in candidates)
    _match(candidates, organisations)
    return verdicts, organisations


def _erased_hashes(emails):
    hashes = {email_hash(email) for email in emails if email}
    if not hashes:
        return set()
    return set(
        ErasedIdentity.objects.filter(email_hash__in=hashes).values_list("email_hash", flat=True)
    )


def _organisations(names):
    """{lower-case name: organisation id} of the organisations named that exist."""
    wanted = {name.strip().lower() for name in names if name.strip()}
    if not wanted:
        return {}
    found = (
        Organisation.objects.annotate(lower=Lower("name"))
        .filter(lower__in=wanted)
        .values_list("lower", "pk")
    )
    return dict(found)


def _match(verdicts, organisations):
    """Find the people we have for `verdicts` in one query: the same email (any case), the
    same LinkedIn profile, then the same name at the same organisation (matching.py's
    rules), lowest id first."""
    if not verdicts:
        return
    by_email, by_linkedin, by_name = _people_we_have(verdicts)
    for verdict in verdicts:
        keys = {key[0]: key[1] for key in verdict.keys}
        organisation = verdict.row.organisation.strip().lower()
        found = [
            (by_email.get(keys.get("email")), "same email"),
            (by_linkedin.get(keys.get("linkedin")), "same LinkedIn profile"),
        ]
        if not organisation or organisation in organisations:
            key = (keys["name"], organisations.get(organisation))
            found.append((by_name.get(key), "same name and organisation"))
        match, reason = next(((p, r) for p, r in found if p is not None), (None, ""))
        if match is not None:
            verdict.group, verdict.match, verdict.reason = "matched", match, reason


def _people_we_have(verdicts):
    """The living people sharing a key with `verdicts`, by email, LinkedIn key and (name
    key, organisation id)."""
    keys = [dict((key[0], key[1]) for key in v.keys) for v in verdicts]
    emails = {k["email"] for k in keys if "email" in k}
    linkedins = {k["linkedin"] for k in keys if "linkedin" in k}
    names = {k["name"] for k in keys}
    people = (
        Contact.objects.active()
        .alias(email_lower=Lower("email"))
        .filter(Q(email_lower__in=emails) | Q(linkedin_key__in=linkedins) | Q(name_key__in=names))
        .select_related("organisation")
        .order_by("-pk")
    )
    by_email, by_linkedin, by_name = {}, {}, {}
    for person in people:  # lowest id last, so it wins
        if person.email:
            by_email[normalise_email(person.email)] = person
        if person.linkedin_key:
            by_linkedin[person.linkedin_key] = person
        by_name[(person.name_key, person.organisation_id)] = person
    return by_email, by_linkedin, by_name


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


def _plans_wanted(batch, row):
    """The cadence (in days) of the first of `row`'s buckets mapped to one, or None."""
    for bucket in row.buckets:
        cadence = batch.bucket_plans.get(bucket.strip().casefold())
        if cadence:
            return _cadence_days(cadence)
    return None


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
        verdicts, _ = _judge(chunk, seen)
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
                planned += _plans_wanted(batch, verdict.row) is not None
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
            _judge_alone(row, run.seen)
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


class Run:
    """One worker's pass over a batch: what it needs between chunks."""

    def __init__(self, batch):
        self.batch, self.seen = batch, Seen()
        self.by, self.owner = batch.created_by, batch.owner
        self.is_manager = policy.is_manager(self.by)
        mapped = [column for column, name in (batch.mapping or {}).items() if name == "opted_in"]
        column = f" (column {mapped[0]})" if mapped else ""
        self.opt_in_how = f"imported from {batch.file_name}{column}"[:200]

    def write(self, chunk, position):
        """Write one chunk, if the batch is still running at `position`; False otherwise."""
        with transaction.atomic():
            batch = ImportBatch.objects.select_for_update().get(pk=self.batch.pk)
            if batch.status != Status.RUNNING or batch.rows_done != position:
                return False
            now = timezone.now()
            verdicts, organisations = _judge(chunk, self.seen)
            counts = batch.counts
            for verdict in verdicts:
                if verdict.group in ("errors", "duplicates_in_file", "matched"):
                    counts[verdict.group] += 1
            errors = [v for v in verdicts if v.group == "errors"]
            ImportRowError.objects.bulk_create(
                ImportRowError(batch=batch, row_number=v.row.number, sentence=v.sentence)
                for v in errors
            )
            new = [v for v in verdicts if v.group == "new"]
            named = new if batch.on_match == OnMatch.SKIP else [*new, *self._matched(verdicts)]
            organisations.update(_create_organisations(named, organisations))
            tags = _tags([v.row for v in verdicts if v.group in ("new", "matched")])
            self._create(new, organisations, tags, counts, now)
            self._update(
                [v for v in verdicts if v.group == "matched"], organisations, tags, counts, now
            )
            batch.rows_done = position + len(chunk)
            batch.save(update_fields=["rows_done", "counts"])
            return True

    def _create(self, verdicts, organisations, tags, counts, now):
        people = []
        for verdict in verdicts:
            row = verdict.row
            person = Contact(
                owner=self.owner,
                organisation_id=organisations.get(row.organisation.strip().lower()),
                **verdict.details,
            )
            if row.opted_in is True:
                person.has_opted_in, person.opted_in_at = True, now
                person.opt_in_how = self.opt_in_how
            people.append(person)
        people = Contact.objects.bulk_create(people)
        kept = (
            f"Kept by {policy.full_name(self.owner)}." if self.owner else "Nobody keeps them yet."
        )
        note = f"Imported from {self.batch.file_name}. {kept}"
        events, touches, links, plans = [], [], [], []
        for verdict, person in zip(verdicts, people, strict=True):
            row = verdict.row
            events.append(
                ContactEvent(contact=person, action=Action.CREATED, at=now, by=self.by, note=note)
            )
            if person.has_opted_in:
                events.append(
                    ContactEvent(
                        contact=person,
                        action=Action.OPTED_IN,
                        at=now,
                        by=self.by,
                        note=self.opt_in_how,
                    )
                )
            last_at = _last_contacted(row, now)
            if last_at is not None:
                touches.append(_imported_touch(person, last_at, self.by, self.batch))
            links += [Contact.tags.through(contact=person, tag_id=t) for t in _tag_ids(row, tags)]
            interval = _plans_wanted(self.batch, row)
            if interval is not None:
                plans.append((person, interval, last_at))
        ContactEvent.objects.bulk_create(events)
        Touch.objects.bulk_create(touches)
        Contact.tags.through.objects.bulk_create(links, ignore_conflicts=True)
        ImportedPerson.objects.bulk_create(
            ImportedPerson(
                batch=self.batch, contact=p, action="created", row_number=v.row.number, at=now
            )
            for v, p in zip(verdicts, people, strict=True)
        )
        counts["new"] += len(people)
        counts["opted_in"] += sum(person.has_opted_in for person in people)
        counts["without_plan_beyond_capacity"] += touch_plans_start_imported(
            people=plans, owner=self.owner, by=self.by, now=now
        )

    def _matched(self, verdicts):
        return [v for v in verdicts if v.group == "matched" and self._may_change(v.match)]

    def _may_change(self, person):
        return self.is_manager or person.owner_id in (None, self.by.pk)

    def _update(self, verdicts, organisations, tags, counts, now):
        on_match = self.batch.on_match
        changeable = [v for v in verdicts if on_match != OnMatch.SKIP and self._may_change(v.match)]
        counts["skipped"] += len(verdicts) - len(changeable)
        tagged = set(
            Contact.tags.through.objects.filter(
                contact__in=[v.match for v in changeable]
            ).values_list("contact_id", "tag_id")
        )
        changed, events, links, records, fields = [], [], [], [], set()
        for verdict in changeable:
            person = verdict.match
            wanted = _wanted(verdict, organisations)
            diffs = {
                name: [getattr(person, name), value]
                for name, value in wanted.items()
                if value
                and _differs(name, getattr(person, name), value)
                and (on_match == OnMatch.UPDATE or not getattr(person, name))
            }
            new_tags = [t for t in _tag_ids(verdict.row, tags) if (person.pk, t) not in tagged]
            if not diffs and not new_tags:
                counts["skipped"] += 1
                continue
            entries = [
                _change_entry(person, verdict.row, name, after)
                for name, (_, after) in diffs.items()
            ]
            for name, (_, after) in diffs.items():
                setattr(person, name, after)
            if "linkedin_url" in diffs:
                person.linkedin_key = linkedin_match_key(person.linkedin_url)
            fields.update(diffs)
            changed.append(person)
            links += [Contact.tags.through(contact_id=person.pk, tag_id=t) for t in new_tags]
            tagged.update((person.pk, t) for t in new_tags)
            note = f"Updated from {self.batch.file_name}."
            events.append(
                ContactEvent(
                    contact=person,
                    action=Action.UPDATED,
                    at=now,
                    by=self.by,
                    note=note,
                    changes=entries,
                )
            )
            records.append(
                ImportedPerson(
                    batch=self.batch,
                    contact=person,
                    action="updated",
                    row_number=verdict.row.number,
                    previous={"fields": diffs, "tags_added": new_tags},
                    at=now,
                )
            )
        if fields:
            if "linkedin_url" in fields:
                fields.add("linkedin_key")
            Contact.objects.bulk_update(changed, sorted(fields))
        Contact.tags.through.objects.bulk_create(links, ignore_conflicts=True)
        ContactEvent.objects.bulk_create(events)
        ImportedPerson.objects.bulk_create(records)
        counts["updated"] += len(records)


def _wanted(verdict, organisations):
    details = {
        **verdict.details,
        "organisation_id": organisations.get(verdict.row.organisation.strip().lower()),
    }
    return {name: details[name] for name in MATCH_FIELDS}


def _differs(name, before, after):
    if name == "email":  # the same address in another case is no change
        return normalise_email(before) != normalise_email(after)
    return before != after


def _change_entry(person, row, name, after):
    """A history entry for a field the import changes (before the change is applied)."""
    if name == "organisation_id":
        return field_change(Contact, "organisation", person.organisation, row.organisation.strip())
    return field_change(Contact, name, getattr(person, name), after)


def _create_organisations(verdicts, organisations):
    """The organisations named by new people that we do not have yet, added (one each,
    whatever the case: organisation_for_name's rule) in two queries."""
    missing = {}
    for verdict in verdicts:
        name = verdict.row.organisation.strip()
        if name and name.lower() not in organisations:
            missing.setdefault(name.lower(), name)
    if not missing:
        return {}
    Organisation.objects.bulk_create(
        [Organisation(name=name) for name in missing.values()], ignore_conflicts=True
    )
    return _organisations(missing.values())


def _tags(rows):
    """{lower-case name: tag id} for every tag and bucket of `rows`, added if new."""
    names = {}
    for row in rows:
        for name in [*row.tags, *row.buckets]:
            name = name.strip()[: Tag._meta.get_field("name").max_length]
            if name and "\x00" not in name:
                names.setdefault(name.lower(), name)
    if not names:
        return {}
    Tag.objects.bulk_create([Tag(name=name) for name in names.values()], ignore_conflicts=True)
    found = Tag.objects.annotate(lower=Lower("name")).filter(lower__in=names)
    return dict(found.values_list("lower", "pk"))


def _tag_ids(row, tags):
    wanted = {name.strip()[:100].lower() for name in [*row.tags, *row.buckets]}
    return sorted({tags[name] for name in wanted if name in tags})


def _last_contacted(row, now):
    """When the file says we were last in touch, as a moment (noon that day); None for no
    date or a date still to come."""
    if row.last_contacted is None or row.last_contacted > timezone.localdate(now):
        return None
    return timezone.make_aware(datetime.combine(row.last_contacted, clock(12)))


def _imported_touch(person, at, by, batch):
    return Touch(
        contact=person,
        method=Method.IMPORTED,
        at=at,
        by=by,
        note=f"Last contacted, as {batch.file_name} says (how is not recorded).",
    )


# Undo --------------------------------------------------------------------------------

# Rows pointing at a person that the import itself writes: not signs of a later touch.
IMPORT_OWN = {"imported_by", "events", "touches", "touch_plan", "tags", "tagged"}


def _touched_since(imported):
    """Why the people of `imported` (ImportedPerson rows) cannot be removed: {contact id:
    reason}, in a query per kind of link. Touched since the import: a touch logged, a
    promise, a card, a follow-up, a "knows" link, a referral, a merge or an erasure, or
    any change in their history after the import (edits, plans, consent)."""
    ids = [record.contact_id for record in imported]
    at = {record.contact_id: record.at for record in imported}
    reasons = {}
    later = ContactEvent.objects.filter(contact_id__in=ids).values_list(
        "contact_id", "at", "action"
    )
    for contact_id, when, action in later:
        if when > at[contact_id]:
            reasons.setdefault(
                contact_id, f"their history has changed since ({action.replace('_', ' ')})"
            )
    logged = Touch.objects.filter(contact_id__in=ids).exclude(method=Method.IMPORTED)
    for contact_id in logged.values_list("contact_id", flat=True):
        reasons.setdefault(contact_id, "a touch was logged with them since")
    for relation in Contact._meta.related_objects:
        if relation.get_accessor_name() in IMPORT_OWN or relation.related_model is ImportedPerson:
            continue
        if relation.many_to_many:
            continue
        linked = relation.related_model._default_manager.filter(
            **{f"{relation.field.name}__in": ids}
        ).values_list(relation.field.attname, flat=True)
        what = relation.related_model._meta.verbose_name
        for contact_id in linked:
            reasons.setdefault(contact_id, f"a {what} refers to them")
    retired = Contact.objects.filter(pk__in=ids).exclude(erased_at=None, merged_into=None)
    for contact_id in retired.values_list("pk", flat=True):
        reasons.setdefault(contact_id, "they were erased or merged since")
    return reasons


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
        touched = _touched_since(part)
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
        report += _restore(record, by, batch)
    batch.status, batch.undone_at, batch.undone_by, batch.undo_report = (
        Status.UNDONE,
        timezone.now(),
        by,
        report,
    )
    batch.save(update_fields=["status", "undone_at", "undone_by", "undo_report"])
    return report


def _restore(record, by, batch):
    person = (
        Contact.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=record.contact_id)
    )
    if person.retired_reason:
        return [
            f"{person.name} (row {record.row_number}) was not restored: {person.retired_reason}"
        ]
    report, restore = [], {}
    for name, (before, after) in record.previous.get("fields", {}).items():
        if getattr(person, name) == after:
            restore[name] = before
        else:
            label = Contact._meta.get_field(name.removesuffix("_id")).verbose_name
            report.append(
                f"{person.name}'s {label} (row {record.row_number}) was changed again since "
                "the import: it stays as it is now."
            )
    entries = []
    for name, before in restore.items():
        entries.append(
            field_change(
                Contact,
                name.removesuffix("_id"),
                _shown_value(person, name),
                _shown_before(name, before),
            )
        )
        setattr(person, name, before)
    if restore:
        person.save(update_fields=list(restore))
    person.tags.remove(*record.previous.get("tags_added", []))
    if entries:
        ContactEvent.objects.create(
            contact=person,
            action=Action.UPDATED,
            by=by,
            note=f"Import of {batch.file_name} undone.",
            changes=entries,
        )
    return report


def _shown_value(person, name):
    return person.organisation if name == "organisation_id" else getattr(person, name)


def _shown_before(name, before):
    if name == "organisation_id":
        return Organisation.objects.filter(pk=before).first()
    return before
