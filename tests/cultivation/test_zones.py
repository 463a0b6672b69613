"""Each person sees dates on their own clock: "today", due and overdue, My week, the contact
page and the board's badges follow the time zone they chose (Preferences), at no extra query."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import load_backend
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cultivation.models import Preferences, zone_for
from tests import factories

pytestmark = pytest.mark.django_db

LONDON, NEW_YORK, SYDNEY = "Europe/London", "America/New_York", "Australia/Sydney"
MONDAY = date(2026, 11, 23)


def _person(username, zone):
    user = factories.UserFactory(username=username)
    if zone is not None:
        Preferences.objects.create(user=user, time_zone=zone)
    return user


def _get(client, user, url, at):
    client.force_login(user)
    with time_machine.travel(at, tick=False):
        return client.get(url)


def _promise_due_monday(user):
    contact = factories.ContactFactory(owner=user, name="Priya Shah")
    return factories.PromiseFactory(contact=contact, owner=user, due_on=MONDAY, what="Send it")


# Each zone's local midnight between Monday 23 and Tuesday 24 November 2026, in UTC.
MIDNIGHTS = [
    (LONDON, datetime(2026, 11, 24, 0, 0, tzinfo=UTC)),
    (NEW_YORK, datetime(2026, 11, 24, 5, 0, tzinfo=UTC)),  # EST, UTC-5
    (SYDNEY, datetime(2026, 11, 23, 13, 0, tzinfo=UTC)),  # AEDT, UTC+11
]


@pytest.mark.parametrize("zone, midnight", MIDNIGHTS, ids=["london", "new-york", "sydney"])
def test_a_promise_due_monday_becomes_overdue_at_the_persons_own_midnight(zone, midnight, client):
    person = _person("alice", zone)
    _promise_due_monday(person)

    before = _get(client, person, "/my-week/", midnight - timedelta(minutes=1))
    after = _get(client, person, "/my-week/", midnight)

    assert before.context["today"] == MONDAY
    assert [item.is_overdue for item in before.context["week"].promises] == [False]
    assert before.context["week"].overdue_count == 0
    assert after.context["today"] == MONDAY + timedelta(days=1)
    assert [item.is_overdue for item in after.context["week"].promises] == [True]
    assert "1 overdue" in after.content.decode()


def test_at_one_moment_three_people_see_three_different_todays(client):
    moment = datetime(2026, 11, 24, 3, 30, tzinfo=UTC)  # Tue 03:30 London
    seen = {}
    for username, zone in [("lon", LONDON), ("nyc", NEW_YORK), ("syd", SYDNEY)]:
        person = _person(username, zone)
        _promise_due_monday(person)
        page = _get(client, person, "/my-week/", moment)
        seen[zone] = (page.context["today"], page.context["week"].promises[0].is_overdue)

    assert seen == {
        LONDON: (date(2026, 11, 24), True),
        NEW_YORK: (date(2026, 11, 23), False),  # Monday 22:30: still due today
        SYDNEY: (date(2026, 11, 24), True),  # Tuesday 14:30
    }


def test_a_person_without_preferences_has_the_firms_zone(client):
    person = _person("alice", None)
    _promise_due_monday(person)

    page = _get(client, person, "/my-week/", datetime(2026, 11, 24, 0, 0, tzinfo=UTC))

    assert settings.TIME_ZONE == LONDON
    assert page.context["today"] == date(2026, 11, 24)
    assert page.context["week"].promises[0].is_overdue


def test_the_week_ends_on_the_persons_own_sunday_night(client):
    person = _person("alice", SYDNEY)
    contact = factories.ContactFactory(owner=person)
    plan = factories.TouchPlanFactory(contact=contact)
    factories.PlanItemFactory(plan=plan, next_due_on=date(2026, 12, 2))  # next Wednesday
    sunday_midnight = datetime(2026, 11, 29, 13, 0, tzinfo=UTC)  # Mon 30 Nov 00:00 AEDT

    sunday = _get(client, person, "/my-week/", sunday_midnight - timedelta(minutes=1))
    monday = _get(client, person, "/my-week/", sunday_midnight)

    assert sunday.context["week"].until == date(2026, 11, 29)
    assert sunday.context["week"].touches == []
    assert monday.context["week"].until == date(2026, 12, 6)
    assert [item.due for item in monday.context["week"].touches] == [date(2026, 12, 2)]


def test_a_follow_up_due_time_is_shown_on_the_persons_clock(client):
    person = _person("alice", SYDNEY)
    contact = factories.ContactFactory(owner=person)
    factories.FollowUpFactory(
        contact=contact, met_at=datetime(2026, 11, 17, 14, 0, tzinfo=UTC)
    )  # due a week later, 14:00 UTC: 01:00 the next morning in Sydney

    page = _get(client, person, "/my-week/", datetime(2026, 11, 23, 9, 0, tzinfo=UTC))

    (item,) = page.context["week"].follow_ups
    assert item.due == datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
    text = re.sub(r"<[^>]+>", "", page.content.decode())  # phone markup splits the date
    assert "Wed 25 Nov 01:00" in text


def test_the_contact_page_marks_overdue_on_the_persons_clock(client):
    moment = datetime(2026, 11, 24, 3, 30, tzinfo=UTC)
    london, new_york = _person("lon", LONDON), _person("nyc", NEW_YORK)
    promise = _promise_due_monday(london)
    url = f"/contacts/{promise.contact_id}/"

    as_london = _get(client, london, url, moment)
    as_new_york = _get(client, new_york, url, moment)

    assert (as_london.status_code, as_new_york.status_code) == (200, 200)
    assert as_london.context["today"] == date(2026, 11, 24)
    assert as_new_york.context["today"] == date(2026, 11, 23)
    assert as_london.context["badges"].overdue_promises == 1
    assert as_new_york.context["badges"].overdue_promises == 0


def test_the_boards_badges_count_overdue_on_the_persons_clock(client):
    moment = datetime(2026, 11, 24, 3, 30, tzinfo=UTC)
    london, new_york = _person("lon", LONDON), _person("nyc", NEW_YORK)
    promise = _promise_due_monday(london)
    card = factories.OpportunityFactory(owner=london, title="Pension review")
    factories.OpportunityContactFactory(opportunity=card, contact=promise.contact)

    as_london = _get(client, london, "/", moment).content.decode()
    as_new_york = _get(client, new_york, "/", moment).content.decode()

    assert "Pension review" in as_london and "Pension review" in as_new_york
    assert "1 promise overdue" in as_london
    assert "promise overdue" not in as_new_york


def test_the_zone_costs_no_query_and_ends_with_the_request(client, owner):
    _promise_due_monday(owner)
    client.force_login(owner)
    counts = []
    for zone in (None, NEW_YORK):
        if zone:
            Preferences.objects.create(user=owner, time_zone=zone)
        with (
            CaptureQueriesContext(connection) as queries,
            time_machine.travel(datetime(2026, 11, 24, 3, 30, tzinfo=UTC), tick=False),
        ):
            page = client.get("/my-week/")
        counts.append(len(queries))

    assert page.context["today"] == date(2026, 11, 23)  # New York's Monday
    assert counts[0] == counts[1]
    assert timezone.get_current_timezone_name() == settings.TIME_ZONE


@pytest.mark.parametrize("zone", [None, SYDNEY], ids=["firms-zone", "own-zone"])
def test_each_request_loads_the_person_and_their_zone_in_one_query(zone, django_assert_num_queries):
    person = _person("alice", zone)

    with django_assert_num_queries(1):
        user = load_backend("convivio.backends.ModelBackend").get_user(person.pk)
        assert zone_for(user).key == (zone or settings.TIME_ZONE)


def test_the_backend_still_refuses_an_inactive_or_unknown_person():
    gone = factories.UserFactory(username="gone", is_active=False)
    backend = load_backend("convivio.backends.ModelBackend")

    assert backend.get_user(gone.pk) is None
    assert backend.get_user(gone.pk + 1000) is None


@pytest.mark.parametrize("stored", ["Mars/Olympus_Mons", "../../etc/passwd"])
def test_a_zone_no_longer_known_falls_back_to_the_firms_and_the_page_works(stored, client):
    person = _person("alice", None)
    Preferences.objects.create(user=person, time_zone=stored)

    page = _get(client, person, "/my-week/", datetime(2026, 11, 24, 3, 30, tzinfo=UTC))

    assert page.status_code == 200
    assert page.context["today"] == date(2026, 11, 24)  # London's Tuesday
