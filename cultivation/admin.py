"""The managers' admin for people and their cultivation. Changes go through the services."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.auth import get_user_model
from django.db.models import Count

from convivio.admin_refusals import ActionsThroughServices, RefusalsAsMessages
from convivio.admin_widgets import History, HistoryInline, ParsedInput
from convivio.errors import RuleViolation
from convivio.limits import TEXT_MAX

from . import (
    admin_alliances,  # noqa: F401  (registers alliances and exchange lunches)
    admin_imports,  # noqa: F401  (registers the import batches)
    admin_referrals,  # noqa: F401  (registers the referral ledger)
    services,
)
from .admin_acquaintances import AcquaintancesThroughServices
from .admin_exports import (
    export_organisations_csv,
    export_people_csv,
    export_people_vcards,
    export_promises_csv,
    export_touches_csv,
)
from .admin_merge import MergeActions
from .admin_people import PeopleActions
from .admin_preferences import PreferencesAdmin  # noqa: F401  (registers it)
from .admin_privacy import PrivacyActions
from .models import (
    Contact,
    ContactEvent,
    FollowUp,
    Gathering,
    JobRun,
    Method,
    Organisation,
    PlanItem,
    Promise,
    Tag,
    Touch,
    TouchPlan,
    WeeklyDigest,
)
from .services.people import PERSON_FIELDS
from .services.tags import tag_clash, tag_name_checked


class ContactInline(ParsedInput, History, admin.TabularInline):
    """The organisation's people, read-only: a person is changed on their own page,
    where details go through `contact_update` and the owner through `contact_reassign`
    (capacity, history)."""

    model = Contact
    extra = 0
    can_delete = False
    fields = ["name", "role", "email", "phone", "owner", "has_opted_in"]
    readonly_fields = fields
    show_change_link = True


@admin.register(Organisation)
class OrganisationAdmin(ParsedInput, admin.ModelAdmin):
    list_display = ["name", "sector", "website", "created_at"]
    list_filter = ["sector"]
    search_fields = ["name", "sector", "notes"]
    date_hierarchy = "created_at"
    inlines = [ContactInline]
    actions = [export_organisations_csv]


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
    fields = ["at", "method", "direction", "outcome", "still_qualifies", "by", "note"]
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
        if self.value() == "yes":
            return queryset.in_cultivation()
        if self.value() == "no":
            return queryset.not_in_cultivation()
        return queryset


@admin.register(Contact)
class ContactAdmin(
    ParsedInput,
    RefusalsAsMessages,
    ActionsThroughServices,
    PrivacyActions,
    AcquaintancesThroughServices,
    PeopleActions,
    MergeActions,
    admin.ModelAdmin,
):
    action_form = ContactActionForm
    actions = [
        "reassign_owner",
        "export_everything",
        "erase_people",
        export_people_csv,
        export_people_vcards,
    ]

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
    autocomplete_fields = ["organisation", "owner", "referred_by", "referred_by_colleague", "tags"]
    # Consent is given and withdrawn through its service, with how, in the history.
    # Erasure and merging happen through their actions, never by setting a date by hand.
    readonly_fields = [
        "has_opted_in",
        "opted_in_at",
        "opt_in_how",
        "asked_to_stop_at",
        "erased_at",
        "merged_into",
        "merged_at",
    ]
    exclude = ["knows"]
    inlines = [TouchInline, ContactEventInline]

    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        # The same services as the pages: the policy, and a history row per change.
        data, changed = form.cleaned_data, form.changed_data
        services.contact_update(
            contact=obj,
            by=request.user,
            **{name: data[name] for name in PERSON_FIELDS if name in changed},
        )
        if "owner" in changed:
            services.contact_reassign(contact=obj, owner=data["owner"], by=request.user)

    def save_related(self, request, form, formsets, change):
        # Tags go through their service (policy, a history row), not the form.
        tags = form.cleaned_data.pop("tags", None)
        if not change:
            form.save_m2m()
        if tags is not None and (not change or "tags" in form.changed_data):
            services.contact_tag(
                contact=form.instance, by=request.user, names=[tag.name for tag in tags]
            )
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    @admin.action(description="Reassign to the new owner chosen beside the action")
    def reassign_owner(self, request, queryset):
        owner = self.action_value(request, "owner")
        if owner is None:
            self.message_user(request, "Choose the new owner first.", messages.ERROR)
            return
        self.apply_to_each(
            request,
            queryset,
            f"now belong to {owner}",
            lambda contact: services.contact_reassign(
                contact=contact, owner=owner, by=request.user
            ),
        )


@admin.register(Touch)
class TouchAdmin(ParsedInput, History, admin.ModelAdmin):
    list_display = ["at", "contact", "method", "direction", "outcome", "still_qualifies", "by"]
    list_filter = ["method", "direction", "outcome", "still_qualifies", "by"]
    list_select_related = ["contact", "by"]
    search_fields = ["contact__name", "note"]
    date_hierarchy = "at"
    raw_id_fields = ["contact", "introduced_to", "follow_up", "gathering"]
    actions = [export_touches_csv]

    # Touches are history, logged through the rules (`touch_log`): never invented,
    # rewritten or deleted here (a deletion would undo follow-up attempts silently).


@admin.register(Gathering)
class GatheringAdmin(ParsedInput, History, admin.ModelAdmin):
    """A lunch or coffee is logged on its page (`gathering_log`), which gives each person
    a touch; here it is read-only, like the touches it holds."""

    list_display = ["at", "by", "note"]
    list_select_related = ["by"]
    date_hierarchy = "at"


class SnoozeActionForm(ActionForm):
    until = forms.DateField(
        required=False, label="snooze to", widget=forms.DateInput(attrs={"type": "date"})
    )


def _snooze_date(model_admin, request):
    until = model_admin.action_value(request, "until")
    if until is None:
        model_admin.message_user(
            request, "Choose the date to snooze to first (a date after today).", messages.ERROR
        )
    return until


@admin.register(FollowUp)
class FollowUpAdmin(ParsedInput, RefusalsAsMessages, ActionsThroughServices, admin.ModelAdmin):
    """Follow-ups start and end by the rules (a card in Connecting, a touch, the daily
    sweep): every field is read-only; the next attempt is put off by "Snooze"."""

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
    readonly_fields = [
        "contact",
        "owner",
        "priority",
        "met_at",
        "status",
        "attempt_count",
        "last_attempt_at",
        "next_due_at",
        "exhausts_at",
        "ended_at",
    ]
    action_form = SnoozeActionForm
    actions = ["snooze"]
    action_noun = "follow-up"

    def has_add_permission(self, request):
        return False  # a follow-up falls due when a person is met (a card in Connecting)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Snooze the next attempt to the date chosen beside the action")
    def snooze(self, request, queryset):
        until = _snooze_date(self, request)
        if until is not None:
            self.apply_to_each(
                request,
                queryset,
                f"snoozed to {until:%-d %b %Y}",
                lambda follow_up: services.follow_up_snooze(
                    follow_up=follow_up, until=until, by=request.user
                ),
            )


class PromiseActionForm(ActionForm):
    method = forms.ChoiceField(
        choices=[("", "---------"), *Method.choices], required=False, label="kept by"
    )
    reason = forms.CharField(required=False, label="reason", max_length=TEXT_MAX)


@admin.register(Promise)
class PromiseAdmin(ParsedInput, RefusalsAsMessages, ActionsThroughServices, admin.ModelAdmin):
    """A promise is made with `promise_make` and settled by the actions "Keep" (a touch
    is logged) and "Release" (a reason is required): never edited or deleted by hand."""

    list_display = ["what", "contact", "owner", "due_on", "kept_at", "released_at"]
    list_filter = ["owner", ("kept_at", admin.EmptyFieldListFilter), "due_on"]
    list_select_related = ["contact", "owner"]
    search_fields = ["what", "contact__name"]
    date_hierarchy = "due_on"
    raw_id_fields = ["contact"]
    fields = [
        "contact",
        "owner",
        "what",
        "due_on",
        "made_at",
        "made_by",
        "kept_at",
        "kept_touch",
        "released_at",
        "release_reason",
    ]
    action_form = PromiseActionForm
    actions = ["keep", "release", export_promises_csv]

    def get_readonly_fields(self, request, obj=None):
        settled = ["made_at", "made_by", "kept_at", "kept_touch", "released_at", "release_reason"]
        if obj is None:
            return settled
        return self.fields  # the promise as made; settled by the actions

    def has_delete_permission(self, request, obj=None):
        return False  # a broken promise is released with a reason, never erased

    def save_model(self, request, obj, form, change):
        if change:
            return  # nothing is editable on a promise already made
        promise = services.promise_make(
            contact=obj.contact,
            owner=obj.owner,
            what=obj.what,
            due_on=obj.due_on,
            by=request.user,
        )
        obj.pk, obj.made_at, obj.made_by = promise.pk, promise.made_at, promise.made_by
        obj._state.adding = False

    @admin.action(description="Keep the selected promises (choose how, beside the action)")
    def keep(self, request, queryset):
        method = self.action_value(request, "method")
        if not method:
            self.message_user(request, "Choose how the promise was kept first.", messages.ERROR)
            return
        self.apply_to_each(
            request,
            queryset,
            "kept",
            lambda promise: services.promise_keep(promise=promise, by=request.user, method=method),
        )

    @admin.action(description="Release the selected promises (give the reason)")
    def release(self, request, queryset):
        reason = self.action_value(request, "reason") or ""
        self.apply_to_each(
            request,
            queryset,
            "released",
            lambda promise: services.promise_release(
                promise=promise, by=request.user, reason=reason
            ),
        )


class PlanItemInline(ParsedInput, admin.TabularInline):
    """A plan's touches: added through `plan_item_add`; dates change only by touches
    and by the "Snooze" action, so rows already there are read-only."""

    model = PlanItem
    extra = 0
    can_delete = False
    fields = ["method", "interval_days", "next_due_on", "last_done_at", "snoozed_from"]
    readonly_fields = ["next_due_on", "last_done_at", "snoozed_from"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PlanActionForm(ActionForm):
    reason = forms.CharField(required=False, label="reason", max_length=TEXT_MAX)
    method = forms.ChoiceField(
        choices=[("", "---------"), *Method.choices], required=False, label="touch"
    )
    until = SnoozeActionForm.base_fields["until"]


@admin.register(TouchPlan)
class TouchPlanAdmin(ParsedInput, RefusalsAsMessages, ActionsThroughServices, admin.ModelAdmin):
    """A plan starts on the person's page or with a card in Cultivating (within the
    owner's capacity); here it is ended or snoozed by actions, and gains touches
    through `plan_item_add`. Its dates are read-only; it is never deleted."""

    list_display = ["contact", "kind", "owner", "started_at", "ended_at"]
    list_filter = ["kind", ("ended_at", admin.EmptyFieldListFilter), "contact__owner"]
    list_select_related = ["contact__owner"]
    search_fields = ["contact__name"]
    raw_id_fields = ["contact"]
    inlines = [PlanItemInline]
    readonly_fields = ["contact", "kind", "started_at", "started_by", "ended_at", "end_reason"]
    action_form = PlanActionForm
    actions = ["end_plan", "snooze_item"]
    action_noun = "touch plan"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        pass  # every field of the plan itself is read-only

    def save_formset(self, request, form, formset, change):
        for item in formset.save(commit=False):  # new rows only (PlanItemInline)
            services.plan_item_add(
                plan=form.instance,
                method=item.method,
                interval_days=item.interval_days,
                by=request.user,
            )

    @admin.action(description="End the selected plans (give the reason)")
    def end_plan(self, request, queryset):
        reason = self.action_value(request, "reason") or ""
        self.apply_to_each(
            request,
            queryset,
            "ended",
            lambda plan: services.plan_end(plan=plan, by=request.user, reason=reason),
        )

    @admin.action(description="Snooze the chosen touch of the selected plans to the date")
    def snooze_item(self, request, queryset):
        method = self.action_value(request, "method")
        until = _snooze_date(self, request)
        if until is None:
            return
        if not method:
            self.message_user(request, "Choose the touch to snooze first.", messages.ERROR)
            return
        self.apply_to_each(
            request,
            queryset,
            f"snoozed to {until:%-d %b %Y}",
            lambda plan: services.plan_item_snooze(
                item=_plan_item(plan, method), until=until, by=request.user
            ),
        )

    @admin.display(ordering="contact__owner")
    def owner(self, plan):
        return plan.contact.owner


def _plan_item(plan, method):
    item = plan.items.filter(method=method).first()
    if item is None:
        raise RuleViolation(f"This plan has no {Method(method).label.lower()} to snooze.")
    return item


@admin.register(ContactEvent)
class ContactEventAdmin(ParsedInput, History, admin.ModelAdmin):
    """A person's history (changes of details and owner included): read-only."""

    list_display = ["at", "contact", "action", "by", "changes", "note"]
    list_filter = ["action"]
    list_select_related = ["contact", "by"]
    search_fields = ["contact__name", "note"]
    date_hierarchy = "at"


@admin.register(WeeklyDigest)
class WeeklyDigestAdmin(ParsedInput, History, admin.ModelAdmin):
    """The weekly email's bookkeeping, written by the job: read-only. An email claimed
    and never sent is resent with `send_weekly_digest --user NAME --resend`."""

    list_display = ["user", "week_start", "claimed_at", "sent_at", "item_count"]
    # "Sent at: No date" finds emails claimed but never sent (docs/jobs.md).
    list_filter = [("sent_at", admin.EmptyFieldListFilter), "week_start"]
    list_select_related = ["user"]
    date_hierarchy = "week_start"


@admin.register(JobRun)
class JobRunAdmin(ParsedInput, History, admin.ModelAdmin):
    """Heartbeats, written by their jobs, never by hand: read-only."""

    list_display = ["name", "last_started_at", "last_success_at", "last_error"]


class TagAdminForm(forms.ModelForm):
    class Meta:
        model = Tag
        fields = ["name"]

    def clean_name(self):
        try:
            name = tag_name_checked(self.cleaned_data["name"])
        except RuleViolation as error:
            raise forms.ValidationError(str(error)) from error
        if clash := tag_clash(name, exclude=self.instance.pk):
            raise forms.ValidationError(clash)
        return name


@admin.register(Tag)
class TagAdmin(ParsedInput, admin.ModelAdmin):
    """Tags are given to people on their page (`contact_tag`, with history); here they are
    listed, searched and renamed. Not deleted: people would lose a tag with no history."""

    form = TagAdminForm
    list_display = ["name", "people_count", "created_at"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(people_count=Count("people"))

    @admin.display(description="people", ordering="people_count")
    def people_count(self, tag):
        return tag.people_count

    def has_delete_permission(self, request, obj=None):
        return False
