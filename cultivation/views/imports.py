"""The import pages: upload a file, map its columns, preview, confirm, watch it run, undo.

Each view parses what was sent, calls one service of services/importing.py and
renders; nothing is written before Confirm. One page per batch (`/imports/<id>/`)
shows whichever step the batch is at: the mapping screen, the preview, the progress
bar (polled by htmx while the worker runs) or the finished summary. A refused action
(a file that cannot be read, another person's batch, confirming or undoing twice)
answers 4xx with the sentence, and nothing changes.
"""

import csv
import functools
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from convivio.errors import PermissionRefused, RuleViolation
from convivio.parsing import object_or_404

from .. import import_selectors, policy
from ..import_forms import BucketPlansForm, ConfirmForm, MappingForm, UploadForm, encoding_label
from ..importing.layouts import LAYOUTS
from ..importing.rows import FileRefused
from ..models import ImportBatch, ImportRowError
from ..services import importing

BATCHES_SHOWN = 50
SAMPLES_SHOWN = 3
ERRORS_SHOWN = 100
MAPPABLE = (ImportBatch.Status.NEEDS_MAPPING, ImportBatch.Status.PREVIEWED)
# What import_undo takes: a failed import is undone too (what its chunks wrote).
UNDOABLE = (ImportBatch.Status.DONE, ImportBatch.Status.FAILED)


def _refusal(request, error, *, batch=None, status=None):
    """The sentence of a refused action, as a 4xx: 403 when it is someone else's to do,
    409 when the batch is past that step, else 400. htmx gets the text alone."""
    if status is None:
        status = 403 if isinstance(error, PermissionRefused) else 409 if batch else 400
    if request.headers.get("HX-Request") == "true":
        return HttpResponse(str(error), status=status, content_type="text/plain; charset=utf-8")
    back = reverse("cultivation:import-detail", args=[batch.pk]) if batch else ""
    context = {"message": str(error), "back": back or reverse("cultivation:import-list")}
    return render(request, "cultivation/imports/refused.html", context, status=status)


def _batch(request, pk):
    """The batch named in the URL, if `request.user` may see it (its creator or a
    manager); a 404 for an id that names nothing, PermissionRefused for someone else's."""
    batches = ImportBatch.objects.select_related("created_by", "owner", "undone_by")
    batch = object_or_404(batches.defer("data"), pk, what="import")
    policy.require(
        policy.can_see_import(request.user, batch),
        f"Only {policy.full_name(batch.created_by)}, who uploaded it, or a manager can see "
        "this import.",
    )
    return batch


def _with_batch(view):
    """Load the batch (`pk`) and turn a refusal into its 4xx page."""

    @functools.wraps(view)
    def wrapped(request, pk):
        try:
            return view(request, _batch(request, pk))
        except PermissionRefused as error:
            return _refusal(request, error)

    return wrapped


def _detail(batch):
    return redirect("cultivation:import-detail", pk=batch.pk)


def import_list(request):
    """`/imports/`: the upload form, and the person's imports (a manager's: everyone's)."""
    form = UploadForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        max_bytes=settings.IMPORT_MAX_BYTES,
    )
    if request.method == "POST":
        if not form.is_valid():
            return _list_page(request, form, status=400)
        upload = form.cleaned_data["file"]
        try:
            batch = importing.import_upload(
                by=request.user,
                owner=form.cleaned_data["owner"],
                file_name=upload.name,
                data=upload.read(),
                encoding=form.cleaned_data["encoding"] or None,
                layout=form.cleaned_data["layout"] or None,
            )
        except PermissionRefused as error:
            return _refusal(request, error)
        except RuleViolation as error:
            form.add_error("file", str(error))
            return _list_page(request, form, status=400)
        return _detail(batch)
    return _list_page(request, form)


def _list_page(request, form, *, status=200):
    batches = import_selectors.batches_for(request.user)[:BATCHES_SHOWN]
    context = {"form": form, "batches": batches, "batches_shown": BATCHES_SHOWN}
    return render(request, "cultivation/imports/list.html", context, status=status)


@require_GET
@_with_batch
def import_detail(request, batch):
    """`/imports/<id>/`: the step the batch is at."""
    if batch.status == ImportBatch.Status.NEEDS_MAPPING:
        return _mapping_page(request, batch, _mapping_form(batch))
    context = _state(batch)
    if batch.status == ImportBatch.Status.PREVIEWED:
        context.update(
            confirm_form=ConfirmForm(),
            preview=Shown.of(batch),
            plans_form=_plans_form(batch),
        )
    return render(request, "cultivation/imports/detail.html", context)


def _plans_form(batch, data=None):
    """The touch plan each bucket's people start with, if the file has buckets."""
    buckets = sorted((batch.preview or {}).get("buckets", {}).items())
    if not buckets:
        return None
    return BucketPlansForm(data, buckets=buckets, chosen=batch.bucket_plans or {})


@require_POST
@_with_batch
def import_plans(request, batch):
    """Say which buckets start a touch plan, then preview again (the capacity count
    follows)."""
    form = _plans_form(batch, request.POST)
    if batch.status != ImportBatch.Status.PREVIEWED or form is None:
        late = f"{batch.file_name} has no buckets to plan for now."
        return _refusal(request, RuleViolation(late), batch=batch)
    if not form.is_valid():
        return _refusal(request, RuleViolation("Choose a plan, or none, for each bucket."))
    try:
        importing.import_set_mapping(
            batch=batch, by=request.user, mapping=batch.mapping, bucket_plans=form.bucket_plans()
        )
    except RuleViolation as error:
        return _refusal(request, error, batch=batch)
    messages.success(request, "Previewed again with those plans.")
    return _detail(batch)


def _state(batch):
    """What the progress fragment and the summary show."""
    errors = []
    if batch.is_finished:
        errors = [f"row {number}: {sentence}" for number, sentence in _errors_met(batch)]
    return {
        "batch": batch,
        "read_as": _read_as(batch),
        "progress": import_selectors.batch_progress(batch),
        "capacity": settings.CONVIVIO["CAPACITY_MAX"],
        "errors": errors,
        "errors_total": batch.counts.get("errors", 0),
    }


FORMAT_LABELS = {"csv": "CSV", "vcard": "vCard", "xlsx": "Excel workbook"}


def _read_as(batch):
    """How the file was read, in words: "LinkedIn connections, UTF-8"."""
    layout = LAYOUTS.get(batch.layout)
    kind = layout.label if layout else FORMAT_LABELS.get(batch.format, batch.format)
    encoding = encoding_label(batch.encoding) if batch.encoding else ""
    return ", ".join(part for part in (kind, encoding) if part)


def _errors_met(batch):
    rows = ImportRowError.objects.filter(batch=batch).values_list("row_number", "sentence")
    return rows[:ERRORS_SHOWN]


@dataclass(frozen=True)
class Column:
    """One column of the file on the mapping screen."""

    index: int
    header: str
    samples: list
    guess: str

    @property
    def field_name(self):
        return f"column_{self.index}"


def _columns(batch):
    from ..importing.readers import read_people  # the readers' module, loaded when used

    """The file's columns, read again from the batch's bytes: header, first values, and
    the field the batch's mapping (guessed, or saved for this header) gives it."""
    # Without the batch's mapping: only the header and first values are wanted here, and a
    # mapping that names nobody would be refused (the screen is where it gets fixed).
    shape = read_people(
        bytes(batch.data), filename=batch.file_name, encoding=batch.encoding or None
    )
    mapping = batch.mapping or shape.mapping or {}
    columns = [
        Column(
            index=index,
            header=header,
            samples=[row[index] for row in shape.sample[:SAMPLES_SHOWN] if index < len(row)],
            guess=mapping.get(header, ""),
        )
        for index, header in enumerate(shape.headers)
    ]
    return columns, shape.encoding


def _mapping_form(batch, data=None):
    columns, encoding = _columns(batch)
    return MappingForm(data, columns=columns, detected_encoding=encoding)


def _mapping_page(request, batch, form, *, status=200):
    context = {
        "batch": batch,
        "form": form,
        "rows": [(column, form[column.field_name]) for column in form.columns],
        "detected": encoding_label(batch.encoding),
    }
    return render(request, "cultivation/imports/mapping.html", context, status=status)


@require_http_methods(["GET", "POST"])
@_with_batch
def import_mapping(request, batch):
    """GET: the mapping screen, with the columns as they are read now (from the preview's
    "Change columns"). POST: save the columns' fields (remembered for files with the same
    header), then the preview."""
    if batch.status not in MAPPABLE:  # its file is gone once imported: nothing to map
        late = f"{batch.file_name} is {batch.get_status_display().lower()}: it is too late to "
        return _refusal(request, RuleViolation(late + "change how it is read."), batch=batch)
    if request.method == "GET":
        return _mapping_page(request, batch, _mapping_form(batch))
    form = _mapping_form(batch, request.POST)
    if not form.is_valid():
        return _mapping_page(request, batch, form, status=400)
    try:
        importing.import_set_mapping(
            batch=batch,
            by=request.user,
            mapping=form.mapping(),
            encoding=form.cleaned_data["encoding"] or None,
        )
    except FileRefused as error:  # this mapping cannot read the file: say why, try again
        form.add_error(None, str(error))
        return _mapping_page(request, batch, form, status=400)
    except RuleViolation as error:
        return _refusal(request, error, batch=batch)
    return _detail(batch)


@require_POST
@_with_batch
def import_confirm(request, batch):
    """Confirm the preview: the worker imports the file; the page shows its progress."""
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        return _refusal(request, RuleViolation("Choose what to do with people already here."))
    try:
        importing.import_confirm(
            batch=batch, by=request.user, on_match=form.cleaned_data["on_match"]
        )
    except RuleViolation as error:
        return _refusal(request, error, batch=batch)
    messages.success(request, f"Confirmed: importing {batch.file_name}.")
    return _detail(batch)


@require_GET
@_with_batch
def import_progress(request, batch):
    """The progress fragment htmx polls each second; once finished, the summary, which
    does not poll."""
    batch.refresh_from_db(fields=["status", "counts", "finished_at", "failure", "rows_done"])
    context = {**_state(batch), "status_too": True}
    return render(request, "cultivation/imports/_state.html", context)


@_with_batch
def import_undo(request, batch):
    """GET: what undoing does, to confirm. POST: undo it (`import_undo`)."""
    if request.method != "POST":
        if batch.status not in UNDOABLE:
            return _refusal(request, RuleViolation(_not_undoable(batch)), batch=batch)
        return render(request, "cultivation/imports/undo_confirm.html", {"batch": batch})
    try:
        kept = importing.import_undo(batch=batch, by=request.user)
    except RuleViolation as error:
        return _refusal(request, error, batch=batch)
    also = f" {len(kept)} could not be undone: see below." if kept else ""
    messages.success(request, f"Undid the import of {batch.file_name}.{also}")
    return _detail(batch)


def _not_undoable(batch):
    if batch.status == ImportBatch.Status.UNDONE:
        return f"The import of {batch.file_name} was undone already."
    return (
        f"The import of {batch.file_name} has not finished: only a finished import can be undone."
    )


@require_GET
@_with_batch
def import_errors_csv(request, batch):
    """Every row the import refused, with its row number and sentence, as CSV (streamed)."""
    writer = csv.writer(_Echo())
    rows = import_selectors.batch_errors_csv(batch)
    response = StreamingHttpResponse(
        (writer.writerow([_defused(cell) for cell in row]) for row in rows),
        content_type="text/csv; charset=utf-8",
    )
    stem = batch.file_name.rsplit(".", 1)[0] or "import"
    name = "".join(c if c.isalnum() or c in "-_" else "-" for c in stem)[:60]
    response["Content-Disposition"] = f'attachment; filename="{name}-errors.csv"'
    return response


class _Echo:
    """csv.writer's file: hands each line back instead of keeping it."""

    def write(self, value):
        return value


INJECTION_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _defused(cell):
    """A cell a spreadsheet would run as a formula is shown as text (CSV injection)."""
    text = "" if cell is None else str(cell)
    return "'" + text if text.startswith(INJECTION_STARTS) else text


GROUP_LABELS = {
    "new": "New people",
    "matched": "Already in Convivio",
    "duplicates_in_file": "Duplicates within the file",
}


@dataclass(frozen=True)
class Group:
    label: str
    rows: list
    total: int


@dataclass(frozen=True)
class Shown:
    """The dry run stored on the batch, shaped for the page: the first rows of each group
    and the first ERRORS_SHOWN errors (all of them are in the CSV)."""

    groups: list
    errors: list
    errors_total: int

    @classmethod
    def of(cls, batch):
        stored = batch.preview or {}
        counts = stored.get("counts") or batch.counts
        groups = [
            Group(label, rows, counts.get(key, len(rows)))
            for key, label in GROUP_LABELS.items()
            if (rows := stored.get("groups", {}).get(key))
        ]
        errors = stored.get("errors", [])
        return cls(groups, errors[:ERRORS_SHOWN], counts.get("errors", len(errors)))
