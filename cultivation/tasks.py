"""Celery tasks: thin, each calls one function of `cultivation.jobs` (which see)."""

from celery import shared_task
from django.db import OperationalError

from . import jobs

# Well under the Redis visibility_timeout (3 h), so a task still running is
# never delivered to a second worker.
TIME_LIMIT = 30 * 60


@shared_task(
    time_limit=TIME_LIMIT,
    autoretry_for=(OperationalError,),
    retry_backoff=60,
    max_retries=3,
)
def due_scan():
    """The daily due scan (beat: daily). Safe to run twice: it creates nothing new."""
    return jobs.due_scan().created_total


@shared_task(time_limit=TIME_LIMIT)
def weekly_digest(scheduled=True):
    """The weekly email. The beat's hourly runs send only on Monday morning, local time;
    `scheduled=False` sends this week's now. Either way, at most one per person a week."""
    result = jobs.weekly_digest_on_schedule() if scheduled else jobs.weekly_digest_send()
    return None if result is None else len(result.sent)
