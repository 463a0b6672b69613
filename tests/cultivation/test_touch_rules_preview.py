"""The touch form shows the rules before it refuses: the follow-up (attempt n of 3, methods
used, due), email consent for the kinds that need it, and the cold-call warning, as soon as
a person is chosen, in the same sentences the service refuses with."""

import pytest
from django.urls import reverse
from django.utils import timezone

from convivio.errors import RuleViolation
from cultivation.models import MAX_ATTEMPTS, FollowUp
from cultivation.people_selectors import touch_rules_for
from cultivation.services import touch_log
from tests import factories

pytestmark = pytest.mark.django_db
RULES = reverse("cultivation:touch-rules")


def _rules(client, contact):
    response = client.get(RULES, {"contact": contact.pk})
    assert response.status_code == 200
    return response.content.decode()


def _due(contact):
    due = FollowUp.objects.live().get(contact=contact).next_due_at
    return f"{timezone.localtime(due):%a %-d %b}"


def test_a_person_just_met_shows_attempt_one_of_three_and_the_cold_call_warning(
    owner_client, person, met
):
    met(person)

    page = _rules(owner_client, person)

    assert f"Attempt 1 of {MAX_ATTEMPTS}, none made yet; due {_due(person)}." in page
    with pytest.raises(RuleViolation) as refusal:
        touch_log(contact=person, method="call", outcome="not_reached", by=person.owner)
    assert "would be a cold call" in str(refusal.value)
    assert str(refusal.value) in page.replace("&#x27;", "'")


def test_attempts_so_far_show_with_their_methods_and_the_next_due_date(
    owner_client, owner, person, met
):
    met(person)
    touch_log(contact=person, method="email", by=owner)

    page = _rules(owner_client, person)

    assert f"Attempt 2 of {MAX_ATTEMPTS}, by email so far; due {_due(person)}." in page
    assert "cold call" not in page


def test_a_third_attempt_by_the_same_method_is_warned_in_the_services_words(
    owner_client, owner, person, met
):
    met(person)
    for _ in range(2):
        touch_log(contact=person, method="email", by=owner)

    page = _rules(owner_client, person)

    assert f"Attempt 3 of {MAX_ATTEMPTS}, by email so far" in page
    with pytest.raises(RuleViolation) as refusal:
        touch_log(contact=person, method="email", by=owner)
    assert "must use a different method" in str(refusal.value)
    assert str(refusal.value) in page


def test_after_the_third_attempt_a_fourth_is_warned(owner_client, owner, person, met):
    met(person)
    for method in ("email", "note", "email"):
        touch_log(contact=person, method=method, by=owner)

    page = _rules(owner_client, person)

    assert f"{MAX_ATTEMPTS} of {MAX_ATTEMPTS} attempts made (by email, handwritten note)" in page
    assert "a fourth is refused" in page


def test_email_consent_shows_when_and_how_and_which_kinds_are_fine(owner_client, owner):
    person = factories.ContactFactory(owner=owner, has_opted_in=True, opt_in_how="asked at lunch")

    page = _rules(owner_client, person)

    assert "Opted in on" in page and "(asked at lunch)" in page
    assert 'Newsletter: <span class="text-success">fine' in page
    assert 'Thinking-of-you email with a link: <span class="text-success">fine' in page


def test_without_consent_the_email_kinds_are_refused(owner_client, owner):
    person = factories.ContactFactory(owner=owner, has_opted_in=False)

    page = _rules(owner_client, person)
    rules = touch_rules_for(person, now=timezone.now())

    assert "Not opted in." in page and page.count("not without their consent") == 2
    with pytest.raises(RuleViolation) as refusal:
        touch_log(contact=person, method="newsletter", by=owner)
    assert str(refusal.value) in [sentence for _, sentence in rules.email_kinds]


def test_someone_who_asked_us_to_stop_shows_only_that(owner_client, owner, person):
    touch_log(contact=person, method="call", outcome="asked_to_stop", is_arranged=True, by=owner)

    page = _rules(owner_client, person)

    assert "asked us to stop on" in page and "we don&#x27;t contact them again" in page
    assert "Email consent" not in page


def test_no_follow_up_says_no_limit_applies(owner_client, person):
    assert "None running: no attempt limit applies." in _rules(owner_client, person)


def test_the_form_loaded_for_a_person_shows_their_rules_and_asks_again_on_a_pick(
    owner_client, owner, person, met
):
    met(person)

    page = owner_client.get(reverse("cultivation:touch-new"), {"contact": person.pk})

    html = page.content.decode()
    assert f"Attempt 1 of {MAX_ATTEMPTS}" in html
    assert f'hx-get="{RULES}"' in html and "change from:input[name=contact]" in html


def test_the_form_without_a_person_invites_a_choice(owner_client):
    html = owner_client.get(reverse("cultivation:touch-new")).content.decode()

    assert 'id="touch-rules"' in html and "Choose the person" in html


def test_a_refused_touch_comes_back_with_the_rules_beside_the_refusal(
    owner_client, owner, person, met
):
    met(person)
    data = {"contact": person.pk, "method": "call", "direction": "ours", "outcome": "not_reached"}
    data["on"] = timezone.localdate().isoformat()

    response = owner_client.post(reverse("cultivation:touch-new"), data)

    assert response.status_code == 400
    html = response.content.decode()
    assert "Before you log a touch with Priya Shah" in html and "cold call" in html


def test_the_preview_without_a_person_invites_a_choice(owner_client):
    response = owner_client.get(RULES)

    assert response.status_code == 200 and "Choose the person" in response.content.decode()
    assert b"<html" not in response.content


@pytest.mark.parametrize("raw", ["abc", "0", str(10**25), "1\x00", "4000000", "ERASED"])
def test_a_contact_that_is_no_one_is_a_404_with_a_sentence(owner_client, raw):
    erased = factories.ContactFactory(erased_at=timezone.now())
    raw = str(erased.pk) if raw == "ERASED" else raw

    response = owner_client.get(RULES, {"contact": raw})

    assert response.status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, person):
    response = client.get(RULES, {"contact": person.pk})

    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_the_preview_runs_a_constant_number_of_queries(
    owner_client, owner, person, met, django_assert_max_num_queries
):
    met(person)
    with django_assert_max_num_queries(12) as first:
        _rules(owner_client, person)
    touch_log(contact=person, method="email", by=owner)
    touch_log(contact=person, method="note", by=owner)

    with django_assert_max_num_queries(12) as later:
        _rules(owner_client, person)

    assert len(later.captured_queries) == len(first.captured_queries)
