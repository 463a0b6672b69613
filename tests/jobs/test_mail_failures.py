"""A bad mail server: a failure before the message was handed over releases the claim and
the run moves on to the next person; one after it keeps the claim, so nothing goes twice.

Every server here is a real socket on loopback (tests/jobs/smtp_peer.py), with
EMAIL_TIMEOUT at a fraction of a second for a server that goes silent.
"""

import time
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from cultivation import jobs, tasks
from cultivation.models import JobRun, WeeklyDigest

from .conftest import MONDAY
from .smtp_peer import SMTPPeer

pytestmark = pytest.mark.django_db


# What each step with a server that goes silent may take: long enough for a loopback
# answer on a busy machine, short enough that the suite does not wait on it.
STALL_TIMEOUT = 0.3
# A server that answers is given time to spare.
ANSWER_TIMEOUT = 10


@pytest.fixture
def mail_server(settings):
    """Send through `peer` over real SMTP, each step limited to STALL_TIMEOUT seconds when
    the peer is set to go silent."""
    peers = []

    def use(peer):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", peer.port
        settings.EMAIL_TIMEOUT = STALL_TIMEOUT if peer.stall_at else ANSWER_TIMEOUT
        peers.append(peer)
        return peer

    yield use
    for peer in peers:
        peer.close()


@pytest.fixture
def two_people(owner, teammate, due_things):
    due_things(owner)
    due_things(teammate, name="Tom Reed")


def test_a_server_that_never_greets_times_out_claims_nobody_and_the_next_run_sends(
    two_people, mail_server
):
    mail_server(SMTPPeer(stall_at="greeting"))

    started = time.monotonic()
    down = jobs.weekly_digest_send(now=MONDAY)

    assert time.monotonic() - started < 10 * STALL_TIMEOUT  # two timeouts, not a hang
    assert [username for username, _ in down.failed] == ["alice", "bob"]
    assert all("timed out" in error for _, error in down.failed)
    assert not WeeklyDigest.objects.exists()
    run = JobRun.objects.get(name=jobs.WEEKLY_DIGEST)
    assert run.last_success_at is None
    assert "weekly email to bob not sent" in run.last_error

    good = mail_server(SMTPPeer())
    up = jobs.weekly_digest_send(now=MONDAY + timedelta(hours=1))
    again = jobs.weekly_digest_send(now=MONDAY + timedelta(hours=2))

    assert sorted(up.sent) == ["alice", "bob"] and again.sent == []
    assert good.recipients() == ["alice@example.com", "bob@example.com"]
    assert WeeklyDigest.objects.exclude(sent_at=None).count() == 2
    assert JobRun.objects.get(name=jobs.WEEKLY_DIGEST).last_success_at is not None


@pytest.mark.parametrize("stall_at", ["EHLO", "MAIL", "RCPT", "DATA"])
def test_a_timeout_before_the_message_went_out_releases_the_claim(
    two_people, mail_server, stall_at
):
    silent = mail_server(SMTPPeer(stall_at=stall_at))

    down = jobs.weekly_digest_send(now=MONDAY)

    assert silent.commands.count(stall_at) == 2  # both people got that far, one after the other
    assert [username for username, _ in down.failed] == ["alice", "bob"]
    assert not WeeklyDigest.objects.exists()

    good = mail_server(SMTPPeer())
    jobs.weekly_digest_send(now=MONDAY + timedelta(hours=1))

    assert good.recipients() == ["alice@example.com", "bob@example.com"]


def test_a_message_refused_after_its_data_releases_the_claim(two_people, mail_server):
    mail_server(SMTPPeer(end_reply="554 5.7.1 Message rejected"))

    down = jobs.weekly_digest_send(now=MONDAY)

    assert "554" in down.failed[0][1]
    assert not WeeklyDigest.objects.exists()


def test_silence_after_the_whole_message_went_out_keeps_the_claim_and_sends_nothing_twice(
    two_people, mail_server
):
    mail_server(SMTPPeer(stall_at="end"))

    down = jobs.weekly_digest_send(now=MONDAY)

    assert [username for username, _ in down.failed] == ["alice", "bob"]
    # The server may have both: kept as claimed and unsent, for a person to check.
    assert WeeklyDigest.objects.filter(sent_at=None).count() == 2
    good = mail_server(SMTPPeer())
    jobs.weekly_digest_send(now=MONDAY + timedelta(hours=1))
    assert good.messages == []
    assert jobs.unsent_digests(now=timezone.now() + timedelta(hours=2)).count() == 2


def test_the_weekly_task_queues_one_task_per_person_and_each_sends_once(
    two_people, manager, weekly_digest_task
):
    with time_machine.travel(MONDAY, tick=False):
        assert weekly_digest_task() == 3  # alice, bob, and the manager (nothing due)
        assert weekly_digest_task() == 0  # the manager's week, nothing due, is decided too
        assert weekly_digest_task(scheduled=False) == 0

    assert sorted(address for message in mail.outbox for address in message.to) == [
        "alice@example.com",
        "bob@example.com",
    ]


def test_the_beat_task_queues_nothing_before_monday_0700_on_their_clock(
    two_people, weekly_digest_task
):
    for before in (timedelta(hours=9), timedelta(hours=2, minutes=1)):  # 00:00; 06:59
        with time_machine.travel(MONDAY - before, tick=False):
            assert weekly_digest_task() == 0

    assert not WeeklyDigest.objects.exists()


def test_a_per_person_task_from_a_past_week_or_for_a_claimed_person_does_nothing(two_people, owner):
    week = MONDAY.date().isoformat()
    with time_machine.travel(MONDAY + timedelta(days=7), tick=False):
        assert tasks.send_weekly_digest_to(owner.pk, week) is None
    with time_machine.travel(MONDAY, tick=False):
        assert tasks.send_weekly_digest_to(owner.pk, week) == 1
        assert tasks.send_weekly_digest_to(owner.pk, week) is None

    assert [message.to for message in mail.outbox] == [["alice@example.com"]]
