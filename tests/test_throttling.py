"""Sign-in throttling: 5 failures for one username from one address lock that pair out
for 15 minutes, on both sign-in pages; a manager can clear the lockout in the admin."""

import datetime
import html
import re

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from tests import factories
from tests.factories import PASSWORD

SITE = "/accounts/login/"
ADMIN = "/admin/login/"
SENTENCE = (
    "Too many failed sign-ins for this account from your address. "
    "Try again in 15 minutes, or ask a manager to unlock it."
)
START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def _try(client, url, user, password, **headers):
    return client.post(url, {"username": user.username, "password": password}, **headers)


def _fail(client, url, user, times, **headers):
    for _ in range(times):
        _try(client, url, user, "wrong-password", **headers)


def _signed_in_as(client):
    return client.session.get("_auth_user_id")


def _text(response):
    return html.unescape(response.content.decode())


@pytest.fixture
def staff_member(db):
    """Signs in on both pages: the admin's sign-in page takes staff only."""
    return factories.ManagerFactory(username="sam", first_name="Sam", last_name="Staff")


@pytest.mark.django_db
@pytest.mark.parametrize("url", [SITE, ADMIN])
def test_after_five_failures_the_right_password_is_refused(client, staff_member, url):
    _fail(client, url, staff_member, 4)
    assert _try(client, url, staff_member, "wrong-password").status_code == 429
    for _ in range(2):
        response = _try(client, url, staff_member, PASSWORD)
        assert response.status_code == 429
        assert SENTENCE in _text(response)
        assert 'name="username"' in response.content.decode()  # the sign-in page itself
        assert _signed_in_as(client) is None


@pytest.mark.django_db
def test_four_failures_do_not_lock(client, owner):
    _fail(client, SITE, owner, 4)
    response = _try(client, SITE, owner, PASSWORD)
    assert response.status_code == 302
    assert _signed_in_as(client) == str(owner.pk)


@pytest.mark.django_db
def test_failures_on_one_page_count_on_the_other(client, staff_member):
    _fail(client, SITE, staff_member, 3)
    _fail(client, ADMIN, staff_member, 2)
    response = _try(client, ADMIN, staff_member, PASSWORD)
    assert response.status_code == 429 and SENTENCE in _text(response)


@pytest.mark.django_db
def test_the_lockout_page_has_no_inline_script_or_style(client, owner):
    _fail(client, SITE, owner, 5)
    response = _try(client, SITE, owner, PASSWORD)
    page = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert "style=" not in page
    assert not re.search(r"\son[a-z]+=", page)
    assert "default-src 'self'" in response.headers.get("Content-Security-Policy", "")


@pytest.mark.django_db
def test_another_user_at_the_same_address_still_signs_in(client, owner, teammate):
    _fail(client, SITE, owner, 5)
    other = Client()
    response = _try(other, SITE, teammate, PASSWORD)
    assert response.status_code == 302
    assert _signed_in_as(other) == str(teammate.pk)


@pytest.mark.django_db
def test_the_same_user_at_another_address_still_signs_in(client, owner):
    _fail(client, SITE, owner, 5)
    elsewhere = Client(REMOTE_ADDR="192.0.2.44")
    assert _try(elsewhere, SITE, owner, PASSWORD).status_code == 302
    assert _try(client, SITE, owner, PASSWORD).status_code == 429


@pytest.mark.django_db
def test_a_success_before_the_limit_resets_the_count(client, owner):
    _fail(client, SITE, owner, 4)
    assert _try(client, SITE, owner, PASSWORD).status_code == 302
    assert not AccessAttempt.objects.exists()
    client.post(reverse("logout"))
    _fail(client, SITE, owner, 4)
    assert _try(client, SITE, owner, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_the_lockout_ends_fifteen_minutes_after_it_began(client, owner):
    with time_machine.travel(START, tick=False) as clock:
        _fail(client, SITE, owner, 5)
        clock.shift(datetime.timedelta(minutes=10))
        # A try during the lockout is refused and does not extend it.
        assert _try(client, SITE, owner, PASSWORD).status_code == 429
        clock.shift(datetime.timedelta(minutes=4, seconds=59))
        assert _try(client, SITE, owner, PASSWORD).status_code == 429
        clock.shift(datetime.timedelta(seconds=2))
        response = _try(client, SITE, owner, PASSWORD)
        assert response.status_code == 302
        assert _signed_in_as(client) == str(owner.pk)


@pytest.mark.django_db
def test_failures_more_than_fifteen_minutes_apart_do_not_add_up(client, owner):
    with time_machine.travel(START, tick=False) as clock:
        _fail(client, SITE, owner, 4)
        clock.shift(datetime.timedelta(minutes=16))
        _fail(client, SITE, owner, 1)
        response = _try(client, SITE, owner, PASSWORD)
    assert response.status_code == 302


@pytest.mark.django_db
def test_a_manager_sees_and_clears_a_lockout(client, owner, manager_client):
    _fail(client, SITE, owner, 5)
    listing = manager_client.get(reverse("admin:axes_accessattempt_changelist"))
    assert listing.status_code == 200
    assert owner.username in listing.content.decode()
    attempt = AccessAttempt.objects.get(username=owner.username)
    response = manager_client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert _try(client, SITE, owner, PASSWORD).status_code == 302
    assert _signed_in_as(client) == str(owner.pk)


@pytest.mark.django_db
def test_staff_cannot_see_lockouts(owner_client):
    response = owner_client.get(reverse("admin:axes_accessattempt_changelist"))
    assert response.status_code == 302  # to the admin's sign-in page


@pytest.mark.django_db
def test_forwarded_for_is_ignored_unless_a_proxy_is_configured(client, owner):
    for n in range(5):
        _try(client, SITE, owner, "wrong", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    response = _try(client, SITE, owner, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert response.status_code == 429


@pytest.mark.django_db
def test_behind_one_proxy_the_address_it_saw_counts(client, owner, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    _fail(client, SITE, owner, 5, HTTP_X_FORWARDED_FOR="203.0.113.5")
    # What the client put on the left is not believed; what the proxy appended is.
    spoofed = "192.0.2.1, 203.0.113.5"
    assert _try(client, SITE, owner, PASSWORD, HTTP_X_FORWARDED_FOR=spoofed).status_code == 429
    colleague = Client()
    response = _try(colleague, SITE, owner, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert response.status_code == 302


@pytest.mark.django_db
def test_an_unreadable_forwarded_address_falls_back_to_the_connection(client, owner, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for value in ("not-an-address", "", "1.2.3.4\x00"):
        _try(client, SITE, owner, "wrong", HTTP_X_FORWARDED_FOR=value)
    attempt = AccessAttempt.objects.get()
    assert attempt.ip_address == "127.0.0.1" and attempt.failures_since_start == 3
