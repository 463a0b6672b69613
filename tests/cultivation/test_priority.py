"""One Priority, owned by cultivation: the card carries it, the follow-up falls due by it."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from convivio.errors import RuleViolation
from cultivation import models as cultivation_models
from cultivation.models import ContactEvent, FollowUp, Priority
from cultivation.services import follow_up_start
from cultivation.services.follow_ups import due_hours
from opportunities import models as card_models

pytestmark = pytest.mark.django_db


def test_the_board_uses_cultivations_priority_not_a_copy():
    assert card_models.Priority is Priority
    assert card_models.Opportunity._meta.get_field("priority").choices == Priority.choices
    assert FollowUp._meta.get_field("priority").choices == Priority.choices
    assert not hasattr(cultivation_models, "Urgency")


@pytest.mark.parametrize(("priority", "hours"), [("hot", 48), ("referral", 168), ("low", 504)])
def test_each_priority_has_its_own_delay(priority, hours):
    assert due_hours(priority) == hours
    assert due_hours(Priority(priority)) == hours


@pytest.mark.parametrize("priority", ["urgent", "", None, "HOT"])
def test_an_unknown_priority_is_refused_with_a_sentence(priority):
    with pytest.raises(RuleViolation, match="is not a priority: choose one of hot lead"):
        due_hours(priority)


def test_a_follow_up_with_an_unknown_priority_is_refused_and_nothing_written(person, owner):
    for _ in range(2):
        with pytest.raises(RuleViolation, match="“urgent” is not a priority"):
            follow_up_start(contact=person, priority="urgent", by=owner)

    assert not FollowUp.objects.exists()
    assert not ContactEvent.objects.exists()


def test_a_follow_up_with_a_known_priority_starts_once(person, owner):
    for _ in range(2):
        follow_up = follow_up_start(contact=person, priority=Priority.HOT, by=owner)

    assert FollowUp.objects.get() == follow_up
    assert follow_up.priority == "hot"
    assert person.events.get().action == ContactEvent.Action.FOLLOW_UP_STARTED


def test_settings_missing_a_priority_fail_loudly(settings):
    settings.CONVIVIO = {**settings.CONVIVIO, "FOLLOW_UP_HOURS": {"hot": 48, "referral": 168}}

    with pytest.raises(ImproperlyConfigured, match="no entry for “low”"):
        due_hours("low")
