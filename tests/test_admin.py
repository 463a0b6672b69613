"""The managers' admin: every page loads for a manager and lists its rows, searches and
filters narrow the lists, the actions go through the rules; staff and anonymous are refused."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cultivation.models import Contact
from cultivation.services import (
    alliance_mark,
    contact_tag,
    exchange_log,
    gathering_log,
    import_upload,
    promise_make,
    referral_record,
    touch_log,
    touch_plan_start,
)
from cultivation.services.preferences import calendar_token_rotate
from opportunities.models import Opportunity, Stage, StageChange
from opportunities.services import connection_idea_add, opportunity_add_contact, opportunity_update
from tests import factories

# Groups carry permissions: superusers only (tests/test_roles.py).
MODELS = [model for model in admin.site._registry if model is not Group]

# Rows written only by the rules (history, follow-ups, plans) or by other systems
# (sign-in throttling, accounts): the admin has no Add page for them.
ADD_REFUSED = {
    "axes.AccessAttempt",
    "axes.AccessLog",
    "axes.AccessFailureLog",
    "auth.User",
    "cultivation.ContactEvent",
    "cultivation.ErasedIdentity",
    "cultivation.FollowUp",
    "cultivation.Gathering",
    "cultivation.ImportBatch",
    "cultivation.JobRun",
    "cultivation.SavedMapping",
    "cultivation.Touch",
    "cultivation.TouchPlan",
    "cultivation.WeeklyDigest",
    "opportunities.CardChange",
    "opportunities.StageChange",
}

# Kinds `one_of_each` has no row of: written by the scheduled jobs or an erasure, and
# axes's failure log (only with AXES_ENABLE_ACCESS_FAILURE_LOG, off here).
NO_ROW = {
    "axes.AccessFailureLog",
    "cultivation.ErasedIdentity",
    "cultivation.JobRun",
    "cultivation.SavedMapping",
    "cultivation.WeeklyDigest",
}


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def one_of_each(owner):
    """A row of every kind the admin lists, made as the site makes them: a card in
    Connecting with Priya on it (a follow-up), a touch plan, a touch, a promise, a
    gathering, a referral, an alliance and its lunch, an idea, a change of title, a tag,
    settings, an import previewed, and sign-ins (one failed)."""
    card = factories.OpportunityFactory(stage=Stage.CONNECTING, owner=owner, title="Harbour")
    priya = factories.ContactFactory(owner=owner, name="Priya Shah", has_opted_in=True)
    tom = factories.ContactFactory(owner=owner, name="Tom Reed")
    opportunity_add_contact(opportunity=card, contact=priya, by=owner)
    touch_plan_start(contact=priya, by=owner)
    contact_tag(contact=priya, by=owner, names=["Clients"])
    touch_log(contact=priya, method="newsletter", by=owner, note="Spring newsletter")
    today = timezone.localdate()
    promise_make(contact=priya, owner=owner, what="Send it", due_on=today, by=owner)
    gathering_log(contacts=[priya, tom], by=owner, note="Coffee at the harbour")
    referral_record(
        direction="received", person=priya, partner=tom, colleague=owner, on=today, by=owner
    )
    alliance_mark(contact=tom, criteria={"respects_us": True}, preferral_profile="", by=owner)
    exchange_log(partner=tom, on=today, by=owner, note="Lunch at the harbour")
    connection_idea_add(opportunity=card, by=owner, kind="coffee", description="Ask Tom")
    opportunity_update(opportunity=card, by=owner, version=card.version, title="Harbour Trust")
    calendar_token_rotate(user=owner, by=owner)
    connections = (
        b"First Name,Last Name,URL,Email Address,Company,Position,Connected On\nAna,Lee,,,,,\n"
    )
    import_upload(by=owner, owner=owner, file_name="Connections.csv", data=connections)
    Client().post("/accounts/login/", {"username": "mallory", "password": "guess"})
    Client().post("/accounts/login/", {"username": owner.username, "password": factories.PASSWORD})


def _term(obj, lookup):
    """The text `lookup` (e.g. "contact__name") names on `obj`, for a search to find."""
    value = obj
    for name in lookup.split("__"):
        value = getattr(value, name)
        if hasattr(value, "all"):  # a many-to-many: its first
            value = value.all().first()
    return str(value)


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_changelist_and_change_pages_load_for_a_manager(model, one_of_each, manager_client):
    listing = manager_client.get(_url(model, "changelist"))
    assert listing.status_code == 200
    obj = model._default_manager.first()
    assert (obj is None) == (model._meta.label in NO_ROW)
    if obj is not None:
        assert obj.pk in {row.pk for row in listing.context["cl"].result_list}
        assert manager_client.get(_url(model, "change", obj.pk)).status_code == 200
    add_page = manager_client.get(_url(model, "add"))
    assert add_page.status_code == (403 if model._meta.label in ADD_REFUSED else 200)


SEARCHABLE = [
    model
    for model in MODELS
    if admin.site._registry[model].search_fields and model._meta.label not in NO_ROW
]


@pytest.mark.django_db
@pytest.mark.parametrize("model", SEARCHABLE, ids=lambda m: m._meta.label)
def test_every_changelist_search_finds_its_row_and_a_search_for_nothing_lists_none(
    model, one_of_each, manager_client
):
    obj = model._default_manager.order_by("pk").first()
    term = _term(obj, admin.site._registry[model].search_fields[0])

    found = manager_client.get(_url(model, "changelist"), {"q": term})
    nothing = manager_client.get(_url(model, "changelist"), {"q": "no-such-row-anywhere"})

    assert obj.pk in {row.pk for row in found.context["cl"].result_list}
    assert list(nothing.context["cl"].result_list) == []


@pytest.mark.django_db
def test_the_card_list_search_finds_the_card_named_and_hides_the_others(manager_client):
    factories.OpportunityFactory(title="Quayside Partners")
    factories.OpportunityFactory(title="Harbour Trust")

    response = manager_client.get(_url(Opportunity, "changelist"), {"q": "quayside"})

    assert [card.title for card in response.context["cl"].result_list] == ["Quayside Partners"]


@pytest.mark.django_db
def test_the_card_list_filters_by_stage_and_by_owner(manager_client, owner, teammate):
    factories.OpportunityFactory(title="Alice research", owner=owner)
    factories.OpportunityFactory(title="Alice connecting", owner=owner, stage=Stage.CONNECTING)
    factories.OpportunityFactory(title="Bob connecting", owner=teammate, stage=Stage.CONNECTING)

    def titles(**params):
        response = manager_client.get(_url(Opportunity, "changelist"), params)
        return sorted(card.title for card in response.context["cl"].result_list)

    assert titles() == ["Alice connecting", "Alice research", "Bob connecting"]
    assert titles(stage__exact="connecting") == ["Alice connecting", "Bob connecting"]
    assert titles(stage__exact="connecting", owner__id__exact=owner.pk) == ["Alice connecting"]


@pytest.mark.django_db
def test_the_in_cultivation_filter_splits_people_by_a_live_plan(manager_client, owner):
    cultivated = factories.ContactFactory(name="Priya Shah", owner=owner)
    factories.TouchPlanFactory(contact=cultivated)
    ended = factories.ContactFactory(name="Tom Ended", owner=owner)
    factories.TouchPlanFactory(contact=ended, ended_at=timezone.now())
    factories.ContactFactory(name="Una Never", owner=owner)
    url = _url(Contact, "changelist")

    def names(value):
        response = manager_client.get(url, {"cultivated": value})
        return sorted(person.name for person in response.context["cl"].result_list)

    assert names("yes") == ["Priya Shah"]
    assert names("no") == ["Tom Ended", "Una Never"]


@pytest.mark.django_db
def test_staff_member_is_refused_the_admin(owner_client):
    response = owner_client.get("/admin/")
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")
    assert owner_client.get(_url(Opportunity, "changelist")).status_code == 302


@pytest.mark.django_db
def test_anonymous_visitor_is_refused_the_admin(client):
    response = client.get(_url(Opportunity, "changelist"))
    assert response.status_code == 302
    assert "/login/" in response.url


@pytest.mark.django_db
def test_manager_adds_a_card_through_the_opening_rules(manager_client, owner):
    response = manager_client.post(
        _url(Opportunity, "add"),
        {
            "title": "Quayside Partners",
            "owner": owner.pk,
            "stage": Stage.CONNECTING,
            "priority": "hot",
            "source": "research",
            **_empty_inlines(),
        },
    )
    assert response.status_code == 200
    assert "Only inbound opportunities" in response.content.decode()
    assert not Opportunity.objects.exists()

    manager_client.post(
        _url(Opportunity, "add"),
        {
            "title": "Quayside Partners",
            "owner": owner.pk,
            "stage": Stage.CONNECTING,
            "priority": "hot",
            "source": "inbound",
            **_empty_inlines(),
        },
    )
    card = Opportunity.objects.get()
    assert StageChange.objects.get(opportunity=card).to_stage == Stage.CONNECTING


def _empty_inlines():
    return {
        "links-TOTAL_FORMS": 0,
        "links-INITIAL_FORMS": 0,
        "connection_ideas-TOTAL_FORMS": 0,
        "connection_ideas-INITIAL_FORMS": 0,
        "stage_changes-TOTAL_FORMS": 0,
        "stage_changes-INITIAL_FORMS": 0,
    }


@pytest.mark.django_db
def test_mark_lost_action_requires_a_reason_and_goes_through_the_move_rules(manager_client):
    open_card = factories.OpportunityFactory(stage=Stage.CULTIVATING)
    won_card = factories.OpportunityFactory(stage=Stage.WON)
    url = _url(Opportunity, "changelist")
    selected = {"action": "mark_lost", "_selected_action": [open_card.pk, won_card.pk]}

    response = manager_client.post(url, {**selected, "reason": ""}, follow=True)
    assert "reason is required" in response.content.decode()
    open_card.refresh_from_db()
    assert open_card.stage == Stage.CULTIVATING

    response = manager_client.post(url, {**selected, "reason": "Merged with a rival."}, follow=True)
    page = response.content.decode()
    open_card.refresh_from_db()
    won_card.refresh_from_db()
    assert (open_card.stage, open_card.lost_reason) == (Stage.LOST, "Merged with a rival.")
    assert won_card.stage == Stage.WON
    assert "stays in Won" in page
    assert "1 card(s) marked lost" in page


@pytest.mark.django_db
def test_reassign_action_hands_cards_to_the_new_owner(manager_client, owner, teammate):
    cards = factories.OpportunityFactory.create_batch(2, owner=owner)
    manager_client.post(
        _url(Opportunity, "changelist"),
        {
            "action": "reassign_owner",
            "_selected_action": [c.pk for c in cards],
            "owner": teammate.pk,
        },
    )
    assert set(Opportunity.objects.values_list("owner", flat=True)) == {teammate.pk}
    assert set(Opportunity.objects.values_list("version", flat=True)) == {2}


@pytest.mark.django_db
def test_stage_cannot_be_edited_directly_on_an_existing_card(manager_client):
    card = factories.OpportunityFactory(stage=Stage.RESEARCH)
    page = manager_client.get(_url(Opportunity, "change", card.pk)).content.decode()
    assert 'name="stage"' not in page
