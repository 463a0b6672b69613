"""Bookkeeping of the scheduled jobs: reminders, weekly emails, heartbeats."""

from django.conf import settings
from django.db import models

from .people import Contact


class Reminder(models.Model):
    """Something due for a person, created by the daily due scan.

    Unique per (kind, subject, due date), so a scan run twice, or two scans
    racing, create it once. `subject_id` is the pk of the follow-up, plan item
    or promise the reminder is about (which model depends on `kind`).
    """

    class Kind(models.TextChoices):
        FOLLOW_UP = "follow_up", "Follow-up due"
        TOUCH = "touch", "Planned touch due"
        PROMISE = "promise", "Promise due"
        DECISION = "decision", "Follow-up exhausted: decide"

    kind = models.CharField(max_length=20, choices=Kind)
    subject_id = models.PositiveBigIntegerField()
    due_on = models.DateField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders"
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="reminders"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the thing was done, snoozed or released."
    )

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject_id", "due_on"], name="reminder_once_per_subject_and_due"
            ),
        ]
        indexes = [models.Index(fields=["owner", "closed_at", "due_on"])]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.due_on}"


class WeeklyDigest(models.Model):
    """One weekly reminder email per person per week, claimed before it is sent."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="weekly_digests"
    )
    week_start = models.DateField(
        help_text="The Monday of the ISO week, in the firm's time zone (TIME_ZONE)."
    )
    claimed_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    item_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-week_start", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "week_start"], name="weekly_digest_once"),
        ]

    def __str__(self):
        return f"{self.user} week of {self.week_start}"


class JobRun(models.Model):
    """Heartbeat of a scheduled job: when it last ran and last succeeded."""

    name = models.CharField(max_length=50, unique=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name
