"""The managers' admin for cards. Stage changes go through the same move service as the board."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.auth import get_user_model

from convivio.admin_refusals import ActionsThroughServices, RefusalsAsMessages
from convivio.admin_widgets import History, HistoryInline, ParsedInput

from . import admin_accounts, exporting, services  # noqa: F401 (admin_accounts registers the accounts admin)
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


class AddOnlyInline(ParsedInput, admin.TabularInline):
    """New rows are added through a service (`OpportunityAdmin.save_formset`); rows
    already there are read-only and never deleted here."""

    extra = 0
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OpportunityContactInline(AddOnlyInline):
    """People on the card: added through `opportunity_add_contact` (a follow-up in
    Connecting, a touch plan in Cultivating, a history row), never removed here."""

    model = OpportunityContact
    fields = ["contact", "role", "is_primary"]
    autocomplete_fields = ["contact"]


class ConnectionIdeaInline(AddOnlyInline):
    """Ideas are added through `connection_idea_add`; how one went is marked on its own
    page (`connection_idea_mark`)."""

    model = ConnectionIdea
    fields = ["kind", "description", "via", "status"]
    autocomplete_fields = ["via"]
    show_change_link = True

    def get_readonly_fields(self, request, obj=None):
        return ["status"]  # a new idea starts as an idea


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
    # The version the manager loaded: a save over someone else's change is refused,
    # as on the board (`opportunity_update` raises StaleVersion).
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["loaded_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None and cleaned.get("loaded_version") is None:
            raise forms.ValidationError(
                "This form did not say which version of the card it edits: "
                "reload the card and make the change again."
            )
        if self.instance.pk is None:
            from .rules import creation_refusal

            refusal = creation_refusal(cleaned.get("stage"), cleaned.get("source"))
            if refusal:
                raise forms.ValidationError(refusal)
        return cleaned


@admin.register(Opportunity)
class OpportunityAdmin(ParsedInput, RefusalsAsMessages, ActionsThroughServices, admin.ModelAdmin):
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
    actions = ["reassign_owner", "mark_lost", "move_to_stage", "export_cards", "export_moves"]
    show_facets = admin.ShowFacets.NEVER
    action_noun = "card"

    def has_delete_permission(self, request, obj=None):
        return False  # a card is never deleted: it moves to Lost, with a reason

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
            version=data["loaded_version"],
            owner=data.get("owner"),
            colleagues=data["colleagues"] if "colleagues" in form.changed_data else None,
            **{name: data[name] for name in services.UPDATABLE_FIELDS if name in form.changed_data},
        )

    def save_related(self, request, form, formsets, change):
        if not change:
            form.save_m2m()  # a changed card's colleagues went through `opportunity_update`
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        # The inlines only add rows (AddOnlyInline); each new one goes through its service.
        card = form.instance
        for row in formset.save(commit=False):
            if isinstance(row, OpportunityContact):
                services.opportunity_add_contact(
                    opportunity=card,
                    contact=row.contact,
                    by=request.user,
                    role=row.role,
                    is_primary=row.is_primary,
                )
            elif isinstance(row, ConnectionIdea):
                services.connection_idea_add(
                    opportunity=card,
                    by=request.user,
                    kind=row.kind,
                    description=row.description,
                    via=row.via,
                )

    @admin.action(description="Export the selected cards as CSV (one row each)")
    def export_cards(self, request, queryset):
        return exporting.cards_csv(queryset.order_by("pk"))

    @admin.action(description="Export the selected cards' stage moves as CSV")
    def export_moves(self, request, queryset):
        return exporting.card_moves_csv(queryset)

    @admin.action(description="Reassign selected cards to the new owner")
    def reassign_owner(self, request, queryset):
        owner = self.action_value(request, "owner")
        if owner is None:
            self.message_user(request, "Choose the new owner first.", messages.ERROR)
            return
        self.apply_to_each(
            request,
            queryset,
            "reassigned",
            lambda card: services.opportunity_reassign(
                opportunity=card, owner=owner, by=request.user
            ),
        )

    @admin.action(description="Mark selected cards Lost (give the reason)")
    def mark_lost(self, request, queryset):
        reason = self.action_value(request, "reason") or ""
        self.apply_to_each(
            request,
            queryset,
            "marked lost",
            lambda card: services.opportunity_move(
                opportunity=card, to_stage=Stage.LOST, by=request.user, version=None, note=reason
            ),
        )

    @admin.action(description="Move selected cards to the chosen stage")
    def move_to_stage(self, request, queryset):
        to_stage = self.action_value(request, "to_stage")
        if not to_stage:
            self.message_user(request, "Choose the stage to move to first.", messages.ERROR)
            return
        reason = self.action_value(request, "reason") or ""
        self.apply_to_each(
            request,
            queryset,
            "moved",
            lambda card: services.opportunity_move(
                opportunity=card, to_stage=to_stage, by=request.user, version=None, note=reason
            ),
        )


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
class ConnectionIdeaAdmin(ParsedInput, RefusalsAsMessages, admin.ModelAdmin):
    """Ideas are added with `connection_idea_add`; on an existing idea only how it went
    (its status) changes, through `connection_idea_mark`."""

    list_display = ["description", "opportunity", "kind", "via", "status", "updated_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["opportunity", "via"]
    search_fields = ["description", "opportunity__title", "via__name"]
    autocomplete_fields = ["opportunity", "via"]
    date_hierarchy = "created_at"
    fields = ["opportunity", "kind", "description", "via", "status", "created_by"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["status", "created_by"]
        return ["opportunity", "kind", "description", "via", "created_by"]

    def has_delete_permission(self, request, obj=None):
        return False  # an idea that did not work is marked so, and kept as a lesson

    def save_model(self, request, obj, form, change):
        if change:
            if "status" in form.changed_data:
                services.connection_idea_mark(idea=obj, status=obj.status, by=request.user)
            return
        idea = services.connection_idea_add(
            opportunity=obj.opportunity,
            by=request.user,
            kind=obj.kind,
            description=obj.description,
            via=obj.via,
        )
        obj.pk, obj.created_by, obj.created_at = idea.pk, idea.created_by, idea.created_at
        obj._state.adding = False
