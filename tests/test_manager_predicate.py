""" "Manager" is one predicate (`cultivation.policy.is_manager`: a superuser or the Managers
group), and pages ask it, not `is_staff`: a staff account outside Managers is no manager."""

import pytest
from django.test import Client
from django.urls import reverse

from cultivation import jobs
from cultivation.models import JobRun
from tests import factories

pytestmark = pytest.mark.django_db

ADMIN_LINK = f'href="{reverse("admin:index")}"'


def _signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def _board(user):
    return _signed_in(user).get(reverse("opportunities:board")).content.decode()


def test_a_manager_sees_the_admin_link(manager):
    assert ADMIN_LINK in _board(manager)


def test_a_superuser_sees_the_admin_link():
    root = factories.UserFactory(username="root", is_staff=True, is_superuser=True)

    assert ADMIN_LINK in _board(root)


def test_a_staff_account_outside_managers_sees_no_admin_link():
    clerk = factories.UserFactory(username="clerk", is_staff=True)

    assert ADMIN_LINK not in _board(clerk)


def test_staff_on_the_board_see_no_admin_link(owner):
    assert ADMIN_LINK not in _board(owner)


def test_the_last_problem_on_health_is_for_managers_not_for_other_staff_accounts(manager):
    JobRun.objects.create(name=jobs.DUE_SCAN, last_error="database went away")
    clerk = factories.UserFactory(username="clerk", is_staff=True)

    for_clerk = _signed_in(clerk).get("/health/").content.decode()
    for_manager = _signed_in(manager).get("/health/").content.decode()

    assert "database went away" not in for_clerk
    assert "The last run reported a problem" in for_clerk
    assert "Last problem: database went away" in for_manager
