"""Exchange lunches and names not followed up, on My week and in the weekly email."""

from datetime import date, datetime

import pytest
import time_machine
from django.utils import timezone

from cultivation import jobs, selectors
from cultivation.models import Alliance
from cultivation.services import alliance_mark, exchange_log, referral_outcome
from tests import factories

pytestmark = pytest.mark.django_db
# Wednesday 10 March 2027; the week ends Sunday 14 March.
NOW = datetime(2027, 3, 10, 9, 0, tzinfo=timezone.get_fixed_timezone(0))


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _partner(owner, name, lunch_on):
    contact = factories.ContactFactory(owner=owner, name=name)
    alliance_mark(contact=contact, criteria={}, preferral_profile="", by=owner)
    Alliance.objects.filter(contact=contact).update(next_lunch_on=lunch_on)
    return contact


def test_lunches_in_the_week_or_overdue_and_names_past_the_window(owner, teammate):
    _partner(owner, "Olga Overdue", date(2027, 3, 1))
    _partner(owner, "Sunny Sunday", date(2027, 3, 14))
    _partner(owner, "Nora Next", date(2027, 3, 15))  # next week: not yet
    _partner(teammate, "Theo Theirs", date(2027, 3, 11))  # not mine
    lunch = _partner(owner, "Paula Partner", date(2027, 6, 1))
    exchange_log(
        partner=lunch,
        by=owner,
        on=date(2027, 3, 3),  # a week ago today at 00:00: just past the 7-day window
        names_offered=[{"name": "Nina New", "need": "A sale"}, {"name": "Done Already"}],
    )
    exchange_log(partner=lunch, by=owner, on=date(2027, 3, 4), names_offered=[{"name": "Too Soon"}])
    done = lunch.exchanges.get(on=date(2027, 3, 3)).names.get(person__name="Done Already")
    referral_outcome(referral=done, by=owner, outcome="stay_in_touch")

    week = selectors.my_week(owner, now=NOW)

    assert [(i.contact.name, i.is_overdue) for i in week.lunches] == [
        ("Olga Overdue", True),
        ("Sunny Sunday", False),
    ]
    assert [(i.contact.name, i.title, i.due) for i in week.exchange_names] == [
        ("Nina New", "Name from Paula Partner: follow up (A sale)", date(2027, 3, 10))
    ]


def test_my_week_page_and_email_show_them(owner, owner_client, settings):
    settings.SITE_URL = "https://crm.example.com"
    partner = _partner(owner, "Olga Overdue", date(2027, 3, 1))
    exchange_log(
        partner=partner, by=owner, on=date(2027, 3, 1), names_offered=[{"name": "Nina New"}]
    )
    Alliance.objects.filter(contact=partner).update(next_lunch_on=date(2027, 3, 12))

    page = owner_client.get("/my-week/").content.decode()
    week = selectors.my_week(owner, now=NOW)
    message = jobs.digest_message(owner, week, now=NOW)

    assert 'data-kind="lunch"' in page and 'data-kind="exchange_name"' in page
    assert f"/contacts/{partner.pk}/exchange/" in page
    assert "PREFERRAL-EXCHANGE LUNCHES (1)" in message.body
    assert "NAMES FROM EXCHANGE LUNCHES TO FOLLOW UP (1)" in message.body
    assert f"https://crm.example.com/contacts/{partner.pk}/exchange/" in message.body


@pytest.mark.parametrize("size", [1, 6])
def test_my_week_costs_the_same_queries_for_few_or_many(owner, size, django_assert_num_queries):
    for n in range(size):
        partner = _partner(owner, f"Partner {n}", date(2027, 3, 11))
        exchange_log(
            partner=partner, by=owner, on=date(2027, 2, 1), names_offered=[{"name": f"N {n}"}]
        )
        Alliance.objects.filter(contact=partner).update(next_lunch_on=date(2027, 3, 11))

    with django_assert_num_queries(6):
        week = selectors.my_week(owner, now=NOW)

    assert (len(week.lunches), len(week.exchange_names)) == (size, size)
