"""A figure's table as CSV: UTF-8 with a BOM, an attachment named for it, formulas escaped."""

import pytest
import time_machine

from tests import factories

from .helpers import at, call


@pytest.fixture(autouse=True)
def in_april_2026():
    with time_machine.travel(at("2026-04-20 12:00"), tick=False):
        yield


def test_csv_is_the_figures_table(owner_client, owner):
    call(owner, "2026-04-02 10:00", "no_need")
    call(owner, "2026-04-03 10:00", "not_reached")
    response = owner_client.get("/reports/funnel/calls.csv?from=2026-03&to=2026-04")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="convivio-funnel-calls-2026-03-to-2026-04.csv"'
    )
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeffMonth,Calls due,Calls made,")
    lines = body.lstrip("\ufeff").splitlines()
    assert lines[1].startswith("Mar 2026,0,0,0,0,,")  # no percentage of nothing
    assert lines[2].startswith("Apr 2026,0,2,0,1,50,1,100,")


def test_formula_like_names_are_escaped(manager_client):
    factories.UserFactory(username="f", first_name='=HYPERLINK("x")', last_name="")
    body = manager_client.get("/reports/discipline/overdue.csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in body
    assert "\n=HYPERLINK" not in body


def test_staff_csv_holds_only_their_own_numbers(owner_client, teammate):
    body = owner_client.get("/reports/discipline/overdue.csv").content.decode("utf-8-sig")
    assert "Alice Owner" in body and "Bob Teammate" not in body


def test_money_has_thousands_separators_on_the_page_and_negatives_stay_numbers_in_the_csv():
    from decimal import Decimal

    from opportunities.views_reports import _cell

    assert _cell(Decimal("7500")) == "7,500" and _cell(-2) == "-2" and _cell(None) == "–"


def test_a_negative_balance_is_a_number_in_the_csv(owner_client, owner):
    from cultivation.models import Referral

    partner = factories.ContactFactory(name="Pat", owner=owner)
    for _ in range(2):
        Referral.objects.create(
            on=at("2026-04-02 10:00").date(),
            person=factories.ContactFactory(),
            direction="received",
            from_person=partner,
            to_user=owner,
        )
    body = owner_client.get("/reports/referrals/partners.csv?from=2026-04&to=2026-04")
    lines = body.content.decode("utf-8-sig").splitlines()
    assert lines[1] == "Pat,0,2,-2"  # not '-2: a spreadsheet sums it


def test_the_trend_shows_only_when_the_period_is_shorter_than_it(owner_client):
    assert (
        'id="trend"'
        in owner_client.get("/reports/funnel/?from=2026-03&to=2026-04").content.decode()
    )
    year = owner_client.get("/reports/funnel/?from=2025-05&to=2026-04").content.decode()
    assert 'id="trend"' not in year and 'id="calls"' in year
