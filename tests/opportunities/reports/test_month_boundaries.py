"""Months are counted in the firm's time zone (TIME_ZONE), in the builders and the pages."""

from datetime import date

import pytest

from opportunities.reports import funnel
from tests import factories

from .helpers import at, call, column, figure, scope

MARCH, MAY = date(2026, 3, 1), date(2026, 5, 1)
LAGOS = "Africa/Lagos"  # UTC+1 all year


def test_a_call_at_2330_utc_on_31_march_is_aprils_an_hour_east(owner):
    call(owner, "2026-03-31 23:30", "no_need")  # 00:30 on 1 April in Lagos
    call(owner, "2026-03-31 22:30", "no_need")  # 23:30 on 31 March in Lagos
    lagos = figure(funnel.build(scope(MARCH, MAY, (owner.pk,), zone=LAGOS)), "calls")
    assert column(lagos, "Calls made") == {"Mar 2026": 1, "Apr 2026": 1}
    utc = figure(funnel.build(scope(MARCH, MAY, (owner.pk,), zone="UTC")), "calls")
    assert column(utc, "Calls made") == {"Mar 2026": 2, "Apr 2026": 0}


def test_pool_counts_a_plan_started_just_after_midnight_local_in_the_next_month(owner):
    contact = factories.ContactFactory(owner=owner)
    factories.TouchPlanFactory(contact=contact, started_at=at("2026-03-31 23:30"))
    pool = figure(funnel.build(scope(MARCH, MAY, (owner.pk,), zone=LAGOS)), "pool")
    assert column(pool, "Pool at month's end") == {"Mar 2026": 0, "Apr 2026": 1}


@pytest.mark.parametrize(("zone", "march", "april"), [(LAGOS, "0", "1"), ("UTC", "1", "0")])
def test_the_page_counts_in_the_settings_time_zone(
    settings, owner_client, owner, zone, march, april
):
    settings.TIME_ZONE = zone
    call(owner, "2026-03-31 23:30", "no_need")
    response = owner_client.get("/reports/funnel/calls.csv?from=2026-03&to=2026-04")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[1].split(",")[:3] == ["Mar 2026", "0", march]
    assert lines[2].split(",")[:3] == ["Apr 2026", "0", april]
