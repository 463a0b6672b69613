"""Capacity: a warning at 150 cultivated people, and the 251st refused."""

import pytest
from django.utils import timezone

from convivio.errors import RuleViolation
from cultivation import selectors
from cultivation.models import Contact, ContactEvent, TouchPlan
from cultivation.services import contact_reassign, touch_plan_start
from opportunities.models import Opportunity, Stage
from opportunities.services import opportunity_move
from tests import factories

pytestmark = pytest.mark.django_db


def _pool(owner, size):
    """`size` people owned by `owner`, each with a live plan (bulk: this is setup, not a test)."""
    org = factories.OrganisationFactory()
    contacts = Contact.objects.bulk_create(
        Contact(name=f"Pooled {i}", owner=owner, organisation=org) for i in range(size)
    )
    now = timezone.now()
    TouchPlan.objects.bulk_create(TouchPlan(contact=c, started_at=now) for c in contacts)


def test_the_250th_person_is_taken_on(owner):
    _pool(owner, 249)
    newcomer = factories.ContactFactory(owner=owner)

    touch_plan_start(contact=newcomer, by=owner)

    capacity = selectors.capacity_for(owner, now=timezone.now())
    assert (capacity.size, capacity.is_full) == (250, True)


def test_the_251st_person_is_refused_and_nothing_changes(owner):
    _pool(owner, 250)
    newcomer = factories.ContactFactory(owner=owner)

    for _ in range(2):
        with pytest.raises(
            RuleViolation, match="already cultivates 250 people, and 250 is the most"
        ):
            touch_plan_start(contact=newcomer, by=owner)

    assert not TouchPlan.objects.filter(contact=newcomer).exists()
    assert not newcomer.events.exists()
    assert selectors.pool_size(owner) == 250


def test_warning_shows_from_the_150th_person_not_before(owner, owner_client):
    _pool(owner, 148)
    first, second = factories.ContactFactory.create_batch(2, owner=owner)

    quiet = owner_client.post(f"/contacts/{first.pk}/plan/", {"kind": "cultivating"}, follow=True)
    warned = owner_client.post(f"/contacts/{second.pk}/plan/", {"kind": "cultivating"}, follow=True)

    assert "now cultivates" not in quiet.content.decode()
    assert "now cultivates 150 people" in warned.content.decode()


def test_my_week_shows_pool_size_and_this_months_load(owner, owner_client):
    _pool(owner, 3)

    response = owner_client.get("/my-week/")

    assert "Cultivation pool: <strong>3</strong> of 250" in response.content.decode()
    assert "Planned touches this month" in response.content.decode()


def test_reassigning_a_cultivated_person_to_a_full_owner_is_refused(owner, teammate):
    _pool(teammate, 250)
    contact = factories.ContactFactory(owner=owner, name="Sam Cole")
    touch_plan_start(contact=contact, by=owner)

    with pytest.raises(RuleViolation, match="Sam Cole cannot move"):
        contact_reassign(contact=contact, owner=teammate, by=owner)

    contact.refresh_from_db()
    assert contact.owner == owner


def test_admin_reassign_action_moves_people_within_capacity(manager_client, owner, teammate):
    _pool(teammate, 249)
    fits, too_many = factories.ContactFactory.create_batch(2, owner=owner)
    for contact in (fits, too_many):
        touch_plan_start(contact=contact, by=owner)

    response = manager_client.post(
        "/admin/cultivation/contact/",
        {
            "action": "reassign_owner",
            "owner": teammate.pk,
            "_selected_action": [fits.pk, too_many.pk],
        },
        follow=True,
    )

    page = response.content.decode()
    assert "1 contact(s) now belong to" in page
    assert "cannot move" in page
    assert Contact.objects.filter(owner=teammate, pk__in=[fits.pk, too_many.pk]).count() == 1
    assert ContactEvent.objects.filter(action=ContactEvent.Action.REASSIGNED).count() == 1


def test_a_card_entering_cultivating_is_refused_when_its_owners_pool_is_full(owner, met):
    _pool(owner, 250)
    newcomer = factories.ContactFactory(owner=owner)
    card = met(newcomer)

    with pytest.raises(RuleViolation, match="already cultivates 250 people"):
        opportunity_move(
            opportunity=card, to_stage=Stage.CULTIVATING, by=owner, version=card.version
        )

    assert Opportunity.objects.get(pk=card.pk).stage == Stage.CONNECTING
    assert not TouchPlan.objects.filter(contact=newcomer).exists()
