"""The jobs by hand: run_due_scan (--dry-run) and send_weekly_digest (--dry-run, --user)."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command

from cultivation.models import ContactEvent, FollowUp, WeeklyDigest

from .conftest import MONDAY

pytestmark = pytest.mark.django_db


def _run(*args):
    out, err = StringIO(), StringIO()
    with time_machine.travel(MONDAY, tick=False):
        call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_send_weekly_digest_dry_run_prints_the_email_and_sends_nothing(owner, due_things):
    due_things(owner)

    out, _ = _run("send_weekly_digest", "--dry-run", "--user", "alice")

    assert "To: alice@example.com" in out
    assert "Subject: Your week in Convivio: 4 things due, 1 overdue" in out
    assert "FOLLOW-UPS (1)" in out and "[HTML part:" in out
    assert mail.outbox == []
    assert not WeeklyDigest.objects.exists()


def test_send_weekly_digest_for_one_user_sends_theirs_only(owner, teammate, due_things):
    due_things(owner)
    due_things(teammate, name="Tom Reed")

    out, _ = _run("send_weekly_digest", "--user", "bob")
    again, _ = _run("send_weekly_digest", "--user", "bob")

    assert [message.to for message in mail.outbox] == [["bob@example.com"]]
    assert "Sent 1 email(s)" in out and "Sent 0 email(s)" in again


def test_resend_releases_an_unsent_claim_and_sends(owner, due_things):
    due_things(owner)
    WeeklyDigest.objects.create(user=owner, week_start=MONDAY.date(), item_count=4)
    # Claimed two hours ago by a worker that died before sending.
    WeeklyDigest.objects.update(claimed_at=MONDAY - timedelta(hours=2))

    _run("send_weekly_digest", "--user", "alice")
    assert mail.outbox == []
    out, _ = _run("send_weekly_digest", "--user", "alice", "--resend")

    assert "Released 1 unsent claim(s)" in out
    assert len(mail.outbox) == 1


def test_resend_without_a_user_is_refused(owner):
    with pytest.raises(CommandError, match="--resend needs --user"):
        _run("send_weekly_digest", "--resend")


def test_an_unknown_user_is_an_error(owner):
    with pytest.raises(CommandError, match="No such user: nobody"):
        _run("send_weekly_digest", "--user", "nobody")


def test_run_due_scan_dry_run_counts_and_writes_nothing(owner, due_things):
    due = due_things(owner)

    out, _ = _run("run_due_scan", "--dry-run")

    assert "1 follow-up(s) would be marked exhausted." in out
    due.decision.refresh_from_db()
    assert due.decision.status == FollowUp.Status.OPEN
    assert not ContactEvent.objects.exists()


def test_run_due_scan_marks_each_exhausted_follow_up_once(owner, teammate, due_things):
    due_things(owner)
    due_things(teammate, name="Tom Reed")

    first, _ = _run("run_due_scan")
    second, _ = _run("run_due_scan")

    assert "Marked 2 follow-up(s) exhausted." in first
    assert "Marked 0 follow-up(s) exhausted." in second
    exhausted = ContactEvent.objects.filter(action=ContactEvent.Action.FOLLOW_UP_EXHAUSTED)
    assert exhausted.count() == 2
