"""The scheduled jobs: the daily due scan, the weekly reminder email, their heartbeats.

Celery tasks (`cultivation/tasks.py`) and the management commands
(`run_due_scan`, `send_weekly_digest`) are thin edges over these functions.
Both jobs are safe to run twice, from two workers at once, or after a worker
died half-way: the scan stamps only follow-ups not yet stamped, under a row
lock; a weekly email is a unique `WeeklyDigest` row claimed in its own
transaction before the email is sent. See docs/jobs.md.

- `heartbeats`: `heartbeat`, `job_health`, the job names;
- `scan`: the daily due scan (exhausted follow-ups);
- `digest`: the weekly email, its sweep and its per-person step;
- `delivery`: handing one email to the mail server, and whether a failure lost it.
"""

from .digest import (
    UNSENT_GRACE,
    DigestResult,
    digest_message,
    digest_recipients,
    unsent_digests,
    weekly_digest_fan_out,
    weekly_digest_preview,
    weekly_digest_release_unsent,
    weekly_digest_send,
    weekly_digest_send_to,
)
from .heartbeats import DUE_SCAN, JOBS, WEEKLY_DIGEST, JobHealth, RunReport, heartbeat, job_health
from .scan import ScanResult, due_scan, due_scan_preview

__all__ = [
    "DUE_SCAN",
    "JOBS",
    "UNSENT_GRACE",
    "WEEKLY_DIGEST",
    "RunReport",
    "DigestResult",
    "JobHealth",
    "ScanResult",
    "digest_message",
    "digest_recipients",
    "due_scan",
    "due_scan_preview",
    "heartbeat",
    "job_health",
    "unsent_digests",
    "weekly_digest_fan_out",
    "weekly_digest_preview",
    "weekly_digest_release_unsent",
    "weekly_digest_send",
    "weekly_digest_send_to",
]
