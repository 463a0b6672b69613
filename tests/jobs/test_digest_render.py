"""The weekly email's content: what a person receives, whatever renders it.

`digest_reference/` holds the templates the email was rendered with when every
line of it went through Django's template engine (before cultivation/jobs/
digest_render.py). The email must read exactly as they render it.
"""

from datetime import timedelta
from pathlib import Path

import pytest
from django.template import Context, Engine
from django.urls import reverse
from django.utils import timezone

from cultivation import jobs, selectors
from cultivation.models import Alliance, Exchange, Preferences, Referral
from tests import factories

from .conftest import MONDAY

REFERENCE = Engine(dirs=[Path(__file__).parent / "digest_reference"])
SITE = "https://crm.example.com"


def _reference(user, week):
    """The subject, text and HTML as the engine rendered them, from the same context."""
    context = Context(
        {
            "user": user,
            "week": week,
            "now": MONDAY,
            "site_url": SITE,
            "my_week_url": SITE + reverse("cultivation:my-week"),
            "sent_when": "Mondays at 07:00",
            "settings_url": SITE + reverse("cultivation:settings"),
            "groups": [
                ("Awaiting your decision", week.decisions),
                ("Follow-ups", week.follow_ups),
                ("Touch-base calls and planned touches", week.touches),
                ("Promises", week.promises),
                ("Preferral-exchange lunches", week.lunches),
                ("Names from exchange lunches to follow up", week.exchange_names),
            ],
        }
    )
    subject = REFERENCE.get_template("weekly_digest_subject.txt").render(context)
    return (
        " ".join(subject.split()),
        REFERENCE.get_template("weekly_digest.txt").render(context),
        REFERENCE.get_template("weekly_digest.html").render(context),
    )


def _received(user, week):
    message = jobs.digest_message(user, week, now=MONDAY)
    (html, mimetype), *others = message.alternatives
    assert (mimetype, others) == ("text/html", [])
    return message.subject, message.body, html


@pytest.fixture
def representative_week(settings, due_things):
    """Something of every kind, overdue and not, with names and promises that need escaping."""
    settings.SITE_URL = SITE

    def make(user):
        due_things(user)
        due_things(user, name='Siobhán O\'Brien & "Sons" <Ltd>')
        today = timezone.localdate(MONDAY)
        later = factories.ContactFactory(owner=user, name="Wen Later")
        factories.FollowUpFactory(contact=later, met_at=MONDAY - timedelta(days=5, hours=2))
        plan = factories.TouchPlanFactory(contact=later)
        factories.PlanItemFactory(plan=plan, method="note", next_due_on=today - timedelta(days=9))
        factories.PlanItemFactory(plan=plan, method="email", next_due_on=today + timedelta(days=4))
        factories.PromiseFactory(
            contact=later, due_on=today - timedelta(days=40), what="Send <the deck> & notes"
        )
        _alliance_things(user, today)
        return selectors.my_week(user, now=MONDAY)

    return make


def _alliance_things(user, today):
    """Two partners' lunches (one overdue) and a name from a lunch, not followed up, whose
    need needs escaping."""
    partner = factories.ContactFactory(owner=user, name="Paula <Partner>")
    Alliance.objects.create(contact=partner, next_lunch_on=today - timedelta(days=3))
    other = factories.ContactFactory(owner=user, name="Otto Ally")
    Alliance.objects.create(contact=other, next_lunch_on=today + timedelta(days=2))
    lunch = Exchange.objects.create(partner=partner, on=today - timedelta(days=20), by=user)
    Referral.objects.create(
        direction="received",
        person=factories.ContactFactory(owner=user, name="Nina New"),
        from_person=partner,
        to_user=user,
        on=lunch.on,
        exchange=lunch,
        need="A sale & <a buyer>",
    )


@pytest.mark.django_db
@pytest.mark.parametrize("first_name", ["Alice", ""])
def test_the_email_reads_exactly_as_the_template_engine_rendered_it(
    owner, representative_week, first_name
):
    owner.first_name = first_name
    week = representative_week(owner)
    assert (len(week.decisions), len(week.follow_ups), len(week.touches), len(week.promises)) == (
        2,
        3,
        4,
        3,
    )
    assert (len(week.lunches), len(week.exchange_names)) == (2, 1)
    assert week.overdue_count >= 3

    subject, text, html = _received(owner, week)
    reference_subject, reference_text, reference_html = _reference(owner, week)

    assert subject == reference_subject
    assert text == reference_text
    assert html == reference_html


@pytest.mark.django_db
def test_names_and_promises_are_escaped_in_html_and_verbatim_in_text(owner, representative_week):
    subject, text, html = _received(owner, representative_week(owner))

    assert "Siobhán O&#x27;Brien &amp; &quot;Sons&quot; &lt;Ltd&gt;</a>" in html
    assert "Send &lt;the deck&gt; &amp; notes" in html
    assert "<the deck>" not in html
    assert '- Siobhán O\'Brien & "Sons" <Ltd>: Send the salary survey' in text
    assert "- Wen Later: Send <the deck> & notes" in text
    assert "Name from Paula &lt;Partner&gt;: follow up (A sale &amp; &lt;a buyer&gt;)" in html
    assert "- Nina New: Name from Paula <Partner>: follow up (A sale & <a buyer>)" in text
    assert "Log the lunch</a>" in html and "Follow up</a>" in html


@pytest.mark.django_db
def test_an_email_costs_the_same_queries_for_a_few_items_or_many(
    owner, teammate, due_things, representative_week, django_assert_num_queries
):
    """My week's six lists, whatever their length; building the email reads nothing more."""
    few = representative_week(owner).total
    for n in range(15):
        due_things(teammate, name=f"Person {n}")

    for user, items in ((owner, few), (teammate, 15 * 4)):
        # As the sweep reads them: with their preferences (none here: still no query).
        user = type(user).objects.select_related("preferences").get(pk=user.pk)
        with django_assert_num_queries(6):
            week = selectors.my_week(user, now=MONDAY)
            jobs.digest_message(user, week, now=MONDAY)
        assert week.total == items


@pytest.mark.django_db
def test_the_footer_says_when_this_person_gets_it_and_where_to_change_that(
    owner, representative_week
):
    Preferences.objects.create(user=owner, weekly_email_weekday=4, weekly_email_hour=15)

    _, text, html = _received(owner, representative_week(owner))

    assert "once a week, on Fridays at 15:00 your time, when something is due." in text
    assert f"Change the day or the hour, or turn it off: {SITE}/settings/" in text
    assert f'<a href="{SITE}/settings/"' in html
