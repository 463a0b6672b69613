"""Celery tasks: thin, each calls one function of `cultivation.jobs` (which see).

Every task stops within CELERY_TASK_TIME_LIMIT, at most half of Redis's
visibility timeout (checked at start-up, convivio/beat.py), so a task still
running is never handed to a second worker; the long weekly run is one short
task per person. See docs/jobs.md.
"""

from datetime import date

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from . import jobs
from .services import importing


# A retry waits in a worker's hands, unacknowledged: at most one time limit, so
# the wait and the run together stay under the visibility timeout.
@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=30,
    retry_backoff_max=settings.CELERY_TASK_TIME_LIMIT,
    max_retries=3,
)
def due_scan():
    """The daily due scan (beat: daily): how many follow-ups it stamped exhausted. Safe to
    run twice: the second run finds nothing."""
    return jobs.due_scan().exhausted


@shared_task(bind=True)
def weekly_digest(self, scheduled=True):
    """The weekly email (beat: every hour): queues `send_weekly_digest_to` for each person
    whose chosen day and hour, on their own clock, has come this week and whose week is
    not yet claimed; `scheduled=False` for everyone not yet claimed, now. Either way, at
    most one email per person per week of theirs."""
    queue = (self.request.delivery_info or {}).get("routing_key")  # people's tasks follow
    return jobs.weekly_digest_fan_out(
        scheduled=scheduled,
        enqueue=lambda *person: send_weekly_digest_to.apply_async_on_commit(person, queue=queue),
    )


@shared_task
def send_weekly_digest_to(user_id, week_start):
    """One person's weekly email for the week of `week_start` (ISO date): claim, send, stamp."""
    result = jobs.weekly_digest_send_to(user_id=user_id, week_start=date.fromisoformat(week_start))
    return None if result is None else len(result.sent)


# Acknowledged only when it returns, and handed back if the worker dies, so a killed
# worker's import is redelivered and resumes after its last committed chunk. Each run
# stops after half the soft time limit and queues the rest, so no task outlives the
# time limit (and with it Redis's visibility timeout) however long the file.
@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=30,
    retry_backoff_max=settings.CELERY_TASK_TIME_LIMIT,
    max_retries=3,
)
def import_people(self, batch_id):
    """Import the rows of batch `batch_id` (services/importing.py `import_run`)."""
    budget = settings.CELERY_TASK_SOFT_TIME_LIMIT / 2
    if not importing.import_run(batch_id=batch_id, time_budget=budget):
        queue = (self.request.delivery_info or {}).get("routing_key")
        import_people.apply_async((batch_id,), queue=queue)
