"""Celery's timing, built from settings and checked before anything starts.

The task time limits must fit well inside Redis's visibility timeout
(`check_task_time_limits`). Beat runs in UTC. Its times are refused when
they fall in 01:00-02:59 UTC, when the scan would land near local midnight (a
day could be scanned twice or not at all), or when the weekly-email runs never
reach Monday morning in the firm's time zone, winter or summer. See docs/jobs.md.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from celery.schedules import crontab, crontab_parser
from django.core.exceptions import ImproperlyConfigured

# A winter and a summer Monday: the schedule must work on both sides of a clock change.
SAMPLE_MONDAYS = (date(2026, 1, 5), date(2026, 7, 6))


def _local_runs(hours_utc, minute, zone):
    """(monday, runs in `zone`) for runs at `hours_utc`:`minute` UTC around each sample Monday."""
    for monday in SAMPLE_MONDAYS:
        runs = [
            datetime.combine(monday + timedelta(days=offset), time(hour, minute), UTC).astimezone(
                ZoneInfo(zone)
            )
            for offset in (-1, 0, 1)
            for hour in sorted(hours_utc)
        ]
        yield monday, runs


def schedule_mistakes(*, scan_hour, scan_minute, digest_hours, digest_minute, local_hour, zone):
    """Sentences saying what is wrong with these beat times; empty when they are fine."""
    hours = crontab_parser(24).parse(digest_hours)
    mistakes = set()
    if {1, 2} & ({scan_hour} | hours):
        mistakes.add("DUE_SCAN_HOUR_UTC and WEEKLY_DIGEST_HOURS_UTC must avoid 01:00-03:00 UTC.")
    for _, runs in _local_runs({scan_hour}, scan_minute, zone):
        if not all(3 <= run.hour < 23 for run in runs):
            mistakes.add(f"DUE_SCAN_HOUR_UTC must put the scan between 03:00 and 23:00 in {zone}.")
    for monday, runs in _local_runs(hours, digest_minute, zone):
        if not any(run.date() == monday and local_hour <= run.hour < 12 for run in runs):
            mistakes.add(
                f"WEEKLY_DIGEST_HOURS_UTC must include Monday morning from "
                f"{local_hour:02d}:00 in {zone}, winter and summer."
            )
    return sorted(mistakes)


def beat_schedule(*, scan_hour, scan_minute, digest_hours, digest_minute, local_hour, zone):
    """CELERY_BEAT_SCHEDULE for these times, or ImproperlyConfigured saying what is wrong."""
    mistakes = schedule_mistakes(
        scan_hour=scan_hour,
        scan_minute=scan_minute,
        digest_hours=digest_hours,
        digest_minute=digest_minute,
        local_hour=local_hour,
        zone=zone,
    )
    if mistakes:
        raise ImproperlyConfigured(" ".join(mistakes) + " See docs/jobs.md.")
    return {
        "due-scan": {
            "task": "cultivation.tasks.due_scan",
            "schedule": crontab(hour=scan_hour, minute=scan_minute),
        },
        "weekly-digest": {
            "task": "cultivation.tasks.weekly_digest",
            "schedule": crontab(hour=digest_hours, minute=digest_minute),
        },
    }


def task_time_limit_mistakes(*, visibility_timeout, time_limit, soft_time_limit):
    """Sentences saying why these task time limits are unsafe on Redis; empty when they are fine.

    Redis hands a task that was not acknowledged within `visibility_timeout` to
    another worker, whether its first worker died or is still working on it. A
    task therefore stops (hard `time_limit`) in under half that time, so that a
    retry's wait (at most `time_limit`, tasks.py) plus its run also fits.
    """
    mistakes = []
    if min(visibility_timeout, time_limit, soft_time_limit) <= 0:
        mistakes.append(
            "CELERY_VISIBILITY_TIMEOUT, CELERY_TASK_TIME_LIMIT and "
            "CELERY_TASK_SOFT_TIME_LIMIT must be positive numbers of seconds."
        )
    if soft_time_limit >= time_limit:
        mistakes.append("CELERY_TASK_SOFT_TIME_LIMIT must be shorter than CELERY_TASK_TIME_LIMIT.")
    if 2 * time_limit > visibility_timeout:
        mistakes.append(
            f"CELERY_TASK_TIME_LIMIT ({time_limit} s) must be at most half of "
            f"CELERY_VISIBILITY_TIMEOUT ({visibility_timeout} s), or a task still running "
            "is handed to a second worker."
        )
    return mistakes


def check_task_time_limits(*, visibility_timeout, time_limit, soft_time_limit):
    """Refuse to start with time limits that let Redis run one task twice at once."""
    mistakes = task_time_limit_mistakes(
        visibility_timeout=visibility_timeout,
        time_limit=time_limit,
        soft_time_limit=soft_time_limit,
    )
    if mistakes:
        raise ImproperlyConfigured(" ".join(mistakes) + " See docs/jobs.md.")
