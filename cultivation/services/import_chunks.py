"""Writing an import's chunk, and undoing what it wrote (services/importing.py).

A chunk is written in bulk: organisations, tags, people, history rows, touches, plans
and the batch's records of whom it added or changed, in a fixed number of queries.
"""

from datetime import datetime
from datetime import time as clock

from django.conf import settings
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from .. import policy
from ..history import field_change
from ..models import (
    Contact,
    ContactEvent,
    ImportBatch,
    ImportedPerson,
    ImportRowError,
    Method,
    Organisation,
    Tag,
    Touch,
)
from ..models.people import linkedin_match_key
from ..models.privacy import normalise_email
from .import_rows import Seen, judge_chunk, organisation_ids
from .plans import touch_plans_start_imported

Status = ImportBatch.Status
OnMatch = ImportBatch.OnMatch
Action = ContactEvent.Action

# A bucket mapped to a cadence starts a touch plan: a touch-base call this often (days).
CADENCES = {"monthly": 30, "quarterly": None, "twice_yearly": 182, "yearly": 365}
# Fields an import may fill or update on someone we have (never the owner or consent).
MATCH_FIELDS = (
    "organisation_id",
    "role",
    "email",
    "phone",
    "linkedin_url",
    "how_we_know_them",
    "what_makes_them_tick",
    "needs",
)
OPT_IN_HOW_LENGTH = Contact._meta.get_field("opt_in_how").max_length


def _cadence_days(name):
    days = CADENCES[name]
    return days or settings.CONVIVIO["TOUCH_BASE_DAYS"]


def plan_interval(batch, row):
    """The cadence (in days) of the first of `row`'s buckets mapped to one, or None."""
    for bucket in row.buckets:
        cadence = batch.bucket_plans.get(bucket.strip().casefold())
        if cadence:
            return _cadence_days(cadence)
    return None


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
            verdicts, organisations = judge_chunk(chunk, self.seen)
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
                person.has_opted_in = True
                person.opted_in_at, person.opt_in_how = self._consent(row, now)
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
                        note=self._consent_note(person, now),
                    )
                )
            last_at = _last_contacted(row, now)
            if last_at is not None:
                touches.append(_imported_touch(person, last_at, self.by, self.batch))
            links += [Contact.tags.through(contact=person, tag_id=t) for t in _tag_ids(row, tags)]
            interval = plan_interval(self.batch, row)
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

    def _consent(self, row, now):
        """When and how they opted in: the file's own record where it has one (an export
        of Convivio's), else now and this file."""
        how = row.opt_in_how.replace("\x00", "") or self.opt_in_how
        return row.opted_in_at or now, how[:OPT_IN_HOW_LENGTH]

    def _consent_note(self, person, now):
        if person.opted_in_at == now and person.opt_in_how == self.opt_in_how:
            return self.opt_in_how
        on = timezone.localtime(person.opted_in_at)
        return f"{self.opt_in_how}: opted in on {on:%-d %b %Y} ({person.opt_in_how})"

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
    return organisation_ids(missing.values())


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


# Undo: who was touched since, and restoring fields -------------------------------

# Rows pointing at a person that the import itself writes: not signs of a later touch.
IMPORT_OWN = {"imported_by", "events", "touches", "touch_plan", "tags", "tagged"}


def touched_since(imported):
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


def restore(record, by, batch):
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
