"""Celery's timing, built from settings and checked before anything starts.

The task time limits must fit well inside Redis's visibility timeout
(`check_task_time_limits`). Beat runs in UTC. The daily scan's time is refused
when it falls in 01:00-02:59 UTC or near midnight in the firm's time zone (a day
could be scanned twice or not at all). The weekly-email sweep runs every hour of
every day: each person's email goes at the first run from the day and hour they
chose on their own clock, wherever they are. See docs/jobs.md.
"""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

# A winter and a summer day: the scan must keep clear of local midnight on both.
SAMPLE_DAYS = (date(2026, 1, 5), date(2026, 7, 6))


def _local_scans(hour, minute, zone):
    """The scan's runs at `hour`:`minute` UTC on the sample days, on the clock of `zone`."""
    return [
        datetime.combine(day, time(hour, minute), UTC).astimezone(ZoneInfo(zone))
        for day in SAMPLE_DAYS
    ]


def schedule_mistakes(*, scan_hour, scan_minute, digest_minute, zone):
    """Sentences saying what is wrong with these beat times; empty when they are fine."""
    mistakes = []
    if not (0 <= scan_hour <= 23 and 0 <= scan_minute <= 59):
        return ["DUE_SCAN_HOUR_UTC must be 0-23 and DUE_SCAN_MINUTE_UTC 0-59."]
    if scan_hour in {1, 2}:
        mistakes.append("DUE_SCAN_HOUR_UTC must avoid 01:00-03:00 UTC.")
    if not all(3 <= run.hour < 23 for run in _local_scans(scan_hour, scan_minute, zone)):
        mistakes.append(f"DUE_SCAN_HOUR_UTC must put the scan between 03:00 and 23:00 in {zone}.")
    if not 0 <= digest_minute <= 59:
        mistakes.append("WEEKLY_DIGEST_MINUTE_UTC must be a minute past the hour, 0-59.")
    return mistakes


def beat_schedule(*, scan_hour, scan_minute, digest_minute, zone):
    """CELERY_BEAT_SCHEDULE for these times, or ImproperlyConfigured saying what is wrong."""
    mistakes = schedule_mistakes(
        scan_hour=scan_hour, scan_minute=scan_minute, digest_minute=digest_minute, zone=zone
    )
    if mistakes:
        raise ImproperlyConfigured(" ".join(mistakes) + " See docs/jobs.md.")
    return {
        "due-scan": {
            "task": "cultivation.tasks.due_scan",
            "schedule": crontab(hour=scan_hour, minute=scan_minute),
        },
        # Every hour of every day: someone's chosen hour, on their own clock, is always near.
        "weekly-digest": {
            "task": "cultivation.tasks.weekly_digest",
            "schedule": crontab(minute=digest_minute),
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
