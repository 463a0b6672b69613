"""Bookkeeping of the scheduled jobs: weekly emails and heartbeats.

What is due is never stored: My week, the board's badges and the weekly email
compute it live (cultivation/selectors.py; docs/jobs.md says why).
"""

from django.conf import settings
from django.db import models


class WeeklyDigest(models.Model):
    """One weekly reminder email per person per week, claimed before it is sent."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="weekly_digests"
    )
    week_start = models.DateField(
        help_text="The Monday of the week, on the person's own clock (their time zone)."
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
