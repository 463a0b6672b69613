"""Fields that pick a person or an organisation by searching, never from a list of everyone.

The form posts the chosen row's id, exactly as a ModelChoiceField does. The widget
is a search box (an ARIA combobox): static/js/picker.js asks `/pick/contacts/` or
`/pick/organisations/` (htmx) for at most SUGGESTIONS_MAX suggestions as you type
and puts the chosen id in a hidden input.

Without JavaScript the box is a plain text field: whatever is typed there and not
chosen is never guessed into a person. The form comes back (invalid, nothing
written) with the people it matches as radio buttons (check boxes for several)
to choose from, and the next submit posts the chosen id.

Suggestions honour the queryset the field was given (e.g. "people not on this
card yet"). The suggestion URL cannot carry a queryset, so a restricted one is
kept on the server, in the cache, under a key derived from its SQL; the URL
carries only that key. An unknown or expired key suggests no one and says to
reload the page: never more people than the field allows. The cache only serves
the suggestions: without it, typing a name and sending the form still works.
"""

import hashlib
import logging
import re
from dataclasses import dataclass

from django import forms
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db.models.functions import Lower
from django.forms.renderers import TemplatesSetting
from django.forms.utils import flatatt
from django.urls import reverse

from convivio.limits import SEARCH_MAX
from convivio.parsing import parse_id

from .models import Contact, Organisation
from .models.people import name_match_key

logger = logging.getLogger(__name__)

SUGGESTIONS_MAX = 20
"""Suggestions a search answers with, and choices the form offers without JavaScript."""

RESTRICTION_KEPT_SECONDS = 7 * 24 * 3600
"""How long a picker's restriction is kept for its suggestions: a form open longer reloads."""

PROJECT_TEMPLATES = TemplatesSetting()
SEARCH_SUFFIX = "_search"
SEARCHED_SUFFIX = "_searched"
TOKEN = re.compile(r"[0-9a-f]{32}")


# --- Searching ------------------------------------------------------------------------


def _after(prefix):
    """The first string past every string starting with `prefix` (in code point order)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def starting(field, prefix):
    """`field` starts with `prefix`, as a range an ordinary index answers (LIKE cannot use
    one on SQLite, nor on PostgreSQL outside the C collation); `startswith` re-checks."""
    return {f"{field}__gte": prefix, f"{field}__lt": _after(prefix), f"{field}__startswith": prefix}


def _ranked(sources, limit):
    """The rows of each source in turn, best source first, each row once, up to `limit`.

    A source is a function giving a queryset: a later one is built and run only if
    the earlier ones found fewer than `limit` rows.
    """
    ranked, seen = [], set()
    for source in sources:
        if len(ranked) >= limit:
            break
        rows = source().exclude(pk__in=seen) if seen else source()
        for row in rows[: limit - len(ranked)]:
            seen.add(row.pk)
            ranked.append(row)
    return ranked


def _has_word_starting(queryset, field, prefix):
    """A word after the first of `field` (space-separated, lower case) starts with `prefix`."""
    return queryset.filter(**{f"{field}__contains": f" {prefix}"})


def _names_with_a_word(prefix, limit):
    """The first `limit` distinct names (as `name_key`) with a later word starting with
    `prefix`: a subquery that reads the `name_key` index alone (erased and merged
    records have none), never the table. A name borne only by people the field does
    not allow takes a place, so a restricted field may be offered fewer."""
    names = Contact.objects.filter(name_key__contains=f" {prefix}").values("name_key")
    return names.order_by("name_key").distinct()[:limit]


def contact_suggestions(query, *, within=None, limit=SUGGESTIONS_MAX):
    """People (never erased ones) matching `query`, best first: their name starts with it,
    a later word of their name does, their email does, their organisation's name does.

    Names compare as duplicate matching compares them (no case, accents or punctuation).
    At most four queries, a later one only if the earlier found fewer than `limit`:
    index ranges, but for the later word, which may read the whole name index once.
    """
    key, text = name_match_key(query), query.strip().casefold()
    people = (
        (Contact.objects.all() if within is None else within)
        .active()
        .select_related("organisation")
        .order_by("name_key", "pk")
    )
    sources = []
    if key:
        sources.append(lambda: people.filter(**starting("name_key", key)))
        sources.append(lambda: people.filter(name_key__in=_names_with_a_word(key, limit)))
    if text and " " not in text:
        emails = people.alias(pick_email=Lower("email"))
        sources.append(lambda: emails.filter(**starting("pick_email", text)))
    if text:
        organisations = Organisation.objects.alias(pick_name=Lower("name"))
        sources.append(
            lambda: people.filter(
                organisation__in=organisations.filter(**starting("pick_name", text))
            )
        )
    return _ranked(sources, limit)


def organisation_suggestions(query, *, within=None, limit=SUGGESTIONS_MAX):
    """Organisations whose name, or a later word of it, starts with `query`; case ignored."""
    text = query.strip().casefold()
    if not text:
        return []
    organisations = (
        (Organisation.objects.all() if within is None else within)
        .alias(pick_name=Lower("name"))
        .order_by("pick_name", "pk")
    )
    sources = [
        lambda: organisations.filter(**starting("pick_name", text)),
        lambda: _has_word_starting(organisations, "pick_name", text),
    ]
    return _ranked(sources, limit)


def contact_label(contact):
    """How a chosen person reads in the box: "Priya Shah (Acme Ltd)"."""
    if contact.organisation_id:
        return f"{contact.name} ({contact.organisation.name})"
    return contact.name


# --- A restriction kept on the server ---------------------------------------------------


def _sql(queryset):
    if not queryset.query.is_sliced:  # a slice's order says which rows are in it
        queryset = queryset.order_by()
    try:
        sql, params = queryset.values("pk").query.sql_with_params()
    except EmptyResultSet:  # .none(): no one, and it stays so however it is filtered
        return "nothing"
    return f"{sql} {params!r}"


def restriction_token(queryset, *, unrestricted):
    """The key of `queryset`'s restriction, kept on the server for the suggestions, or ""
    when it restricts nothing beyond `unrestricted` (querysets that count as everyone)."""
    sql = _sql(queryset)
    if sql in {_sql(everyone) for everyone in unrestricted}:
        return ""
    token = hashlib.sha256(f"{queryset.model._meta.label} {sql}".encode()).hexdigest()[:32]
    if queryset.query.is_sliced:  # a slice cannot be filtered further: search within it
        queryset = queryset.model._default_manager.filter(pk__in=queryset.values("pk"))
    try:
        cache.set(f"picker:{token}", queryset.order_by().query, RESTRICTION_KEPT_SECONDS)
    except Exception:  # a cache that is down costs the suggestions, never the form
        logger.warning("Picker restriction not kept: its suggestions will ask for a reload.")
    return token


def restricted(model, token):
    """The queryset `token` stands for, or None if it names none (unknown or expired)."""
    if not TOKEN.fullmatch(token or ""):
        return None
    try:
        query = cache.get(f"picker:{token}")
    except Exception:  # down, or kept before a deploy and no longer loading: expired
        return None
    if query is None or query.model is not model:
        return None
    queryset = model._default_manager.all()
    queryset.query = query
    return queryset


# --- What a picker posts ----------------------------------------------------------------


@dataclass(frozen=True)
class Picked:
    """What a picker posted: the chosen ids, what is in its search box, and the search
    whose matches the form offered (still in the box, it asks for no new search)."""

    ids: tuple = ()
    typed: str = ""
    searched: str = ""

    @classmethod
    def of(cls, value):
        """Any value a form hands a field or widget: Picked, an id, a row, several of either."""
        if isinstance(value, cls):
            return value
        if value in (None, ""):
            return cls()
        several = hasattr(value, "__iter__") and not isinstance(value, str)
        values = value if several else [value]
        return cls(tuple(str(getattr(v, "pk", v)) for v in values if v not in (None, "")))


def _getlist(data, name):
    if hasattr(data, "getlist"):
        return data.getlist(name)
    value = data.get(name)
    return list(value) if isinstance(value, list | tuple) else [value]


def _text(data, name):
    value = data.get(name, "")
    return value if isinstance(value, str) else ""


# --- Widgets ----------------------------------------------------------------------------


class PickerWidget(forms.Widget):
    """The search box, its suggestions list and the hidden chosen id (see the module)."""

    template_name = "cultivation/_picker.html"
    multiple = False

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.field = None  # set by the field: its queryset, labels and sentences

    def use_required_attribute(self, initial):
        return False  # the box may be empty once someone is chosen

    def value_from_datadict(self, data, files, name):
        ids = tuple(v for v in _getlist(data, name) if isinstance(v, str) and v.strip())
        return Picked(
            ids=ids,
            typed=_text(data, name + SEARCH_SUFFIX),
            searched=_text(data, name + SEARCHED_SUFFIX),
        )

    def value_omitted_from_data(self, data, files, name):
        return name not in data and name + SEARCH_SUFFIX not in data

    def id_for_label(self, id_):
        return id_  # the label names the search box

    def get_context(self, name, value, attrs):
        picked = Picked.of(value)
        attrs = self.build_attrs(self.attrs, attrs)
        # A form of many pickers (rows of a table) gives the no-JavaScript hint once itself.
        quiet = bool(attrs.pop("data-picker-quiet", False))
        chosen = self.field.chosen(picked)
        search = self.field.search_in(picked, chosen)
        found = self.field.suggestions(search) if search else []
        box_id = attrs.get("id") or f"id_{name}"
        return {
            "widget": {
                "name": name,
                "search_name": name + SEARCH_SUFFIX,
                "searched_name": name + SEARCHED_SUFFIX,
                "multiple": self.multiple,
                "disabled": bool(attrs.get("disabled")),
                "invalid": "is-invalid" in attrs.get("class", ""),
                "list_id": f"{box_id}_list",
                "chosen": [(row.pk, self.field.label_from_instance(row)) for row in chosen],
                "text": self._text(chosen, search),
                "search": search,
                "found": [(row.pk, self.field.label_from_instance(row)) for row in found],
                "more": len(found) >= SUGGESTIONS_MAX,
                "noun": self.field.noun,
                "nouns": self.field.nouns,
                "attrs": flatatt(self._box_attrs(attrs, box_id, name)),
                "quiet": quiet,
            }
        }

    def _text(self, chosen, search):
        if search:
            return search
        if chosen and not self.multiple:
            return self.field.label_from_instance(chosen[0])
        return ""

    def _box_attrs(self, attrs, box_id, name):
        return {
            **attrs,
            "id": box_id,
            "type": "text",
            "name": name + SEARCH_SUFFIX,
            "role": "combobox",
            "autocomplete": "off",
            "maxlength": SEARCH_MAX,
            "aria-autocomplete": "list",
            "aria-expanded": "false",
            "aria-controls": f"{box_id}_list",
            "placeholder": attrs.get("placeholder", self.field.placeholder),
            "data-picker-input": True,
            "hx-get": self.field.suggest_url(),
            "hx-trigger": "input changed delay:150ms",
            "hx-target": f"#{box_id}_list",
            "hx-swap": "innerHTML",
            "hx-sync": "this:replace",
        }

    def _render(self, template_name, context, renderer=None):
        # The project's templates, not the form renderer's (which sees only Django's own).
        return super()._render(template_name, context, PROJECT_TEMPLATES)


class PickersWidget(PickerWidget):
    """Several: the chosen ones as ticked check boxes (untick to drop), and a search box."""

    multiple = True


# --- Fields ---------------------------------------------------------------------------


class _Picking:
    """What the single and the several fields share: the widget's link, searching, labels."""

    noun, nouns = "record", "records"
    placeholder = "Type to search"
    suggest_view = ""
    related = ()
    multiple = False

    def _set_queryset(self, queryset):
        super()._set_queryset(queryset)
        self.widget.field = self

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)

    def allowed(self):
        """What may be chosen: the field's queryset."""
        return self.queryset

    def everyone(self):
        """Querysets that restrict nothing: their suggestions need no restriction kept."""
        return [self.queryset.model._default_manager.all()]

    def suggest_url(self):
        url = reverse(self.suggest_view)
        token = restriction_token(self.queryset, unrestricted=self.everyone())
        return f"{url}?r={token}" if token else url

    def suggestions(self, search):
        raise NotImplementedError

    def chosen(self, picked):
        """The rows `picked` names that may be chosen (one query, none without ids)."""
        pks = {parse_id(pk) for pk in (picked.ids if self.multiple else picked.ids[-1:])}
        pks.discard(None)
        if not pks:
            return []
        return list(self.allowed().select_related(*self.related).filter(pk__in=pks))

    def search_in(self, picked, chosen):
        """What was typed that asks for a search, or "" (see the module): with no one
        chosen, anything typed; else only what is neither the chosen one's label nor
        the search whose matches were offered."""
        typed = picked.typed.strip()
        if not typed or not chosen:
            return typed
        if typed == picked.searched.strip() or self._is_label(typed, chosen):
            return ""
        return typed

    def _is_label(self, typed, chosen):
        if self.multiple:
            return False
        key = name_match_key(typed)
        row = chosen[0]
        return key in (name_match_key(self.label_from_instance(row)), name_match_key(str(row)))

    def _refuse_unpicked(self, search):
        raise forms.ValidationError(
            f"Choose the {self.nouns if self.multiple else self.noun} you mean from those "
            f"matching “{search[:SEARCH_MAX]}” below, or search again.",
            code="unpicked",
        )

    def _refuse_id(self, value):
        shown = str(value)[:20]
        shown = f"“{shown}”" if shown.isprintable() else "that"  # never echo a NUL byte
        raise forms.ValidationError(
            f"Choose {'an' if self.noun[:1] in 'aeiou' else 'a'} {self.noun} by searching: "
            f"{shown} is not the number of one.",
            code="invalid_pk_value",
        )

    def _refuse_choice(self):
        raise forms.ValidationError(
            f"That {self.noun} cannot be chosen here: search for the {self.noun} you mean.",
            code="invalid_choice",
        )


class _ContactPicking(_Picking):
    noun, nouns = "person", "people"
    placeholder = "Type a name, email or organisation"
    suggest_view = "cultivation:pick-contacts"
    related = ("organisation",)

    def __init__(self, queryset=None, **kwargs):
        super().__init__(Contact.objects.active() if queryset is None else queryset, **kwargs)

    def allowed(self):
        """The field's queryset, erased people never."""
        return self.queryset.filter(erased_at=None)

    def everyone(self):
        return [Contact.objects.all(), Contact.objects.active()]

    def label_from_instance(self, obj):
        return contact_label(obj)

    def suggestions(self, search):
        return contact_suggestions(search, within=self.queryset)


class _OrganisationPicking(_Picking):
    noun, nouns = "organisation", "organisations"
    placeholder = "Type the organisation's name"
    suggest_view = "cultivation:pick-organisations"

    def __init__(self, queryset=None, **kwargs):
        super().__init__(Organisation.objects.all() if queryset is None else queryset, **kwargs)

    def suggestions(self, search):
        return organisation_suggestions(search, within=self.queryset)


class _One(_Picking):
    """One row: the last id posted (a chosen radio button wins over an empty hidden id)."""

    widget = PickerWidget

    def __init__(self, queryset=None, **kwargs):
        kwargs["empty_label"] = None
        super().__init__(queryset, **kwargs)

    def to_python(self, value):
        picked = Picked.of(value)
        if not picked.ids:
            if search := self.search_in(picked, []):
                self._refuse_unpicked(search)
            return None
        pk = parse_id(picked.ids[-1])
        if pk is None:
            self._refuse_id(picked.ids[-1])
        row = self.allowed().select_related(*self.related).filter(pk=pk).first()
        if row is None:
            self._refuse_choice()
        if search := self.search_in(picked, [row]):
            self._refuse_unpicked(search)
        return row

    def has_changed(self, initial, data):
        if self.disabled:
            return False
        return Picked.of(initial).ids[-1:] != Picked.of(data).ids[-1:]


class _Several(_Picking):
    """Several rows, each chosen by one search: untick one to drop it."""

    multiple = True
    widget = PickersWidget

    def clean(self, value):
        picked = Picked.of(value)
        if not picked.ids:
            if search := self.search_in(picked, []):
                self._refuse_unpicked(search)
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return self.queryset.none()
        pks = {parse_id(pk) for pk in picked.ids}
        if None in pks:
            self._refuse_id(next(pk for pk in picked.ids if parse_id(pk) is None))
        found = self.allowed().select_related(*self.related).filter(pk__in=pks)
        if len(found) != len(pks):
            self._refuse_choice()
        if search := self.search_in(picked, list(found)):
            self._refuse_unpicked(search)
        self.run_validators(found)
        return found

    def has_changed(self, initial, data):
        if self.disabled:
            return False
        return set(Picked.of(initial).ids) != set(Picked.of(data).ids)


class ContactPickerField(_One, _ContactPicking, forms.ModelChoiceField):
    """One person, chosen by searching their name, email or organisation."""

    default_error_messages = {"required": "Choose a person: type part of their name and pick."}


class ContactsPickerField(_Several, _ContactPicking, forms.ModelMultipleChoiceField):
    """Several people, chosen one search at a time."""

    default_error_messages = {"required": "Choose the people: type part of a name and pick."}


class OrganisationPickerField(_One, _OrganisationPicking, forms.ModelChoiceField):
    """One organisation, chosen by searching its name."""

    default_error_messages = {"required": "Choose an organisation: type its name and pick."}
