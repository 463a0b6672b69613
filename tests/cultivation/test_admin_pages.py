"""Managers see and correct cultivation in the admin."""

import pytest
from django.utils import timezone

from cultivation.services import follow_up_start, promise_make, touch_log, touch_plan_start
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model", ["contact", "touch", "followup", "promise", "touchplan", "contactevent", "gathering"]
)
def test_manager_sees_every_cultivation_list_and_record(model, manager_client, owner):
    contact = factories.ContactFactory(owner=owner, name="Priya Shah", has_opted_in=True)
    touch_plan_start(contact=contact, by=owner)
    follow_up_start(contact=contact, priority="hot", by=owner)
    touch_log(contact=contact, method="newsletter", by=owner)
    promise_make(
        contact=contact, owner=owner, what="Send it", due_on=timezone.localdate(), by=owner
    )

    listing = manager_client.get(f"/admin/cultivation/{model}/")

    assert listing.status_code == 200
    if model != "gathering":
        assert "Priya Shah" in listing.content.decode()


def test_staff_without_admin_rights_cannot_open_the_admin(owner_client):
    response = owner_client.get("/admin/cultivation/touch/")

    assert response.status_code == 302
