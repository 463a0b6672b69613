"""The referral ledger's pages: who may do what, bad input answered 4xx, constant queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cultivation.models import Referral
from cultivation.services import referral_outcome, referral_record
from opportunities.models import CardReferral
from tests import factories

pytestmark = pytest.mark.django_db
Direction = Referral.Direction
LEDGER = reverse("cultivation:referral-ledger")
NEW = reverse("cultivation:referral-new")


@pytest.fixture
def partner(owner):
    return factories.ContactFactory(owner=owner, name="Paul Partner")


def _received(person, partner, colleague, on=None):
    return referral_record(
        direction=Direction.RECEIVED,
        person=person,
        partner=partner,
        colleague=colleague,
        on=on or timezone.localdate(),
        need="Succession plan",
        by=colleague,
    )


def _outcome_url(referral):
    return reverse("cultivation:referral-outcome", args=[referral.pk])


def test_recording_a_received_referral_from_the_form(owner_client, owner, person, partner):
    response = owner_client.post(
        NEW,
        {
            "direction": "received",
            "person": person.pk,
            "partner": partner.pk,
            "colleague": owner.pk,
            "on": timezone.localdate().isoformat(),
            "need": "A will",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == f"/contacts/{person.pk}/#referrals"
    referral = Referral.objects.get()
    assert (referral.from_person, referral.to_user, referral.need) == (partner, owner, "A will")
    person.refresh_from_db()
    assert person.referred_by == partner


def test_form_page_presets_the_person(owner_client, person):
    response = owner_client.get(NEW, {"person": person.pk})
    assert response.status_code == 200
    assert response.context["form"].initial["person"] == person.pk


@pytest.mark.parametrize(
    "change",
    [
        {"person": "abc"},
        {"partner": "999999"},
        {"on": "not a date"},
        {"on": (timezone.localdate() + timedelta(days=2)).isoformat()},
        {"direction": "sideways"},
        {"need": "x" * 100_000},
        {"need": "a\x00b"},
    ],
)
def test_bad_record_input_is_400_and_saves_nothing(owner_client, owner, person, partner, change):
    data = {
        "direction": "received",
        "person": person.pk,
        "partner": partner.pk,
        "colleague": owner.pk,
        "on": timezone.localdate().isoformat(),
        **change,
    }
    response = owner_client.post(NEW, data)
    assert response.status_code == 400
    assert not Referral.objects.exists()


def test_outcome_from_the_ledger_with_a_card(owner_client, owner, person, partner):
    referral = _received(person, partner, owner)
    card = factories.OpportunityFactory(owner=owner, title="Harbour")
    factories.OpportunityContactFactory(opportunity=card, contact=person)

    response = owner_client.post(
        _outcome_url(referral), {"outcome": "became_client", "card": str(card.pk), "next": LEDGER}
    )

    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.outcome == "became_client"
    assert CardReferral.objects.get(referral=referral).opportunity == card
    page = owner_client.get(LEDGER).content.decode()
    assert "Became a client" in page and "Harbour" in page


@pytest.mark.parametrize(
    ("data", "sentence"),
    [
        ({"outcome": "maybe"}, "Select a valid choice"),
        ({"outcome": "next_step", "card": "abc"}, "Enter the number of a record"),
        ({"outcome": "next_step", "card": "987654"}, "There is no card with that number"),
        ({"outcome": "no_future", "card": "CARD"}, "leads to a card"),
        ({}, "This field is required"),
    ],
)
def test_bad_outcome_input_is_400_and_changes_nothing(
    owner_client, owner, person, partner, data, sentence
):
    referral = _received(person, partner, owner)
    if data.get("card") == "CARD":
        data["card"] = str(factories.OpportunityFactory(owner=owner).pk)

    response = owner_client.post(_outcome_url(referral), data)

    assert response.status_code == 400
    assert sentence in response.content.decode()
    referral.refresh_from_db()
    assert referral.outcome == ""


def test_outcome_by_someone_else_is_403(client, owner, person, partner):
    referral = _received(person, partner, owner)
    client.force_login(factories.UserFactory(username="sam"))

    response = client.post(_outcome_url(referral), {"outcome": "no_future"})

    assert response.status_code == 403
    assert "Only Alice Owner, who the referral is with" in response.content.decode()
    referral.refresh_from_db()
    assert referral.outcome == ""


@pytest.mark.parametrize("who", ["teammate_client", "manager_client"])
def test_outcome_matrix_teammate_refused_manager_allowed(request, owner, person, partner, who):
    referral = _received(person, partner, owner)
    response = request.getfixturevalue(who).post(_outcome_url(referral), {"outcome": "no_future"})
    assert response.status_code == (403 if who == "teammate_client" else 302)


def test_outcome_is_post_only_and_unknown_ids_are_404(owner_client, owner, person, partner):
    referral = _received(person, partner, owner)
    assert owner_client.get(_outcome_url(referral)).status_code == 405
    assert (
        owner_client.post("/referrals/99999999/outcome/", {"outcome": "no_future"}).status_code
        == 404
    )


def test_anonymous_is_sent_to_sign_in(client, owner, person, partner):
    referral = _received(person, partner, owner)
    for response in (
        client.get(LEDGER),
        client.get(NEW),
        client.post(_outcome_url(referral), {"outcome": "no_future"}),
    ):
        assert response.status_code == 302
        assert "/login" in response["Location"] or "/accounts/" in response["Location"]
    referral.refresh_from_db()
    assert referral.outcome == ""


def test_ledger_filters_by_period_and_person(owner_client, owner, person, partner):
    today = timezone.localdate()
    other = factories.ContactFactory(name="Olga Other")
    _received(person, partner, owner, on=today - timedelta(days=40))
    _received(other, partner, owner, on=today)

    recent = owner_client.get(LEDGER, {"start": (today - timedelta(days=7)).isoformat()})
    theirs = owner_client.get(LEDGER, {"person": person.pk})

    assert [r.person for r in recent.context["referrals"]] == [other]
    assert [(b.who, b.received) for b in recent.context["by_partner"]] == [(partner, 1)]
    assert [r.person for r in theirs.context["referrals"]] == [person]


@pytest.mark.parametrize(
    "query", [{"start": "yesterday"}, {"person": "abc"}, {"person": "1\x00"}, {"end": "9" * 10_000}]
)
def test_bad_ledger_filters_are_400(owner_client, query):
    assert owner_client.get(LEDGER, query).status_code == 400


def test_ledger_for_an_unknown_person_is_404(owner_client):
    assert owner_client.get(LEDGER, {"person": 99999999}).status_code == 404


def _many(owner, teammate, size):
    for number in range(size):
        person = factories.ContactFactory(name=f"Person {number}")
        partner = factories.ContactFactory(name=f"Partner {number}")
        referral = _received(person, partner, owner if number % 2 else teammate)
        card = factories.OpportunityFactory(owner=owner)
        factories.OpportunityContactFactory(opportunity=card, contact=person)
        referral_outcome(
            referral=referral, by=owner if number % 2 else teammate, outcome="next_step", card=card
        )


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


def test_ledger_runs_the_same_number_of_queries_at_two_sizes(
    owner_client, owner, teammate, django_assert_max_num_queries
):
    _many(owner, teammate, 2)
    small, _ = _queries(owner_client, LEDGER)
    _many(owner, teammate, 10)
    large, response = _queries(owner_client, LEDGER)

    assert small == large
    with django_assert_max_num_queries(large):
        owner_client.get(LEDGER)
    assert len(response.context["referrals"]) == 12
    assert len(response.context["by_partner"]) == 12


def test_person_page_lists_their_referrals_in_the_same_number_of_queries(
    owner_client, owner, person
):
    url = reverse("cultivation:contact-detail", args=[person.pk])
    _received(person, factories.ContactFactory(name="Partner A"), owner)
    small, _ = _queries(owner_client, url)
    for number in range(7):
        _received(person, factories.ContactFactory(name=f"Partner {number}"), owner)
    large, response = _queries(owner_client, url)

    assert small == large
    assert len(response.context["referrals"]) == 8
    assert "Partner 0</a>" in response.content.decode()


ADMIN_ADD = reverse("admin:cultivation_referral_add")
ADMIN_LIST = reverse("admin:cultivation_referral_changelist")


def test_admin_records_a_referral_through_the_service(
    manager_client, manager, person, partner, owner
):
    response = manager_client.post(
        ADMIN_ADD,
        {
            "direction": "received",
            "person": person.pk,
            "from_person": partner.pk,
            "to_user": owner.pk,
            "on": timezone.localdate().isoformat(),
            "need": "A will",
        },
    )

    assert response.status_code == 302
    referral = Referral.objects.get()
    assert (referral.from_person, referral.to_user, referral.recorded_by) == (
        partner,
        owner,
        manager,
    )
    person.refresh_from_db()
    assert person.referred_by == partner
    assert person.events.get().action == "referral_recorded"


def test_admin_refuses_sides_of_the_other_direction(manager_client, person, partner, owner):
    response = manager_client.post(
        ADMIN_ADD,
        {
            "direction": "received",
            "person": person.pk,
            "from_person": partner.pk,
            "to_user": owner.pk,
            "by_user": owner.pk,
            "on": timezone.localdate().isoformat(),
        },
        follow=True,
    )

    assert "A received referral names the partner who made it" in response.content.decode()
    assert not Referral.objects.exists()


def test_admin_action_records_the_outcome_and_refuses_twice(manager_client, owner, person, partner):
    referral = _received(person, partner, owner)
    data = {"action": "follow_up", "_selected_action": [referral.pk], "outcome": "stay_in_touch"}

    manager_client.post(ADMIN_LIST, data)
    again = manager_client.post(ADMIN_LIST, data, follow=True)

    referral.refresh_from_db()
    assert referral.outcome == "stay_in_touch"
    assert "already recorded: Stay in touch" in again.content.decode()
    assert (
        manager_client.get(
            reverse("admin:cultivation_referral_delete", args=[referral.pk])
        ).status_code
        == 403
    )


def test_admin_action_without_an_outcome_changes_nothing(manager_client, owner, person, partner):
    referral = _received(person, partner, owner)
    response = manager_client.post(
        ADMIN_LIST, {"action": "follow_up", "_selected_action": [referral.pk]}, follow=True
    )
    assert "Choose what became of them first." in response.content.decode()
    referral.refresh_from_db()
    assert referral.outcome == ""


def test_the_form_names_colleagues_as_the_board_does(owner_client):
    page = owner_client.get("/referrals/new/").content.decode()

    assert ">Alice Owner</option>" in page


def _awaiting(keeper, size):
    """`size` referrals with `keeper`, of people `keeper` owns, no outcome yet."""
    return [
        _received(
            factories.ContactFactory(owner=keeper, name=f"Named {keeper.username} {n}"),
            factories.ContactFactory(owner=keeper, name=f"Partner {keeper.username} {n}"),
            keeper,
        )
        for n in range(size)
    ]


def test_the_outcome_form_shows_only_on_referrals_the_viewer_may_follow_up(
    request, owner_client, owner, teammate
):
    (mine,) = _awaiting(owner, 1)
    (theirs,) = _awaiting(teammate, 1)

    page = owner_client.get(LEDGER).content.decode()
    assert f'id="outcome-{mine.pk}"' in page
    assert f'id="outcome-{theirs.pk}"' not in page  # posting it would be refused (403)
    assert "Awaiting follow-up by Bob Teammate" in page

    # The clients share one test client: the manager signs in after Alice has looked.
    page = request.getfixturevalue("manager_client").get(LEDGER).content.decode()
    assert f'id="outcome-{mine.pk}"' in page and f'id="outcome-{theirs.pk}"' in page


def test_a_persons_page_offers_the_outcome_form_only_to_who_may_record_it(
    request, owner_client, teammate
):
    (theirs,) = _awaiting(teammate, 1)
    url = f"/contacts/{theirs.person_id}/"

    page = owner_client.get(url).content.decode()
    assert f'id="outcome-{theirs.pk}"' not in page  # posting it would be refused (403)
    assert "Awaiting follow-up by Bob Teammate" in page

    page = request.getfixturevalue("manager_client").get(url).content.decode()
    assert f'id="outcome-{theirs.pk}"' in page


def test_deciding_who_may_follow_up_costs_no_query_a_row(owner_client, owner, teammate):
    _awaiting(teammate, 2)
    small, _ = _queries(owner_client, LEDGER)
    _awaiting(teammate, 8)
    large, response = _queries(owner_client, LEDGER)
    assert small == large
    assert [r.may_follow_up for r in response.context["referrals"]] == [False] * 10


@pytest.mark.parametrize("direction", ["received", "given"])
def test_the_confirmation_uses_full_names_and_the_apps_dates(
    owner_client, owner, person, partner, direction
):
    response = owner_client.post(
        NEW,
        {
            "direction": direction,
            "person": person.pk,
            "partner": partner.pk,
            "colleague": owner.pk,
            "on": "2026-11-25",
        },
        follow=True,
    )
    page = response.content.decode()
    if direction == "received":
        sentence = "Paul Partner referred Priya Shah to Alice Owner on 25 Nov 2026."
    else:
        sentence = "Alice Owner referred Priya Shah to Paul Partner on 25 Nov 2026."
    assert f"Referral recorded: {sentence}" in page


def test_the_ledger_comes_before_the_folded_totals(owner_client, owner, person, partner):
    _received(person, partner, owner)
    page = owner_client.get(LEDGER).content.decode()
    assert page.index(">Ledger</h2>") < page.index('<details class="mb-3" id="fairs-fair">')
    assert "Fair's fair: 1 partner, 1 colleague</summary>" in page
