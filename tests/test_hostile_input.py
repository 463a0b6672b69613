"""Every URL the resolver knows, sent hostile values of every kind: never a 5xx, never a
stray row.

The table of values (by kind) and the list of field names are here, once, at the top: a
new URL pattern, or a new field on a form, is walked without touching this file
(the fields each view's forms declare are recorded while the walk runs).

Each value goes, one value at a time, into every field name at once, as GET
parameters and as POST fields, signed in as a manager and as staff; path
arguments get real ids and hostile ones. Every page gets at least one value of each
kind, per method it answers and per user; the values of a kind take turns from page to
page, so each one goes through the whole stack on many pages, and the parsing layer every
view shares (convivio/parsing.py) is given every value directly. A request may only add
rows when the page says the action was done and the value is plain text a person could
mean (a release reason "abc" is a reason); otherwise nothing is written.
"""

import re
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.messages import SUCCESS, get_messages
from django.core.exceptions import ValidationError
from django.db import connection
from django.forms.forms import BaseForm
from django.http import Http404
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from convivio import parsing
from convivio.limits import TEXT_MAX
from cultivation.models import Contact
from tests import factories

HOSTILE = {
    "not a number": {
        "non-numeric": "abc",
        "superscript two": "²",
        "Arabic-Indic one": "١",
        "unknown choice": "no-such-choice",
    },
    "out of range": {
        "past bigint": str(2**63),
        "huge id": str(10**25),
        "5,000 digits": "9" * 5000,
        "negative": "-5",
        "zero": "0",
    },
    "NUL byte": {"NUL after a digit": "1\x00", "NUL": "\x00"},
    "date out of range": {"year one": "0001-01-01", "year 9999": "9999-12-31"},
    "empty": {"empty": ""},
    "too long": {"over the text limit": "x" * (TEXT_MAX + 1)},
}
VALUES = {label: value for kind in HOSTILE.values() for label, value in kind.items()}
# Values no field of any form may store: a write with one of these is always a defect.
NEVER_STORED = ("NUL after a digit", "NUL", "over the text limit", "1 MB")
# 1 MB goes into one field at a time (Django answers 400 to a body over 2.5 MB
# before any view runs): each field the page's forms declare, in turn.
ONE_MB = "x" * 2**20
# A URL longer than a few kilobytes never reaches Django behind a proxy or gunicorn
# (limit_request_line 4094): longer values go only in POST bodies.
GET_LENGTH_LIMIT = 5000

FIELD_NAMES = [
    "contact",
    "contact_id",
    "contacts",
    "expert",
    "opportunity",
    "opportunity_id",
    "owner",
    "after",
    "last",
    "page",
    "next",
    "q",
    "find",
    "stage",
    "to_stage",
    "version",
    "note",
    "what",
    "due_on",
    "on",
    "until",
    "reason",
    "method",
    "outcome",
    "kind",
    "interval_days",
    "estimated_value",
    "title",
    "organisation",
    "priority",
    "source",
    "status",
    "description",
    "via",
    "role",
    "pain",
    "gain",
    "closed",
    "overdue",
    "cultivation",
    "direction",
    "from",
    "to",
    "person",
]
# Fields nobody should be able to set through a form: sent with every POST.
EXTRA_FIELDS = {
    "id": "1",
    "pk": "1",
    "is_superuser": "on",
    "position": "-1",
    "kept_at": "2020-01-01",
}

# Admin pages of the project's own models that are walked (the rest is Django's).
ADMIN_PAGES = re.compile(r"^(cultivation|opportunities)_\w+_(changelist|change|add)$")
# The health page answers 503 by design while the jobs are late (none ran here).
EXPECTED_5XX = {"cultivation:health": {503}}
APPS = ("cultivation", "opportunities")
WORLD_PK = 4_000_000  # far above any sequence a test run reaches: no collisions
PATH_IDS = {"real": WORLD_PK, "zero": 0, "unknown": WORLD_PK + 1, "huge": 10**25}
# Path arguments that are names, not numbers: a real one to start from (a report, a figure).
REAL_TEXTS = {"slug": "funnel", "figure": "calls"}
PATH_TEXTS = {"abc": "abc", "NUL": "\x00", "superscript two": "²", "negative": "-5"}


@dataclass(frozen=True)
class Route:
    name: str
    converters: dict

    @property
    def is_admin(self):
        return self.name.startswith("admin:")


def _routes(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from (
                Route(route.name, {**entry.pattern.converters, **route.converters})
                for route in _routes(entry, inner)
            )
        elif isinstance(entry, URLPattern) and entry.name:
            yield Route(f"{namespace}{entry.name}", dict(entry.pattern.converters))


def _walked(route):
    if route.is_admin:
        return bool(ADMIN_PAGES.match(route.name.removeprefix("admin:")))
    return True


ROUTES = {route.name: route for route in _routes() if _walked(route)}


def _path_values(name, converter):
    """Hostile values a path argument can carry: its converter decides which."""
    if type(converter).__name__ == "IntConverter":
        return PATH_IDS
    if name == "stage":
        return {"real": "research", **PATH_TEXTS}
    if name in REAL_TEXTS:
        return {"real": REAL_TEXTS[name], **PATH_TEXTS}
    return {"real": str(WORLD_PK), **PATH_TEXTS, "huge": str(10**25)}


def _paths(route):
    """(label, path) for the real arguments, then each hostile one in turn."""
    reals = {name: _path_values(name, conv)["real"] for name, conv in route.converters.items()}
    yield "real", reverse(route.name, kwargs=reals)
    for name, converter in route.converters.items():
        for label, value in _path_values(name, converter).items():
            if label != "real":
                yield f"{name}={label}", reverse(route.name, kwargs={**reals, name: value})


# The world every walk starts from: one of each thing, at a known id ---------------


@pytest.fixture
def world(db):
    staff = factories.UserFactory(username="walker-staff")
    manager = factories.ManagerFactory(username="walker-manager")
    pk = {"pk": WORLD_PK}
    organisation = factories.OrganisationFactory(**pk, name="Walked Ltd")
    contact = factories.ContactFactory(**pk, owner=staff, organisation=organisation)
    card = factories.OpportunityFactory(**pk, owner=staff, organisation=organisation)
    factories.OpportunityContactFactory(**pk, opportunity=card, contact=contact)
    factories.TouchFactory(**pk, contact=contact, by=staff)
    factories.PromiseFactory(**pk, contact=contact, owner=staff)
    factories.FollowUpFactory(**pk, contact=contact, owner=staff, met_at=timezone.now())
    plan = factories.TouchPlanFactory(**pk, contact=contact)
    factories.PlanItemFactory(**pk, plan=plan)
    apps.get_model("opportunities", "ConnectionIdea").objects.create(
        **pk, opportunity=card, description="Ask a friend", created_by=staff
    )
    return {"staff": staff, "manager": manager}


def _tables():
    models = [m for app in APPS for m in apps.get_app_config(app).get_models(True)]
    return [m._meta.db_table for m in models]


def _row_counts(tables):
    quote = connection.ops.quote_name
    sql = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(zip(tables, cursor.fetchone(), strict=True))


# A form of a formset past its first ("links-7-url"): its fields are the first's again.
LATER_FORMSET_FORM = re.compile(r"-[1-9][0-9]*-")


@pytest.fixture
def recorded_fields(monkeypatch):
    """Every field name (with its prefix) of every form built while the walk runs; of a
    formset's forms, the first's. (A hostile TOTAL_FORMS builds up to 2,000 forms: their
    names would put a request over Django's 1,000 fields, refused before any view runs.)"""
    names = set()
    original = BaseForm.__init__

    def recording(form, *args, **kwargs):
        original(form, *args, **kwargs)
        prefixed = (form.add_prefix(name) for name in form.fields)
        names.update(name for name in prefixed if not LATER_FORMSET_FORM.search(name))

    monkeypatch.setattr(BaseForm, "__init__", recording)
    return names


# The walk --------------------------------------------------------------------


class Walk:
    """Sends requests as one user, and notes every 5xx and every stray row."""

    def __init__(self, client, field_names, *, expected_5xx=()):
        self.client, self.field_names, self.expected_5xx = client, field_names, expected_5xx
        self.client.raise_request_exception = False
        self.tables, self.user, self.problems = _tables(), None, []

    def sign_in(self, user):
        self.user = user
        self.client.force_login(user)

    def send(self, method, path, label, fields=None):
        """The response's status code, after noting any problem."""
        cookie = self.client.cookies.get(settings.SESSION_COOKIE_NAME)
        if cookie is None or not cookie.value:  # a page signed us out: sign in again
            self.client.force_login(self.user)
        before = _row_counts(self.tables)
        if method == "GET":
            response = self.client.get(path, fields or {})
        else:
            body = "" if fields is None else urlencode({**fields, **EXTRA_FIELDS})
            response = self.client.generic(
                "POST", path, body, content_type="application/x-www-form-urlencoded"
            )
        self._check(response, before, f"{self.user.username} {method} {path[:80]!r} {label}")
        return response.status_code

    def every_field(self, value):
        return dict.fromkeys(sorted(set(FIELD_NAMES) | self.field_names), value)

    def _check(self, response, before, where):
        if response.status_code >= 500 and response.status_code not in self.expected_5xx:
            error = response.exc_info[1] if response.exc_info else ""
            self.problems.append(f"{where}: {response.status_code} {error!r:.300}")
            return
        added = {
            table: count - before[table]
            for table, count in _row_counts(self.tables).items()
            if count != before[table]
        }
        if added and not (_says_done(response) and not any(s in where for s in NEVER_STORED)):
            self.problems.append(f"{where}: wrote {added} ({response.status_code})")


def _says_done(response):
    return any(m.level == SUCCESS for m in get_messages(response.wsgi_request))


def _one_of_each_kind(turn):
    """(label, value): one value of each kind, the kind's values taking turns."""
    for values in HOSTILE.values():
        labels = list(values)
        label = labels[turn % len(labels)]
        yield label, values[label]


def _answers(walk, real_path):
    """The methods the page answers (405 is decided before the view reads a field), after
    sending each bare: it also records the names the view's forms declare."""
    methods = []
    if walk.send("GET", real_path, "with no fields") != 405:
        methods.append("GET")
    if walk.send("POST", real_path, "with missing fields") != 405:
        methods.append("POST")
    return methods


def _send_hostile(walk, method, real_path, turn):
    for label, value in _one_of_each_kind(turn):
        fields = walk.every_field(value)
        if method == "POST" and len(value) > GET_LENGTH_LIMIT:
            walk.send("POST", real_path, f"with {label}", fields)
        elif method == "POST":
            walk.send("POST", f"{real_path}?{urlencode(fields)}", f"with {label}", fields)
        elif len(value) <= GET_LENGTH_LIMIT:
            walk.send("GET", real_path, f"with {label}", fields)


def _send_one_mb(walk, real_path):
    """1 MB in each field the page's forms declare, two fields per request (under the
    body limit)."""
    names = sorted(walk.field_names)
    for pair in (names[i : i + 2] for i in range(0, len(names), 2)):
        walk.send("POST", real_path, f"with 1 MB in {', '.join(pair)}", dict.fromkeys(pair, ONE_MB))


# The walk asserts no 5xx and no stray row, not what each page does: the lines it runs are
# not counted as covered (that is the behaviour tests' job), and without the tracer it
# runs in half the time.
@pytest.mark.no_cover
@pytest.mark.parametrize("name", sorted(ROUTES))
def test_hostile_values_never_fail_nor_write(name, world, client, recorded_fields):
    route = ROUTES[name]
    walk = Walk(client, recorded_fields, expected_5xx=EXPECTED_5XX.get(name, ()))
    (_, real_path), *hostile_paths = _paths(route)
    users = [world["manager"]] if route.is_admin else [world["manager"], world["staff"]]
    turn = sorted(ROUTES).index(name)  # each page starts the kinds' values at another one
    for user in users:
        walk.sign_in(user)
        methods = _answers(walk, real_path)
        for method in methods:
            _send_hostile(walk, method, real_path, turn)
            turn += 1
    if not route.is_admin and "POST" in methods:
        _send_one_mb(walk, real_path)
    for label, path in hostile_paths:
        for method in methods:
            walk.send(method, path, f"at {label}", {} if method == "POST" else None)
    assert not walk.problems, "\n".join(walk.problems)


# The parsing layer every view and form shares, given every value ---------------

# Values a bigint column holds (a card position): read as that number.
BIGINTS = {"negative": -5, "zero": 0}
# Free text a search box keeps: no NUL byte, and short.
READABLE_SEARCHES = {"non-numeric", "superscript two", "Arabic-Indic one", "unknown choice"}
READABLE_SEARCHES |= {"huge id", "past bigint", "negative", "zero", "year one", "year 9999"}


@pytest.mark.parametrize("label", VALUES)
def test_the_parsing_layer_takes_no_hostile_value_for_an_id_or_a_date(label, db):
    value = VALUES[label]

    assert parsing.parse_id(value) is None
    assert parsing.parse_bigint(value) == BIGINTS.get(label)
    with pytest.raises(Http404):
        parsing.object_or_404(Contact.objects.all(), value)
    for field in (
        parsing.IdField(),
        parsing.IdsChoiceField(queryset=Contact.objects.all()),
        parsing.DateInWindowField(),
    ):
        with pytest.raises(ValidationError):
            field.clean([value] if isinstance(field, parsing.IdsChoiceField) else value)


@pytest.mark.parametrize("label", VALUES)
def test_the_parsing_layer_keeps_a_hostile_value_only_as_harmless_text(label):
    value = VALUES[label]
    request = RequestFactory().post(f"/?{urlencode({'next': value})}", {"next": value})

    expected = value if label in READABLE_SEARCHES else ""
    assert parsing.text_param({"q": value}, "q") == expected
    assert parsing.safe_next(request, "/fallback/") == "/fallback/"


def test_the_walk_covers_every_page_of_both_apps():
    names = set(ROUTES)
    for app in APPS:
        assert {n for n in names if n.startswith(f"{app}:")}, f"no {app} pages walked"
    assert "admin:opportunities_opportunity_change" in names
    assert 2 * len(ONE_MB) < settings.DATA_UPLOAD_MAX_MEMORY_SIZE < 3 * len(ONE_MB)


@pytest.mark.parametrize(
    "page, fields",
    [
        ("admin:opportunities_opportunity_change", {"title": "Walked", "owner": "abc"}),
        ("admin:cultivation_contact_change", {"name": "Walked", "organisation": "1\x00"}),
    ],
)
def test_admin_change_form_with_an_unreadable_id_answers_with_the_form(world, client, page, fields):
    client.force_login(world["manager"])
    client.raise_request_exception = False
    url = reverse(page, args=[WORLD_PK])

    response = client.post(url, fields)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors


def test_admin_add_form_prefilled_with_an_unreadable_id_shows_the_form(world, client):
    client.force_login(world["manager"])
    client.raise_request_exception = False

    response = client.get(reverse("admin:cultivation_contact_add") + "?organisation=abc")

    assert response.status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "?created_at__year=9223372036854775807",
        "?created_at__year=2026&created_at__month=99999999999999999999",
        "?name=%00",
        "?q=%00",
    ],
)
def test_an_admin_list_filter_no_database_can_read_is_a_400_with_a_sentence(world, client, query):
    client.force_login(world["manager"])
    client.raise_request_exception = False

    response = client.get(reverse("admin:cultivation_contact_changelist") + query)

    assert response.status_code == 400
    assert "The filter" in response.content.decode()


def test_an_admin_picker_suggestion_for_a_nul_byte_finds_nothing(world, client):
    client.force_login(world["manager"])
    client.raise_request_exception = False
    params = {"app_label": "cultivation", "model_name": "contact", "field_name": "knows"}

    response = client.get(reverse("admin:autocomplete"), {**params, "term": "\x00"})

    assert response.status_code == 200


def test_an_admin_action_on_rows_named_by_unreadable_ids_is_refused_and_erases_nothing(
    world, client
):
    client.force_login(world["manager"])
    client.raise_request_exception = False
    data = {"action": "erase_people", "post": "yes", "reason": "asked", "_selected_action": "abc"}

    response = client.post(reverse("admin:cultivation_contact_changelist"), data)

    assert response.status_code == 400
    assert "could not be read" in response.content.decode()
    assert not Contact.objects.filter(erased_at__isnull=False).exists()
