"""Reads about imports that the pages, the admin and the command share."""

from dataclasses import dataclass

from . import policy
from .models import ImportBatch, ImportRowError


def batches_for(user):
    """The import batches `user` may see, newest first: their own, or everyone's for a
    manager."""
    batches = ImportBatch.objects.select_related("created_by", "owner").defer("data")
    if not policy.is_signed_in(user):
        return batches.none()
    if policy.is_manager(user):
        return batches
    return batches.filter(created_by=user)


@dataclass(frozen=True)
class Progress:
    """How far an import is: rows done of the total, errors so far, and its status."""

    rows_done: int
    total_rows: int
    errors: int
    status: str
    status_label: str
    is_finished: bool

    @property
    def percent(self):
        return 100 if not self.total_rows else round(100 * self.rows_done / self.total_rows)


def batch_progress(batch):
    """The progress bar's numbers, read fresh from the database (one query)."""
    fresh = (
        ImportBatch.objects.filter(pk=batch.pk)
        .values("rows_done", "total_rows", "counts", "status")
        .get()
    )
    status = ImportBatch.Status(fresh["status"])
    return Progress(
        rows_done=fresh["rows_done"],
        total_rows=fresh["total_rows"],
        errors=(fresh["counts"] or {}).get("errors", 0),
        status=status.value,
        status_label=status.label,
        is_finished=status in (status.DONE, status.FAILED, status.UNDONE),
    )


ERRORS_CSV_HEADER = ("row", "error")


def batch_errors_csv(batch):
    """The batch's refused rows as CSV rows, header first: those the import met, or,
    before it ran, those its preview found."""
    yield ERRORS_CSV_HEADER
    met = ImportRowError.objects.filter(batch=batch).values_list("row_number", "sentence")
    if batch.status in (batch.Status.NEEDS_MAPPING, batch.Status.PREVIEWED):
        for line in (batch.preview or {}).get("errors", []):
            number, _, sentence = line.removeprefix("row ").partition(": ")
            yield (int(number), sentence)
        return
    yield from met.iterator(chunk_size=2000)
