"""The quick log My week's "Log" opens (`/touches/log/`): the person and the method preset,
a touch of ours logged now through `touch_log`, and back to My week with a message."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cultivation.models import Outcome, Touch
from tests import factories

pytestmark = pytest.mark.django_db
URL = reverse("cultivation:touch-quick")
MY_WEEK = reverse("cultivation:my-week")
NOW = datetime(2026, 6, 10, 10, 0, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def call_due(person):
    """Priya's quarterly call, due today; an email went before, so a call is not cold."""
    plan = factories.TouchPlanFactory(contact=person)
    factories.TouchFactory(contact=person, method="email")
    return factories.PlanItemFactory(plan=plan, method="call", next_due_on=timezone.localdate())


def _call(person, **extra):
    return {"contact": person.pk, "method": "call", "outcome": "no_need", "next": MY_WEEK} | extra


def test_the_quick_log_opens_with_the_person_and_the_method_preset(owner_client, person):
    response = owner_client.get(URL, {"contact": person.pk, "method": "call", "next": MY_WEEK})

    form = response.context["form"]
    page = response.content.decode()
    assert response.status_code == 200
    assert (form["contact"].value(), form["method"].value()) == (person.pk, "call")
    assert "Log a touch with Priya Shah" in page
    assert '<option value="call" selected>' in page
    assert f'name="next" value="{MY_WEEK}"' in page
    assert f'href="/touches/new/?contact={person.pk}&amp;method=call&amp;next=/my-week/"' in page


def test_an_unknown_method_in_the_link_presets_nothing(owner_client, person):
    response = owner_client.get(URL, {"contact": person.pk, "method": "carrier pigeon"})

    assert response.status_code == 200
    assert response.context["form"]["method"].value() is None


def test_an_imported_touch_is_not_offered_and_not_logged(owner_client, person):
    shown = owner_client.get(URL, {"contact": person.pk})
    posted = owner_client.post(URL, _call(person, method="imported", outcome=""))

    assert 'value="imported"' not in shown.content.decode()
    assert posted.status_code == 400
    assert not person.touches.filter(method="imported").exists()


@pytest.mark.parametrize("raw", ["abc", "0", "99999999999999999999", "1\x00", "9" * 100_000, ""])
def test_a_link_naming_no_person_is_a_404_with_a_sentence(owner_client, raw):
    response = owner_client.get(URL, {"contact": raw})

    assert response.status_code == 404
    assert "is not one of its numbers" in response.content.decode() or not raw


def test_logging_a_call_goes_back_to_my_week_with_a_message(owner_client, person, call_due):
    note = "Busy quarter; call again in spring."
    response = owner_client.post(URL, _call(person, note=note), follow=True)

    assert response.redirect_chain == [(MY_WEEK, 302)]
    messages = [str(message) for message in response.context["messages"]]
    assert messages == ["Logged: Phone call with Priya Shah on 10 Jun 2026."]
    touch = Touch.objects.get(method="call")
    assert (touch.contact, touch.outcome, touch.note, touch.direction) == (
        person,
        Outcome.NO_NEED,
        note,
        "ours",
    )
    assert (touch.at, touch.by.username) == (NOW, "alice")
    call_due.refresh_from_db()
    assert call_due.next_due_on > timezone.localdate()
    assert 'data-kind="touch"' not in response.content.decode()


def test_logging_twice_logs_two_touches(owner_client, person, call_due):
    owner_client.post(URL, _call(person))
    owner_client.post(URL, _call(person))

    assert Touch.objects.filter(method="call").count() == 2


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:x"])
def test_a_next_off_this_site_goes_to_the_persons_page(owner_client, person, call_due, target):
    response = owner_client.post(URL, _call(person, next=target))

    assert response.status_code == 302
    assert response.url == person.get_absolute_url()


def test_a_call_without_an_outcome_is_refused_and_nothing_is_logged(owner_client, person):
    response = owner_client.post(URL, _call(person, outcome=""))

    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "Say how the call went: choose its outcome."
    ]
    assert "Log a touch with Priya Shah" in response.content.decode()
    assert not Touch.objects.exists()


def test_another_method_drops_the_outcome_hidden_with_it(owner_client, person):
    response = owner_client.post(URL, _call(person, method="note"))

    assert response.status_code == 302
    assert Touch.objects.get().outcome == ""


def test_a_first_call_out_of_the_blue_is_refused_with_the_way_to_the_full_form(owner_client, owner):
    met = factories.ContactFactory(owner=owner, name="Omar Reid")
    factories.FollowUpFactory(contact=met, owner=owner)

    response = owner_client.post(URL, _call(met))

    page = response.content.decode()
    assert response.status_code == 400
    assert "would be a cold call" in page
    assert f"/touches/new/?contact={met.pk}&amp;method=call" in page
    assert not Touch.objects.exists()


def test_asked_to_stop_asks_for_confirmation_first(owner_client, person):
    response = owner_client.post(URL, _call(person, outcome="asked_to_stop", note="Retiring"))

    assert response.status_code == 200
    assert response.templates[0].name == "cultivation/confirm_stop.html"
    assert response.context["form"].initial["note"] == "Retiring"
    assert not Touch.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("contact", "abc"),
        ("contact", "99999999999999999999"),
        ("contact", "1\x00"),
        ("method", "x"),
    ],
)
def test_unreadable_fields_are_a_400_and_nothing_is_logged(owner_client, person, field, value):
    response = owner_client.post(URL, _call(person) | {field: value})

    assert response.status_code == 400
    assert not Touch.objects.exists()


def test_a_note_too_long_is_refused(owner_client, person):
    response = owner_client.post(URL, _call(person, note="x" * 100_000))

    assert response.status_code == 400
    assert response.context["form"].errors["note"]
    assert not Touch.objects.exists()


def test_an_erased_person_cannot_be_logged(owner_client, person):
    person.erased_at = timezone.now()
    person.save(update_fields=["erased_at"])

    response = owner_client.post(URL, _call(person))

    assert response.status_code == 400
    assert "no longer in the list" in response.content.decode()
    assert not Touch.objects.exists()


def test_an_anonymous_visitor_is_sent_to_sign_in(client, person):
    response = client.post(URL, _call(person))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert not Touch.objects.exists()


def test_my_week_links_each_call_to_the_quick_log(owner_client, person, call_due):
    page = owner_client.get(MY_WEEK).content.decode()

    assert f'href="{URL}?contact={person.pk}&amp;method=call&amp;next=/my-week/"' in page


def test_the_quick_log_says_where_a_follow_up_stands_before_save(owner_client, owner):
    met = factories.ContactFactory(owner=owner, name="Omar Reid")
    factories.FollowUpFactory(contact=met, owner=owner)

    page = " ".join(owner_client.get(URL, {"contact": met.pk}).content.decode().split())

    assert "Follow-up: Attempt 1 of 3, none made yet; due " in page
    assert "would be a cold call" in page


def test_the_quick_log_costs_the_same_queries_whatever_the_history(
    owner_client, person, call_due, django_assert_max_num_queries
):
    factories.TouchFactory.create_batch(30, contact=person, method="note")

    with django_assert_max_num_queries(8):
        response = owner_client.get(URL, {"contact": person.pk, "method": "call"})

    assert response.status_code == 200
