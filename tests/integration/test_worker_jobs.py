"""The jobs through the broker: a real worker on Redis, a real SMTP server on loopback."""

from datetime import timedelta

from django.utils import timezone

from cultivation import jobs, tasks
from cultivation.models import ContactEvent, FollowUp, JobRun, WeeklyDigest
from tests import factories

from .conftest import SITE_URL, settled, succeeded, wait_for


def _due_today(owner, name):
    today = timezone.localdate()
    contact = factories.ContactFactory(owner=owner, name=name)
    factories.FollowUpFactory(contact=contact, met_at=timezone.now() - timedelta(days=8))
    factories.PlanItemFactory(plan=factories.TouchPlanFactory(contact=contact), next_due_on=today)
    factories.PromiseFactory(contact=contact, due_on=today, what=f"Send {name} the report")
    return contact


def _waited_out(owner, name):
    """Three attempts unanswered, and the week of waiting for an answer is over."""
    return factories.FollowUpFactory(
        contact=factories.ContactFactory(owner=owner, name=name),
        attempt_count=3,
        next_due_at=None,
        exhausts_at=timezone.now() - timedelta(hours=1),
    )


def test_the_scan_runs_on_a_real_worker_and_three_runs_stamp_each_follow_up_once(
    celery_worker, queue, owner, teammate
):
    _waited_out(owner, "Priya Shah")
    _waited_out(teammate, "Tom Reed")
    workers = celery_worker()

    tasks.due_scan.apply_async(queue=queue)
    wait_for(lambda: succeeded(workers) == 1, "the first scan", workers)

    assert FollowUp.objects.filter(status=FollowUp.Status.EXHAUSTED).count() == 2
    assert JobRun.objects.get(name=jobs.DUE_SCAN).last_success_at is not None

    tasks.due_scan.apply_async(queue=queue)
    tasks.due_scan.apply_async(queue=queue)
    wait_for(lambda: succeeded(workers) == 3, "two more scans", workers)

    stamps = ContactEvent.objects.filter(action=ContactEvent.Action.FOLLOW_UP_EXHAUSTED)
    assert sorted(stamps.values_list("contact__name", flat=True)) == ["Priya Shah", "Tom Reed"]


def test_the_weekly_email_arrives_once_through_smtp_from_two_racing_workers(
    celery_worker, queue, redis_url, smtp_server, owner, teammate, manager
):
    priya = _due_today(owner, "Priya Shah")
    _due_today(teammate, "Tom Reed")
    _due_today(factories.UserFactory(username="gone", is_active=False), "Ann Old")
    workers = celery_worker(email_url=smtp_server.url, count=2)

    for _ in range(2):  # two beats, or a task and its retry, on two workers at once
        tasks.weekly_digest.apply_async(kwargs={"scheduled": False}, queue=queue)
    # Each run queues one short task per person not yet claimed; wait until all have ended.
    wait_for(lambda: len(smtp_server.messages) == 2, "both emails", workers)
    wait_for(lambda: settled(workers, redis_url, queue), "every queued task", workers)

    received = sorted(smtp_server.messages, key=lambda item: item[0])
    assert [recipients for recipients, _ in received] == [
        ["alice@example.com"],
        ["bob@example.com"],
    ]
    _, message = received[0]
    assert message["To"] == "alice@example.com"
    assert message["Subject"].startswith("Your week in Convivio: 3 things due")
    assert message["Auto-Submitted"] == "auto-generated"
    assert [part.get_content_type() for part in message.iter_parts()] == [
        "text/plain",
        "text/html",
    ]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "TOUCH-BASE CALLS AND PLANNED TOUCHES (1)" in text
    assert f"{SITE_URL}/touches/new/?contact={priya.pk}&method=call" in text
    assert f"{SITE_URL}/contacts/{priya.pk}/#promises" in text
    assert f'href="{SITE_URL}/contacts/{priya.pk}/#promises"' in html
    assert f'href="{SITE_URL}/my-week/"' in html
    assert "Send Priya Shah the report" in html
    assert WeeklyDigest.objects.exclude(sent_at=None).count() == 2
    assert not WeeklyDigest.objects.filter(sent_at=None, item_count__gt=0).exists()
