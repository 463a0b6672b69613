"""The exchange-lunch form without JavaScript: a name we offered is typed, and the form
takes the one person it names at once; otherwise it comes back with the choices, the
sentence pointing at them, and the hint said once."""

from datetime import date, datetime

import pytest
import time_machine
from django.utils import timezone

from cultivation.models import Exchange, Referral
from cultivation.services import alliance_mark
from tests import factories

pytestmark = pytest.mark.django_db
NOW = datetime(2027, 3, 10, 15, 0, tzinfo=timezone.get_fixed_timezone(0))
HINT = "Type part of the name and send the form"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def partner(owner):
    contact = factories.ContactFactory(owner=owner, name="Paula Partner")
    alliance_mark(contact=contact, criteria={}, preferral_profile="", by=owner)
    return contact


def _form(**rows):
    data = {"on": "2027-03-09", "note": ""}
    for prefix in ("offered", "given"):
        data |= {
            f"{prefix}-TOTAL_FORMS": "5",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "20",
        }
    return data | rows


def test_the_hint_is_said_once(owner_client, partner):
    page = owner_client.get(f"/contacts/{partner.pk}/exchange/").content.decode()

    assert page.lower().count(HINT.lower()) == 1


def test_a_name_typed_that_is_one_person_exactly_is_taken_at_once(owner_client, owner, partner):
    kim = factories.ContactFactory(owner=owner, name="Kim Known")
    factories.ContactFactory(owner=owner, name="Kim Knowles")

    response = owner_client.post(
        f"/contacts/{partner.pk}/exchange/", _form(**{"given-0-person_search": "kim known"})
    )

    assert response.status_code == 302
    assert Referral.objects.given().get().person == kim
    assert Exchange.objects.get().on == date(2027, 3, 9)


def test_a_name_typed_that_is_several_people_comes_back_to_choose(owner_client, owner, partner):
    factories.ContactFactory(owner=owner, name="Kim Known")
    factories.ContactFactory(owner=owner, name="Kim Knowles")

    response = owner_client.post(
        f"/contacts/{partner.pk}/exchange/",
        _form(**{"given-0-person_search": "Kim", "given-1-person_search": "Nobody Atall"}),
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "People matching “Kim”: choose one" in page
    # The choices are above the sentence that points at them; both rows said in one pass.
    assert page.index("People matching “Kim”") < page.index(
        "Choose the person you mean from those matching “Kim” above"
    )
    assert "matching “Nobody Atall” above" in page
    assert not Exchange.objects.exists()
