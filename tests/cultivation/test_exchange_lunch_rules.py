"""Review findings on exchange lunches: one notion of today (the person's own), one lunch
with a partner a day, one person once in a lunch, a namesake with another email is someone
else, nobody who asked us to stop is passed on, and the admin keeps the page's dates."""

import zoneinfo
from datetime import date, datetime

import pytest
import time_machine
from django.utils import timezone

from convivio.errors import RuleViolation
from cultivation.models import Contact, Exchange, Method, Preferences, Referral, Touch
from cultivation.models.touches import Outcome
from cultivation.services import alliance_mark, exchange_log, touch_log
from tests import factories

pytestmark = pytest.mark.django_db
UTC = timezone.get_fixed_timezone(0)
# 03:00 in London (the firm) on Wednesday 10 March 2027 is still Tuesday 9 March, 19:00, in
# Los Angeles.
NOW = datetime(2027, 3, 10, 3, 0, tzinfo=UTC)
LOS_ANGELES = zoneinfo.ZoneInfo("America/Los_Angeles")
LUNCH = date(2027, 3, 8)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def partner(owner):
    contact = factories.ContactFactory(owner=owner, name="Paula Partner")
    alliance_mark(contact=contact, criteria={"respects_us": True}, preferral_profile="", by=owner)
    return contact


def _form(on, **rows):
    data = {"on": on, "note": ""}
    for prefix in ("offered", "given"):
        data |= {
            f"{prefix}-TOTAL_FORMS": "2",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "20",
        }
    return data | rows


def _nothing_logged():
    return not Exchange.objects.exists() and not Referral.objects.exists()


# One today: the person's own ------------------------------------------------------------


@pytest.fixture
def western(owner):
    Preferences.objects.update_or_create(user=owner, defaults={"time_zone": "America/Los_Angeles"})
    return owner


def test_the_form_offers_the_persons_own_today_and_takes_it(client, western, partner):
    client.force_login(western)
    url = f"/contacts/{partner.pk}/exchange/"

    page = client.get(url).content.decode()
    response = client.post(url, _form("2027-03-09", **{"offered-0-name": "Nina New"}))

    assert 'value="2027-03-09"' in page  # their Tuesday, though it is Wednesday in London
    assert response.status_code == 302
    exchange = Exchange.objects.get()
    assert exchange.on == date(2027, 3, 9)
    assert exchange.names.get().on == date(2027, 3, 9)


def test_the_firms_today_is_their_tomorrow_and_refused_whole(client, western, partner):
    client.force_login(western)

    response = client.post(
        f"/contacts/{partner.pk}/exchange/", _form("2027-03-10", **{"offered-0-name": "Nina New"})
    )

    # The lunch refuses it, as the referral would: not one rule for each.
    assert response.status_code == 400
    assert "A lunch is logged once it has happened" in response.content.decode()
    assert _nothing_logged()


def test_the_service_takes_today_where_the_person_is(owner, partner):
    with timezone.override(LOS_ANGELES):
        exchange = exchange_log(
            partner=partner, by=owner, on=date(2027, 3, 9), names_offered=[{"name": "Nina New"}]
        )
        with pytest.raises(RuleViolation, match="the date is in the future"):
            exchange_log(partner=partner, by=owner, on=date(2027, 3, 10))

    # Lunchtime on the 9th where they are, not in London.
    assert exchange.touch.at == datetime(2027, 3, 9, 12, 30, tzinfo=LOS_ANGELES)


# One lunch with a partner a day -----------------------------------------------------------


def test_the_same_form_sent_twice_logs_one_lunch(owner_client, partner):
    url = f"/contacts/{partner.pk}/exchange/"
    data = _form(LUNCH.isoformat(), **{"offered-0-name": "Ola One"})

    first = owner_client.post(url, data)
    second = owner_client.post(url, data)

    assert (first.status_code, second.status_code) == (302, 400)
    assert (
        "A lunch with Paula Partner on 8 Mar 2027 is already logged: 1 name(s)."
        in second.content.decode()
    )
    assert Exchange.objects.count() == 1
    assert Referral.objects.count() == 1
    assert Contact.objects.filter(name="Ola One").count() == 1
    assert Touch.objects.filter(contact=partner).count() == 1


def test_another_day_is_another_lunch(owner, partner):
    exchange_log(partner=partner, by=owner, on=LUNCH)
    exchange_log(partner=partner, by=owner, on=date(2027, 3, 9))

    assert Exchange.objects.count() == 2


# One person once in a lunch ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("rows", "sentence"),
    [
        (
            [
                {"name": "Dup Person", "organisation": "Acme"},
                {"name": "dup  person ", "organisation": "ACME"},
            ],
            "Names offered to us 1 and 2 are the same person: give them once.",
        ),
        (
            [
                {"name": "Ann"},
                {"name": "Bob", "email": "x@y.example"},
                {"name": "B.", "email": "X@y.example "},
            ],
            "Names offered to us 2 and 3 are the same person: give them once.",
        ),
        (
            [
                {"name": "Ann Twice", "organisation": "X", "email": "ann@t.example"},
                {"name": "Ann Twice", "organisation": "X"},
            ],
            "Names offered to us 1 and 2 are the same person: give them once.",
        ),
        (
            [
                {"name": "Ann Twice", "organisation": "X"},
                {"name": "ann twice", "organisation": "x", "email": "ann@t.example"},
            ],
            "Names offered to us 1 and 2 are the same person: give them once.",
        ),
    ],
)
def test_one_name_twice_in_a_lunch_is_refused_naming_both_rows(owner, partner, rows, sentence):
    with pytest.raises(RuleViolation) as refusal:
        exchange_log(partner=partner, by=owner, on=LUNCH, names_offered=rows)

    assert str(refusal.value) == sentence
    assert _nothing_logged()


def test_namesakes_with_different_emails_are_two_names(owner, partner):
    exchange = exchange_log(
        partner=partner,
        by=owner,
        on=LUNCH,
        names_offered=[
            {"name": "Sam Same", "organisation": "Acme", "email": "sam@one.example"},
            {"name": "Sam Same", "organisation": "Acme", "email": "sam@two.example"},
        ],
    )

    assert exchange.names.count() == 2
    assert len({name.person_id for name in exchange.names.all()}) == 2


def test_namesakes_at_different_organisations_are_two_names(owner, partner):
    exchange = exchange_log(
        partner=partner,
        by=owner,
        on=LUNCH,
        names_offered=[
            {"name": "Sam Same", "organisation": "Acme"},
            {"name": "Sam Same", "organisation": "Bolt"},
        ],
    )

    assert exchange.names.count() == 2


def test_one_person_we_offer_twice_is_refused(owner, partner):
    known = factories.ContactFactory(owner=owner, name="Kim Known")

    with pytest.raises(RuleViolation) as refusal:
        exchange_log(
            partner=partner,
            by=owner,
            on=LUNCH,
            names_given=[{"person": known, "need": "a"}, {"person": known, "need": "b"}],
        )

    assert str(refusal.value) == "Names we offered 1 and 2 are the same person: give them once."
    assert _nothing_logged()


# A namesake with another email is someone else ----------------------------------------------


def test_a_name_with_another_email_than_the_namesakes_is_a_new_person(owner, partner):
    namesake = factories.ContactFactory(
        owner=owner, name="John Smith", email="john@old.example", organisation=None
    )

    exchange = exchange_log(
        partner=partner,
        by=owner,
        on=LUNCH,
        names_offered=[{"name": "John Smith", "email": "john@different.example"}],
    )

    person = exchange.names.get().person
    assert person.pk != namesake.pk
    assert person.email == "john@different.example"
    assert person.referred_by == partner


def test_a_name_with_an_email_matches_a_namesake_without_one(owner, partner):
    namesake = factories.ContactFactory(owner=owner, name="John Smith", email="", organisation=None)

    exchange = exchange_log(
        partner=partner,
        by=owner,
        on=LUNCH,
        names_offered=[{"name": "John Smith", "email": "john@new.example"}],
    )

    assert exchange.names.get().person == namesake


# Nobody who asked us to stop is passed on ---------------------------------------------------


def test_a_name_we_offer_who_asked_us_to_stop_is_refused(owner, partner):
    stopped = factories.ContactFactory(owner=owner, name="Stopped Sam")
    as_the_form_read_it = Contact.objects.get(pk=stopped.pk)
    touch_log(
        contact=stopped,
        method=Method.CALL,
        by=owner,
        outcome=Outcome.ASKED_TO_STOP,
        is_arranged=True,
    )

    with pytest.raises(RuleViolation) as refusal:
        exchange_log(
            partner=partner,
            by=owner,
            on=LUNCH,
            names_given=[{"person": as_the_form_read_it, "need": "x"}],
        )

    assert str(refusal.value) == (
        "Name we offered 1: Stopped Sam asked us to stop: we don't pass their name on."
    )
    assert _nothing_logged()


# The admin keeps the page's window of dates ---------------------------------------------------


@pytest.mark.parametrize("on", ["0001-01-01", "1899-12-31"])
def test_the_admin_refuses_a_lunch_outside_the_pages_dates(manager_client, partner, on):
    response = manager_client.post(
        "/admin/cultivation/exchange/add/", {"partner": partner.pk, "on": on, "note": ""}
    )

    assert response.status_code == 200  # the form again, with its error
    assert "Choose a date from 1 January 1900" in response.content.decode()
    assert not Exchange.objects.exists()


def test_the_admin_logs_a_lunch_in_the_window(manager_client, partner):
    response = manager_client.post(
        "/admin/cultivation/exchange/add/",
        {"partner": partner.pk, "on": LUNCH.isoformat(), "note": ""},
    )

    assert response.status_code == 302
    assert Exchange.objects.get().on == LUNCH


def test_the_service_refuses_a_date_before_the_window(owner, partner):
    with pytest.raises(RuleViolation, match="Choose a date from 1 January 1900 on."):
        exchange_log(partner=partner, by=owner, on=date(1899, 12, 31))
