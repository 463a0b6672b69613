"""Who knows whom in the admin: a person's links, added and removed through the services."""

from django.contrib import admin
from django.forms.models import BaseInlineFormSet

from convivio.admin_widgets import ParsedInput

from . import services
from .models import Acquaintance


class KnowsFormSet(BaseInlineFormSet):
    @classmethod
    def get_default_prefix(cls):
        return "knows"  # the link's own relation is hidden ("+"): name the form's fields


class AcquaintanceInline(ParsedInput, admin.TabularInline):
    """The people this person knows. A link is added or removed here, never edited: the
    rows already there are read-only (a link says who recorded it, and when)."""

    model = Acquaintance
    fk_name = "from_contact"
    formset = KnowsFormSet
    extra = 0
    fields = ["to_contact", "how", "detail", "recorded_by", "recorded_at"]
    readonly_fields = ["recorded_by", "recorded_at"]
    autocomplete_fields = ["to_contact"]
    verbose_name = "person they know"
    verbose_name_plural = "people they know"

    def has_change_permission(self, request, obj=None):
        return False


class AcquaintancesThroughServices:
    """Mix into ContactAdmin: the person's "knows" links as an inline on their change page,
    saved by `acquaintance_add` and `acquaintance_remove` (the policy, both directions,
    a history row on both people)."""

    def get_inlines(self, request, obj):
        inlines = list(super().get_inlines(request, obj))
        if obj is None or obj.is_erased:  # links come after the person exists, never back
            return inlines
        return [*inlines, AcquaintanceInline]

    def save_formset(self, request, form, formset, change):
        if formset.model is not Acquaintance:
            return super().save_formset(request, form, formset, change)
        added = formset.save(commit=False)  # new rows only: the others are read-only
        for link in formset.deleted_objects:
            services.acquaintance_remove(
                contact=form.instance, other=link.to_contact, by=request.user
            )
        for link in added:
            services.acquaintance_add(
                contact=form.instance,
                other=link.to_contact,
                by=request.user,
                how=link.how,
                detail=link.detail,
            )
