"""Consent to email is a record, not a tick box: when and how it was given, and its
withdrawal, each a row in the person's history. The rules of email touches follow it."""

from datetime import UTC, datetime
from html import unescape

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from convivio.errors import PermissionRefused, RuleViolation
from cultivation.models import ContactEvent
from cultivation.services import contact_opt_in, contact_opt_out, touch_log
from tests import factories

pytestmark = pytest.mark.django_db
Action = ContactEvent.Action
LUNCH = datetime(2025, 3, 3, 13, 0, tzinfo=UTC)
LATER = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def priya(owner):
    return factories.ContactFactory(name="Priya Shah", owner=owner, has_opted_in=False)


@pytest.fixture
def opted_in(priya, owner):
    with time_machine.travel(LUNCH, tick=False):
        contact_opt_in(contact=priya, by=owner, how="asked at lunch")
    return priya


def _consent_rows(person):
    return list(
        person.events.filter(action__in=[Action.OPTED_IN, Action.OPTED_OUT])
        .order_by("pk")
        .values_list("action", "by__username", "at", "note")
    )


def _state(person):
    person.refresh_from_db()
    return person.has_opted_in, person.opted_in_at, person.opt_in_how


# Giving consent ------------------------------------------------------------------------


def test_consent_is_kept_with_when_and_how_and_a_history_row(priya, owner):
    with time_machine.travel(LUNCH, tick=False):
        contact_opt_in(contact=priya, by=owner, how="  asked at lunch ")

    assert _state(priya) == (True, LUNCH, "asked at lunch")
    assert _consent_rows(priya) == [(Action.OPTED_IN, "alice", LUNCH, "asked at lunch")]


def test_recording_consent_twice_is_refused_the_second_time(opted_in, owner):
    with pytest.raises(RuleViolation, match="already opted in on 3 Mar 2025: asked at lunch"):
        contact_opt_in(contact=opted_in, by=owner, how="again")

    assert _state(opted_in) == (True, LUNCH, "asked at lunch")
    assert len(_consent_rows(opted_in)) == 1


@pytest.mark.parametrize(
    ("how", "sentence"),
    [("", "Say how Priya Shah gave consent"), ("  ", "Say how"), ("x" * 201, "200 characters")],
)
def test_consent_without_how_is_refused_and_changes_nothing(priya, owner, how, sentence):
    with pytest.raises(RuleViolation, match=sentence):
        contact_opt_in(contact=priya, by=owner, how=how)

    assert _state(priya) == (False, None, "") and _consent_rows(priya) == []


def test_a_teammate_may_not_record_consent_for_someone_elses_person(priya, teammate):
    for _ in range(2):
        with pytest.raises(PermissionRefused, match="Only Alice Owner, Priya Shah's owner"):
            contact_opt_in(contact=priya, by=teammate, how="met at the dinner")

    assert _state(priya) == (False, None, "") and _consent_rows(priya) == []


@pytest.mark.parametrize("nobody", [None, AnonymousUser()])
def test_no_one_and_anonymous_record_no_consent(priya, nobody):
    with pytest.raises(PermissionRefused):
        contact_opt_in(contact=priya, by=nobody, how="asked at lunch")

    assert _consent_rows(priya) == []


def test_a_manager_records_and_withdraws_consent_for_anyone(priya, manager):
    contact_opt_in(contact=priya, by=manager, how="signed up on the website")
    contact_opt_out(contact=priya, by=manager)

    assert [row[:2] for row in _consent_rows(priya)] == [
        (Action.OPTED_IN, "maria"),
        (Action.OPTED_OUT, "maria"),
    ]


def test_someone_who_asked_us_to_stop_is_not_asked_for_consent(priya, owner):
    priya.asked_to_stop_at = timezone.now()
    priya.save()

    with pytest.raises(RuleViolation, match="asked us to stop"):
        contact_opt_in(contact=priya, by=owner, how="asked at lunch")


# Withdrawing it ----------------------------------------------------------------------


def test_withdrawal_clears_consent_and_its_row_keeps_when_and_how_it_was_given(opted_in, owner):
    with time_machine.travel(LATER, tick=False):
        contact_opt_out(contact=opted_in, by=owner, why="Replied: please stop the newsletter")

    assert _state(opted_in) == (False, None, "")
    assert _consent_rows(opted_in)[1] == (
        Action.OPTED_OUT,
        "alice",
        LATER,
        "Replied: please stop the newsletter\nConsent given on 3 Mar 2025 (asked at lunch).",
    )


def test_withdrawing_twice_is_refused_the_second_time(opted_in, owner):
    contact_opt_out(contact=opted_in, by=owner)

    with pytest.raises(RuleViolation, match="has not opted in to email: nothing to withdraw"):
        contact_opt_out(contact=opted_in, by=owner)

    assert len(_consent_rows(opted_in)) == 2


def test_a_teammate_may_not_withdraw_consent_and_nothing_changes(opted_in, teammate):
    with pytest.raises(PermissionRefused):
        contact_opt_out(contact=opted_in, by=teammate, why="I think so")

    assert _state(opted_in) == (True, LUNCH, "asked at lunch")


def test_email_touches_follow_consent(priya, owner):
    with pytest.raises(RuleViolation, match="has not opted in to email"):
        touch_log(contact=priya, method="newsletter", by=owner)

    contact_opt_in(contact=priya, by=owner, how="asked at lunch")
    touch_log(contact=priya, method="newsletter", by=owner)
    contact_opt_out(contact=priya, by=owner)

    with pytest.raises(RuleViolation, match="has not opted in to email"):
        touch_log(contact=priya, method="newsletter", by=owner)


# The person's page -----------------------------------------------------------------------


def _give(client, person, how="asked at lunch"):
    return client.post(f"/contacts/{person.pk}/consent/", {"how": how}, follow=True)


def test_consent_recorded_on_the_page_shows_when_and_how(priya, owner_client):
    with time_machine.travel(LUNCH, tick=False):
        response = _give(owner_client, priya)

    page = unescape(response.content.decode())
    assert response.redirect_chain[-1][0] == f"{priya.get_absolute_url()}#consent"
    assert "Recorded: Priya Shah opted in to email." in page
    assert "Opted in on 3 Mar 2025: asked at lunch." in page
    assert "Withdraw consent" in page


def test_consent_withdrawn_on_the_page_is_in_the_history(opted_in, owner_client):
    response = owner_client.post(
        f"/contacts/{opted_in.pk}/consent/withdraw/", {"why": "Moved firms"}, follow=True
    )

    page = unescape(response.content.decode())
    assert "Recorded: Priya Shah withdrew consent to email." in page
    assert "Not opted in to email" in page and "Record consent" in page
    assert (
        "withdrew email consent (Moved firms" in page
        and "opted in to email (asked at lunch)" in page
    )


def test_the_page_offers_consent_forms_only_to_who_may_use_them(priya, owner_client, teammate):
    assert "Record consent" in owner_client.get(priya.get_absolute_url()).content.decode()

    owner_client.force_login(teammate)
    assert "Record consent" not in owner_client.get(priya.get_absolute_url()).content.decode()


def test_a_teammate_posting_consent_gets_the_sentence_and_nothing_changes(priya, teammate_client):
    response = teammate_client.post(f"/contacts/{priya.pk}/consent/", {"how": "asked at lunch"})

    assert response.status_code == 403
    assert "Only Alice Owner, Priya Shah's owner" in unescape(response.content.decode())
    assert _consent_rows(priya) == []


@pytest.mark.parametrize(
    ("how", "sentence"),
    [
        ("", "How did they consent? This field is required."),
        ("asked\x00", "Null characters are not allowed."),
        ("x" * 201, "at most 200 characters"),
    ],
)
def test_bad_input_is_a_400_sentence_and_changes_nothing(priya, owner_client, how, sentence):
    response = owner_client.post(f"/contacts/{priya.pk}/consent/", {"how": how})

    assert response.status_code == 400
    assert sentence in unescape(response.content.decode())
    assert _consent_rows(priya) == []


def test_recording_consent_twice_on_the_page_says_so(opted_in, owner_client):
    response = _give(owner_client, opted_in, how="again")

    assert "already opted in on 3 Mar 2025" in unescape(response.content.decode())
    assert len(_consent_rows(opted_in)) == 1


def test_consent_for_an_unknown_person_is_404_and_get_is_not_allowed(priya, owner_client):
    assert owner_client.post("/contacts/99999999/consent/", {"how": "x"}).status_code == 404
    assert owner_client.get(f"/contacts/{priya.pk}/consent/").status_code == 405


def test_anonymous_visitors_record_no_consent(client, priya):
    response = client.post(f"/contacts/{priya.pk}/consent/", {"how": "asked at lunch"})

    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert _consent_rows(priya) == []


# The admin ---------------------------------------------------------------------------------

CHANGELIST = "/admin/cultivation/contact/"


def _action(client, action, people, **answer):
    data = {"action": action, "_selected_action": [p.pk for p in people], **answer}
    return client.post(CHANGELIST, data, follow=True)


def test_the_admin_asks_how_then_records_consent_through_the_service(priya, manager_client):
    asked = _action(manager_client, "record_consent", [priya])

    assert "How did they consent?" in asked.content.decode()
    assert _consent_rows(priya) == []

    _action(manager_client, "record_consent", [priya], post="yes", how="phoned to ask")

    assert _state(priya)[0::2] == (True, "phoned to ask")
    assert [row[:2] for row in _consent_rows(priya)] == [(Action.OPTED_IN, "maria")]


def test_the_admin_withdraws_consent_and_names_those_it_refused(opted_in, manager_client):
    never = factories.ContactFactory(name="Omar Reid", has_opted_in=False)

    response = _action(
        manager_client, "withdraw_consent", [opted_in, never], post="yes", why="Asked by email"
    )

    page = unescape(response.content.decode())
    assert "“Omar Reid”: Omar Reid has not opted in to email: nothing to withdraw." in page
    assert "1 contact(s) withdrew consent to email." in page
    assert _state(opted_in) == (False, None, "")


def test_the_admin_consent_fields_stay_read_only(opted_in, manager_client):
    page = manager_client.get(f"{CHANGELIST}{opted_in.pk}/change/").content.decode()

    assert 'name="has_opted_in"' not in page and 'name="opt_in_how"' not in page
