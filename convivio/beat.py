"""The Celery beat schedule, built from settings and checked before anything starts.

Beat runs in UTC. Times are refused when they fall in 01:00-02:59 UTC, when
the scan would land near local midnight (a day could be scanned twice or
not at all), or when the weekly-email runs never reach Monday morning in the
firm's time zone, winter or summer. See docs/jobs.md.
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
