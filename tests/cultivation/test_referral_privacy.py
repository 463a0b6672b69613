"""Referrals in the right of access and the right to erasure."""

import json
from datetime import date

import pytest

from cultivation.models import ContactEvent, Referral
from cultivation.services import (
    contact_erase,
    contact_export,
    referral_outcome,
    referral_record,
)
from cultivation.services.privacy import EXPORT_FORMAT
from tests import factories

pytestmark = pytest.mark.django_db

NEED = "Priya's divorce settlement and the house in Lymington"


@pytest.fixture
def priya(owner):
    return factories.ContactFactory(owner=owner, name="Priya Shah", email="priya@example.org")


@pytest.fixture
def ledger(priya, owner, teammate):
    """Priya referred to us, Priya referring someone to us, and someone we referred to her."""
    partner = factories.ContactFactory(owner=owner, name="Tom Reed")
    friend = factories.ContactFactory(owner=teammate, name="Ana Lima")
    about = referral_record(
        direction="received",
        person=priya,
        partner=partner,
        colleague=owner,
        on=date(2026, 3, 2),
        need=NEED,
        by=owner,
    )
    referral_outcome(referral=about, by=owner, outcome="stay_in_touch")
    made = referral_record(
        direction="received",
        person=friend,
        partner=priya,
        colleague=teammate,
        on=date(2026, 4, 9),
        need="Ana needs an auditor; Priya Shah says she is good company",
        by=teammate,
    )
    given = referral_record(
        direction="given",
        person=friend,
        partner=priya,
        colleague=owner,
        on=date(2026, 5, 1),
        need="A second opinion on Ana's lease",
        by=owner,
    )
    return {"about": about, "made": made, "given": given}


def test_export_is_format_3_and_holds_referrals_about_made_by_and_given_to_them(
    priya, ledger, manager
):
    export = contact_export(contact=priya, by=manager)
    referrals = export["referrals"]

    assert export["format"] == EXPORT_FORMAT == "convivio-contact-export/3"
    assert json.loads(json.dumps(export)) == export
    assert [row["id"] for row in referrals["about_them"]] == [ledger["about"].pk]
    assert [row["id"] for row in referrals["made_by_them"]] == [ledger["made"].pk]
    assert [row["id"] for row in referrals["given_to_them"]] == [ledger["given"].pk]
    about = referrals["about_them"][0]
    assert about["need"] == NEED
    assert about["outcome"] == "stay_in_touch"
    assert about["to_user"] == "alice"
    assert about["on"] == "2026-03-02"


def test_export_of_someone_else_holds_none_of_her_referrals(ledger, manager):
    stranger = factories.ContactFactory(name="Olga Unrelated")

    referrals = contact_export(contact=stranger, by=manager)["referrals"]

    assert referrals == {"about_them": [], "made_by_them": [], "given_to_them": []}


def test_erasure_keeps_the_referrals_counted_and_removes_what_they_said_about_her(
    priya, ledger, manager
):
    before = Referral.objects.count()

    contact_erase(contact=priya, by=manager, reason="Asked to be forgotten.")

    assert Referral.objects.count() == before
    about, made, given = (Referral.objects.get(pk=ledger[k].pk) for k in ("about", "made", "given"))
    assert about.need == ""
    assert about.outcome == "stay_in_touch"  # the outcome thirds still count
    assert (made.from_person_id, given.to_person_id) == (priya.pk, priya.pk)
    assert made.need == "Ana needs an auditor; [erased] says she is good company"
    assert given.need == "A second opinion on Ana's lease"
    notes = " ".join(ContactEvent.objects.values_list("note", flat=True))
    assert "Priya" not in notes


def test_export_names_the_card_a_referral_about_them_led_to(priya, owner, manager):
    referral = referral_record(
        direction="received",
        person=priya,
        partner=factories.ContactFactory(owner=owner),
        colleague=owner,
        on=date(2026, 3, 2),
        by=owner,
    )
    card = factories.OpportunityFactory(owner=owner, title="Harbour")
    factories.OpportunityContactFactory(opportunity=card, contact=priya)
    referral_outcome(referral=referral, by=owner, outcome="next_step", card=card)

    export = contact_export(contact=priya, by=manager)

    assert export["cards"]["referrals_to_cards"] == [
        {"referral_id": referral.pk, "card_id": card.pk, "card": "Harbour"}
    ]


def test_no_outcome_on_an_erased_persons_referral(owner, manager, owner_client):
    # (A merged duplicate's referrals move to the survivor: nothing is left on it to answer.)
    partner = factories.ContactFactory(owner=owner, name="Tom Reed")
    ed = factories.ContactFactory(owner=owner, name="Ed Gone")
    referral = referral_record(
        direction="received",
        person=ed,
        partner=partner,
        colleague=owner,
        on=date(2026, 3, 2),
        by=owner,
    )
    contact_erase(contact=ed, by=manager, reason="Asked to be forgotten")
    events = ContactEvent.objects.filter(contact=ed).count()
    ledger = owner_client.get("/referrals/").content.decode()
    assert f'id="outcome-{referral.pk}"' not in ledger  # no form that can only be refused

    response = owner_client.post(f"/referrals/{referral.pk}/outcome/", {"outcome": "next_step"})

    referral.refresh_from_db()
    assert response.status_code == 400
    assert f"Person #{ed.pk} was erased: nothing more is recorded" in response.content.decode()
    assert (referral.outcome, referral.outcome_at) == ("", None)
    assert ContactEvent.objects.filter(contact=ed).count() == events
