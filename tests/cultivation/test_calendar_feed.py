"""The calendar feed: a person's due items as iCalendar, at a secret address."""

import logging
import re
from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest
import time_machine
from django.test import Client

from cultivation.models import Preferences
from cultivation.services.preferences import (
    calendar_token_revoke,
    calendar_token_rotate,
    preferences_update,
)
from cultivation.services.promises import promise_keep
from tests import factories

pytestmark = pytest.mark.django_db

# Wednesday 25 November 2026, 10:00 UTC: 05:00 in New York, 21:00 in Sydney.
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
CSRF = re.compile(r'"X-CSRFToken": "[^"]*"|name="csrfmiddlewaretoken" value="[^"]*"')


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def address(owner):
    token = calendar_token_rotate(user=owner, by=owner).calendar_token
    return f"/calendar/{token}.ics"


def _feed(address, client=None, **headers):
    response = (client or Client()).get(address, headers=headers)
    assert response.status_code == 200, response.content[:300]
    return response, icalendar.Calendar.from_ical(response.content)


def _events(calendar):
    return {str(event["summary"]): event for event in calendar.walk("VEVENT")}


def _week(owner):
    """Priya: a follow-up due Friday; Tom: a touch-base call due Monday 30th; a promise
    overdue since Monday; and another person's promise, never in my feed."""
    priya = factories.ContactFactory(owner=owner, name="Priya Shah")
    follow_up = factories.FollowUpFactory(
        contact=priya, met_at=NOW - timedelta(days=5), next_due_at=NOW + timedelta(days=2)
    )
    tom = factories.ContactFactory(owner=owner, name="Tom Reed")
    item = factories.PlanItemFactory(
        plan=factories.TouchPlanFactory(contact=tom), next_due_on=date(2026, 11, 30)
    )
    promise = factories.PromiseFactory(
        contact=priya, owner=owner, what="Send the report", due_on=date(2026, 11, 23)
    )
    other = factories.UserFactory(username="zed")
    factories.PromiseFactory(
        contact=factories.ContactFactory(owner=other, name="Not Mine"),
        owner=other,
        what="Not mine to keep",
        due_on=date(2026, 11, 26),
    )
    return follow_up, item, promise


def test_the_feed_lists_my_items_as_all_day_events_with_links_back(
    owner, address, frozen, settings
):
    settings.SITE_URL = "https://crm.example.com"
    follow_up, item, promise = _week(owner)

    response, calendar = _feed(address)

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert str(calendar["version"]) == "2.0"
    assert str(calendar["x-wr-calname"]) == "Convivio: Alice Owner"
    events = _events(calendar)
    assert sorted(events) == [
        "Follow-up attempt 1/3 · Priya Shah",
        "Overdue: Promise: Send the report · Priya Shah",
        "Touch-base call · Tom Reed",
    ]
    call = events["Touch-base call · Tom Reed"]
    assert call["dtstart"].dt == date(2026, 11, 30)
    assert call["dtend"].dt == date(2026, 12, 1)
    assert call["uid"] == f"touch-{item.pk}@crm.example.com"
    assert str(call["url"]) == (
        f"https://crm.example.com/touches/new/?contact={item.plan.contact_id}&method=call"
    )
    assert call["dtstamp"].dt == NOW
    assert str(call["transp"]) == "TRANSPARENT"
    follow = events["Follow-up attempt 1/3 · Priya Shah"]
    assert follow["dtstart"].dt == date(2026, 11, 27)
    assert follow["uid"] == f"follow-up-{follow_up.pk}@crm.example.com"
    # Overdue: shown today, saying when it was due.
    late = events["Overdue: Promise: Send the report · Priya Shah"]
    assert late["dtstart"].dt == date(2026, 11, 25)
    assert str(late["description"]).startswith("Overdue: was due Mon 23 Nov 2026.")
    assert str(late["url"]) == (f"https://crm.example.com/contacts/{promise.contact_id}/#promises")
    assert "Not mine" not in response.content.decode()


def test_decisions_awaiting_are_on_today(owner, address, frozen):
    contact = factories.ContactFactory(owner=owner, name="Eve Long")
    factories.FollowUpFactory(
        contact=contact, attempt_count=3, next_due_at=None, exhausts_at=NOW - timedelta(days=3)
    )

    _, calendar = _feed(address)

    (event,) = calendar.walk("VEVENT")
    assert str(event["summary"]).endswith("back to Research or Lost? · Eve Long")
    assert event["dtstart"].dt == date(2026, 11, 25)
    assert str(event["url"]).endswith(f"/contacts/{contact.pk}/#follow-up")


def test_items_further_ahead_than_the_window_are_left_out(owner, address, frozen, settings):
    settings.CONVIVIO = {**settings.CONVIVIO, "CALENDAR_FEED_DAYS": 10}
    plan = factories.TouchPlanFactory(contact=factories.ContactFactory(owner=owner))
    factories.PlanItemFactory(plan=plan, next_due_on=date(2026, 12, 5))
    factories.PlanItemFactory(plan=plan, next_due_on=date(2026, 12, 6), method="note")

    _, calendar = _feed(address)

    assert [event["dtstart"].dt for event in calendar.walk("VEVENT")] == [date(2026, 12, 5)]


def test_days_are_the_persons_own(owner, address, frozen):
    """At 10:00 UTC on Wednesday it is already 21:00 in Sydney, still 05:00 in New York; a
    follow-up due at 15:00 UTC is Thursday in Sydney, Wednesday in New York."""
    contact = factories.ContactFactory(owner=owner, name="Priya Shah")
    factories.FollowUpFactory(
        contact=contact, met_at=NOW - timedelta(days=6), next_due_at=NOW + timedelta(hours=5)
    )

    def day_in(zone):
        preferences_update(
            user=owner,
            by=owner,
            time_zone=zone,
            weekly_email=True,
            weekly_email_weekday=0,
            weekly_email_hour=7,
        )
        (event,) = _feed(address)[1].walk("VEVENT")
        return event["dtstart"].dt

    assert day_in("Australia/Sydney") == date(2026, 11, 26)
    assert day_in("America/New_York") == date(2026, 11, 25)
    assert day_in("") == date(2026, 11, 25)  # the firm's, London


def test_uids_are_stable_and_a_repeat_with_the_etag_is_a_304(owner, address, frozen):
    _week(owner)

    first, calendar = _feed(address)
    again = Client().get(address, headers={"if-none-match": first["ETag"]})
    _, later = _feed(address)

    assert first["ETag"].startswith('W/"')
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert "private" in again["Cache-Control"]
    assert sorted(e["uid"] for e in calendar.walk("VEVENT")) == sorted(
        e["uid"] for e in later.walk("VEVENT")
    )


def test_the_etag_holds_across_time_until_the_items_change(owner, address):
    _, item, promise = _week(owner)
    with time_machine.travel(NOW, tick=False):
        first, _ = _feed(address)
    with time_machine.travel(NOW + timedelta(minutes=15), tick=False):
        unchanged = Client().get(address, headers={"if-none-match": first["ETag"]})
        promise_keep(promise=promise, by=owner)
        changed, calendar = _feed(address, **{"if-none-match": first["ETag"]})

    assert unchanged.status_code == 304
    assert changed["ETag"] != first["ETag"]
    assert "Send the report" not in changed.content.decode()
    assert calendar.walk("VEVENT")[0]["dtstamp"].dt == NOW + timedelta(minutes=15)


def test_snoozing_moves_the_event(owner, owner_client, address, frozen):
    _, item, _ = _week(owner)

    response = owner_client.post(
        f"/plan-items/{item.pk}/snooze/", {"until": "2026-12-02", "next": "/my-week/"}
    )
    _, calendar = _feed(address)

    assert response.status_code == 302
    call = _events(calendar)["Touch-base call · Tom Reed"]
    assert call["dtstart"].dt == date(2026, 12, 2)


def test_rotating_makes_the_old_address_a_404_and_revoking_the_new_one(owner, address):
    _feed(address)

    new = f"/calendar/{calendar_token_rotate(user=owner, by=owner).calendar_token}.ics"
    old_after_rotate = Client().get(address)
    _feed(new)
    calendar_token_revoke(user=owner, by=owner)
    new_after_revoke = Client().get(new)

    assert new != address
    assert old_after_rotate.status_code == 404
    assert new_after_revoke.status_code == 404
    assert Preferences.objects.get(user=owner).calendar_token is None


def _body(response):
    return CSRF.sub("", response.content.decode())


@pytest.mark.parametrize(
    "path",
    [
        "/calendar/" + "A" * 43 + ".ics",  # the right shape, no such token
        "/calendar/short.ics",
        "/calendar/" + "A" * 500 + ".ics",
        "/calendar/%00" + "A" * 42 + ".ics",
        "/calendar/" + "A" * 42 + "%21.ics",
        "/calendar/.ics",
    ],
)
def test_a_wrong_token_is_the_same_404_as_any_unknown_address(path, owner, address):
    response = Client().get(path)
    unknown = Client().get("/no-such-page/")

    assert response.status_code == 404
    assert _body(response) == _body(unknown)
    assert "Preferences" not in response.content.decode()


def test_a_leavers_address_is_a_404(owner, address):
    owner.is_active = False
    owner.save(update_fields=["is_active"])

    assert Client().get(address).status_code == 404


def test_the_feed_is_read_only(owner, address):
    assert Client().post(address).status_code == 405
    assert Client().head(address).status_code == 200


def _busy(owner, size):
    for _ in range(size):
        contact = factories.ContactFactory(owner=owner)
        factories.FollowUpFactory(contact=contact, met_at=NOW - timedelta(days=8))
        plan = factories.TouchPlanFactory(contact=contact)
        factories.PlanItemFactory(plan=plan, next_due_on=date(2026, 12, 1))
        factories.PromiseFactory(contact=contact, owner=owner, due_on=date(2026, 12, 3))


@pytest.mark.parametrize("size", [2, 30])
def test_the_feed_runs_six_queries_whatever_the_number_of_items(
    size, owner, address, frozen, django_assert_num_queries
):
    _busy(owner, size)

    with django_assert_num_queries(6):  # + the partners' next exchange lunches
        _, calendar = _feed(address)

    assert len(calendar.walk("VEVENT")) == 3 * size


def test_the_token_never_reaches_the_logs(owner, address, caplog):
    token = address.removeprefix("/calendar/").removesuffix(".ics")
    calendar_token_revoke(user=owner, by=owner)

    with caplog.at_level("INFO"):
        assert Client().get(address).status_code == 404

    assert "Not Found" in caplog.text
    assert token not in caplog.text


@pytest.mark.parametrize(
    "path", ["s3cret-Token_x.ics", "s3cret-Token_x.ICS", "s3cret-Token_x%2Eics?x", "s3cret-Token_x"]
)
def test_the_development_servers_request_lines_hide_the_token(caplog, path):
    server = logging.getLogger("django.server")
    server.addHandler(caplog.handler)
    try:
        server.info('"%s" %s %s', f"GET /calendar/{path} HTTP/1.1", 200, 512)
    finally:
        server.removeHandler(caplog.handler)

    (line,) = caplog.messages
    assert "s3cret" not in line
    assert line.startswith('"GET /calendar/[token].ics')


def test_another_persons_items_are_never_in_my_feed(owner, teammate, address, frozen):
    """Bob's follow-up, planned call, promise and decision, one each; and a promise Bob owns
    to one of my people: none of them is mine to do."""
    _busy(teammate, 1)
    bobs = factories.ContactFactory(owner=teammate, name="Bob's Person")
    factories.FollowUpFactory(
        contact=bobs, attempt_count=3, next_due_at=None, exhausts_at=NOW - timedelta(days=1)
    )
    mine = factories.ContactFactory(owner=owner, name="Priya Shah")
    factories.PromiseFactory(contact=mine, owner=teammate, due_on=date(2026, 11, 26))
    bobs_address = (
        f"/calendar/{calendar_token_rotate(user=teammate, by=teammate).calendar_token}.ics"
    )

    _, calendar = _feed(address)
    _, bobs_calendar = _feed(bobs_address)

    assert calendar.walk("VEVENT") == []
    assert len(bobs_calendar.walk("VEVENT")) == 5
