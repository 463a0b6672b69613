"""Logging a preferral-exchange lunch: the lunch touch, names both ways as referrals, the
people they become, Research cards, the next lunch, and a bad row refusing everything."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from convivio.errors import PermissionRefused, RuleViolation
from cultivation.models import (
    Alliance,
    Contact,
    ContactEvent,
    Exchange,
    PlanItem,
    Referral,
    Touch,
)
from cultivation.services import alliance_mark, exchange_log, referral_outcome
from opportunities.models import CardReferral, Opportunity, Source, Stage
from tests import factories

pytestmark = pytest.mark.django_db
Action = ContactEvent.Action
NOW = datetime(2027, 3, 10, 15, 0, tzinfo=timezone.get_fixed_timezone(0))  # a Wednesday
LUNCH = date(2027, 3, 9)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def partner(owner):
    contact = factories.ContactFactory(owner=owner, name="Paula Partner")
    alliance_mark(
        contact=contact,
        criteria={"respects_us": True},
        preferral_profile="",
        by=owner,
        now=NOW - timedelta(days=100),
    )
    return contact


@pytest.fixture
def known(owner):
    return factories.ContactFactory(owner=owner, name="Kim Known", email="kim@known.example")


def _log(partner, by, **extra):
    extra.setdefault("on", LUNCH)
    extra.setdefault("note", "Good lunch")
    return exchange_log(partner=partner, by=by, now=NOW, **extra)


def test_a_lunch_with_names_both_ways(partner, owner, known):
    offered = [
        {
            "name": "Nina New",
            "organisation": "Harbour Ltd",
            "email": "nina@harbour.example",
            "need": "Selling the firm",
            "research_card": True,
        },
        {"name": "Kim Known", "email": "KIM@known.example", "need": "Pensions"},
    ]
    given = [{"person": known, "need": "A new auditor"}]

    exchange = _log(partner, owner, names_offered=offered, names_given=given)

    assert (exchange.partner, exchange.on, exchange.by, exchange.note) == (
        partner,
        LUNCH,
        owner,
        "Good lunch",
    )
    touch = exchange.touch
    assert (touch.method, touch.contact, touch.at) == (
        "lunch",
        partner,
        datetime(2027, 3, 9, 12, 30, tzinfo=timezone.get_current_timezone()),
    )
    received = Referral.objects.received().filter(exchange=exchange).order_by("pk")
    nina, kim = (referral.person for referral in received)
    assert (nina.name, nina.organisation.name, nina.owner, nina.referred_by) == (
        "Nina New",
        "Harbour Ltd",
        owner,
        partner,
    )
    assert kim == known  # found by email, any case
    assert [r.need for r in received] == ["Selling the firm", "Pensions"]
    assert all(r.from_person == partner and r.to_user == owner and r.on == LUNCH for r in received)
    given_row = Referral.objects.given().get(exchange=exchange)
    assert (given_row.person, given_row.to_person, given_row.by_user) == (known, partner, owner)
    card = Opportunity.objects.get()
    assert (card.stage, card.source, card.owner) == (Stage.RESEARCH, Source.REFERRAL, owner)
    assert list(card.links.values_list("contact", flat=True)) == [nina.pk]
    assert CardReferral.objects.get().referral == received[0]
    event = partner.events.get(action=Action.EXCHANGE_LOGGED)
    assert event.note == "Lunch on 9 Mar 2027: 2 name(s) offered to us, 1 by us."


def test_the_lunch_is_a_lunch_touch_and_books_the_next(partner, owner):
    _log(partner, owner)

    # The booked exchange lunch is their lunch: the plan has no lunch of its own, and the
    # lunch, a touch both ways, moves the touch-base call a quarter on.
    assert partner.touches.get().method == "lunch"
    items = PlanItem.objects.filter(plan__contact=partner)
    assert [(item.method, item.next_due_on) for item in items] == [
        ("call", LUNCH + timedelta(days=90))
    ]
    alliance = Alliance.objects.get(contact=partner)
    ideal = LUNCH + timedelta(days=91)
    assert abs((alliance.next_lunch_on - ideal).days) <= 14


def test_a_name_by_name_at_the_same_organisation_is_the_person_we_have(partner, owner):
    org = factories.OrganisationFactory(name="Quay Partners")
    ours = factories.ContactFactory(name="Olu Ade", organisation=org, email="")

    _log(partner, owner, names_offered=[{"name": "olu ade", "organisation": "QUAY PARTNERS"}])

    assert Referral.objects.received().get().person == ours
    assert Contact.objects.filter(name__iexact="olu ade").count() == 1


def test_a_name_with_a_new_organisation_is_a_new_person(partner, owner):
    factories.ContactFactory(name="Olu Ade", organisation=None, email="")

    _log(partner, owner, names_offered=[{"name": "Olu Ade", "organisation": "Brand New Co"}])

    person = Referral.objects.received().get().person
    assert person.organisation.name == "Brand New Co"
    assert Contact.objects.filter(name="Olu Ade").count() == 2


def test_the_outcome_of_a_name_is_the_ledgers_and_its_card_replaces_the_research_card(
    partner, owner
):
    _log(partner, owner, names_offered=[{"name": "Nina New", "research_card": True}])
    referral = Referral.objects.get()
    other = factories.OpportunityFactory(owner=owner)
    factories.OpportunityContactFactory(opportunity=other, contact=referral.person)

    referral_outcome(referral=referral, by=owner, outcome="next_step", card=other)

    assert CardReferral.objects.get(referral=referral).opportunity == other


def _nothing_written(partner):
    assert not Exchange.objects.exists()
    assert not Referral.objects.exists()
    assert not Touch.objects.filter(contact=partner).exists()
    assert not Contact.objects.filter(name="Nina New").exists()
    assert not Opportunity.objects.exists()


@pytest.mark.parametrize(
    ("offered", "given", "sentence"),
    [
        (
            [{"name": "Nina New"}, {"name": " ", "email": "x@y.example"}],
            [],
            "Name offered to us 2: give the person's name.",
        ),
        (
            [{"name": "Nina New", "research_card": True}, {"name": "Bad\x00"}],
            [],
            "Name offered to us 2: .*NUL",
        ),
        ([{"name": "Nina New", "email": "not an email"}], [], "Name offered to us 1: .*email"),
        (
            [{"name": "Nina New"}],
            [{"person": None}],
            "Name we offered 1: choose the person we introduced.",
        ),
    ],
)
def test_a_bad_row_refuses_the_whole_lunch(partner, owner, offered, given, sentence):
    with pytest.raises(RuleViolation, match=sentence):
        _log(partner, owner, names_offered=offered, names_given=given)
    _nothing_written(partner)


def test_offering_the_partner_their_own_name_is_refused(partner, owner):
    with pytest.raises(RuleViolation, match="Name we offered 1: Paula Partner cannot be"):
        _log(partner, owner, names_given=[{"person": partner}])
    _nothing_written(partner)


def test_a_name_who_asked_us_to_stop_is_refused(partner, owner, known):
    known.asked_to_stop_at = NOW
    known.save()

    with pytest.raises(RuleViolation, match="Name offered to us 1: Kim Known asked us to stop"):
        _log(partner, owner, names_offered=[{"name": "Kim", "email": "kim@known.example"}])
    _nothing_written(partner)


def test_a_future_lunch_is_refused(partner, owner):
    with pytest.raises(RuleViolation, match="in the future"):
        _log(partner, owner, on=date(2027, 3, 11))
    _nothing_written(partner)


def test_a_lunch_today_before_lunchtime_is_put_at_now(partner, owner):
    early = datetime(2027, 3, 10, 9, 0, tzinfo=timezone.get_fixed_timezone(0))

    exchange = exchange_log(partner=partner, by=owner, on=date(2027, 3, 10), now=early)

    assert exchange.touch.at == early


def test_someone_not_an_alliance_partner_is_refused(owner):
    stranger = factories.ContactFactory(owner=owner, name="Sam Stranger")

    with pytest.raises(RuleViolation, match="Sam Stranger is not an alliance partner"):
        _log(stranger, owner)
    assert not Exchange.objects.exists()


@pytest.mark.parametrize(
    ("role", "allowed"), [("owner", True), ("manager", True), ("teammate", False), (None, False)]
)
def test_who_may_log_a_lunch(partner, owner, teammate, manager, role, allowed):
    by = {"owner": owner, "teammate": teammate, "manager": manager, None: None}[role]
    if allowed:
        _log(partner, by)
        assert Exchange.objects.get().by == by
        return
    with pytest.raises(PermissionRefused):
        _log(partner, by)
    _nothing_written(partner)


def test_names_not_followed_up_within_the_window(partner, owner, settings):
    settings.CONVIVIO = {
        **settings.CONVIVIO,
        "FOLLOW_UP_HOURS": {**settings.CONVIVIO["FOLLOW_UP_HOURS"], "referral": 7 * 24},
    }
    _log(partner, owner, on=date(2027, 3, 1), names_offered=[{"name": "Old One"}, {"name": "Done"}])
    _log(partner, owner, on=date(2027, 3, 9), names_offered=[{"name": "Fresh One"}])
    referral_outcome(
        referral=Referral.objects.get(person__name="Done"), by=owner, outcome="no_future"
    )
    factories_referral = Referral.objects.create(  # a referral from outside a lunch
        direction="received",
        person=factories.ContactFactory(),
        from_person=partner,
        to_user=owner,
        on=date(2027, 3, 1),
    )

    waiting = Referral.objects.exchange_names_waiting(NOW)

    assert [r.person.name for r in waiting] == ["Old One"]
    assert factories_referral not in waiting
    # Exactly seven days after the lunch it is waiting; one day less it is not.
    assert Referral.objects.exchange_names_waiting(datetime(2027, 3, 8, 0, 0, tzinfo=NOW.tzinfo))
    assert not Referral.objects.exchange_names_waiting(
        datetime(2027, 3, 7, 23, 0, tzinfo=NOW.tzinfo)
    )
