"""Imports: each file brought in is a batch, with what it did to whom, so it can be undone.

The file's bytes are kept on the batch while it waits and runs, so a worker on another
machine can read it and a killed worker's successor can resume; they are cleared when
the batch is done or failed. The file holds everyone in it, refused rows and erased
people's addresses included: keeping it after the import would keep what erasure and
the refusal took away. Undo needs only `ImportedPerson`'s previous values.
"""

from django.conf import settings
from django.db import models

from .people import Contact

COUNTS = (
    "new",
    "matched",
    "updated",
    "skipped",
    "duplicates_in_file",
    "errors",
    "opted_in",
    "without_plan_beyond_capacity",
)


def empty_counts():
    return dict.fromkeys(COUNTS, 0)


class ImportBatchQuerySet(models.QuerySet):
    def unfinished(self):
        """Batches a worker has yet to finish: queued or running."""
        return self.filter(status__in=(ImportBatch.Status.QUEUED, ImportBatch.Status.RUNNING))


class ImportBatch(models.Model):
    """One file imported (or about to be): who, into whose pool, how, and what it did."""

    class Status(models.TextChoices):
        NEEDS_MAPPING = "needs_mapping", "Needs a column mapping"
        PREVIEWED = "previewed", "Previewed"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Importing"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        UNDONE = "undone", "Undone"

    class OnMatch(models.TextChoices):
        SKIP = "skip", "Skip people we already have"
        FILL = "fill", "Fill only their empty fields"
        UPDATE = "update", "Update their fields from the file"

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="import_batches",
        help_text="Who keeps the people it adds; empty: nobody yet.",
    )
    file_name = models.CharField(max_length=255)
    data = models.BinaryField(blank=True, editable=False)
    format = models.CharField(max_length=20, blank=True)
    encoding = models.CharField(max_length=40, blank=True)
    layout = models.CharField(max_length=40, blank=True)
    mapping = models.JSONField(default=dict, blank=True)
    header_signature = models.CharField(max_length=64, blank=True)
    # {"A-list": "quarterly"}: people in these buckets start a touch plan.
    bucket_plans = models.JSONField(default=dict, blank=True)
    on_match = models.CharField(max_length=10, choices=OnMatch, default=OnMatch.SKIP)
    status = models.CharField(max_length=20, choices=Status, default=Status.PREVIEWED)
    total_rows = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=empty_counts, blank=True)
    preview = models.JSONField(default=dict, blank=True)
    failure = models.TextField(blank=True)
    undo_report = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "import batches"
        indexes = [models.Index(fields=["created_by", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rows_done__lte=models.F("total_rows")),
                name="import_batch_rows_done_within_total",
            ),
        ]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display().lower()})"

    @property
    def is_finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.UNDONE)


class ImportedPerson(models.Model):
    """A person a batch added or changed. `previous` keeps, for each field it changed,
    [value before, value it wrote], so undo restores only what nobody changed since."""

    class Action(models.TextChoices):
        CREATED = "created", "Added"
        UPDATED = "updated", "Updated"

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="people")
    # Kept (empty) when undo removes the person: the batch still says what it did.
    contact = models.ForeignKey(
        Contact, null=True, on_delete=models.SET_NULL, related_name="imported_by"
    )
    action = models.CharField(max_length=10, choices=Action)
    row_number = models.PositiveIntegerField()
    previous = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["batch", "row_number"]
        indexes = [models.Index(fields=["batch", "action"])]

    def __str__(self):
        return f"Row {self.row_number} of {self.batch.file_name}: {self.get_action_display()}"


class ImportRowError(models.Model):
    """A row the import refused, with the sentence saying why (downloadable as CSV)."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="row_errors")
    row_number = models.PositiveIntegerField()
    sentence = models.TextField()

    class Meta:
        ordering = ["batch", "row_number", "pk"]

    def __str__(self):
        return f"row {self.row_number}: {self.sentence}"


class SavedMapping(models.Model):
    """The column mapping last used for files with this header: offered again next time."""

    header_signature = models.CharField(max_length=64, unique=True)
    mapping = models.JSONField(default=dict)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Mapping for header {self.header_signature[:12]}"
