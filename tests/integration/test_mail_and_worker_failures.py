"""A bad mail server and a dead worker, through the broker: real workers on Redis, real
SMTP peers on loopback. Whatever happens, every person gets exactly one weekly email."""

import os
import threading
import time

from cultivation import tasks
from cultivation.models import WeeklyDigest
from tests.jobs.smtp_peer import SMTPPeer

from .conftest import settled, unacked, wait_for
from .test_worker_jobs import _due_today

EVERYONE = ["alice@example.com", "bob@example.com"]
# Short here so the test runs in seconds; production's default is 600 (docs/jobs.md).
# KILL_TEST_VISIBILITY_TIMEOUT=600 measures the production number (about 10 minutes).
VISIBILITY_TIMEOUT = int(os.environ.get("KILL_TEST_VISIBILITY_TIMEOUT", "6"))


def _run_weekly_email(queue):
    tasks.weekly_digest.apply_async(kwargs={"scheduled": False}, queue=queue)


def _sent_once_each():
    assert WeeklyDigest.objects.exclude(sent_at=None).count() == 2
    assert not WeeklyDigest.objects.filter(sent_at=None, item_count__gt=0).exists()


def test_a_mail_server_that_never_greets_leaves_nobody_claimed_and_the_next_run_delivers(
    celery_worker, queue, redis_url, smtp_server, owner, teammate
):
    _due_today(owner, "Priya Shah")
    _due_today(teammate, "Tom Reed")
    silent = SMTPPeer(stall_at="greeting")
    try:
        (worker,) = celery_worker(email_url=silent.url, EMAIL_TIMEOUT="1")
        _run_weekly_email(queue)
        wait_for(lambda: settled([worker], redis_url, queue), "the run to end", [worker])
    finally:
        silent.close()

    assert worker.output().count("Weekly email to") == 2  # both tried, each timed out
    assert "timed out" in worker.output()
    assert not WeeklyDigest.objects.exists()  # nobody left claimed and unsent
    worker.stop()

    (worker,) = celery_worker(email_url=smtp_server.url)
    _run_weekly_email(queue)
    wait_for(lambda: len(smtp_server.messages) == 2, "both emails", [worker])
    wait_for(lambda: settled([worker], redis_url, queue), "the run to end", [worker])

    assert sorted(to for recipients, _ in smtp_server.messages for to in recipients) == EVERYONE
    _sent_once_each()


def test_a_worker_killed_mid_email_is_recovered_and_each_person_gets_exactly_one(
    celery_worker, queue, redis_url, owner, teammate
):
    _due_today(owner, "Priya Shah")
    _due_today(teammate, "Tom Reed")
    gate = threading.Event()
    server = SMTPPeer(gate=gate)  # greets only when the test says go
    limits = {
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "CELERY_TASK_TIME_LIMIT": str(VISIBILITY_TIMEOUT // 2),
        "CELERY_TASK_SOFT_TIME_LIMIT": str(VISIBILITY_TIMEOUT // 2 - 1),
        "EMAIL_TIMEOUT": "30",
    }
    try:
        (first,) = celery_worker(email_url=server.url, **limits)
        _run_weekly_email(queue)
        assert server.connected.wait(30), first.output()  # one person's task waits for a greeting

        first.kill()
        killed_at = time.monotonic()
        assert unacked(redis_url, queue) == 1  # left in Redis's unacked set
        assert not WeeklyDigest.objects.exists()  # nothing claimed before the server answered

        gate.set()
        (second,) = celery_worker(email_url=server.url, **limits)
        wait_for(
            lambda: len(server.messages) == 2 and settled([second], redis_url, queue),
            "every person's email after the kill",
            [second],
            timeout=VISIBILITY_TIMEOUT + 40,
        )
        recovered_after = time.monotonic() - killed_at
    finally:
        server.close()

    print(f"\nkill -9 to every email delivered: {recovered_after:.1f} s")
    # Redis counts from the task's delivery, a moment before the kill; then a sweep runs
    # within a tenth of the timeout (at most 10 s).
    assert VISIBILITY_TIMEOUT - 2 <= recovered_after < VISIBILITY_TIMEOUT + 15
    assert server.recipients() == EVERYONE
    _sent_once_each()
