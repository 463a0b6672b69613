"""Discipline's numbers: first follow-ups on time, exhausted, promises kept on time, overdue."""

from datetime import date

import pytest

from cultivation.models import FollowUp
from opportunities.reports import discipline
from tests import factories

from .helpers import at, column, figure, scope

MARCH, APRIL, MAY = date(2026, 3, 1), date(2026, 4, 1), date(2026, 5, 1)
NOW = at("2026-04-20 12:00")


def _follow_up(owner, met, priority="hot", attempts=(), **fields):
    contact = factories.ContactFactory(owner=owner)
    follow_up = factories.FollowUpFactory(
        contact=contact, owner=owner, priority=priority, met_at=at(met), **fields
    )
    for moment in attempts:
        factories.TouchFactory(contact=contact, follow_up=follow_up, at=at(moment))
    return follow_up


@pytest.fixture
def follow_ups(owner):
    """Begun in April: 5 judged, 3 on time (60%)."""
    _follow_up(owner, "2026-04-01 09:00", attempts=["2026-04-02 09:00", "2026-04-09 09:00"])
    _follow_up(owner, "2026-04-01 09:00", attempts=["2026-04-03 10:00"])  # 49 hours: late
    _follow_up(owner, "2026-04-02 09:00", "referral", attempts=["2026-04-09 09:00"])  # 7 days
    _follow_up(owner, "2026-04-05 09:00", "low")  # due 26 April: not judged yet
    _follow_up(owner, "2026-04-10 09:00")  # 48 hours passed, no attempt: late
    _follow_up(owner, "2026-04-10 09:00", status="closed", ended_at=at("2026-04-11 09:00"))
    _follow_up(  # they called us first, in time: contact made
        owner, "2026-04-12 09:00", attempts=["2026-04-13 09:00"], status="answered"
    )
    _follow_up(owner, "2026-03-31 22:00", attempts=["2026-04-01 09:00"])  # March's


def test_first_follow_ups_on_time(owner, follow_ups):
    figures = discipline.build(scope(MARCH, MAY, (owner.pk,)), now=NOW)
    on_time = figure(figures, "follow-ups")
    assert column(on_time, "Follow-ups judged") == {"Mar 2026": 1, "Apr 2026": 5}
    assert column(on_time, "First attempt on time") == {"Mar 2026": 1, "Apr 2026": 3}
    assert column(on_time, "On time %") == {"Mar 2026": 100, "Apr 2026": 60}


def test_exhausted_by_the_month_the_third_attempt_went_unanswered(owner):
    exhausted = FollowUp.Status.EXHAUSTED
    _follow_up(owner, "2026-03-01 09:00", status=exhausted, exhausts_at=at("2026-04-12 09:00"))
    _follow_up(owner, "2026-03-01 09:00", exhausts_at=at("2026-03-10 09:00"))  # not swept yet
    _follow_up(  # answered the day before it would have been exhausted
        owner,
        "2026-03-01 09:00",
        status="answered",
        exhausts_at=at("2026-04-14 09:00"),
        ended_at=at("2026-04-13 09:00"),
    )
    _follow_up(owner, "2026-03-01 09:00", exhausts_at=at("2026-04-25 09:00"))  # after now
    figures = discipline.build(scope(MARCH, MAY, (owner.pk,)), now=NOW)
    assert column(figure(figures, "exhausted"), "Exhausted") == {"Mar 2026": 1, "Apr 2026": 1}


def _promise(owner, due, kept=None, **fields):
    contact = factories.ContactFactory(owner=owner)
    return factories.PromiseFactory(
        contact=contact, owner=owner, due_on=due, kept_at=kept and at(kept), **fields
    )


def test_promises_kept_on_time_by_their_day_in_the_firms_zone(owner):
    _promise(owner, date(2026, 4, 10), kept="2026-04-10 22:30")  # 23:30 in London: on time
    _promise(owner, date(2026, 4, 10), kept="2026-04-10 23:30")  # 00:30 on the 11th: late
    _promise(owner, date(2026, 4, 15))  # open, day passed: late
    _promise(owner, date(2026, 4, 25))  # open, day to come: not counted yet
    _promise(
        owner, date(2026, 4, 12), released_at=at("2026-04-11 09:00"), release_reason="Not needed"
    )
    _promise(owner, date(2026, 4, 22), kept="2026-04-19 09:00")
    figures = discipline.build(scope(MARCH, MAY, (owner.pk,)), now=NOW)
    promises = figure(figures, "promises")
    assert column(promises, "Promises due") == {"Mar 2026": 0, "Apr 2026": 4}
    assert column(promises, "Kept on time") == {"Mar 2026": 0, "Apr 2026": 2}
    assert column(promises, "Kept on time %") == {"Mar 2026": None, "Apr 2026": 50}


def _item(owner, due, ended=None):
    contact = factories.ContactFactory(owner=owner)
    plan = factories.TouchPlanFactory(
        contact=contact, started_at=at("2026-01-01 09:00"), ended_at=ended and at(ended)
    )
    return factories.PlanItemFactory(plan=plan, next_due_on=due)


def test_overdue_touches_today_per_person(owner, teammate, manager):
    _item(owner, date(2026, 4, 19))
    _item(owner, date(2026, 4, 20))  # due today: not overdue
    _item(owner, date(2026, 4, 1), ended="2026-04-02 09:00")  # plan ended
    _item(teammate, date(2026, 4, 1))
    _item(teammate, date(2026, 3, 1))
    figures = discipline.build(scope(MARCH, MAY), now=NOW)
    overdue = figure(figures, "overdue")
    assert overdue.table.rows == [["Bob Teammate", 2], ["Alice Owner", 1], ["Maria Manager", 0]]
    people = figure(figures, "people")
    assert column(people, "Overdue touches today") == {
        "Alice Owner": 1,
        "Bob Teammate": 2,
        "Maria Manager": 0,
    }


def test_one_persons_numbers_leave_out_everyone_else(owner, teammate, follow_ups):
    _item(teammate, date(2026, 4, 1))
    _follow_up(teammate, "2026-04-01 09:00", attempts=["2026-04-05 09:00"])
    figures = discipline.build(scope(APRIL, MAY, (owner.pk,)), now=NOW)
    assert [f.slug for f in figures] == ["follow-ups", "exhausted", "promises", "overdue"]
    assert column(figure(figures, "follow-ups"), "Follow-ups judged") == {"Apr 2026": 5}
    assert figure(figures, "overdue").table.rows == [["Alice Owner", 0]]


def test_everyone_per_person_over_the_period(owner, teammate, follow_ups):
    _promise(teammate, date(2026, 4, 10), kept="2026-04-09 09:00")
    people = figure(discipline.build(scope(APRIL, MAY), now=NOW), "people")
    assert column(people, "Follow-ups judged")["Alice Owner"] == 5
    assert column(people, "On time %")["Alice Owner"] == 60
    assert column(people, "Kept on time %") == {"Alice Owner": None, "Bob Teammate": 100}


def test_deadlines_come_from_the_settings(settings, owner, follow_ups):
    hours = {"hot": 72, "referral": 168, "low": 504}
    settings.CONVIVIO = {**settings.CONVIVIO, "FOLLOW_UP_HOURS": hours}
    on_time = figure(discipline.build(scope(APRIL, MAY, (owner.pk,)), now=NOW), "follow-ups")
    assert "hot lead 3 days, referral partner 7 days, low priority 21 days" in on_time.note
    # With 72 hours the 49-hour first attempt is on time: 4 of 5.
    assert column(on_time, "First attempt on time") == {"Apr 2026": 4}
