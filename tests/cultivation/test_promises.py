"""Promises: recorded with owner and due date, kept (a touch) or openly released."""

from datetime import timedelta

import pytest
from django.utils import timezone

from convivio.errors import RuleViolation
from cultivation import selectors
from cultivation.models import ContactEvent, Promise, Touch
from cultivation.services import promise_keep, promise_make, promise_release
from cultivation.services.privacy import contact_export
from opportunities.models import CardPromise
from tests import factories

pytestmark = pytest.mark.django_db
Action = ContactEvent.Action


def _promise(person, owner, **extra):
    return promise_make(
        contact=person,
        owner=owner,
        what="Send the succession checklist",
        due_on=timezone.localdate() + timedelta(days=3),
        by=owner,
        **extra,
    )


def test_promise_is_recorded_with_owner_due_date_and_optional_card(person, owner):
    card = factories.OpportunityFactory(owner=owner)

    promise = _promise(person, owner, about=card)

    assert (promise.owner, promise.is_open) == (owner, True)
    assert CardPromise.objects.get(promise=promise).opportunity == card
    assert person.events.get().action == Action.PROMISE_MADE


def test_promise_made_without_a_card_is_linked_to_none(person, owner):
    _promise(person, owner)

    assert Promise.objects.count() == 1
    assert not CardPromise.objects.exists()


def test_refused_promise_about_a_card_leaves_no_link(person, owner):
    card = factories.OpportunityFactory(owner=owner)
    person.asked_to_stop_at = timezone.now()
    person.save(update_fields=["asked_to_stop_at"])

    for _ in range(2):
        with pytest.raises(RuleViolation, match="asked us to stop"):
            _promise(person, owner, about=card)

    assert not Promise.objects.exists()
    assert not CardPromise.objects.exists()


def test_promise_without_what_is_refused(person, owner):
    with pytest.raises(RuleViolation, match="Say what was promised"):
        promise_make(contact=person, owner=owner, what="  ", due_on=timezone.localdate(), by=owner)

    assert not Promise.objects.exists()


def test_keeping_a_promise_logs_a_touch_and_only_once(person, owner):
    promise = _promise(person, owner)

    kept = promise_keep(promise=promise, method="email", by=owner)

    assert kept.kept_at is not None
    assert kept.kept_touch == Touch.objects.get()
    assert kept.kept_touch.note == "Kept a promise: Send the succession checklist"
    assert person.events.filter(action=Action.PROMISE_KEPT).count() == 1
    with pytest.raises(RuleViolation, match="already kept"):
        promise_keep(promise=promise, by=owner)
    assert Touch.objects.count() == 1


def test_release_needs_a_reason_and_nothing_changes_without_one(person, owner):
    promise = _promise(person, owner)

    with pytest.raises(RuleViolation, match="a reason is required"):
        promise_release(promise=promise, reason=" ", by=owner)

    promise.refresh_from_db()
    assert promise.is_open
    assert not person.events.filter(action=Action.PROMISE_RELEASED).exists()


def test_release_with_a_reason_closes_it_and_a_second_release_is_refused(person, owner):
    promise = _promise(person, owner)

    promise_release(promise=promise, reason="They found someone closer", by=owner)

    promise.refresh_from_db()
    assert promise.release_reason == "They found someone closer"
    with pytest.raises(RuleViolation, match="already released"):
        promise_release(promise=promise, reason="again", by=owner)
    assert person.events.filter(action=Action.PROMISE_RELEASED).count() == 1


def test_overdue_promise_shows_on_badges_and_my_week(person, owner):
    factories.PromiseFactory(
        contact=person, owner=owner, due_on=timezone.localdate() - timedelta(1)
    )
    factories.PromiseFactory(
        contact=person, owner=owner, due_on=timezone.localdate() + timedelta(1)
    )
    now = timezone.now()

    badges = selectors.badges_for_contacts([person.pk], now=now)[person.pk]
    week = selectors.my_week(owner, now=now)

    assert (badges.open_promises, badges.overdue_promises) == (2, 1)
    assert [item.is_overdue for item in week.promises][0] is True


def test_keep_from_my_week_is_one_click(owner_client, person, owner):
    promise = _promise(person, owner)

    response = owner_client.post(
        f"/promises/{promise.pk}/keep/", {"method": "email", "next": "/my-week/"}, follow=True
    )

    assert response.redirect_chain[-1][0] == "/my-week/"
    assert "Promise kept: Send the succession checklist" in response.content.decode()
    assert "No promises due." in response.content.decode()


def test_promise_form_records_the_card_it_was_made_for(owner_client, person, owner):
    card = factories.OpportunityFactory(owner=owner)
    response = owner_client.get(f"/promises/new/?contact={person.pk}&opportunity={card.pk}")
    assert f'name="opportunity_id" value="{card.pk}"' in response.content.decode()

    owner_client.post(
        "/promises/new/",
        {
            "contact": person.pk,
            "what": "Introduce them to our tax partner",
            "due_on": timezone.localdate().isoformat(),
            "owner": owner.pk,
            "opportunity_id": card.pk,
        },
    )

    assert Promise.objects.get().card_link.opportunity == card


def test_export_of_a_person_says_which_promise_was_made_about_which_card(person, owner, manager):
    card = factories.OpportunityFactory(owner=owner, title="Audit for Reed & Co")
    about_card = _promise(person, owner, about=card)
    _promise(person, owner)

    export = contact_export(contact=person, by=manager)

    assert len(export["promises"]) == 2
    assert export["cards"]["promises_about_cards"] == [
        {"promise_id": about_card.pk, "card_id": card.pk, "card": "Audit for Reed & Co"}
    ]
