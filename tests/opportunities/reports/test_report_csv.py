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
