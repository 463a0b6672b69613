"""Alliance pages: the firm's alliances, marking a partner, the exchange-lunch form; who may,
bad input answered 4xx with nothing changed, constant queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cultivation.models import Alliance, Exchange, Referral
from cultivation.services import alliance_mark, exchange_log
from cultivation.services.alliances import firm_today
from opportunities.models import Opportunity
from tests import factories

pytestmark = pytest.mark.django_db
LIST = reverse("cultivation:alliance-list")


@pytest.fixture
def partner(owner):
    contact = factories.ContactFactory(owner=owner, name="Paula Partner")
    alliance_mark(
        contact=contact,
        criteria={"respects_us": True, "has_standing": True},
        preferral_profile="Family firms",
        by=owner,
    )
    return contact


def _exchange_url(contact):
    return reverse("cultivation:exchange-new", args=[contact.pk])


def _form(on=None, offered=(), given=(), rows=5, **extra):
    data = {
        "on": on if isinstance(on, str) else (on or firm_today()).isoformat(),
        "note": "Good lunch",
        "offered-TOTAL_FORMS": str(rows),
        "offered-INITIAL_FORMS": "0",
        "given-TOTAL_FORMS": str(rows),
        "given-INITIAL_FORMS": "0",
    }
    for n, row in enumerate(offered):
        data.update({f"offered-{n}-{key}": value for key, value in row.items()})
    for n, row in enumerate(given):
        data.update({f"given-{n}-{key}": value for key, value in row.items()})
    return {**data, **extra}


def test_logging_a_lunch_from_the_form(owner_client, owner, partner):
    known = factories.ContactFactory(name="Kim Known")
    data = _form(
        offered=[
            {
                "name": "Nina New",
                "organisation": "Harbour",
                "email": "nina@harbour.example",
                "need": "A sale",
                "research_card": "on",
            },
            {"name": "Omar Other"},
        ],
        given=[{"person": str(known.pk), "need": "An auditor"}],
    )

    response = owner_client.post(_exchange_url(partner), data)

    assert response.status_code == 302
    assert response["Location"] == f"/contacts/{partner.pk}/#alliance"
    exchange = Exchange.objects.get()
    assert exchange.names.received().count() == 2
    assert exchange.names.given().get().person == known
    assert Opportunity.objects.count() == 1
    page = owner_client.get(partner.get_absolute_url()).content.decode()
    assert "Lunch on" in page and "Nina New" in page and "Kim Known" in page


def test_the_form_has_five_blank_rows_each_way_without_javascript(owner_client, partner):
    page = owner_client.get(_exchange_url(partner)).content.decode()

    assert page.count('name="offered-4-name"') == 1 and 'name="offered-5-name"' not in page
    assert page.count('name="given-4-person"') == 1
    assert "<script>" not in page and "style=" not in page


@pytest.mark.parametrize(
    ("data", "sentence"),
    [
        (_form(offered=[{"email": "x@y.example"}]), "Name offered to us 1: give the person"),
        (_form(offered=[{"name": "Bad\x00name"}]), "Null characters are not allowed"),
        (_form(on=firm_today() + timedelta(days=1)), "in the future"),
        (_form(given=[{"person": "abc"}]), ""),
        (_form(given=[{"person": "999999"}]), ""),
        (_form(rows=500), "Names offered to us"),
        ({"on": "2027-01-01"}, "The form was damaged"),
        (_form(on="not a date"), "Enter a valid date"),
    ],
)
def test_bad_input_changes_nothing(owner_client, partner, data, sentence):
    response = owner_client.post(_exchange_url(partner), data)

    assert response.status_code == 400
    assert sentence in response.content.decode()
    assert not Exchange.objects.exists() and not Referral.objects.exists()


def test_another_staff_members_partner_is_refused(teammate_client, partner):
    response = teammate_client.post(_exchange_url(partner), _form(offered=[{"name": "Nina"}]))

    assert response.status_code == 403
    assert "Only Alice Owner, Paula Partner&#x27;s owner, or a manager" in response.content.decode()
    assert not Exchange.objects.exists()


def test_a_non_numeric_or_unknown_partner_is_not_found(owner_client):
    assert owner_client.get("/contacts/abc/exchange/").status_code == 404
    assert owner_client.get("/contacts/999999/exchange/").status_code == 404


def test_marking_a_partner_from_their_page(owner_client, owner):
    contact = factories.ContactFactory(owner=owner, name="Carl Candidate")
    url = reverse("cultivation:alliance-edit", args=[contact.pk])

    assert (
        "Make an alliance partner" in owner_client.get(contact.get_absolute_url()).content.decode()
    )
    response = owner_client.post(
        url, {"respects_us": "on", "is_growing": "on", "preferral_profile": "Architects"}
    )

    assert response.status_code == 302
    alliance = Alliance.objects.get(contact=contact)
    assert (alliance.respects_us, alliance.is_growing, alliance.has_standing) == (True, True, False)
    page = owner_client.get(contact.get_absolute_url()).content.decode()
    assert "Meets 2 of 7 criteria" in page and "Has standing with them" in page
    assert "Log an exchange lunch" in page


@pytest.mark.parametrize(("role", "status"), [("owner", 302), ("manager", 302), ("teammate", 403)])
def test_who_may_mark_a_partner(as_role, owner, role, status):
    contact = factories.ContactFactory(owner=owner, name="Carl Candidate")
    url = reverse("cultivation:alliance-edit", args=[contact.pk])

    response = as_role(role).post(url, {"respects_us": "on"})

    assert response.status_code == status
    assert Alliance.objects.filter(contact=contact).exists() == (status == 302)


def test_anonymous_is_sent_to_sign_in(client, partner):
    for url in (
        LIST,
        _exchange_url(partner),
        reverse("cultivation:alliance-edit", args=[partner.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_marking_refuses_someone_who_asked_us_to_stop(owner_client, owner):
    contact = factories.ContactFactory(
        owner=owner, name="Sid Stopped", asked_to_stop_at=timezone.now()
    )
    url = reverse("cultivation:alliance-edit", args=[contact.pk])

    response = owner_client.post(url, {"respects_us": "on", "preferral_profile": "x\x00"})
    assert response.status_code == 400
    response = owner_client.post(url, {"respects_us": "on"})

    assert response.status_code == 400
    assert "Sid Stopped asked us to stop" in response.content.decode()
    assert not Alliance.objects.exists()


def test_ending_an_alliance_from_the_page(owner_client, partner):
    alliance = partner.alliance
    url = reverse("cultivation:alliance-end", args=[alliance.pk])

    assert owner_client.post(url, {"reason": ""}).status_code == 400
    response = owner_client.post(url, {"reason": "Moved abroad"})

    assert response.status_code == 302
    alliance.refresh_from_db()
    assert alliance.end_reason == "Moved abroad"
    assert "An alliance ended" in owner_client.get(partner.get_absolute_url()).content.decode()
    assert owner_client.post(url, {"reason": "Again"}).status_code == 400


def test_the_alliances_page_counts_against_the_target_and_shows_the_overdue(
    owner_client, owner, partner, settings
):
    settings.CONVIVIO = {**settings.CONVIVIO, "ALLIANCE_TARGET": 25}
    late = factories.ContactFactory(owner=owner, name="Larry Late")
    alliance_mark(contact=late, criteria={}, preferral_profile="", by=owner)
    Alliance.objects.filter(contact=late).update(next_lunch_on=firm_today() - timedelta(days=3))

    page = owner_client.get(LIST).content.decode()

    assert "2 of 25" in page
    overdue = page.split('id="overdue"')[1].split("</section>")[0]
    assert "Larry Late" in overdue and "Paula Partner" not in overdue
    assert page.count("<tr><td>") == 13  # the coming quarter, week by week


def test_log_a_lunch_is_offered_only_to_who_may_log_it(request, teammate_client, partner):
    button = f'href="/contacts/{partner.pk}/exchange/"'
    assert button not in teammate_client.get(LIST).content.decode()  # the POST would be 403
    assert button in request.getfixturevalue("manager_client").get(LIST).content.decode()


def _partners(owner, n):
    for i in range(n):
        contact = factories.ContactFactory(owner=owner, name=f"Partner {i}")
        alliance_mark(contact=contact, criteria={}, preferral_profile="", by=owner)
        exchange_log(
            partner=contact,
            by=owner,
            on=firm_today() - timedelta(days=1),
            names_offered=[{"name": f"Name {i}"}],
        )


@pytest.mark.parametrize("partners", [1, 8])
def test_the_alliances_page_runs_constant_queries(
    owner_client, owner, partners, django_assert_max_num_queries
):
    _partners(owner, partners)

    with django_assert_max_num_queries(6):  # session, user, groups, alliances, weeks, messages
        response = owner_client.get(LIST)
    assert response.status_code == 200


@pytest.mark.parametrize("lunches", [1, 4])
def test_a_partners_page_runs_constant_queries(
    owner_client, owner, partner, lunches, django_assert_max_num_queries
):
    for n in range(lunches):
        exchange_log(
            partner=partner,
            by=owner,
            on=firm_today() - timedelta(days=n + 1),
            names_offered=[{"name": f"Name {n}"}, {"name": f"Other {n}"}],
        )

    with django_assert_max_num_queries(21):
        response = owner_client.get(partner.get_absolute_url())
    assert response.content.decode().count("<strong>Lunch on") == lunches
