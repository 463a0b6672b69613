"""The managers' admin for cards. Stage changes go through the same move service as the board."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.auth import get_user_model

from convivio.admin_refusals import RefusalsAsMessages
from convivio.admin_widgets import History, HistoryInline, ParsedInput
from convivio.errors import RuleViolation

from . import admin_accounts, services  # noqa: F401 (admin_accounts registers the accounts admin)
from .models import (
    CardChange,
    ConnectionIdea,
    Opportunity,
    OpportunityContact,
    Stage,
    StageChange,
)


class CardActionForm(ActionForm):
    """Extra fields beside the action drop-down, used by the actions that need them."""

    owner = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
        required=False,
        label="new owner",
    )
    to_stage = forms.ChoiceField(choices=[("", "---------"), *Stage.choices], required=False)
    reason = forms.CharField(required=False, label="reason / note")


class OpportunityContactInline(ParsedInput, admin.TabularInline):
    model = OpportunityContact
    extra = 0
    autocomplete_fields = ["contact"]


class ConnectionIdeaInline(ParsedInput, admin.TabularInline):
    model = ConnectionIdea
    extra = 0
    fields = ["kind", "description", "via", "status"]
    autocomplete_fields = ["via"]


class StageChangeInline(HistoryInline):
    """The card's history, read-only: moves are made only through the move rules."""

    model = StageChange
    fields = ["at", "from_stage", "to_stage", "by", "note"]
    readonly_fields = fields


class CardChangeInline(HistoryInline):
    """Changes of the card's details, owner and colleagues: history, read-only."""

    model = CardChange
    fields = ["at", "by", "field", "old", "new"]
    readonly_fields = fields


class OpportunityAdminForm(forms.ModelForm):
    class Meta:
        model = Opportunity
        fields = [
            "title",
            "organisation",
            "owner",
            "colleagues",
            "stage",
            "priority",
            "source",
            "estimated_value",
            "pain",
            "gain",
            "lost_reason",
        ]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            from .rules import creation_refusal

            refusal = creation_refusal(cleaned.get("stage"), cleaned.get("source"))
            if refusal:
                raise forms.ValidationError(refusal)
        return cleaned


@admin.register(Opportunity)
class OpportunityAdmin(ParsedInput, RefusalsAsMessages, admin.ModelAdmin):
    form = OpportunityAdminForm
    action_form = CardActionForm
    list_display = [
        "title",
        "organisation",
        "stage",
        "priority",
        "source",
        "owner",
        "estimated_value",
        "days_in_stage",
        "updated_at",
    ]
    list_filter = ["stage", "priority", "source", "owner", "stage_entered_at"]
    list_select_related = ["organisation", "owner"]
    search_fields = ["title", "organisation__name", "contacts__name", "pain", "gain"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["organisation", "owner", "colleagues"]
    inlines = [OpportunityContactInline, ConnectionIdeaInline, StageChangeInline, CardChangeInline]
    actions = ["reassign_owner", "mark_lost", "move_to_stage"]
    show_facets = admin.ShowFacets.NEVER

    def get_readonly_fields(self, request, obj=None):
        readonly = ["version", "position", "stage_entered_at", "created_at", "updated_at"]
        if obj is not None:
            # An existing card changes stage only through a move (actions below).
            readonly += ["stage", "lost_reason"]
        return readonly

    def get_exclude(self, request, obj=None):
        return ["lost_reason"] if obj is None else []

    @admin.display(description="days in stage", ordering="stage_entered_at")
    def days_in_stage(self, card):
        return card.days_in_stage

    def save_model(self, request, obj, form, change):
        if not change:
            services.opportunity_open(opportunity=obj, by=request.user, note="Added in the admin.")
            return
        # The same service as the card page: the policy, and a history row per change.
        data = form.cleaned_data
        services.opportunity_update(
            opportunity=obj,
            by=request.user,
            version=None,
            owner=data.get("owner"),
            colleagues=data["colleagues"] if "colleagues" in form.changed_data else None,
            **{name: data[name] for name in services.UPDATABLE_FIELDS if name in form.changed_data},
        )

    def save_related(self, request, form, formsets, change):
        if not change:
            form.save_m2m()  # a changed card's colleagues went through `opportunity_update`
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    @admin.action(description="Reassign selected cards to the new owner")
    def reassign_owner(self, request, queryset):
        owner = self._action_value(request, "owner")
        if owner is None:
            self.message_user(request, "Choose the new owner first.", messages.ERROR)
            return
        self._apply(
            request,
            queryset,
            "reassigned",
            lambda card: services.opportunity_reassign(
                opportunity=card, owner=owner, by=request.user
            ),
        )

    @admin.action(description="Mark selected cards Lost (give the reason)")
    def mark_lost(self, request, queryset):
        reason = self._action_value(request, "reason") or ""
        self._apply(
            request,
            queryset,
            "marked lost",
            lambda card: services.opportunity_move(
                opportunity=card, to_stage=Stage.LOST, by=request.user, version=None, note=reason
            ),
        )

    @admin.action(description="Move selected cards to the chosen stage")
    def move_to_stage(self, request, queryset):
        to_stage = self._action_value(request, "to_stage")
        if not to_stage:
            self.message_user(request, "Choose the stage to move to first.", messages.ERROR)
            return
        reason = self._action_value(request, "reason") or ""
        self._apply(
            request,
            queryset,
            "moved",
            lambda card: services.opportunity_move(
                opportunity=card, to_stage=to_stage, by=request.user, version=None, note=reason
            ),
        )

    def _action_value(self, request, name):
        form = self.action_form(request.POST)
        form.is_valid()
        return form.cleaned_data.get(name)

    def _apply(self, request, queryset, verb, change):
        done = 0
        for card in queryset:
            try:
                change(card)
                done += 1
            except RuleViolation as refusal:
                self.message_user(request, f"“{card}”: {refusal}", messages.ERROR)
        if done:
            self.message_user(request, f"{done} card(s) {verb}.", messages.SUCCESS)


@admin.register(StageChange)
class StageChangeAdmin(ParsedInput, History, admin.ModelAdmin):
    list_display = ["opportunity", "from_stage", "to_stage", "by", "at", "note"]
    list_filter = ["to_stage", "from_stage", "by"]
    list_select_related = ["opportunity", "by"]
    search_fields = ["opportunity__title", "note"]
    date_hierarchy = "at"


@admin.register(CardChange)
class CardChangeAdmin(ParsedInput, History, admin.ModelAdmin):
    """Every change of a card's details, owner and colleagues. History: read-only."""

    list_display = ["opportunity", "field", "old", "new", "by", "at"]
    list_filter = ["field", "by"]
    list_select_related = ["opportunity", "by"]
    search_fields = ["opportunity__title", "old", "new"]
    date_hierarchy = "at"


@admin.register(ConnectionIdea)
class ConnectionIdeaAdmin(ParsedInput, admin.ModelAdmin):
    list_display = ["description", "opportunity", "kind", "via", "status", "updated_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["opportunity", "via"]
    search_fields = ["description", "opportunity__title", "via__name"]
    autocomplete_fields = ["opportunity", "via"]
    date_hierarchy = "created_at"
