"""Who may change what: every write URL of both apps, as every role (docs/security.md).

One table (`WRITES`) names each write URL, how to call it, and the roles
allowed. Allowed: the change happens. Refused: 403 with a sentence naming who
may, and not one row of either app changed. Anonymous: sent to sign in,
nothing changed. A URL added to either app must be put in the table (or in
`READ_ONLY`), or `test_every_url_of_both_apps_is_in_the_table` fails.
"""

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cultivation import urls as cultivation_urls
from cultivation.services import alliance_mark, referral_record, touch_plan_start
from cultivation.services.importing import import_confirm, import_run, import_upload
from opportunities import urls as opportunities_urls
from opportunities.models import ConnectionIdea
from tests import factories

pytestmark = pytest.mark.django_db

ROLES = ("owner", "colleague", "other", "manager")
EVERYONE = frozenset(ROLES)
CARD = frozenset({"owner", "colleague", "manager"})  # the card's owner, its colleagues, managers
PERSON = frozenset({"owner", "manager"})  # the person's owner (or the promise's), managers

READ_ONLY = {
    "opportunities:board",
    "opportunities:board-column",
    "cultivation:contact-list",
    "cultivation:contact-export-csv",
    "cultivation:contact-export-vcf",
    "cultivation:contact-detail",
    "cultivation:my-week",
    "cultivation:health",
    "cultivation:touch-rules",
    "cultivation:organisation-list",
    "cultivation:organisation-detail",
    "cultivation:contact-duplicates",
    "cultivation:referral-ledger",
    "cultivation:alliance-list",
    "cultivation:pick-contacts",
    "cultivation:pick-organisations",
    "cultivation:calendar-feed",  # GET only, at its secret address (test_calendar_feed.py)
    "cultivation:import-detail",
    "cultivation:import-progress",
    "cultivation:import-errors",
    "opportunities:reports",
    "opportunities:report",
    "opportunities:report-csv",
}


@dataclass
class World:
    """Alice owns the card “Harbour” (Carol is a colleague on it) and the people on it."""

    users: dict
    card: object
    priya: object  # Alice's, cultivated: a live plan, an open follow-up, an open promise
    omar: object  # Alice's, not cultivated, not on the card
    extra: dict = field(default_factory=dict)


def _today(days=0):
    return (timezone.localdate() + timedelta(days=days)).isoformat()


@dataclass(frozen=True)
class Write:
    """One write URL: its name, the path and fields for `world` as `user`, who may, and
    what an allowed write answers (302: back to the page it came from)."""

    name: str
    call: object
    allowed: frozenset
    label: str = ""
    done: int = 302

    @property
    def id(self):
        return self.label or self.name.split(":")[1]


WRITES = [
    Write(
        "opportunities:card-move",
        lambda w, u: (
            reverse("opportunities:card-move", args=[w.card.pk]),
            {"to_stage": "connecting", "version": w.card.version},
        ),
        CARD,
    ),
    Write(
        "opportunities:card-detail",
        lambda w, u: (
            w.card.get_absolute_url(),
            {
                "title": "Harbour Partners",
                "organisation": "",
                "owner": w.users["owner"].pk,
                "colleagues": [w.users["colleague"].pk],
                "priority": "hot",
                "estimated_value": "",
                "pain": "",
                "gain": "",
                "version": w.card.version,
            },
        ),
        CARD,
    ),
    Write(
        "opportunities:card-contact-add",
        lambda w, u: (
            reverse("opportunities:card-contact-add", args=[w.card.pk]),
            {"contact": w.omar.pk, "role": "Finance director"},
        ),
        CARD,
    ),
    Write(
        "opportunities:card-idea-add",
        lambda w, u: (
            reverse("opportunities:card-idea-add", args=[w.card.pk]),
            {"kind": "coffee", "description": "Coffee about their expansion", "via": ""},
        ),
        CARD,
    ),
    # Who knows whom and adding people to a card (issue 14).
    Write(
        "opportunities:card-person-new",
        lambda w, u: (
            reverse("opportunities:card-person-new", args=[w.card.pk]),
            {"new-name": "Sam Harbour", "new-email": "sam@harbour.example"},
        ),
        CARD,
    ),
    Write(
        "opportunities:card-introduction-ask",
        lambda w, u: (
            reverse("opportunities:card-introduction-ask", args=[w.card.pk, _introducer(w).pk]),
            {},
        ),
        CARD,
    ),
    Write(
        "cultivation:knows-add",
        lambda w, u: (
            reverse("cultivation:knows-add", args=[w.priya.pk]),
            {"knows-other": w.omar.pk, "knows-how": "client", "knows-detail": "Their auditor"},
        ),
        PERSON,
    ),
    Write(
        "cultivation:knows-remove",
        lambda w, u: (reverse("cultivation:knows-remove", args=[_linked(w).pk, w.omar.pk]), {}),
        PERSON,
    ),
    Write(
        "opportunities:idea-mark",
        lambda w, u: (
            reverse("opportunities:idea-mark", args=[w.extra["idea"].pk]),
            {"status": "tried"},
        ),
        CARD,
    ),
    Write(
        "opportunities:card-add",
        lambda w, u: (
            reverse("opportunities:card-add"),
            {
                "title": "Quayside",
                "priority": "referral",
                "stage": "research",
                "source": "research",
            },
        ),
        EVERYONE,
    ),
    Write(
        "cultivation:touch-new",
        lambda w, u: (
            reverse("cultivation:touch-new"),
            {"contact": w.priya.pk, "method": "note", "direction": "ours", "on": _today()},
        ),
        EVERYONE,
    ),
    Write(
        "cultivation:touch-quick",
        lambda w, u: (
            reverse("cultivation:touch-quick"),
            {"contact": w.priya.pk, "method": "note"},
        ),
        EVERYONE,
    ),
    Write(
        "cultivation:gathering-new",
        lambda w, u: (
            reverse("cultivation:gathering-new"),
            {"contacts": [w.priya.pk, w.omar.pk], "on": _today()},
        ),
        EVERYONE,
    ),
    Write(
        "cultivation:introduction-new",
        lambda w, u: (
            reverse("cultivation:introduction-new"),
            {"contact": w.priya.pk, "expert": w.omar.pk, "on": _today()},
        ),
        EVERYONE,
    ),
    Write(
        "cultivation:promise-new",
        lambda w, u: (
            reverse("cultivation:promise-new"),
            {
                "contact": w.priya.pk,
                "what": "Send the checklist",
                "due_on": _today(7),
                "owner": u.pk,
            },
        ),
        EVERYONE,
        label="promise-new-for-themselves",
    ),
    Write(
        "cultivation:promise-new",
        lambda w, u: (
            reverse("cultivation:promise-new"),
            {
                "contact": w.priya.pk,
                "what": "Send the checklist",
                "due_on": _today(7),
                "owner": w.users["owner"].pk,
            },
        ),
        PERSON,
        label="promise-new-for-the-persons-owner",
    ),
    Write(
        "cultivation:referral-new",
        lambda w, u: (
            reverse("cultivation:referral-new"),
            {
                "direction": "given",
                "person": w.omar.pk,
                "partner": w.priya.pk,
                "colleague": u.pk,
                "on": _today(),
            },
        ),
        EVERYONE,
    ),
    Write(
        "cultivation:referral-outcome",
        lambda w, u: (
            reverse("cultivation:referral-outcome", args=[w.extra["referral"].pk]),
            {"outcome": "next_step"},
        ),
        PERSON,
    ),
    Write(
        "cultivation:promise-keep",
        lambda w, u: (
            reverse("cultivation:promise-keep", args=[w.extra["promise"].pk]),
            {"method": "note"},
        ),
        PERSON,
    ),
    Write(
        "cultivation:promise-release",
        lambda w, u: (
            reverse("cultivation:promise-release", args=[w.extra["promise"].pk]),
            {"reason": "They found another way"},
        ),
        PERSON,
    ),
    # Strategic alliances (issue 12): the partner's owner or a manager.
    Write(
        "cultivation:alliance-edit",
        lambda w, u: (
            reverse("cultivation:alliance-edit", args=[w.omar.pk]),
            {"respects_us": "on", "preferral_profile": "Architects"},
        ),
        PERSON,
    ),
    Write(
        "cultivation:alliance-end",
        lambda w, u: (
            reverse("cultivation:alliance-end", args=[w.extra["alliance"].pk]),
            {"reason": "Moved abroad"},
        ),
        PERSON,
    ),
    Write(
        "cultivation:exchange-new",
        lambda w, u: (
            reverse("cultivation:exchange-new", args=[w.extra["alliance"].contact_id]),
            {
                "on": _today(),
                "note": "Soup",
                "offered-TOTAL_FORMS": "1",
                "offered-INITIAL_FORMS": "0",
                "offered-0-name": "Nina New",
                "given-TOTAL_FORMS": "0",
                "given-INITIAL_FORMS": "0",
            },
        ),
        PERSON,
    ),
    Write(
        "cultivation:plan-start",
        lambda w, u: (reverse("cultivation:plan-start", args=[w.omar.pk]), {"kind": "cultivating"}),
        PERSON,
    ),
    Write(
        "cultivation:plan-item-add",
        lambda w, u: (
            reverse("cultivation:plan-item-add", args=[w.extra["plan"].pk]),
            {"method": "note", "interval_days": 60},
        ),
        PERSON,
    ),
    Write(
        "cultivation:plan-end",
        lambda w, u: (
            reverse("cultivation:plan-end", args=[w.extra["plan"].pk]),
            {"reason": "Retired"},
        ),
        PERSON,
    ),
    Write(
        "cultivation:plan-item-snooze",
        lambda w, u: (
            reverse("cultivation:plan-item-snooze", args=[w.extra["item"].pk]),
            {"until": _today(10)},
        ),
        PERSON,
    ),
    Write(
        "cultivation:follow-up-snooze",
        lambda w, u: (
            reverse("cultivation:follow-up-snooze", args=[w.extra["follow_up"].pk]),
            {"until": _today(10)},
        ),
        PERSON,
    ),
    # People and organisations (issue 14).
    Write(
        "cultivation:person-new",
        lambda w, u: (reverse("cultivation:person-new"), {"name": "Ann Lee", "owner": u.pk}),
        EVERYONE,
    ),
    Write(
        "cultivation:person-edit",
        lambda w, u: (
            reverse("cultivation:person-edit", args=[w.priya.pk]),
            {"name": "Priya Shah", "role": "Chair", "owner": w.users["owner"].pk},
        ),
        PERSON,
    ),
    Write(
        "cultivation:consent-give",
        lambda w, u: (
            reverse("cultivation:consent-give", args=[_not_opted_in(w.omar).pk]),
            {"how": "asked at lunch"},
        ),
        PERSON,
    ),
    Write(
        "cultivation:consent-withdraw",
        lambda w, u: (reverse("cultivation:consent-withdraw", args=[w.priya.pk]), {"why": ""}),
        PERSON,
    ),
    Write(
        "cultivation:contact-stop",
        lambda w, u: (
            reverse("cultivation:contact-stop", args=[w.priya.pk]),
            {"direction": "ours", "on": _today(), "is_arranged": "on", "lose_open_cards": "on"},
        ),
        PERSON,
    ),
    Write(
        "cultivation:organisation-new",
        lambda w, u: (reverse("cultivation:organisation-new"), {"name": "Quayside Ltd"}),
        EVERYONE,
    ),
    Write(
        "cultivation:organisation-edit",
        lambda w, u: (
            reverse("cultivation:organisation-edit", args=[w.priya.organisation_id]),
            {"name": "Harbour Logistics"},
        ),
        EVERYONE,
    ),
    # Two records of one person merged (issue 14): the owner of both, or a manager.
    Write(
        "cultivation:contact-merge",
        lambda w, u: (
            reverse("cultivation:contact-merge"),
            {"survivor": w.priya.pk, "duplicate": w.omar.pk},
        ),
        PERSON,
    ),
    # Each person's own settings and calendar address: everyone writes their own row.
    Write(
        "cultivation:settings",
        lambda w, u: (
            reverse("cultivation:settings"),
            {"time_zone": "Asia/Tokyo", "weekly_email_weekday": "4", "weekly_email_hour": "9"},
        ),
        EVERYONE,
    ),
    Write(
        "cultivation:calendar-rotate",
        lambda w, u: (reverse("cultivation:calendar-rotate"), {}),
        EVERYONE,
    ),
    Write(
        "cultivation:calendar-revoke",
        lambda w, u: (reverse("cultivation:calendar-revoke"), {}),
        EVERYONE,
    ),
    # Imports (issue 11): anyone into their own pool; a batch is its uploader's or a manager's.
    Write(
        "cultivation:import-list",
        lambda w, u: (
            reverse("cultivation:import-list"),
            {"file": _csv("people.csv", IMPORTED), "owner": str(u.pk)},
        ),
        EVERYONE,
    ),
    Write(
        "cultivation:import-mapping",
        lambda w, u: (
            reverse("cultivation:import-mapping", args=[_uploaded(w, UNKNOWN_HEADER).pk]),
            {"column_0": "name", "column_1": "email"},
        ),
        PERSON,
    ),
    Write(
        "cultivation:import-plans",
        lambda w, u: (
            reverse("cultivation:import-plans", args=[_uploaded(w, BUCKETS).pk]),
            {"bucket_0": "monthly"},
        ),
        PERSON,
    ),
    Write(
        "cultivation:import-confirm",
        lambda w, u: (
            reverse("cultivation:import-confirm", args=[_uploaded(w, IMPORTED).pk]),
            {"on_match": "skip"},
        ),
        PERSON,
    ),
    Write(
        "cultivation:import-undo",
        lambda w, u: (reverse("cultivation:import-undo", args=[_imported(w).pk]), {}),
        PERSON,
    ),
]

IMPORTED = (
    "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
    "Sam,Harbour,,sam@harbour.example,,,14 Mar 2024\n"
)
UNKNOWN_HEADER = "Person,Mail\nSam Harbour,sam@harbour.example\n"
BUCKETS = "first_name,last_name,email,bucket\nSam,Harbour,sam@harbour.example,Partners\n"


def _csv(name, text):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def _uploaded(world, text):
    """A file Alice uploaded into her pool: previewed, or waiting for its mapping."""
    owner = world.users["owner"]
    data = text.encode()
    return import_upload(by=owner, owner=owner, file_name="people.csv", data=data)


def _imported(world):
    """A file Alice imported: done."""
    batch = _uploaded(world, IMPORTED)
    import_confirm(batch=batch, by=world.users["owner"], on_match="skip", enqueue=False)
    import_run(batch_id=batch.pk)
    return batch


def _linked(world):
    """Priya, who knows Omar."""
    world.priya.knows.add(world.omar)
    return world.priya


def _introducer(world):
    """Omar, who knows Priya, now on the card."""
    world.card.links.get_or_create(contact=world.priya)
    world.omar.knows.add(world.priya)
    return world.omar


def _not_opted_in(person):
    person.__class__.objects.filter(pk=person.pk).update(
        has_opted_in=False, opted_in_at=None, opt_in_how=""
    )
    return person


@pytest.fixture
def world(owner, teammate, manager):
    colleague = factories.UserFactory(username="carol", first_name="Carol", last_name="Colleague")
    users = {"owner": owner, "colleague": colleague, "other": teammate, "manager": manager}
    card = factories.OpportunityFactory(title="Harbour", owner=owner, organisation=None)
    card.colleagues.add(colleague)
    priya = factories.ContactFactory(name="Priya Shah", owner=owner, has_opted_in=True)
    omar = factories.ContactFactory(name="Omar Reid", owner=owner)
    plan = touch_plan_start(contact=priya, by=owner)
    extra = {
        "plan": plan,
        "item": plan.items.get(),
        "idea": ConnectionIdea.objects.create(opportunity=card, description="Ask Omar"),
        "promise": factories.PromiseFactory(contact=priya, owner=owner, what="Send the report"),
        "follow_up": factories.FollowUpFactory(
            contact=priya, owner=owner, next_due_at=timezone.now() + timedelta(days=2)
        ),
    }
    extra["referral"] = referral_record(
        direction="received",
        person=priya,
        partner=omar,
        colleague=owner,
        on=timezone.localdate(),
        by=owner,
    )
    partner = factories.ContactFactory(name="Paula Partner", owner=owner)
    extra["alliance"] = alliance_mark(
        contact=partner, criteria={}, preferral_profile="", by=owner
    ).alliance
    return World(users=users, card=card, priya=priya, omar=omar, extra=extra)


def _every_row():
    """Every row of both apps: a refused request must leave this exactly as it was.
    (Read with plain SQL, table by table: through the ORM it was a third of this module's
    time.)"""
    models = [
        *apps.get_app_config("opportunities").get_models(),
        *apps.get_app_config("cultivation").get_models(),
    ]
    rows = {}
    with connection.cursor() as cursor:
        for model in models:
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"SELECT * FROM {table} ORDER BY 1")
            rows[model._meta.label] = cursor.fetchall()
    return rows


def _signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def _cases():
    for write in WRITES:
        for role in ROLES:
            yield pytest.param(write, role, id=f"{write.id}-{role}")


@pytest.mark.parametrize(("write", "role"), list(_cases()))
def test_each_role_may_or_may_not_write(world, write, role):
    user = world.users[role]
    url, data = write.call(world, user)
    before = _every_row()

    response = _signed_in(user).post(url, data)

    if role in write.allowed:
        assert response.status_code == write.done, response.content.decode()[:500]
        assert _every_row() != before, "allowed, but nothing changed"
    else:
        assert response.status_code == 403
        assert "Only Alice Owner" in response.content.decode()
        assert "or a manager can" in response.content.decode()
        assert _every_row() == before


REFUSABLE = [write for write in WRITES if write.allowed != EVERYONE]


@pytest.mark.parametrize("write", REFUSABLE, ids=[write.id for write in REFUSABLE])
def test_a_refused_write_refused_twice_changes_nothing(world, write):
    refused = [role for role in ROLES if role not in write.allowed]
    client = _signed_in(world.users[refused[0]])
    url, data = write.call(world, world.users[refused[0]])
    before = _every_row()

    statuses = [client.post(url, data).status_code for _ in range(2)]

    assert statuses == [403, 403]
    assert _every_row() == before


@pytest.mark.parametrize("write", WRITES, ids=[write.id for write in WRITES])
def test_anonymous_writes_are_sent_to_sign_in(world, client, write):
    url, data = write.call(world, world.users["other"])
    before = _every_row()

    response = client.post(url, data)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert _every_row() == before


def test_every_url_of_both_apps_is_in_the_table():
    named = {
        f"{module.app_name}:{pattern.name}"
        for module in (opportunities_urls, cultivation_urls)
        for pattern in module.urlpatterns
    }

    assert named == {write.name for write in WRITES} | READ_ONLY
