"""The referral ledger in the admin: recorded with `referral_record`, followed up with
`referral_outcome` (an action); a referral is never edited or deleted by hand."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm

from convivio.admin_refusals import ActionsThroughServices, RefusalsAsMessages
from convivio.admin_widgets import ParsedInput
from convivio.parsing import parse_id

from . import seams, services
from .models import Referral

SIDES = ["from_person", "to_user", "by_user", "to_person"]
OWNED_BY_SERVICES = ["outcome", "outcome_at", "outcome_by", "recorded_by", "recorded_at"]


class ReferralActionForm(ActionForm):
    outcome = forms.ChoiceField(
        choices=[("", "---------"), *Referral.Outcome.choices], required=False, label="outcome"
    )
    # Any text, parsed by the action: an unreadable number (NUL bytes too) is then refused
    # with a sentence, where an invalid action form would only say "No action selected".
    card = forms.Field(
        required=False,
        label="card number (one referral at a time)",
        widget=forms.TextInput(attrs={"size": 8}),
    )


@admin.register(Referral)
class ReferralAdmin(ParsedInput, RefusalsAsMessages, ActionsThroughServices, admin.ModelAdmin):
    list_display = [
        "person",
        "direction",
        "from_person",
        "to_person",
        "to_user",
        "by_user",
        "on",
        "outcome",
    ]
    list_filter = ["direction", "outcome", "on"]
    list_select_related = ["person", "from_person", "to_person", "to_user", "by_user"]
    search_fields = ["person__name", "from_person__name", "to_person__name", "need"]
    date_hierarchy = "on"
    raw_id_fields = ["person", "from_person", "to_person"]
    fields = ["direction", "person", *SIDES, "on", "need", *OWNED_BY_SERVICES]
    action_form = ReferralActionForm
    actions = ["follow_up"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return OWNED_BY_SERVICES
        return self.fields  # the referral as recorded; its outcome by the action

    def has_delete_permission(self, request, obj=None):
        return False  # the ledger is a record of what happened

    def save_model(self, request, obj, form, change):
        # The model's constraint has already refused sides of the other direction.
        if change:
            return
        received = obj.direction == Referral.Direction.RECEIVED
        referral = services.referral_record(
            direction=obj.direction,
            person=obj.person,
            partner=obj.from_person if received else obj.to_person,
            colleague=obj.to_user if received else obj.by_user,
            on=obj.on,
            need=obj.need,
            by=request.user,
        )
        obj.pk, obj.recorded_at, obj.recorded_by = referral.pk, referral.recorded_at, request.user
        obj._state.adding = False

    @admin.action(description="Record what became of the selected referrals (choose, beside)")
    def follow_up(self, request, queryset):
        outcome = self.action_value(request, "outcome")
        if not outcome:
            self.message_user(request, "Choose what became of them first.", messages.ERROR)
            return
        card, refusal = self._card(request, queryset)
        if refusal:
            self.message_user(request, refusal, messages.ERROR)
            return
        self.apply_to_each(
            request,
            queryset,
            "followed up",
            lambda referral: services.referral_outcome(
                referral=referral, by=request.user, outcome=outcome, card=card
            ),
        )

    def _card(self, request, queryset):
        """The card named beside the action, if any, as (card, None), or (None, why not)."""
        text = request.POST.get("card", "").strip()
        if not text:
            return None, None
        number = parse_id(text)
        if number is None:
            return None, "Enter the card's number (the digits in its address)."
        if queryset.count() != 1:
            return None, "A card is named for one referral at a time: select just one."
        provider = seams.referral_card()
        card = provider.find(number) if provider is not None else None
        if card is None:
            return None, "There is no card with that number."
        return card, None
