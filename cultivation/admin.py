"""The managers' admin for people and their cultivation. Changes go through the services."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.auth import get_user_model

from convivio.admin_refusals import RefusalsAsMessages
from convivio.admin_widgets import History, HistoryInline, ParsedInput
from convivio.errors import RuleViolation

from . import services
from .admin_privacy import PrivacyActions
from .models import (
    Contact,
    ContactEvent,
    FollowUp,
    Gathering,
    JobRun,
    Organisation,
    PlanItem,
    Promise,
    Reminder,
    Touch,
    TouchPlan,
    WeeklyDigest,
)
from .services.people import PERSON_FIELDS


class ContactInline(ParsedInput, admin.TabularInline):
    model = Contact
    extra = 0
    fields = ["name", "role", "email", "phone", "owner", "has_opted_in"]
    show_change_link = True


@admin.register(Organisation)
class OrganisationAdmin(ParsedInput, admin.ModelAdmin):
    list_display = ["name", "sector", "website", "created_at"]
    list_filter = ["sector"]
    search_fields = ["name", "sector", "notes"]
    date_hierarchy = "created_at"
    inlines = [ContactInline]


class ContactActionForm(ActionForm):
    owner = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
        required=False,
        label="new owner",
    )


class TouchInline(ParsedInput, admin.TabularInline):
    """The person's touches, read-only: they are history."""

    model = Touch
    fk_name = "contact"
    extra = 0
    can_delete = False
    fields = ["at", "method", "direction", "outcome", "by", "note"]
    readonly_fields = fields
    ordering = ["-at"]
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class ContactEventInline(HistoryInline):
    """The person's history besides touches (changes of details and owner included): read-only."""

    model = ContactEvent
    fields = ["at", "action", "by", "changes", "note"]
    readonly_fields = fields


class InCultivationFilter(admin.SimpleListFilter):
    title = "in cultivation"
    parameter_name = "cultivated"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        live = {"touch_plan__isnull": False, "touch_plan__ended_at__isnull": True}
        if self.value() == "yes":
            return queryset.filter(**live)
        if self.value() == "no":
            return queryset.exclude(**live)
        return queryset


@admin.register(Contact)
class ContactAdmin(ParsedInput, RefusalsAsMessages, PrivacyActions, admin.ModelAdmin):
    action_form = ContactActionForm
    actions = ["reassign_owner", "export_everything", "erase_people"]

    def has_delete_permission(self, request, obj=None):
        # A person leaves through erasure, which keeps the counts and remembers the email
        # so an import cannot bring them back; a delete would do neither.
        return False

    list_display = [
        "name",
        "organisation",
        "role",
        "email",
        "owner",
        "has_opted_in",
        "asked_to_stop_at",
    ]
    list_filter = ["has_opted_in", InCultivationFilter, "owner", "organisation__sector"]
    list_select_related = ["organisation", "owner"]
    search_fields = ["name", "email", "role", "organisation__name"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["organisation", "owner", "knows"]
    readonly_fields = ["asked_to_stop_at"]
    inlines = [TouchInline, ContactEventInline]

    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        # The same services as the pages: the policy, and a history row per change.
        data, changed = form.cleaned_data, form.changed_data
        services.contact_update(
            contact=obj,
            by=request.user,
            knows=data["knows"] if "knows" in changed else None,
            **{name: data[name] for name in PERSON_FIELDS if name in changed},
        )
        if "owner" in changed:
            services.contact_reassign(contact=obj, owner=data["owner"], by=request.user)

    def save_related(self, request, form, formsets, change):
        if not change:
            form.save_m2m()  # a changed person's `knows` went through `contact_update`
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    @admin.action(description="Reassign to the new owner chosen beside the action")
    def reassign_owner(self, request, queryset):
        owner_id = request.POST.get("owner")
        if not owner_id:
            self.message_user(request, "Choose the new owner first.", messages.ERROR)
            return
        owner = get_user_model().objects.get(pk=owner_id)
        moved = 0
        for contact in queryset:
            try:
                services.contact_reassign(contact=contact, owner=owner, by=request.user)
            except RuleViolation as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                moved += 1
        if moved:
            self.message_user(request, f"{moved} contact(s) now belong to {owner}.")


@admin.register(Touch)
class TouchAdmin(ParsedInput, admin.ModelAdmin):
    list_display = ["at", "contact", "method", "direction", "outcome", "by"]
    list_filter = ["method", "direction", "outcome", "by"]
    list_select_related = ["contact", "by"]
    search_fields = ["contact__name", "note"]
    date_hierarchy = "at"
    raw_id_fields = ["contact", "introduced_to", "follow_up", "gathering"]

    # Touches are history, logged through the rules (`touch_log`); managers may
    # delete a mistaken one but not invent or rewrite one here.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Gathering)
class GatheringAdmin(ParsedInput, admin.ModelAdmin):
    list_display = ["at", "by", "note"]
    date_hierarchy = "at"


@admin.register(FollowUp)
class FollowUpAdmin(ParsedInput, admin.ModelAdmin):
    list_display = [
        "contact",
        "owner",
        "priority",
        "status",
        "attempt_count",
        "next_due_at",
        "exhausts_at",
    ]
    list_filter = ["status", "priority", "owner"]
    list_select_related = ["contact", "owner"]
    search_fields = ["contact__name"]
    date_hierarchy = "met_at"
    raw_id_fields = ["contact"]
    readonly_fields = ["attempt_count", "last_attempt_at", "exhausts_at", "ended_at"]


@admin.register(Promise)
class PromiseAdmin(ParsedInput, admin.ModelAdmin):
    list_display = ["what", "contact", "owner", "due_on", "kept_at", "released_at"]
    list_filter = ["owner", ("kept_at", admin.EmptyFieldListFilter), "due_on"]
    list_select_related = ["contact", "owner"]
    search_fields = ["what", "contact__name"]
    date_hierarchy = "due_on"
    raw_id_fields = ["contact", "kept_touch"]


class PlanItemInline(ParsedInput, admin.TabularInline):
    model = PlanItem
    extra = 0
    fields = ["method", "interval_days", "next_due_on", "last_done_at", "snoozed_from"]
    readonly_fields = ["last_done_at", "snoozed_from"]


@admin.register(TouchPlan)
class TouchPlanAdmin(ParsedInput, admin.ModelAdmin):
    list_display = ["contact", "kind", "owner", "started_at", "ended_at"]
    list_filter = ["kind", ("ended_at", admin.EmptyFieldListFilter), "contact__owner"]
    list_select_related = ["contact__owner"]
    search_fields = ["contact__name"]
    raw_id_fields = ["contact"]
    inlines = [PlanItemInline]

    @admin.display(ordering="contact__owner")
    def owner(self, plan):
        return plan.contact.owner


@admin.register(ContactEvent)
class ContactEventAdmin(ParsedInput, History, admin.ModelAdmin):
    """A person's history (changes of details and owner included): read-only."""

    list_display = ["at", "contact", "action", "by", "changes", "note"]
    list_filter = ["action"]
    list_select_related = ["contact", "by"]
    search_fields = ["contact__name", "note"]
    date_hierarchy = "at"


@admin.register(Reminder)
class ReminderAdmin(ParsedInput, admin.ModelAdmin):
    list_display = ["kind", "due_on", "owner", "contact", "created_at", "closed_at"]
    list_filter = ["kind", "owner", "closed_at"]
    list_select_related = ["owner", "contact"]
    search_fields = ["contact__name"]
    date_hierarchy = "due_on"


@admin.register(WeeklyDigest)
class WeeklyDigestAdmin(ParsedInput, admin.ModelAdmin):
    list_display = ["user", "week_start", "claimed_at", "sent_at", "item_count"]
    # "Sent at: No date" finds emails claimed but never sent (docs/jobs.md).
    list_filter = [("sent_at", admin.EmptyFieldListFilter), "week_start"]
    list_select_related = ["user"]
    date_hierarchy = "week_start"


@admin.register(JobRun)
class JobRunAdmin(ParsedInput, admin.ModelAdmin):
    list_display = ["name", "last_started_at", "last_success_at", "last_error"]
    readonly_fields = ["name", "last_started_at", "last_success_at", "last_error"]

    def has_add_permission(self, request):
        return False  # a heartbeat is written by its job, never by hand
