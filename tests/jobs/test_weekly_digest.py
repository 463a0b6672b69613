"""The weekly reminder email: one per person with something due, at most once a week."""

import email
import socket
import threading
from datetime import timedelta
from email import policy

import pytest
import time_machine
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from cultivation import jobs, tasks
from cultivation.models import JobRun, WeeklyDigest
from tests import factories

from .conftest import MONDAY

SITE = "https://crm.example.com"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


def _closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _recipients():
    return sorted(address for message in mail.outbox for address in message.to)


@pytest.mark.django_db
def test_one_combined_email_per_person_with_anything_due(owner, teammate, manager, due_things):
    due_things(owner)
    due_things(teammate, name="Tom Reed")

    result = jobs.weekly_digest_send(now=MONDAY)

    assert _recipients() == ["alice@example.com", "bob@example.com"]
    assert sorted(result.sent) == ["alice", "bob"]
    assert result.nothing_due == 1  # the manager
    digest = WeeklyDigest.objects.get(user=owner)
    assert (digest.week_start, digest.item_count) == (MONDAY.date(), 4)
    assert digest.sent_at is not None


@pytest.mark.django_db
def test_no_email_to_inactive_people_or_people_without_an_address(due_things):
    gone = factories.UserFactory(username="gone", is_active=False)
    silent = factories.UserFactory(username="silent", email="")
    due_things(gone)
    due_things(silent, name="Tom Reed")

    jobs.weekly_digest_send(now=MONDAY)

    assert mail.outbox == []
    assert not WeeklyDigest.objects.exists()


@pytest.mark.django_db
def test_email_is_grouped_as_my_week_in_text_and_html_with_absolute_links(owner, due_things):
    due = due_things(owner)

    jobs.weekly_digest_send(now=MONDAY)

    (message,) = mail.outbox
    assert message.subject == "Your week in Convivio: 4 things due, 1 overdue"
    assert message.to == ["alice@example.com"]
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    text = message.body
    headings = ["AWAITING YOUR DECISION (1)", "FOLLOW-UPS (1)", "TOUCH-BASE CALLS", "PROMISES (1)"]
    assert [text.index(h) for h in headings] == sorted(text.index(h) for h in headings)
    assert f"{SITE}/touches/new/?contact={due.contact.pk}&method=call" in text
    assert f"{SITE}/contacts/{due.contact.pk}/#promises" in text
    assert f"{SITE}/contacts/{due.decision.contact_id}/#follow-up" in text
    assert "Send the salary survey" in text
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{SITE}/touches/new/?contact={due.contact.pk}&amp;method=call"' in html
    assert f'href="{SITE}/my-week/"' in html
    assert html.count('data-kind="') == 4


@pytest.mark.django_db
def test_overdue_items_are_counted_in_the_subject_and_marked(owner):
    contact = factories.ContactFactory(owner=owner, name="Dev Patel")
    factories.PromiseFactory(contact=contact, due_on=MONDAY.date() - timedelta(days=3))

    jobs.weekly_digest_send(now=MONDAY)

    (message,) = mail.outbox
    assert message.subject == "Your week in Convivio: 1 thing due, 1 overdue"
    assert "OVERDUE since Fri 20 Nov" in message.body


@pytest.mark.django_db
def test_run_twice_sends_one_email_per_person(owner, teammate, due_things):
    due_things(owner)
    due_things(teammate, name="Tom Reed")

    jobs.weekly_digest_send(now=MONDAY)
    second = jobs.weekly_digest_send(now=MONDAY + timedelta(hours=2))
    with time_machine.travel(MONDAY + timedelta(hours=3), tick=False):
        assert tasks.weekly_digest() == 0  # the beat's run, later that morning
        assert tasks.weekly_digest(scheduled=False) == 0  # a retried task

    assert second.sent == []
    assert _recipients() == ["alice@example.com", "bob@example.com"]
    assert WeeklyDigest.objects.filter(week_start=MONDAY.date()).count() == 2


@pytest.mark.django_db
def test_the_next_week_gets_its_own_email(owner, due_things):
    due_things(owner)

    jobs.weekly_digest_send(now=MONDAY)
    jobs.weekly_digest_send(now=MONDAY + timedelta(days=7))

    assert len(mail.outbox) == 2
    assert list(WeeklyDigest.objects.values_list("week_start", flat=True)) == [
        MONDAY.date() + timedelta(days=7),
        MONDAY.date(),
    ]


@pytest.mark.django_db
def test_claimed_but_never_sent_is_not_sent_again_shows_on_health_and_can_be_resent(
    owner, teammate, due_things, client
):
    due_things(owner)
    due_things(teammate, name="Tom Reed")
    # A worker claimed alice's email and died before sending it.
    WeeklyDigest.objects.create(user=owner, week_start=MONDAY.date(), item_count=4)
    WeeklyDigest.objects.update(claimed_at=MONDAY - timedelta(hours=2))

    jobs.weekly_digest_send(now=MONDAY)

    assert _recipients() == ["bob@example.com"]
    assert jobs.unsent_digests(now=MONDAY).get().user == owner
    assert "1 weekly email claimed but never sent" in client.get("/health/").content.decode()

    assert jobs.weekly_digest_release_unsent(now=MONDAY, usernames=["alice", "bob"]) == 1
    jobs.weekly_digest_send(now=MONDAY)

    assert _recipients() == ["alice@example.com", "bob@example.com"]
    assert not jobs.unsent_digests(now=MONDAY + timedelta(hours=2)).exists()


@pytest.mark.django_db
def test_a_failed_send_releases_the_claim_and_the_next_run_sends_it(
    owner, teammate, due_things, settings
):
    due_things(owner)
    due_things(teammate, name="Tom Reed")
    # A real SMTP connection to a port where nothing listens: the mail server is down.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _closed_port()
    settings.EMAIL_TIMEOUT = 2

    down = jobs.weekly_digest_send(now=MONDAY)

    assert [username for username, _ in down.failed] == ["alice", "bob"]
    assert not WeeklyDigest.objects.exists()
    run = JobRun.objects.get(name=jobs.WEEKLY_DIGEST)
    assert run.last_success_at is None
    assert "weekly email to bob not sent" in run.last_error

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    up = jobs.weekly_digest_send(now=MONDAY + timedelta(hours=1))

    assert sorted(up.sent) == ["alice", "bob"]
    assert JobRun.objects.get(name=jobs.WEEKLY_DIGEST).last_success_at is not None


@pytest.mark.django_db(transaction=True)
def test_the_claim_refuses_to_run_inside_another_transaction(owner, due_things):
    due_things(owner)

    with transaction.atomic():
        result = jobs.weekly_digest_send(now=MONDAY)

    assert mail.outbox == []
    assert [username for username, _ in result.failed] == ["alice"]
    assert not WeeklyDigest.objects.exists()  # nothing claimed: the next run sends it
    assert jobs.weekly_digest_send(now=MONDAY).sent == ["alice"]
    assert [message.to for message in mail.outbox] == [["alice@example.com"]]


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_one_email_per_person(due_things):
    if connection.vendor == "sqlite":
        pytest.skip(
            "SQLite runs one writer at a time, so two threads cannot race for the claim; "
            "this runs on PostgreSQL (DATABASE_URL=postgres://...)"
        )
    people = [factories.UserFactory(username=f"person{n}") for n in range(8)]
    for n, person in enumerate(people):
        due_things(person, name=f"Contact {n}")
    start = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            start.wait()
            results.append(jobs.weekly_digest_send(now=MONDAY))
        except Exception as error:  # pragma: no cover - shown in the assertion
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert _recipients() == sorted(f"{person.username}@example.com" for person in people)
    assert sorted(name for result in results for name in result.sent) == sorted(
        person.username for person in people
    )
    assert WeeklyDigest.objects.exclude(sent_at=None).count() == 8


@pytest.mark.django_db
def test_dry_run_preview_sends_and_records_nothing(owner, due_things, manager):
    due_things(owner)

    previews = dict(jobs.weekly_digest_preview(now=MONDAY))

    assert previews[manager] is None
    assert previews[owner].subject == "Your week in Convivio: 4 things due, 1 overdue"
    assert mail.outbox == []
    assert not WeeklyDigest.objects.exists()


@pytest.mark.django_db
def test_message_survives_a_round_trip_through_mime(owner, due_things):
    due_things(owner)
    jobs.weekly_digest_send(now=MONDAY)

    raw = mail.outbox[0].message().as_bytes()
    parsed = email.message_from_bytes(raw, policy=policy.default)

    assert parsed.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in parsed.iter_parts()] == [
        "text/plain",
        "text/html",
    ]
    assert timezone.is_aware(WeeklyDigest.objects.get().sent_at)


class _SwallowingSMTP:
    """A real SMTP peer on loopback that takes the whole message, then hangs up
    instead of answering "250 OK": the sender cannot know it was delivered."""

    def __init__(self):
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen()
        self.port = self.server.getsockname()[1]
        self.messages = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                peer, _ = self.server.accept()
            except OSError:
                return
            with peer, peer.makefile("rb") as lines:
                peer.sendall(b"220 swallow ESMTP\r\n")
                for line in lines:
                    command = line.strip().upper()
                    if command == b"DATA":
                        peer.sendall(b"354 go ahead\r\n")
                        for body in lines:
                            if body == b".\r\n":
                                break
                        self.messages += 1
                        break  # hang up without the final reply
                    peer.sendall(b"250 ok\r\n")

    def close(self):
        self.server.close()


@pytest.mark.django_db
def test_a_send_that_may_have_arrived_keeps_its_claim_and_is_not_sent_again(
    owner, due_things, settings
):
    due_things(owner)
    smtp = _SwallowingSMTP()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", smtp.port, 5
    try:
        first = jobs.weekly_digest_send(now=MONDAY)
        again = jobs.weekly_digest_send(now=MONDAY + timedelta(hours=1))
    finally:
        smtp.close()

    assert [username for username, _ in first.failed] == ["alice"]
    assert smtp.messages == 1  # the server has it; the next run must not send another
    assert again.sent == [] and again.failed == []
    # Kept as claimed and unsent: /health/ and the admin show it for a person to check.
    assert WeeklyDigest.objects.get(user=owner).sent_at is None


@pytest.mark.django_db
def test_a_resend_never_releases_a_claim_a_run_may_still_be_sending(owner, due_things):
    due_things(owner)
    WeeklyDigest.objects.create(user=owner, week_start=MONDAY.date(), item_count=4)
    WeeklyDigest.objects.update(claimed_at=MONDAY - timedelta(minutes=5))

    assert jobs.weekly_digest_release_unsent(now=MONDAY, usernames=["alice"]) == 0
    assert WeeklyDigest.objects.count() == 1
