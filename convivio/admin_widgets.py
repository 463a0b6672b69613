"""Admin forms that parse what they are sent before drawing or querying it.

Django's autocomplete widget looks up the raw submitted value when it draws a
form again (or an add form prefilled from the URL): `owner=abc` becomes a
database error, a 500; a date prefilled from the URL (`?met_at=abc`) crashes the
split date-time widget. Parse, then look up: a value that cannot be an id is
dropped, and the form's own validation says what is wrong.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin import widgets
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.http import HttpResponseBadRequest

from .limits import TEXT_MAX
from .parsing import parse_id, parse_int

DATE_PARTS = ("__year", "__month", "__day")  # the changelist's date drill-down


class _ReadableIdsOnly:
    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, [v for v in value if parse_id(v) is not None], attr)


class ReadableAutocompleteSelect(_ReadableIdsOnly, widgets.AutocompleteSelect):
    pass


class ReadableAutocompleteSelectMultiple(_ReadableIdsOnly, widgets.AutocompleteSelectMultiple):
    pass


_READABLE = {
    widgets.AutocompleteSelect: ReadableAutocompleteSelect,
    widgets.AutocompleteSelectMultiple: ReadableAutocompleteSelectMultiple,
}


class ReadableIdsField(forms.ModelMultipleChoiceField):
    """Refuses ids that cannot be ids before the `IN (...)` query that would overflow."""

    def _check_values(self, value):
        for item in value:
            if parse_id(item) is None:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": str(item)[:20]},
                )
        return super()._check_values(value)


class ParsedInput:
    """Mix into every ModelAdmin and inline of the project's models."""

    def changelist_view(self, request, extra_context=None):
        refusal = _unreadable_parameter(request.GET) or _unreadable_selection(request.POST)
        if refusal:
            return HttpResponseBadRequest(refusal, content_type="text/plain; charset=utf-8")
        return super().changelist_view(request, extra_context)

    def get_search_results(self, request, queryset, search_term):
        # The list's search box and the pickers' suggestions: a NUL byte matches nothing.
        return super().get_search_results(request, queryset, search_term.replace("\x00", ""))

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        return {
            name: value
            for name, value in initial.items()
            if _is_readable_prefill(self.model, name, value)
        }

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.URLField):
            kwargs.setdefault("assume_scheme", "https")  # a typed "example.com" is https
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        widget = getattr(field, "widget", None)
        picker = getattr(widget, "widget", widget)  # inside RelatedFieldWidgetWrapper
        readable = _READABLE.get(type(picker))
        if readable:
            picker.__class__ = readable
        if type(field) is forms.ModelMultipleChoiceField:
            field.__class__ = ReadableIdsField
        return field


def _is_readable_prefill(model, name, value):
    """Prefills from the URL are ids and short text; anything else is dropped."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    values = value if isinstance(value, list) else [value]
    if field.is_relation:
        return all(parse_id(item) is not None for item in values)
    if isinstance(field, models.DateField | models.TimeField):
        return False  # DateTimeField is a DateField
    return all("\x00" not in str(item) and len(str(item)) <= TEXT_MAX for item in values)


def _unreadable_parameter(params):
    """A sentence for a list filter no database could read, or None."""
    for name, values in params.lists():
        for value in values:
            if "\x00" in name or "\x00" in value:
                return f"The filter “{name[:40]}” holds a NUL byte: nothing was shown."
            if name.endswith(DATE_PARTS) and parse_int(value, low=1, high=9999) is None:
                return f"The filter “{name[:40]}” must be a year, month or day number."
    return None


def _unreadable_selection(data):
    """A sentence when an admin action names rows by something that is not an id."""
    if any(parse_id(pk) is None for pk in data.getlist("_selected_action")):
        return "The selected rows could not be read: choose them again in the list."
    return None


class History:
    """Mix into the admin of a history model: rows are written by the services only,
    and never edited or deleted by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class HistoryInline(ParsedInput, History, admin.TabularInline):
    """A record's history on its change page, newest first, read-only."""

    extra = 0
    can_delete = False
    ordering = ["-at", "-pk"]

    def has_view_permission(self, request, obj=None):
        # History of a saved record only: an add form has none (and needs no formset).
        return obj is not None and super().has_view_permission(request, obj)

    def get_queryset(self, request):
        # Django's inline asks for view permission without the record, which the rule
        # above refuses, and would show no rows: ask the model's own permission instead.
        queryset = admin.options.BaseModelAdmin.get_queryset(self, request)
        if not super().has_view_permission(request):
            return queryset.none()
        return queryset
