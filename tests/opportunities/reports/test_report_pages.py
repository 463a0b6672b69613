"""/reports/: who sees what, the period and person in the address, refusals, the tabs."""

import pytest
import time_machine

from opportunities.reports import registry
from tests import factories

from .helpers import at, call

APRIL = "?from=2026-04&to=2026-04"


@pytest.fixture(autouse=True)
def in_april_2026():
    with time_machine.travel(at("2026-04-20 12:00"), tick=False):
        yield


@pytest.fixture
def calls(owner, teammate):
    call(owner, "2026-04-02 10:00", "no_need")
    call(teammate, "2026-04-02 10:00", "no_need")
    call(teammate, "2026-04-03 10:00", "not_reached")


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in ("/reports/", "/reports/funnel/", "/reports/funnel/calls.csv"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_reports_opens_on_the_funnel_keeping_the_query(owner_client):
    response = owner_client.get("/reports/" + APRIL)
    assert response.status_code == 302
    assert response["Location"] == "/reports/funnel/" + APRIL
    assert owner_client.get("/reports/")["Location"] == "/reports/funnel/"


def test_staff_see_my_numbers_only_their_own(owner_client, calls):
    response = owner_client.get("/reports/funnel/" + APRIL)
    page = response.content.decode()
    assert response.status_code == 200
    assert '<h1 class="h3">My numbers</h1>' in page
    assert 'name="person"' not in page  # no one else to choose
    assert "Bob Teammate" not in page
    calls_made = response.context["figures"][1]["figure"].table.rows[0][2]
    assert calls_made == 1


def test_staff_may_name_themselves(owner_client, owner):
    assert owner_client.get(f"/reports/funnel/?person={owner.pk}").status_code == 200


def test_staff_asking_for_someone_elses_numbers_are_refused(owner_client, teammate):
    for url in (
        f"/reports/funnel/?person={teammate.pk}",
        f"/reports/funnel/calls.csv?person={teammate.pk}",
    ):
        response = owner_client.get(url)
        assert response.status_code == 403
        assert "You can see your own numbers only" in response.content.decode()


def test_managers_see_everyone_and_each_person(manager_client, teammate, calls):
    everyone = manager_client.get("/reports/funnel/" + APRIL)
    page = everyone.content.decode()
    assert "Reports: everyone" in page and 'name="person"' in page
    assert everyone.context["figures"][1]["figure"].table.rows[0][2] == 3
    assert "By person" in page and "Bob Teammate" in page
    bob = manager_client.get(f"/reports/funnel/{APRIL}&person={teammate.pk}")
    assert "Reports: Bob Teammate" in bob.content.decode()
    assert bob.context["figures"][1]["figure"].table.rows[0][2] == 2
    assert f'<option value="{teammate.pk}" selected>' in bob.content.decode()


def test_the_menu_says_reports_for_managers_and_my_numbers_for_staff(owner_client, manager):
    assert ">My numbers</a>" in owner_client.get("/").content.decode()
    owner_client.force_login(manager)
    assert ">Reports</a>" in owner_client.get("/").content.decode()


def test_the_default_period_is_the_last_twelve_months_to_this_one(owner_client):
    response = owner_client.get("/reports/funnel/")
    assert "May 2025 to April 2026" in response.content.decode()
    rows = response.context["figures"][0]["figure"].table.rows
    assert rows[0][0] == "May 2025" and rows[-1][0] == "Apr 2026" and len(rows) == 12


def test_every_report_has_its_tab_carrying_the_period(owner_client):
    page = owner_client.get("/reports/discipline/" + APRIL).content.decode()
    for slug in registry.REPORTS:
        assert f'href="/reports/{slug}/?from=2026-04&amp;to=2026-04"' in page
    assert 'aria-current="page" href="/reports/discipline/' in page


@pytest.mark.parametrize(
    ("query", "sentence"),
    [
        ("?from=2026-13", "is not a month"),
        ("?from=april", "is not a month"),
        ("?to=2026-4", "is not a month"),
        ("?from=0999-01", "is not a month"),
        ("?from=9999-12&to=9999-12", "is not a month"),
        ("?from=2026-05&to=2026-04", "ends before it starts"),
        ("?from=2023-04&to=2026-04", "at most 36 months"),
        ("?from=2026-04%00", "NUL"),
        ("?person=%00", "NUL"),
        ("?person=abc", "is not a colleague"),
        ("?person=-1", "is not a colleague"),
    ],
)
def test_a_query_that_cannot_be_read_is_a_400_with_a_sentence(as_role, query, sentence):
    for role in ("owner", "manager"):
        for url in ("/reports/funnel/", "/reports/discipline/people.csv"):
            response = as_role(role).get(url + query)
            assert response.status_code == 400
            assert sentence in response.content.decode()


def test_thirty_six_months_is_allowed(owner_client):
    assert owner_client.get("/reports/funnel/?from=2023-05&to=2026-04").status_code == 200


def test_a_manager_naming_nobody_is_told_so(manager_client):
    response = manager_client.get("/reports/funnel/?person=987654")
    assert response.status_code == 400
    assert "No colleague has the number 987654" in response.content.decode()


def test_unknown_reports_and_figures_are_not_found(owner_client):
    assert owner_client.get("/reports/sales/").status_code == 404
    assert owner_client.get("/reports/sales/calls.csv").status_code == 404
    assert owner_client.get("/reports/funnel/nothing.csv").status_code == 404


def test_every_report_in_the_registry_is_built(owner_client, calls):
    for slug in registry.REPORTS:
        page = owner_client.get(f"/reports/{slug}/" + APRIL).content.decode()
        assert f'aria-current="page" href="/reports/{slug}/' in page, slug
        assert "<svg" in page and "<table" in page, slug


def test_each_figure_has_its_title_chart_table_and_csv_link(owner_client, calls):
    page = owner_client.get("/reports/funnel/" + APRIL).content.decode()
    assert '<h2 class="h5" id="figure-calls">Touch-base calls by month</h2>' in page
    assert 'aria-labelledby="figure-calls"' in page
    assert "<caption>Touch-base calls by month, April 2026.</caption>" in page
    assert '<th scope="col">Calls made</th>' in page and '<th scope="row">Apr 2026</th>' in page
    assert 'href="/reports/funnel/calls.csv?from=2026-04&amp;to=2026-04"' in page


def test_names_are_escaped_in_the_page_and_its_charts(manager_client):
    factories.UserFactory(username="x", first_name="<script>alert(1)</script>", last_name="")
    page = manager_client.get("/reports/funnel/" + APRIL).content.decode()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
