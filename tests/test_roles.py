"""Roles that cannot be escalated: managers look after the firm's people, superusers hold
the powers (superuser, staff, groups, permissions, other people's passwords)."""

import html
import importlib
import re

import pytest
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.urls import reverse

from cultivation.models import Contact, ContactEvent
from opportunities.groups import MANAGERS, sync_groups
from opportunities.models import Opportunity
from tests import factories
from tests.factories import PASSWORD

User = get_user_model()
DEACTIVATE = "deactivate_and_hand_on"
RESET = "send_password_reset"


@pytest.fixture
def superuser(db):
    return factories.UserFactory(
        username="root", first_name="Ruth", last_name="Root", is_staff=True, is_superuser=True
    )


@pytest.fixture
def superuser_client(client, superuser):
    client.force_login(superuser)
    return client


def _change_url(person):
    return reverse("admin:auth_user_change", args=[person.pk])


def _password_url(person):
    return reverse("admin:auth_user_password_change", args=[person.pk])


def _names(person, **changes):
    return {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "_save": "Save",
        **changes,
    }


def _everything(person, **changes):
    """The whole change form, as a superuser sees it."""
    return {
        **_names(person),
        "username": person.username,
        "is_active": "on",
        "date_joined_0": person.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": person.date_joined.strftime("%H:%M:%S"),
        "groups": [group.pk for group in person.groups.all()],
        **changes,
    }


def _powers(person):
    person.refresh_from_db()
    return (
        person.is_superuser,
        person.is_staff,
        sorted(person.groups.values_list("name", flat=True)),
    )


def _action(client, action, people, **extra):
    return client.post(
        reverse("admin:auth_user_changelist"),
        {"action": action, "_selected_action": [person.pk for person in people], **extra},
        follow=True,
    )


def _text(response):
    return html.unescape(response.content.decode())


def _messages(response):
    return [str(message) for message in response.context["messages"]]


# Powers ----------------------------------------------------------------------


@pytest.mark.django_db
def test_manager_sees_powers_read_only_on_her_own_account(manager_client, manager):
    page = manager_client.get(_change_url(manager)).content.decode()
    assert 'name="first_name"' in page and 'name="email"' in page
    for power in ("is_superuser", "is_staff", "groups", "user_permissions", "is_active"):
        assert f'name="{power}"' not in page
    assert _password_url(manager) not in page


@pytest.mark.django_db
def test_manager_cannot_make_herself_superuser_even_by_posting_the_field(manager_client, manager):
    before = _powers(manager)
    for _ in range(2):
        response = manager_client.post(
            _change_url(manager), _names(manager, first_name="Queen", is_superuser="on")
        )
        assert response.status_code == 403
        assert "Only a superuser can change who is staff or superuser" in _text(response)
    assert _powers(manager) == before
    manager.refresh_from_db()
    assert manager.first_name == "Maria"
    assert not LogEntry.objects.exists()


@pytest.mark.django_db
def test_manager_cannot_put_a_colleague_in_a_group(manager_client, owner):
    managers = Group.objects.get(name=MANAGERS)
    before = _powers(owner)
    response = manager_client.post(_change_url(owner), _names(owner, groups=[managers.pk]))
    assert response.status_code == 403
    assert "groups or permissions" in _text(response)
    response = manager_client.post(_change_url(owner), _names(owner, is_staff="on"))
    assert response.status_code == 403
    assert _powers(owner) == before


@pytest.mark.django_db
def test_manager_edits_a_colleagues_name(manager_client, owner):
    for _ in range(2):
        response = manager_client.post(_change_url(owner), _names(owner, last_name="Married"))
        assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.last_name == "Married"
    assert _powers(owner) == (False, False, ["Staff"])
    first, second = LogEntry.objects.filter(object_id=str(owner.pk)).order_by("pk")
    assert "Last name" in first.get_change_message()
    assert second.get_change_message() == "No fields changed."


@pytest.mark.django_db
@pytest.mark.parametrize("is_staff", [True, False], ids=["staff status", "board only"])
def test_manager_cannot_change_anothers_email_where_a_reset_would_go(manager_client, is_staff):
    """Changing the address and then sending a reset email would hand her the account."""
    for colleague in (
        factories.ManagerFactory(username="mark", email="mark@firm.example", is_staff=is_staff),
        factories.UserFactory(username="sam", email="sam@firm.example"),
    ):
        response = manager_client.post(
            _change_url(colleague), _names(colleague, email="me@evil.example")
        )
        assert response.status_code == 302
        colleague.refresh_from_db()
        assert colleague.email.endswith("@firm.example")


@pytest.mark.django_db
def test_manager_cannot_open_or_post_anothers_password_form(manager_client, owner):
    hashed = owner.password
    response = manager_client.get(_password_url(owner))
    assert response.status_code == 403
    assert "Only a superuser can set another person's password" in _text(response)
    response = manager_client.post(
        _password_url(owner), {"password1": "Taken-over-42", "password2": "Taken-over-42"}
    )
    assert response.status_code == 403
    owner.refresh_from_db()
    assert owner.password == hashed
    assert owner.check_password(PASSWORD)


@pytest.mark.django_db
def test_manager_changes_her_own_password_through_the_normal_form(manager_client, manager):
    response = manager_client.get(_password_url(manager))
    assert response.status_code == 302 and response.url == reverse("admin:password_change")
    response = manager_client.post(
        reverse("admin:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "A-fresh-one-2026",
            "new_password2": "A-fresh-one-2026",
        },
    )
    assert response.status_code == 302
    manager.refresh_from_db()
    assert manager.check_password("A-fresh-one-2026")


@pytest.mark.django_db
def test_manager_cannot_edit_a_superusers_account(manager_client, superuser):
    page = manager_client.get(_change_url(superuser))
    assert page.status_code == 200  # seen, read-only
    assert 'name="first_name"' not in page.content.decode()
    response = manager_client.post(_change_url(superuser), _names(superuser, first_name="Rex"))
    assert response.status_code == 403
    assert "it is a superuser's" in _text(response)
    superuser.refresh_from_db()
    assert superuser.first_name == "Ruth"


@pytest.mark.django_db
def test_manager_cannot_add_an_account(manager_client):
    count = User.objects.count()
    for method in (manager_client.get, manager_client.post):
        response = method(
            reverse("admin:auth_user_add"),
            {"username": "sneaky", "password1": "x-Very-long-9", "password2": "x-Very-long-9"},
        )
        assert response.status_code == 403
        assert "Only a superuser can add accounts" in _text(response)
    assert User.objects.count() == count


@pytest.mark.django_db
def test_manager_cannot_see_or_edit_groups(manager_client):
    managers = Group.objects.get(name=MANAGERS)
    before = set(managers.permissions.values_list("pk", flat=True))
    assert manager_client.get(reverse("admin:auth_group_changelist")).status_code == 403
    assert manager_client.get(reverse("admin:auth_group_add")).status_code == 403
    response = manager_client.post(
        reverse("admin:auth_group_change", args=[managers.pk]),
        {"name": MANAGERS, "permissions": list(Permission.objects.values_list("pk", flat=True))},
    )
    assert response.status_code == 403
    assert set(managers.permissions.values_list("pk", flat=True)) == before
    assert "Groups" not in manager_client.get(reverse("admin:index")).content.decode()


@pytest.mark.django_db
def test_managers_group_holds_no_power_over_accounts(manager):
    for _ in range(2):
        sync_groups()
    held = set(
        Permission.objects.filter(group__name=MANAGERS, content_type__app_label="auth").values_list(
            "codename", flat=True
        )
    )
    assert held == {"view_user", "change_user"}
    assert manager.has_perm("axes.delete_accessattempt")
    assert manager.has_perm("axes.view_accessattempt")
    assert not manager.has_perm("axes.add_accessattempt")
    assert manager.has_perm("axes.view_accesslog")
    assert not manager.has_perm("axes.delete_accesslog")
    assert manager.has_perm("opportunities.change_opportunity")


@pytest.mark.django_db
def test_upgrade_migration_takes_the_powers_from_an_existing_managers_group():
    managers = Group.objects.get(name=MANAGERS)
    escalating = Permission.objects.filter(content_type__app_label="auth").exclude(
        codename__in=("view_user", "change_user")
    )
    managers.permissions.add(*escalating)  # as the groups migration of old left it
    migration = importlib.import_module(
        "opportunities.migrations.0004_managers_lose_account_powers"
    )
    for _ in range(2):
        migration.remove_account_powers(apps, None)
    codenames = set(
        managers.permissions.filter(content_type__app_label="auth").values_list(
            "codename", flat=True
        )
    )
    assert codenames == {"view_user", "change_user"}
    assert managers.permissions.filter(content_type__app_label="opportunities").exists()


# A superuser still can -------------------------------------------------------


@pytest.mark.django_db
def test_superuser_grants_powers_and_edits_any_field(superuser_client, owner):
    managers = Group.objects.get(name=MANAGERS)
    response = superuser_client.post(
        _change_url(owner),
        _everything(owner, is_staff="on", is_superuser="on", groups=[managers.pk]),
    )
    assert response.status_code == 302, _text(response)[:2000]
    assert _powers(owner) == (True, True, [MANAGERS])


@pytest.mark.django_db
def test_superuser_sets_anothers_password(superuser_client, owner):
    assert superuser_client.get(_password_url(owner)).status_code == 200
    response = superuser_client.post(
        _password_url(owner),
        {
            "password1": "Set-by-root-2026",
            "password2": "Set-by-root-2026",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password("Set-by-root-2026")


@pytest.mark.django_db
def test_superuser_adds_an_account_and_edits_groups(superuser_client):
    response = superuser_client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "newbie",
            "password1": "A-long-pass-2026",
            "password2": "A-long-pass-2026",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    assert User.objects.filter(username="newbie").exists()
    staff = Group.objects.get(name="Staff")
    response = superuser_client.post(
        reverse("admin:auth_group_change", args=[staff.pk]), {"name": "Staff", "permissions": []}
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_superuser_edits_another_superuser(superuser_client):
    other = factories.UserFactory(username="root2", is_staff=True, is_superuser=True)
    response = superuser_client.post(
        _change_url(other), _everything(other, first_name="Rita", is_staff="on", is_superuser="on")
    )
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.first_name == "Rita" and other.is_superuser


# Leavers ---------------------------------------------------------------------


def _leaver_with_work():
    leaver = factories.UserFactory(username="leo", first_name="Leo", last_name="Leaver")
    cards = factories.OpportunityFactory.create_batch(2, owner=leaver)
    people = factories.ContactFactory.create_batch(2, owner=leaver)
    return leaver, cards, people


@pytest.mark.django_db
def test_manager_deactivates_a_leaver_and_hands_everything_on(manager_client, teammate, client):
    leaver, cards, people = _leaver_with_work()
    response = _action(manager_client, DEACTIVATE, [leaver], successor=teammate.pk)
    assert response.status_code == 200
    assert "Leo Leaver can no longer sign in; 2 card(s) and 2 person(s) handed to" in " ".join(
        _messages(response)
    )
    leaver.refresh_from_db()
    assert not leaver.is_active
    assert set(Opportunity.objects.filter(owner=teammate)) == set(cards)
    assert set(Contact.objects.filter(owner=teammate)) == set(people)
    assert ContactEvent.objects.filter(action=ContactEvent.Action.REASSIGNED).count() == 2
    assert LogEntry.objects.filter(object_id=str(leaver.pk)).count() == 1
    signed_in = client.post(reverse("login"), {"username": "leo", "password": PASSWORD})
    assert signed_in.status_code == 200  # the form again: an inactive account cannot sign in


@pytest.mark.django_db
def test_deactivating_twice_changes_nothing_the_second_time(manager_client, teammate):
    leaver, _, _ = _leaver_with_work()
    _action(manager_client, DEACTIVATE, [leaver], successor=teammate.pk)
    response = _action(manager_client, DEACTIVATE, [leaver], successor=teammate.pk)
    assert "Leo Leaver is already inactive." in " ".join(_messages(response))
    assert ContactEvent.objects.filter(action=ContactEvent.Action.REASSIGNED).count() == 2
    assert LogEntry.objects.filter(object_id=str(leaver.pk)).count() == 1


@pytest.mark.django_db
def test_a_leavers_open_session_ends(manager_client, teammate, django_user_model):
    from django.test import Client

    leaver, _, _ = _leaver_with_work()
    leaver_client = Client()
    leaver_client.force_login(leaver)
    assert leaver_client.get("/").status_code == 200
    _action(manager_client, DEACTIVATE, [leaver], successor=teammate.pk)
    assert leaver_client.get("/").status_code == 302


@pytest.mark.django_db
def test_people_the_successor_has_no_room_for_stay_and_the_rest_move(
    manager_client, teammate, settings
):
    settings.CONVIVIO = {**settings.CONVIVIO, "CAPACITY_MAX": 1}
    factories.TouchPlanFactory(contact=factories.ContactFactory(owner=teammate))
    leaver, cards, (cultivated, uncultivated) = _leaver_with_work()
    factories.TouchPlanFactory(contact=cultivated)
    response = _action(manager_client, DEACTIVATE, [leaver], successor=teammate.pk)
    said = " ".join(_messages(response))
    assert f"“{cultivated.name}” stays with Leo Leaver: {cultivated.name} cannot move" in said
    assert "2 card(s) and 1 person(s) handed to" in said
    cultivated.refresh_from_db()
    uncultivated.refresh_from_db()
    assert cultivated.owner == leaver and uncultivated.owner == teammate
    assert not ContactEvent.objects.filter(contact=cultivated).exists()
    assert set(Opportunity.objects.filter(owner=teammate)) == set(cards)
    leaver.refresh_from_db()
    assert not leaver.is_active


@pytest.mark.django_db
def test_deactivation_is_refused_without_a_successor_or_for_oneself_or_a_superuser(
    manager_client, manager, superuser, teammate
):
    leaver, cards, _ = _leaver_with_work()
    response = _action(manager_client, DEACTIVATE, [leaver])
    assert "Choose who takes over their cards and people first." in _messages(response)
    response = _action(manager_client, DEACTIVATE, [leaver], successor=leaver.pk)
    assert "Choose an active colleague, other than Leo Leaver" in " ".join(_messages(response))
    response = _action(manager_client, DEACTIVATE, [manager, superuser], successor=teammate.pk)
    said = " ".join(_messages(response))
    assert "You cannot deactivate your own account" in said
    assert "Only a superuser can change Ruth Root's account" in said
    for person in (leaver, manager, superuser):
        person.refresh_from_db()
        assert person.is_active
    assert all(
        card.owner == leaver for card in Opportunity.objects.filter(pk__in=[c.pk for c in cards])
    )
    assert not LogEntry.objects.exists()


# Password-reset email --------------------------------------------------------


def _link(message):
    return re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", message.body).group(1)


@pytest.mark.django_db
def test_manager_sends_a_reset_email_and_the_person_chooses_a_password(
    manager_client, owner, client, settings
):
    settings.SITE_URL = "https://crm.firm.example"
    response = _action(manager_client, RESET, [owner])
    assert "Alice Owner has been sent a link to choose a password." in _messages(response)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [owner.email]
    assert "https://crm.firm.example/accounts/reset/" in message.body
    assert owner.check_password(PASSWORD)  # nothing changes until they choose

    form_page = client.get(_link(message), follow=True)
    assert form_page.status_code == 200
    assert "Choose your new Convivio password" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Mine-alone-2026", "new_password2": "Mine-alone-2026"},
        follow=True,
    )
    assert "Your new password is set" in done.content.decode()
    owner.refresh_from_db()
    assert owner.check_password("Mine-alone-2026")
    again = client.get(_link(message), follow=True)
    assert "This link does not work any more" in again.content.decode()


@pytest.mark.django_db
def test_reset_email_is_refused_for_an_inactive_person_or_one_without_email(manager_client):
    gone = factories.UserFactory(
        username="gone", first_name="Gina", last_name="Gone", is_active=False
    )
    blank = factories.UserFactory(username="blank", first_name="Bea", last_name="Blank", email="")
    response = _action(manager_client, RESET, [gone, blank])
    said = " ".join(_messages(response))
    assert "Gina Gone is inactive, so no reset email was sent." in said
    assert "Bea Blank has no email address" in said
    assert mail.outbox == []
    assert not LogEntry.objects.exists()


@pytest.mark.django_db
def test_reset_pages_carry_no_inline_script_or_style(client):
    page = client.get("/accounts/reset/MQ/not-a-token/").content.decode()
    assert "This link does not work any more" in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert "style=" not in page
    assert not re.search(r"\son[a-z]+=", page)
