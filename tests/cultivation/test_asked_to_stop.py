""" "Asked to stop" asks first: a page saying what it does, with their open cards offered
to Lost; only the confirmation logs the call. A manager can reverse a mistake in the
admin, with who and why."""

from datetime import UTC, datetime
from html import unescape

import pytest
import time_machine
from django.utils import timezone

from convivio.errors import PermissionRefused, RuleViolation
from cultivation import seams
from cultivation.models import ContactEvent, FollowUp, Touch, TouchPlan
from cultivation.services import contact_asked_to_stop, contact_stop_reverse, touch_log
from cultivation.services import touch_plan_start as plan_start
from opportunities.models import Stage, StageChange
from tests import factories

pytestmark = pytest.mark.django_db
Action = ContactEvent.Action
NOW = datetime(2025, 5, 14, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def priya(owner):
    person = factories.ContactFactory(name="Priya Shah", owner=owner, has_opted_in=True)
    plan_start(contact=person, by=owner)
    return person


@pytest.fixture
def card(owner, priya):
    card = factories.OpportunityFactory(title="Harbour", owner=owner, stage=Stage.CULTIVATING)
    factories.OpportunityContactFactory(opportunity=card, contact=priya, is_primary=True)
    return card


def _call(**fields):
    return {
        "method": "call",
        "direction": "ours",
        "on": "2025-05-14",
        "outcome": "asked_to_stop",
        "note": "Please take me off your list",
        **fields,
    }


def _nothing_logged(person):
    person.refresh_from_db()
    return (
        person.asked_to_stop_at is None
        and not Touch.objects.filter(contact=person).exists()
        and not person.events.filter(action=Action.ASKED_TO_STOP).exists()
    )


def _stop_url(person):
    return f"/contacts/{person.pk}/stop/"


# Choosing it asks first ----------------------------------------------------------------


def test_choosing_asked_to_stop_in_the_touch_form_shows_the_confirmation(priya, card, owner_client):
    response = owner_client.post("/touches/new/", _call(contact=priya.pk, next="/my-week/"))

    page = unescape(response.content.decode())
    assert response.status_code == 200
    assert "Priya Shah asked us to stop?" in page and "for good" in page
    assert "Harbour" in page and 'name="lose_open_cards"' in page
    assert f'action="{_stop_url(priya)}"' in page
    assert 'value="/my-week/"' in page and "Please take me off your list" in page
    assert _nothing_logged(priya)


def test_the_log_call_drop_down_on_my_week_leads_to_the_confirmation(priya, owner_client):
    week = owner_client.get("/my-week/").content.decode()
    assert 'value="asked_to_stop"' in week

    response = owner_client.post(
        "/touches/new/", _call(contact=priya.pk, note="", next="/my-week/")
    )

    assert "Priya Shah asked us to stop?" in unescape(response.content.decode())
    assert _nothing_logged(priya)


def test_the_person_page_offers_it_to_their_owner(priya, owner_client):
    page = owner_client.get(priya.get_absolute_url()).content.decode()

    assert f'href="{_stop_url(priya)}"' in page
    assert "Priya Shah asked us to stop?" in unescape(
        owner_client.get(_stop_url(priya)).content.decode()
    )


def test_with_no_open_cards_nothing_is_offered_to_lose(priya, owner_client):
    page = owner_client.get(_stop_url(priya)).content.decode()

    assert 'name="lose_open_cards"' not in page and "Their open cards" not in page


# Confirming ----------------------------------------------------------------------------


def test_confirming_logs_the_call_and_ends_cultivation_but_leaves_the_card(
    priya, card, owner_client
):
    response = owner_client.post(_stop_url(priya), _call(next="/my-week/"), follow=True)

    page = unescape(response.content.decode())
    assert response.redirect_chain[-1][0] == "/my-week/"
    assert "Priya Shah asked us to stop: their touch plan, follow-ups and open promises" in page
    priya.refresh_from_db()
    assert priya.asked_to_stop_at == NOW
    touch = Touch.objects.get(contact=priya)
    assert (touch.method, touch.outcome, touch.note) == (
        "call",
        "asked_to_stop",
        "Please take me off your list",
    )
    assert TouchPlan.objects.get(contact=priya).ended_at is not None
    card.refresh_from_db()
    assert card.stage == Stage.CULTIVATING


def test_confirming_with_the_box_ticked_moves_open_cards_to_lost_with_the_reason(
    owner, priya, card, owner_client
):
    won = factories.OpportunityFactory(title="Old win", owner=owner, stage=Stage.WON)
    factories.OpportunityContactFactory(opportunity=won, contact=priya)

    response = owner_client.post(_stop_url(priya), _call(lose_open_cards="on"), follow=True)

    assert "Moved to Lost (asked us to stop): “Harbour”." in unescape(response.content.decode())
    card.refresh_from_db()
    assert (card.stage, card.lost_reason) == (Stage.LOST, "asked us to stop")
    move = StageChange.objects.filter(opportunity=card).latest("pk")
    assert (move.from_stage, move.to_stage, move.by) == (Stage.CULTIVATING, Stage.LOST, owner)
    won.refresh_from_db()
    assert won.stage == Stage.WON


def test_a_card_the_person_may_not_move_stays_and_is_named(teammate, priya, card, owner_client):
    theirs = factories.OpportunityFactory(title="Bob's lead", owner=teammate, stage=Stage.RESEARCH)
    factories.OpportunityContactFactory(opportunity=theirs, contact=priya)

    response = owner_client.post(_stop_url(priya), _call(lose_open_cards="on"), follow=True)

    page = unescape(response.content.decode())
    assert "“Bob's lead” stays where it is: Only Bob Teammate, the card's owner" in page
    theirs.refresh_from_db()
    card.refresh_from_db()
    assert (theirs.stage, card.stage) == (Stage.RESEARCH, Stage.LOST)
    priya.refresh_from_db()
    assert priya.has_asked_to_stop


def test_a_first_call_with_someone_we_follow_up_is_logged_only_if_arranged(
    owner, priya, owner_client
):
    factories.FollowUpFactory(contact=priya, owner=owner, met_at=NOW)
    from_touch_form = owner_client.post(
        "/touches/new/", _call(contact=priya.pk, is_arranged="on")
    ).content.decode()
    assert (
        'name="is_arranged" class="checkboxinput form-check-input" id="id_is_arranged" checked'
        in (from_touch_form)
    )

    cold = owner_client.post(_stop_url(priya), _call())
    arranged = owner_client.post(_stop_url(priya), _call(is_arranged="on"))

    assert cold.status_code == 400 and "would be a cold call" in cold.content.decode()
    assert arranged.status_code == 302
    assert Touch.objects.get(contact=priya).is_arranged


def test_confirming_twice_logs_once(priya, owner_client):
    owner_client.post(_stop_url(priya), _call())
    again = owner_client.post(_stop_url(priya), _call())

    assert again.status_code == 400
    assert "asked us to stop on 14 May 2025" in unescape(again.content.decode())
    assert Touch.objects.filter(contact=priya).count() == 1


def test_once_stopped_the_confirmation_page_says_so(priya, owner, owner_client):
    contact_asked_to_stop(contact=priya, by=owner)

    response = owner_client.get(_stop_url(priya))

    assert response.status_code == 400
    page = unescape(response.content.decode())
    assert "Priya Shah asked us to stop on 14 May 2025." in page
    assert f'href="{priya.get_absolute_url()}"' in page


def test_a_teammate_is_told_who_may_and_nothing_is_logged(priya, card, teammate_client):
    for response in (
        teammate_client.get(_stop_url(priya)),
        teammate_client.post(_stop_url(priya), _call(lose_open_cards="on")),
        teammate_client.post("/touches/new/", _call(contact=priya.pk)),
    ):
        assert response.status_code == 403
        assert "Only Alice Owner, Priya Shah's owner, or a manager can record" in unescape(
            response.content.decode()
        )
    assert _nothing_logged(priya)
    card.refresh_from_db()
    assert card.stage == Stage.CULTIVATING


def test_a_manager_may_confirm_it(priya, manager_client):
    manager_client.post(_stop_url(priya), _call())

    priya.refresh_from_db()
    assert priya.has_asked_to_stop


@pytest.mark.parametrize(
    ("fields", "sentence"),
    [
        ({"direction": "sideways"}, "Select a valid choice."),
        ({"on": "2025-05-15"}, "choose today or an earlier day"),
        ({"on": "abc"}, "Enter a valid date."),
        ({"note": "x\x00"}, "Null characters are not allowed."),
        ({"note": "x" * 10_001}, "at most 10000 characters"),
    ],
)
def test_bad_input_is_a_400_sentence_and_logs_nothing(priya, owner_client, fields, sentence):
    response = owner_client.post(_stop_url(priya), _call(**fields))

    assert response.status_code == 400
    assert sentence in unescape(response.content.decode())
    assert _nothing_logged(priya)


def test_an_unknown_person_is_404(owner_client):
    assert owner_client.get("/contacts/99999999/stop/").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, priya):
    response = client.post(_stop_url(priya), _call())

    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert _nothing_logged(priya)


def test_the_seams_give_open_cards_and_move_one_to_lost(owner, priya, card):
    factories.OpportunityContactFactory(
        opportunity=factories.OpportunityFactory(stage=Stage.LOST), contact=priya
    )

    assert seams.open_cards_of(priya) == [card]
    seams.lose_card(card, by=owner, reason="asked us to stop")
    card.refresh_from_db()
    assert (card.stage, card.lost_reason) == (Stage.LOST, "asked us to stop")


# Reversing a mistake -----------------------------------------------------------------------


@pytest.fixture
def stopped(priya, owner):
    contact_asked_to_stop(contact=priya, by=owner, note="Misheard")
    priya.refresh_from_db()
    return priya


def _reversals(person):
    return list(
        person.events.filter(action=Action.STOP_REVERSED).values_list("by__username", "note")
    )


def test_a_manager_reverses_it_saying_why_and_plans_are_not_restarted(stopped, manager, owner):
    contact_stop_reverse(contact=stopped, by=manager, why="She said 'stop the newsletter' only")

    stopped.refresh_from_db()
    assert stopped.asked_to_stop_at is None
    assert _reversals(stopped) == [
        (
            "maria",
            "She said 'stop the newsletter' only\nMarked as asking us to stop on 14 May 2025.",
        )
    ]
    assert not TouchPlan.objects.filter(contact=stopped, ended_at=None).exists()
    assert not FollowUp.objects.filter(contact=stopped, status__in=FollowUp.LIVE).exists()
    touch_log(contact=stopped, method="note", by=owner)  # contact is allowed again


def test_the_owner_and_a_teammate_may_not_reverse_it(stopped, owner, teammate):
    for who in (owner, teammate, None):
        with pytest.raises(PermissionRefused, match="Only a manager can reverse"):
            contact_stop_reverse(contact=stopped, by=who, why="Mistake")

    stopped.refresh_from_db()
    assert stopped.has_asked_to_stop and _reversals(stopped) == []


def test_reversing_needs_why_and_a_stop_to_reverse(stopped, manager, priya):
    with pytest.raises(RuleViolation, match="Say why"):
        contact_stop_reverse(contact=stopped, by=manager, why="  ")
    contact_stop_reverse(contact=stopped, by=manager, why="Mistake")

    with pytest.raises(RuleViolation, match="has not asked us to stop: nothing to reverse"):
        contact_stop_reverse(contact=stopped, by=manager, why="Mistake")

    assert len(_reversals(stopped)) == 1


CHANGELIST = "/admin/cultivation/contact/"


def test_the_admin_action_asks_why_then_reverses_through_the_service(stopped, manager_client):
    data = {"action": "reverse_stop", "_selected_action": [stopped.pk]}

    asked = manager_client.post(CHANGELIST, data)
    assert "Why was “asked us to stop” a mistake?" in unescape(asked.content.decode())
    assert _reversals(stopped) == []

    done = manager_client.post(
        CHANGELIST, {**data, "post": "yes", "why": "Wrong person"}, follow=True
    )

    assert "1 contact(s) may be contacted again." in done.content.decode()
    assert _reversals(stopped)[0][0] == "maria"


def test_the_admin_action_without_why_asks_again_and_changes_nothing(stopped, manager_client):
    data = {"action": "reverse_stop", "_selected_action": [stopped.pk], "post": "yes", "why": ""}

    response = manager_client.post(CHANGELIST, data)

    assert "This field is required." in response.content.decode()
    stopped.refresh_from_db()
    assert stopped.has_asked_to_stop


def test_the_reverse_action_is_offered_to_managers_only(stopped, owner, client):
    owner.is_staff = True
    owner.save()
    client.force_login(owner)

    page = client.get(CHANGELIST)

    assert page.status_code in (200, 403)
    assert "reverse_stop" not in page.content.decode()
    client.post(
        CHANGELIST,
        {"action": "reverse_stop", "_selected_action": [stopped.pk], "post": "yes", "why": "x"},
    )
    stopped.refresh_from_db()
    assert stopped.has_asked_to_stop
    assert timezone.now() == NOW
