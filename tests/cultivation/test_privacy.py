"""Right of access and right to erasure (GDPR articles 15 and 17): services and admin actions."""

import hashlib
import io
import json
import logging
import zipfile
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone

from convivio.errors import PermissionRefused, RuleViolation
from cultivation import jobs, selectors
from cultivation.models import (
    Contact,
    ContactEvent,
    ErasedIdentity,
    FollowUp,
    Promise,
    Touch,
)
from cultivation.services import (
    contact_erase,
    contact_export,
    contact_update,
    follow_up_start,
    gathering_log,
    introduction_log,
    is_erased_email,
    plan_item_add,
    promise_keep,
    promise_make,
    touch_log,
    touch_plan_start,
)
from opportunities.models import ConnectionIdea, OpportunityContact
from opportunities.services import connection_idea_add, opportunity_add_contact
from tests import factories

pytestmark = pytest.mark.django_db

NAME = "Priya Shah"
EMAIL = "priya.shah@example.org"
PHONE = "+44 7700 900123"
# Free text about her that must go with her.
HOW_WE_KNOW = "Sat beside her at the Harbour dinner"
TICK = "Sailing the Solent on Sundays"
TOUCH_NOTE = "Sent the sailing-law report she asked for"
# Everything an erasure must leave nowhere.
TRACES = (NAME, EMAIL, PHONE, HOW_WE_KNOW, TICK, TOUCH_NOTE)


@pytest.fixture
def later():
    """A moment when her promise, follow-up and planned touches are all due."""
    return timezone.now() + timedelta(days=120)


@pytest.fixture
def priya(owner, teammate):
    """A person with every kind of row about her, built through the services."""
    person = factories.ContactFactory(
        owner=owner,
        name=NAME,
        email=EMAIL,
        phone=PHONE,
        has_opted_in=True,
        how_we_know_them=HOW_WE_KNOW,
        what_makes_them_tick=TICK,
    )
    friend = factories.ContactFactory(owner=owner, name="Tom Reed")
    introduction_log(contact=person, expert=friend, by=owner, note=f"Introduced {NAME} to Tom")
    touch_log(contact=person, method="email", by=owner, note=f"{TOUCH_NOTE} ({EMAIL})")
    gathering_log(contacts=[person, friend], by=owner, note=f"Lunch with {NAME} and Tom")
    follow_up_start(contact=person, priority="hot", by=owner)
    plan = touch_plan_start(contact=person, by=owner)
    plan_item_add(plan=plan, method="note", interval_days=30, by=owner)
    card = factories.OpportunityFactory(owner=owner, title=f"Harbour Co via {NAME}")
    opportunity_add_contact(opportunity=card, contact=person, by=owner, role=f"CFO, call {PHONE}")
    other_card = factories.OpportunityFactory(owner=owner, title="Solent Marine")
    connection_idea_add(
        opportunity=other_card, by=owner, kind="introduction", description=f"Ask {NAME}", via=person
    )
    today = timezone.localdate()
    promise_make(
        contact=person, owner=owner, what=f"Send {NAME} the briefing", due_on=today, by=owner
    )
    kept = promise_make(
        contact=person, owner=teammate, what="Book the table", due_on=today, by=owner
    )
    promise_keep(promise=kept, by=teammate)
    contact_update(contact=friend, by=owner, how_we_know_them=f"{NAME}'s sailing partner")
    LogEntry.objects.create(
        user=owner,
        content_type=ContentType.objects.get_for_model(Contact),
        object_id=str(person.pk),
        object_repr=NAME,
        action_flag=CHANGE,
        change_message="[]",
    )
    person.refresh_from_db()
    return person


@pytest.fixture
def stranger(teammate):
    person = factories.ContactFactory(owner=teammate, name="Olga Unrelated", email="olga@x.example")
    touch_log(contact=person, method="email", by=teammate, note="Olga's private note")
    promise_make(
        contact=person,
        owner=teammate,
        what="Olga's promise",
        due_on=timezone.localdate(),
        by=teammate,
    )
    return person


def _all_rows():
    """Every row of every model of both apps, and the admin's log, as plain values."""
    models = [*apps.get_app_config("cultivation").get_models()]
    models += [*apps.get_app_config("opportunities").get_models(), LogEntry]
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values()) for model in models
    }


def _traces_left(traces=TRACES):
    found = set()
    for label, rows in _all_rows().items():
        for row in rows:
            text = json.dumps(row, default=str, ensure_ascii=False).lower()
            found.update((label, trace) for trace in traces if trace.lower() in text)
    return found


def _erase(person, manager, reason=f"{NAME} asked by email to be forgotten."):
    return contact_erase(contact=person, by=manager, reason=reason)


# Right of access ---------------------------------------------------------------


def test_export_holds_every_kind_of_row_about_the_person(priya, manager):
    export = contact_export(contact=priya, by=manager)

    assert json.loads(json.dumps(export)) == export
    assert export["contact"]["name"] == NAME
    assert export["contact"]["email"] == EMAIL
    assert export["contact"]["what_makes_them_tick"] == TICK
    assert export["organisation"]["name"] == priya.organisation.name
    assert export["owner"]["username"] == "alice"
    assert [known["name"] for known in export["knows"]] == ["Tom Reed"]
    assert {touch["method"] for touch in export["touches"]} == {"introduction", "email", "lunch"}
    assert any(TOUCH_NOTE in touch["note"] for touch in export["touches"])
    assert len(export["promises"]) == 2
    assert export["follow_ups"][0]["priority"] == "hot"
    assert {item["method"] for item in export["touch_plan"]["items"]} == {"call", "note"}
    assert {event["action"] for event in export["events"]} >= {
        "follow_up_started",
        "plan_started",
        "promise_made",
        "promise_kept",
    }
    assert export["cards"]["card_links"][0]["role"] == f"CFO, call {PHONE}"
    assert export["cards"]["connection_ideas_via_them"][0]["description"] == f"Ask {NAME}"
    assert export["erasure"] is None


def test_export_of_one_person_holds_nothing_of_another(priya, stranger, manager):
    text = json.dumps(contact_export(contact=priya, by=manager))

    for trace in ("Olga", "olga@x.example", "Olga's private note", "Olga's promise"):
        assert trace not in text


def test_only_a_manager_may_export(priya, owner):
    with pytest.raises(PermissionRefused, match="Only a manager"):
        contact_export(contact=priya, by=owner)


# Right to erasure ------------------------------------------------------------------


def test_erase_leaves_no_trace_of_the_person_in_any_row(priya, manager):
    assert {label for label, _ in _traces_left()} >= {
        "cultivation.Contact",
        "cultivation.Touch",
        "cultivation.Gathering",
        "cultivation.Promise",
        "cultivation.ContactEvent",
        "opportunities.Opportunity",
        "opportunities.OpportunityContact",
        "opportunities.ConnectionIdea",
        "opportunities.CardChange",
        "admin.LogEntry",
    }

    _erase(priya, manager)

    assert _traces_left() == set()


def test_erase_finds_a_non_ascii_name_in_other_peoples_history(owner, manager):
    zoe = factories.ContactFactory(owner=owner, name="Zoë Brontë", email="zoe@example.org")
    friend = factories.ContactFactory(owner=owner, name="Tom Reed")
    contact_update(contact=friend, by=owner, how_we_know_them="Zoë Brontë's neighbour")
    assert _traces_left(["Zoë Brontë"])

    contact_erase(contact=zoe, by=manager, reason="Asked")

    assert _traces_left(["Zoë Brontë"]) == set()
    friend.refresh_from_db()
    assert friend.how_we_know_them == "[erased]'s neighbour"


def test_erase_blanks_every_personal_field(priya, manager):
    erased = _erase(priya, manager)

    assert erased.name == f"Erased person #{priya.pk}"
    assert (erased.email, erased.phone, erased.role) == ("", "", "")
    assert (erased.how_we_know_them, erased.what_makes_them_tick) == ("", "")
    assert erased.organisation is None
    assert erased.has_opted_in is False
    assert erased.is_erased and erased.has_asked_to_stop
    assert set(Touch.objects.filter(contact=priya).values_list("note", flat=True)) == {""}
    assert set(ContactEvent.objects.filter(contact=priya).values_list("note", flat=True)) == {""}
    assert set(Promise.objects.filter(contact=priya).values_list("what", flat=True)) == {"(erased)"}
    assert OpportunityContact.objects.get(contact=priya).role == ""


def test_erase_keeps_the_counts_reports_use(priya, manager):
    counted = {
        "touches": lambda: Touch.objects.filter(contact=priya).count(),
        "card links": lambda: OpportunityContact.objects.filter(contact=priya).count(),
        "ideas": lambda: ConnectionIdea.objects.filter(via=priya).count(),
        "promises": lambda: Promise.objects.filter(contact=priya).count(),
        "events": lambda: ContactEvent.objects.filter(contact=priya).count(),
    }
    before = {name: count() for name, count in counted.items()}

    _erase(priya, manager)

    assert {name: count() for name, count in counted.items()} == before
    assert before["touches"] == 4 and before["card links"] == 1


def test_erase_removes_knows_links_ends_the_plan_and_closes_the_rest(priya, manager):
    friend = priya.knows.get()

    _erase(priya, manager)

    assert not priya.knows.exists()
    assert not friend.knows.exists()
    assert priya.touch_plan.ended_at is not None
    assert not FollowUp.objects.filter(contact=priya, status__in=FollowUp.LIVE).exists()
    assert not Promise.objects.filter(contact=priya, kept_at=None, released_at=None).exists()


def test_erased_person_leaves_my_week_and_the_weekly_email(priya, owner, manager, later):
    # Something else due that week, so the weekly email still goes out.
    dev = factories.ContactFactory(owner=owner, name="Dev Patel")
    factories.PromiseFactory(contact=dev, owner=owner, due_on=timezone.localdate(later))
    assert any(item.contact.pk == priya.pk for item in _due_items(owner, later))
    assert NAME in _weekly_email(owner, later).body

    _erase(priya, manager)
    jobs.due_scan(now=later)
    jobs.due_scan(now=later + timedelta(days=200))

    assert not any(item.contact.pk == priya.pk for item in _due_items(owner, later))
    email = _weekly_email(owner, later).body
    assert "Dev Patel" in email
    assert NAME not in email and f"#{priya.pk}" not in email


def _due_items(user, now):
    week = selectors.my_week(user, now=now)
    return [*week.follow_ups, *week.touches, *week.promises, *week.decisions]


def _weekly_email(user, now):
    [(_, message)] = jobs.weekly_digest_preview(now=now, usernames=[user.username])
    return message


def test_nobody_contacts_an_erased_person_again(priya, owner, manager):
    _erase(priya, manager)

    with pytest.raises(RuleViolation):
        touch_log(contact=priya, method="email", by=owner)
    with pytest.raises(RuleViolation):
        promise_make(contact=priya, owner=owner, what="Call", due_on=timezone.localdate(), by=owner)
    with pytest.raises(RuleViolation):
        touch_plan_start(contact=priya, by=owner)
    assert follow_up_start(contact=priya, priority="hot", by=owner) is None


def test_erase_is_recorded_without_personal_data(
    priya, manager, caplog, django_capture_on_commit_callbacks
):
    logs = caplog.at_level(logging.INFO, logger="cultivation.services.privacy")
    with logs, django_capture_on_commit_callbacks(execute=True):
        _erase(priya, manager)

    record = ErasedIdentity.objects.get()
    assert (record.contact, record.by) == (priya, manager)
    assert record.reason == "[erased] asked by email to be forgotten."
    assert record.email_hash and EMAIL not in record.email_hash
    assert f"Contact #{priya.pk} erased by user #{manager.pk}" in caplog.text
    assert not any(trace in caplog.text for trace in TRACES)


def test_erase_twice_is_refused_with_a_sentence_and_changes_nothing(priya, manager):
    _erase(priya, manager)
    before = _all_rows()

    with pytest.raises(RuleViolation, match=r"already erased on .*: nothing changed"):
        _erase(priya, manager, reason="Again")

    assert _all_rows() == before


def test_erase_without_a_reason_is_refused_and_changes_nothing(priya, manager):
    before = _all_rows()

    with pytest.raises(RuleViolation, match="a reason is required"):
        _erase(priya, manager, reason="   ")

    assert _all_rows() == before


def test_only_a_manager_may_erase_and_nothing_changes(priya, owner):
    before = _all_rows()

    with pytest.raises(PermissionRefused, match="Only a manager"):
        _erase(priya, owner)

    assert _all_rows() == before


def test_erase_of_a_namesake_leaves_the_other_persons_name_alone(priya, manager, teammate):
    namesake = factories.ContactFactory(owner=teammate, name=NAME, email="other.priya@x.example")

    _erase(priya, manager)

    namesake.refresh_from_db()
    assert (namesake.name, namesake.email) == (NAME, "other.priya@x.example")


def test_erased_email_is_recognised_whatever_its_case_and_spacing(priya, manager):
    assert not is_erased_email(EMAIL)

    _erase(priya, manager)

    assert is_erased_email(f"  {EMAIL.upper()} ")
    assert is_erased_email("Priya.Shah@Example.ORG")
    assert not is_erased_email("someone.else@example.org")
    assert not is_erased_email("")


def test_erased_email_is_kept_as_a_keyed_hash_that_survives_a_new_secret_key(
    priya, manager, settings
):
    _erase(priya, manager)

    settings.SECRET_KEY = "a-new-secret-key-for-this-test-only-0123456789"

    assert is_erased_email(EMAIL)
    assert ErasedIdentity.objects.get().email_hash != hashlib.sha256(EMAIL.encode()).hexdigest()
    settings.ERASED_EMAIL_HASH_KEY = "another-key"
    assert not is_erased_email(EMAIL)


def test_a_contact_with_an_erased_email_is_refused(priya, manager):
    _erase(priya, manager)
    comeback = Contact(name="Priya S.", email=" PRIYA.SHAH@example.org")

    with pytest.raises(ValidationError, match="erased at their request"):
        comeback.full_clean()


# The admin -------------------------------------------------------------------------

CHANGELIST = "/admin/cultivation/contact/"


def _act(client, action, people, **extra):
    data = {"action": action, "_selected_action": [person.pk for person in people], **extra}
    return client.post(CHANGELIST, data)


def test_manager_downloads_one_persons_export_as_json(priya, manager_client):
    response = _act(manager_client, "export_everything", [priya])

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == f'attachment; filename="contact-{priya.pk}.json"'
    assert "no-store" in response["Cache-Control"]
    assert json.loads(response.content)["contact"]["email"] == EMAIL


def test_manager_downloads_several_exports_as_a_zip(priya, stranger, manager_client):
    response = _act(manager_client, "export_everything", [priya, stranger])

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        names = sorted(archive.namelist())
        assert names == sorted([f"contact-{priya.pk}.json", f"contact-{stranger.pk}.json"])
        olga = json.loads(archive.read(f"contact-{stranger.pk}.json"))
    assert olga["contact"]["name"] == "Olga Unrelated"
    assert NAME not in json.dumps(olga)


def test_erase_action_asks_for_confirmation_and_a_reason_first(priya, manager_client):
    page = _act(manager_client, "erase_people", [priya])
    refused = _act(manager_client, "erase_people", [priya], post="yes", reason="")

    assert page.status_code == 200
    assert "cannot be undone" in page.content.decode()
    assert 'name="reason"' in page.content.decode()
    assert refused.status_code == 200
    assert "This field is required." in refused.content.decode()
    priya.refresh_from_db()
    assert priya.name == NAME and not ErasedIdentity.objects.exists()


def test_erase_action_erases_each_person_and_reports_it(priya, stranger, manager_client):
    response = _act(
        manager_client,
        "erase_people",
        [priya, stranger],
        post="yes",
        reason="Asked to be forgotten",
    )

    assert response.status_code == 302
    page = manager_client.get(response.url).content.decode()
    assert f"Contact #{priya.pk} erased" in page
    assert f"Contact #{stranger.pk} erased" in page
    assert Contact.objects.erased().count() == 2


def test_erase_action_run_twice_reports_the_refusal(priya, manager_client):
    _act(manager_client, "erase_people", [priya], post="yes", reason="Asked")
    before = _all_rows()

    response = _act(manager_client, "erase_people", [priya], post="yes", reason="Asked")

    page = manager_client.get(response.url).content.decode()
    assert f"Contact #{priya.pk} was already erased" in page
    assert _all_rows() == before


def test_confirmation_page_has_no_inline_script_or_style(priya, manager_client):
    page = _act(manager_client, "erase_people", [priya]).content.decode()

    content = page[page.index('id="content"') :]
    assert "<script" not in content and "style=" not in content and " onclick" not in content


def test_admin_refuses_to_add_a_person_with_an_erased_email(priya, manager, manager_client):
    _erase(priya, manager)
    form = {
        "name": "Priya Again",
        "email": "Priya.Shah@example.org ",
        "touches-TOTAL_FORMS": "0",
        "touches-INITIAL_FORMS": "0",
    }

    response = manager_client.post(f"{CHANGELIST}add/", form)

    assert response.status_code == 200
    assert "erased at their request" in response.content.decode()
    assert not Contact.objects.filter(name="Priya Again").exists()


@pytest.fixture
def admin_clerk(db):
    """Staff with the admin and every contact permission, but not a manager."""
    clerk = factories.UserFactory(username="clerk", is_staff=True)
    clerk.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="cultivation", codename__endswith="contact"
        )
    )
    return clerk


def test_staff_who_are_not_managers_neither_see_nor_use_the_actions(priya, admin_clerk, client):
    client.force_login(admin_clerk)

    page = client.get(CHANGELIST)
    export = _act(client, "export_everything", [priya])
    erase = _act(client, "erase_people", [priya], post="yes", reason="Asked")

    assert page.status_code == 200
    assert "export_everything" not in page.content.decode()
    assert "erase_people" not in page.content.decode()
    assert "Content-Disposition" not in export
    assert erase.status_code == 302
    priya.refresh_from_db()
    assert priya.name == NAME and not ErasedIdentity.objects.exists()


def test_manager_sees_both_actions(manager_client, priya):
    page = manager_client.get(CHANGELIST).content.decode()

    assert "Export everything held (JSON)" in page
    assert "Erase (right to erasure)" in page


def test_people_are_erased_never_deleted_in_the_admin(manager_client, priya):
    page = manager_client.get(CHANGELIST).content.decode()
    response = manager_client.post(
        f"/admin/cultivation/contact/{priya.pk}/delete/", {"post": "yes"}
    )

    assert "Delete selected" not in page
    assert response.status_code == 403
    assert Contact.objects.filter(pk=priya.pk).exists()


def test_board_staff_cannot_reach_the_actions(priya, owner_client):
    response = _act(owner_client, "erase_people", [priya], post="yes", reason="Asked")

    assert response.status_code == 302
    assert "/admin/login/" in response.url
    priya.refresh_from_db()
    assert priya.name == NAME


def test_erased_person_is_read_only_in_the_admin_and_left_off_the_contact_list(
    priya, manager, manager_client, owner_client
):
    _erase(priya, manager)

    change = manager_client.get(f"{CHANGELIST}{priya.pk}/change/").content.decode()
    listing = owner_client.get("/contacts/").content.decode()

    assert 'name="name"' not in change
    assert f"Erased person #{priya.pk}" not in listing
