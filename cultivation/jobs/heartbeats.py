"""Heartbeats: each scheduled job records when it started, last succeeded, and its last problem.

`/health/` and Admin › Job runs read them (`job_health`). See docs/jobs.md.
"""

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from ..models import JobRun

DUE_SCAN = "due_scan"
WEEKLY_DIGEST = "weekly_digest"


@dataclass
class RunReport:
    """What a job reports to its heartbeat: a problem to show, and whether it succeeded."""

    problem: str = ""
    succeeded: bool = True


@contextmanager
def heartbeat(name, *, now, partial=False):
    """Record the start of job `name`, then its success (or its error) in `JobRun`.

    A `partial` run (one person's, by hand) records nothing: it must not hide
    that the scheduled run for everyone is late.
    """
    report = RunReport()
    if partial:
        yield report
        return
    JobRun.objects.update_or_create(name=name, defaults={"last_started_at": now})
    try:
        yield report
    except Exception as error:
        JobRun.objects.filter(name=name).update(last_error=f"{timezone.now():%c}: {error!r}")
        raise
    update = {"last_error": report.problem}
    if report.succeeded:
        update["last_success_at"] = timezone.now()
    JobRun.objects.filter(name=name).update(**update)


@dataclass(frozen=True)
class JobHealth:
    """How one job is doing: `is_late` once its last success is older than `late_after`."""

    name: str
    title: str
    late_after: timedelta
    last_success_at: object
    last_started_at: object
    last_error: str
    now: object

    installed_at: object = None

    @property
    def is_late(self):
        """Late once `late_after` has passed since the last success or, for a job that has
        never succeeded, since Convivio was installed: a fresh install is not an alarm."""
        since = self.last_success_at or self.installed_at
        return since is None or self.now - since > self.late_after

    @property
    def late_after_text(self):
        hours = int(self.late_after.total_seconds() // 3600)
        return f"{hours // 24} days" if hours % 24 == 0 else f"{hours} hours"


JOBS = (
    (DUE_SCAN, "Daily due scan", timedelta(hours=26)),
    (WEEKLY_DIGEST, "Weekly reminder email", timedelta(days=8)),
)


def job_health(*, now):
    """Each scheduled job's heartbeat, late when the scan is > 26 h or the email > 8 days old."""
    runs = {run.name: run for run in JobRun.objects.filter(name__in=[n for n, _, _ in JOBS])}
    installed_at = installed_on()
    health = []
    for name, title, late_after in JOBS:
        run = runs.get(name, JobRun(name=name))
        health.append(
            JobHealth(
                name=name,
                title=title,
                late_after=late_after,
                last_success_at=run.last_success_at,
                last_started_at=run.last_started_at,
                last_error=run.last_error,
                now=now,
                installed_at=installed_at,
            )
        )
    return health


def installed_on():
    """When this database was set up: the first of this app's migrations was applied."""
    first = MigrationRecorder.Migration.objects.filter(app="cultivation").order_by("applied")
    return first.values_list("applied", flat=True).first()
