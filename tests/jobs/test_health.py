"""/health/: when each job last succeeded, and "late" in plain words when it is."""

from datetime import date, timedelta

import pytest
import time_machine
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client
from django.utils import timezone

from cultivation import jobs
from cultivation.models import JobRun, WeeklyDigest

from .conftest import MONDAY

pytestmark = pytest.mark.django_db


def _ran(name, ago):
    JobRun.objects.create(name=name, last_started_at=MONDAY - ago, last_success_at=MONDAY - ago)


def _health(client):
    with time_machine.travel(MONDAY, tick=False):
        response = client.get("/health/")
    return response, response.content.decode()


def test_health_is_open_without_signing_in_and_on_time(client):
    _ran(jobs.DUE_SCAN, timedelta(hours=26))
    _ran(jobs.WEEKLY_DIGEST, timedelta(days=8))

    response, page = _health(client)

    assert response.status_code == 200
    assert "All scheduled jobs ran on time." in page
    assert ">late<" not in page


@pytest.mark.parametrize(
    ("scan_ago", "email_ago", "late_job"),
    [
        (timedelta(hours=26, seconds=1), timedelta(days=1), jobs.DUE_SCAN),
        (timedelta(hours=1), timedelta(days=8, seconds=1), jobs.WEEKLY_DIGEST),
    ],
    ids=["scan", "email"],
)
def test_a_job_past_its_limit_is_reported_late(client, scan_ago, email_ago, late_job):
    _ran(jobs.DUE_SCAN, scan_ago)
    _ran(jobs.WEEKLY_DIGEST, email_ago)

    response, page = _health(client)

    assert response.status_code == 503
    assert "Late:" in page
    row = page[page.index(f'data-job="{late_job}"') :].split("</tr>")[0]
    assert ">late<" in row


def _installed(ago):
    MigrationRecorder.Migration.objects.filter(app="cultivation").update(applied=MONDAY - ago)


def test_a_job_that_never_ran_is_late_once_its_limit_has_passed_since_installation(client):
    _installed(timedelta(days=9))

    response, page = _health(client)

    assert response.status_code == 503
    assert page.count(">late<") == 2
    assert "never" in page


def test_the_last_problem_is_shown_to_managers_only(manager_client):
    JobRun.objects.create(
        name=jobs.WEEKLY_DIGEST, last_success_at=MONDAY, last_error="1 email(s) not sent: alice"
    )

    _, anonymous = _health(Client())
    _, managers = _health(manager_client)

    assert "alice" not in anonymous
    assert "The last run reported a problem" in anonymous
    assert "Last problem: 1 email(s) not sent: alice" in managers


def test_jobs_appear_in_the_admin_for_managers(manager_client):
    JobRun.objects.create(name=jobs.DUE_SCAN, last_success_at=MONDAY)

    page = manager_client.get("/admin/cultivation/jobrun/").content.decode()

    assert jobs.DUE_SCAN in page


@pytest.mark.django_db
def test_managers_find_emails_claimed_but_never_sent_in_the_admin(manager_client, owner, teammate):
    WeeklyDigest.objects.create(user=owner, week_start=date(2026, 11, 23))
    WeeklyDigest.objects.create(
        user=teammate, week_start=date(2026, 11, 23), sent_at=timezone.now()
    )

    page = manager_client.get(
        "/admin/cultivation/weeklydigest/", {"sent_at__isempty": "1"}
    ).content.decode()

    assert "alice" in page and "bob" not in page


@pytest.mark.parametrize(
    "installed_ago, late_jobs",
    [
        (timedelta(hours=25), set()),
        (timedelta(hours=27), {"due_scan"}),
        (timedelta(days=7, hours=23), {"due_scan"}),
        (timedelta(days=8, hours=1), {"due_scan", "weekly_digest"}),
    ],
)
def test_a_fresh_install_is_not_late_until_each_jobs_limit_has_passed(
    client, installed_ago, late_jobs
):
    _installed(installed_ago)

    response, page = _health(client)

    assert response.status_code == (503 if late_jobs else 200)
    for job in ("due_scan", "weekly_digest"):
        row = page[page.index(f'data-job="{job}"') :].split("</tr>")[0]
        assert (">late<" in row) == (job in late_jobs), job
