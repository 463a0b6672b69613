"""Strategic alliances and exchange lunches in the admin, for managers: an alliance is marked
with `alliance_mark` and ended with `alliance_end` (an action); its next lunch is booked by
the services alone. An exchange lunch is logged with `exchange_log` and never edited or
deleted by hand (its names are in the referral ledger)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm

from convivio.admin_refusals import ActionsThroughServices, RefusalsAsMessages
from convivio.admin_widgets import ParsedInput
from convivio.limits import TEXT_MAX
from convivio.parsing import DateInWindowField

from . import services
from .models import CRITERIA, Alliance, Exchange

CRITERIA_FIELDS = [name for name, _ in CRITERIA]
ALLIANCE_OWNED = ["next_lunch_on", "since", "ended_at", "end_reason", "recorded_by"]
EXCHANGE_FIELDS = ["partner", "on", "by", "note", "touch", "recorded_at"]


class AllianceActionForm(ActionForm):
    reason = forms.CharField(required=False, max_length=TEXT_MAX, label="reason")


@admin.register(Alliance)
class AllianceAdmin(ParsedInput, RefusalsAsMessages, ActionsThroughServices, admin.ModelAdmin):
    list_display = ["contact", "criteria_count", "next_lunch_on", "since", "ended_at"]
    list_filter = ["ended_at", "next_lunch_on"]
    list_select_related = ["contact"]
    search_fields = ["contact__name", "preferral_profile"]
    raw_id_fields = ["contact"]
    fields = ["contact", *CRITERIA_FIELDS, "preferral_profile", *ALLIANCE_OWNED]
    action_form = AllianceActionForm
    actions = ["end", "rebook"]

    @admin.display(description="criteria met")
    def criteria_count(self, obj):
        return f"{len(obj.criteria_met)} of {len(CRITERIA)}"

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ALLIANCE_OWNED
        return ["contact", *ALLIANCE_OWNED]

    def has_delete_permission(self, request, obj=None):
        return False  # an alliance ends, with a reason; its history stays

    def save_model(self, request, obj, form, change):
        marked = services.alliance_mark(
            contact=obj.contact,
            criteria={name: getattr(obj, name) for name in CRITERIA_FIELDS},
            preferral_profile=obj.preferral_profile,
            by=request.user,
        )
        saved = marked.alliance
        for name in ["pk", *ALLIANCE_OWNED]:
            setattr(obj, name, getattr(saved, name))
        obj._state.adding = False
        if marked.plan_refusal:
            self.message_user(
                request, f"No alliance touch plan: {marked.plan_refusal}", messages.WARNING
            )

    @admin.action(description="End the selected alliances (give the reason, beside)")
    def end(self, request, queryset):
        reason = self.action_value(request, "reason")
        if not reason:
            self.message_user(request, "Say why the alliances end first.", messages.ERROR)
            return
        self.apply_to_each(
            request,
            queryset,
            "ended",
            lambda alliance: services.alliance_end(
                alliance=alliance, reason=reason, by=request.user
            ),
        )

    @admin.action(description="Book the next lunch again (the quietest week near its date)")
    def rebook(self, request, queryset):
        self.apply_to_each(
            request,
            queryset.filter(ended_at=None),
            "booked again",
            lambda alliance: services.alliance_reschedule(alliance=alliance),
        )


@admin.register(Exchange)
class ExchangeAdmin(ParsedInput, RefusalsAsMessages, admin.ModelAdmin):
    list_display = ["partner", "on", "by"]
    list_select_related = ["partner", "by"]
    date_hierarchy = "on"
    search_fields = ["partner__name", "note"]
    raw_id_fields = ["partner"]
    fields = EXCHANGE_FIELDS

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "on":  # the page's window of dates, not any date at all
            kwargs["form_class"] = DateInWindowField
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["by", "touch", "recorded_at"]
        return EXCHANGE_FIELDS  # the lunch as logged

    def has_delete_permission(self, request, obj=None):
        return False  # its names are in the referral ledger

    def save_model(self, request, obj, form, change):
        if change:
            return
        exchange = services.exchange_log(
            partner=obj.partner, on=obj.on, note=obj.note, by=request.user
        )
        for name in ["pk", "by", "touch", "recorded_at"]:
            setattr(obj, name, getattr(exchange, name))
        obj._state.adding = False
