"""An alliance partner's lunch is the booked preferral-exchange lunch: their touch plan
carries no lunch of its own, so My week, the weekly email and the calendar feed remind of
one lunch, not two."""

from datetime import UTC, date, datetime

import icalendar
import pytest
import time_machine
from django.test import Client

from convivio.errors import RuleViolation
from cultivation import jobs, selectors
from cultivation.models import Alliance, ContactEvent, Method, PlanItem
from cultivation.services import (
    alliance_end,
    alliance_mark,
    contact_merge,
    exchange_log,
    plan_item_add,
    touch_plan_start,
)
from cultivation.services.preferences import calendar_token_rotate
from tests import factories

pytestmark = pytest.mark.django_db
NOW = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)  # a Wednesday; the week ends Sunday 14 March
SATURDAY, MONDAY = date(2027, 3, 13), date(2027, 3, 15)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def partner(owner):
    """A person cultivated with a lunch every quarter, due on Saturday."""
    contact = factories.ContactFactory(owner=owner, name="Paula Partner")
    plan = touch_plan_start(contact=contact, by=owner)
    plan_item_add(plan=plan, method=Method.LUNCH, interval_days=90, by=owner)
    PlanItem.objects.filter(plan=plan).update(next_due_on=SATURDAY)
    return contact


def _mark(contact, owner):
    alliance_mark(contact=contact, criteria={}, preferral_profile="", by=owner)
    # The exchange lunch booked for the Monday after: this week's My week ends on Sunday.
    Alliance.objects.filter(contact=contact).update(next_lunch_on=date(2027, 3, 12))


def test_a_partner_with_a_plan_lunch_gets_one_lunch_reminder(owner, partner, settings):
    settings.SITE_URL = "https://crm.example.com"
    _mark(partner, owner)

    week = selectors.my_week(owner, now=NOW)
    body = jobs.digest_message(owner, week, now=NOW).body
    token = calendar_token_rotate(user=owner, by=owner).calendar_token
    feed = Client().get(f"/calendar/{token}.ics").content
    summaries = [str(e["summary"]) for e in icalendar.Calendar.from_ical(feed).walk("VEVENT")]

    assert [item.contact.name for item in week.lunches] == ["Paula Partner"]
    assert [item.title for item in week.touches] == ["Touch-base call"]
    assert "Lunch or coffee" not in body
    assert "PREFERRAL-EXCHANGE LUNCHES (1)" in body
    assert [s for s in summaries if "unch" in s] == ["Preferral-exchange lunch · Paula Partner"]
    changed = partner.events.filter(action=ContactEvent.Action.PLAN_CHANGED).order_by("pk")
    assert changed.last().note == (
        "Dropped lunch or coffee every 90 days: "
        "the preferral-exchange lunch booked with Paula Partner is their lunch."
    )


def test_the_exchange_lunch_is_their_lunch_touch(owner, partner):
    _mark(partner, owner)

    exchange = exchange_log(partner=partner, by=owner, on=date(2027, 3, 9))

    assert exchange.touch.method == Method.LUNCH
    assert list(
        PlanItem.objects.filter(plan__contact=partner).values_list("method", flat=True)
    ) == ["call"]


def test_a_plan_lunch_is_refused_while_the_alliance_lasts(owner, partner):
    _mark(partner, owner)
    plan = partner.touch_plan

    with pytest.raises(RuleViolation, match="booked with Paula Partner is their lunch"):
        plan_item_add(plan=plan, method=Method.LUNCH, interval_days=90, by=owner)

    alliance_end(alliance=partner.alliance, reason="Paused", by=owner)
    item = plan_item_add(plan=plan, method=Method.LUNCH, interval_days=90, by=owner)
    assert item.method == Method.LUNCH


def test_merging_a_partner_with_a_record_whose_plan_has_a_lunch_leaves_one_lunch(owner, partner):
    other = factories.ContactFactory(owner=owner, name="Paula Partner", email="")
    _mark(other, owner)  # the partner record; `partner` (the survivor) has the plan lunch

    contact_merge(survivor=partner, duplicate=other, by=owner)

    assert Alliance.objects.live().get().contact == partner
    assert not PlanItem.objects.filter(plan__contact=partner, method=Method.LUNCH).exists()
    week = selectors.my_week(owner, now=NOW)
    assert [item.contact.name for item in week.lunches] == ["Paula Partner"]
    assert [item.title for item in week.touches] == ["Touch-base call"]
