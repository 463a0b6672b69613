"""Partners' next exchange lunches in the calendar feed: all-day events linking to the form
that logs the lunch; the ETag changes when a lunch moves."""

from datetime import UTC, date, datetime

import icalendar
import pytest
import time_machine
from django.test import Client

from cultivation.models import Alliance
from cultivation.services import alliance_mark
from cultivation.services.preferences import calendar_token_rotate
from tests import factories

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # a Wednesday


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def address(owner):
    return f"/calendar/{calendar_token_rotate(user=owner, by=owner).calendar_token}.ics"


def _partner(user, name, lunch_on):
    contact = factories.ContactFactory(owner=user, name=name)
    alliance_mark(contact=contact, criteria={}, preferral_profile="", by=user)
    Alliance.objects.filter(contact=contact).update(next_lunch_on=lunch_on)
    return contact


def test_next_lunches_are_all_day_events_linking_to_the_lunch_form(
    owner, teammate, address, settings
):
    settings.SITE_URL = "https://crm.example.com"
    paula = _partner(owner, "Paula Partner", date(2026, 12, 2))
    _partner(teammate, "Theo Theirs", date(2026, 12, 2))

    response = Client().get(address)
    events = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    lunches = [e for e in events if "exchange lunch" in str(e["summary"])]

    assert [str(e["summary"]) for e in lunches] == ["Preferral-exchange lunch · Paula Partner"]
    (lunch,) = lunches
    assert lunch["dtstart"].dt == date(2026, 12, 2)
    assert lunch["dtend"].dt == date(2026, 12, 3)
    assert str(lunch["url"]) == f"https://crm.example.com/contacts/{paula.pk}/exchange/"
    assert str(lunch["uid"]).startswith(f"lunch-{paula.alliance.pk}@")


def test_the_etag_changes_when_a_lunch_moves(owner, address):
    paula = _partner(owner, "Paula Partner", date(2026, 12, 2))
    first = Client().get(address)

    Alliance.objects.filter(contact=paula).update(next_lunch_on=date(2026, 12, 9))
    second = Client().get(address, headers={"if-none-match": first["ETag"]})

    assert second.status_code == 200 and second["ETag"] != first["ETag"]
    assert b"20261209" in second.content
