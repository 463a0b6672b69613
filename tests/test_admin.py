"""The managers' admin: every page loads for a manager; staff and anonymous are refused."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from cultivation.models import Contact
from opportunities.models import Opportunity, Stage, StageChange
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
    "cultivation.JobRun",
    "cultivation.Touch",
    "cultivation.TouchPlan",
    "opportunities.CardChange",
    "opportunities.StageChange",
}


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _one_of_each():
    card = factories.OpportunityFactory(stage=Stage.CONNECTING)
    factories.OpportunityContactFactory(opportunity=card)
    return card


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_changelist_and_change_pages_load_for_a_manager(model, manager_client):
    _one_of_each()
    assert manager_client.get(_url(model, "changelist")).status_code == 200
    obj = model._default_manager.first()
    if obj is not None:
        assert manager_client.get(_url(model, "change", obj.pk)).status_code == 200
    add_page = manager_client.get(_url(model, "add"))
    assert add_page.status_code == (403 if model._meta.label in ADD_REFUSED else 200)


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_every_changelist_answers_a_search(model, manager_client):
    _one_of_each()
    response = manager_client.get(_url(model, "changelist"), {"q": "a"})
    assert response.status_code == 200


@pytest.mark.django_db
def test_the_card_list_search_finds_the_card_named_and_hides_the_others(manager_client):
    factories.OpportunityFactory(title="Quayside Partners")
    factories.OpportunityFactory(title="Harbour Trust")

    response = manager_client.get(_url(Opportunity, "changelist"), {"q": "quayside"})

    assert [card.title for card in response.context["cl"].result_list] == ["Quayside Partners"]


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
