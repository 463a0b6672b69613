"""The pipeline by the six client-development functions, for April 2026 in London, each
count worked out by hand (docs/reports.md, "Pipeline")."""

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from cultivation.models import FollowUp, Referral, TouchPlan
from opportunities.models import Source, Stage
from opportunities.reports import pipeline
from opportunities.reports.scope import Scope
from tests import factories

from .test_pipeline_report import card, utc

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
R, CON, WON = Stage.RESEARCH, Stage.CONNECTING, Stage.WON
CLIENT, CULTIVATING = TouchPlan.Kind.CLIENT, TouchPlan.Kind.CULTIVATING


def april(user_ids=None):
    return Scope(first=date(2026, 4, 1), end=date(2026, 5, 1), zone=LONDON, user_ids=user_ids)


NEW_YEAR = utc(2026, 1, 1)


def person(owner, plan=None, *, started=NEW_YEAR, ended=None):
    contact = factories.ContactFactory(owner=owner)
    if plan:
        factories.TouchPlanFactory(contact=contact, kind=plan, started_at=started, ended_at=ended)
    return contact


def touch(contact, at, method="note", by=None, **extra):
    return factories.TouchFactory(contact=contact, at=at, method=method, by=by, **extra)


def referral(direction, on, colleague, partner):
    sides = (
        {"to_user": colleague, "from_person": partner}
        if direction == Referral.Direction.RECEIVED
        else {"by_user": colleague, "to_person": partner}
    )
    person_ = factories.ContactFactory(owner=colleague)
    return Referral.objects.create(direction=direction, on=on, person=person_, **sides)


@pytest.fixture
def work(settings, owner, teammate):
    settings.TIME_ZONE = "Europe/London"
    alice, bob = owner, teammate
    partner = factories.ContactFactory(owner=alice)
    received, given = Referral.Direction.RECEIVED, Referral.Direction.GIVEN
    referral(received, date(2026, 4, 10), alice, partner)  # fueling, alice
    referral(received, date(2026, 4, 30), bob, partner)  # fueling, bob
    referral(received, date(2026, 3, 31), alice, partner)  # March
    referral(given, date(2026, 4, 10), alice, partner)  # given: not fueling

    # X: created in Research (fueling), moved into Connecting (qualifying); Y: inbound,
    # created in Connecting (neither); Z: won in April (converting); W: created 23:00 on
    # 31 March in London.
    card(alice, Source.RESEARCH, [(utc(2026, 4, 2), "", R, ""), (utc(2026, 4, 5), R, CON, "")])
    card(bob, Source.INBOUND, [(utc(2026, 4, 3), "", CON, "")])
    card(alice, Source.INBOUND, [(utc(2026, 3, 1), "", CON, ""), (utc(2026, 4, 20), CON, WON, "")])
    card(bob, Source.RESEARCH, [(utc(2026, 3, 31, 22), "", R, "")])

    p1 = person(alice, CULTIVATING)
    p2 = person(alice)  # no plan
    p3 = person(bob, CULTIVATING)
    c1 = person(alice, CLIENT, started=utc(2026, 4, 1))
    c2 = person(bob, CLIENT, ended=utc(2026, 4, 15))
    person(alice, CLIENT, started=utc(2026, 5, 3))  # a client from May
    call = {"method": "call"}
    touch(p1, utc(2026, 4, 6), by=alice, outcome="no_need", still_qualifies=True, **call)  # T1
    touch(p3, utc(2026, 4, 7), outcome="need_found", still_qualifies=False, **call)  # T2, bob's
    touch(p1, utc(2026, 4, 7), by=alice, outcome="not_reached", **call)  # T3
    touch(p1, utc(2026, 4, 8), by=alice)  # T4
    touch(p1, utc(2026, 4, 8), by=alice, direction="theirs")  # T5: from them
    touch(p1, utc(2026, 4, 8), by=alice, method="imported")  # T6: imported
    touch(p2, utc(2026, 4, 9), by=alice, outcome="meeting_agreed", still_qualifies=True, **call)
    touch(c1, utc(2026, 4, 12), by=alice)  # T8: a client
    touch(c2, utc(2026, 4, 10), by=bob, outcome="no_need", still_qualifies=True, **call)  # T9
    touch(p1, utc(2026, 3, 31, 23, 30), by=alice)  # T10: 1 April in London
    touch(p1, utc(2026, 4, 30, 23, 30), by=alice)  # T11: 1 May in London
    touch(p3, utc(2026, 4, 15), by=alice)  # T12: alice's touch with bob's person

    factories.PromiseFactory(contact=p1, owner=alice, kept_at=utc(2026, 4, 11))
    factories.PromiseFactory(contact=p1, owner=alice, kept_at=utc(2026, 5, 2))
    factories.PromiseFactory(contact=p1, owner=alice)  # open
    done = {"status": FollowUp.Status.ANSWERED, "next_due_at": None}
    factories.FollowUpFactory(contact=p3, owner=bob, ended_at=utc(2026, 4, 12), **done)
    factories.FollowUpFactory(contact=p2, owner=alice, ended_at=utc(2026, 4, 20), **done)
    closed = {"status": FollowUp.Status.CLOSED, "next_due_at": None}
    factories.FollowUpFactory(contact=p1, owner=alice, ended_at=utc(2026, 4, 21), **closed)
    return alice, bob


def counts(figure):
    return {row[0]: row[1] for row in figure.table.rows}


def test_the_six_functions_for_everyone(work):
    assert counts(pipeline.six_functions(april())) == {
        # 2 referrals received in April + X created in Research.
        "Fueling": 3,
        # X into Connecting + requalifying calls T1, T2, T7, T9.
        "Qualifying": 5,
        # Our touches with anyone but clients: T1, T2, T3, T4, T7, T10, T12.
        "Cultivating": 7,
        # T7's meeting + Z won.
        "Converting": 2,
        # c1's live client plan at the end of April + touches with clients T8, T9.
        "Servicing": 3,
        # a promise kept in April + two follow-ups answered.
        "Managing": 3,
    }


def test_the_six_functions_for_one_person(work):
    alice, _bob = work
    assert counts(pipeline.six_functions(april((alice.pk,)))) == {
        "Fueling": 2,  # her referral received + X
        "Qualifying": 3,  # X into Connecting + T1, T7
        "Cultivating": 6,  # T1, T3, T4, T7, T10 and T12 (made by her for bob's person)
        "Converting": 2,  # T7 + Z
        "Servicing": 2,  # c1's plan + T8
        "Managing": 2,  # her promise kept + her follow-up answered
    }


def test_each_function_says_what_it_counts(work):
    rows = pipeline.six_functions(april()).table.rows
    assert [row[0] for row in rows] == [
        "Fueling",
        "Qualifying",
        "Cultivating",
        "Converting",
        "Servicing",
        "Managing",
    ]
    assert all(row[2].endswith(".") for row in rows)


def test_a_touch_nobody_made_counts_for_the_persons_owner(work):
    _alice, bob = work
    # T2 has no maker: bob owns p3, so it is his (and the only requalifying call of his
    # besides T9).
    bobs = counts(pipeline.six_functions(april((bob.pk,))))
    assert bobs["Qualifying"] == 2
    assert bobs["Cultivating"] == 1  # T2 (T9 is with a client)
