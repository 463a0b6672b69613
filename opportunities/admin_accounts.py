"""The admin for the firm's accounts. Managers look after people (names, email, leavers,
reset emails); powers (superuser, staff, groups, permissions, passwords) stay with
superusers, so no manager can raise herself or take over a colleague (docs/security.md)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from convivio.errors import RuleViolation

from .services_accounts import account_deactivate, account_refusal, account_send_password_reset

User = get_user_model()

POWER_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")
POWERS_REFUSAL = (
    "Only a superuser can change who is staff or superuser, or anyone's groups or "
    "permissions. Nothing was saved."
)
PASSWORD_REFUSAL = (
    "Only a superuser can set another person's password. Select them in the list and "
    "send a password-reset email instead, so that they choose their own."
)
ADD_REFUSAL = "Only a superuser can add accounts. Ask one to add the new colleague."
MANAGER_FIELDSETS = (
    (None, {"fields": ("username",)}),
    ("Personal info", {"fields": ("first_name", "last_name", "email")}),
    ("Powers (a superuser changes these)", {"fields": ("is_active", *POWER_FIELDS)}),
    ("Important dates", {"fields": ("last_login", "date_joined")}),
)


class AccountActionForm(ActionForm):
    successor = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("username"),
        required=False,
        label="hand their work to",
    )


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class AccountAdmin(UserAdmin):
    action_form = AccountActionForm
    actions = ["deactivate_and_hand_on", "send_password_reset"]
    list_display = ["username", "email", "first_name", "last_name", "is_staff", "is_active"]

    def get_fieldsets(self, request, obj=None):
        if request.user.is_superuser or obj is None:
            return super().get_fieldsets(request, obj)
        return MANAGER_FIELDSETS

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        readonly = ["username", "is_active", *POWER_FIELDS, "last_login", "date_joined"]
        if obj is not None and obj.pk != request.user.pk:
            # The email is where a password reset goes: a manager who could change it
            # and then send a reset could take over anyone's account.
            readonly.append("email")
        return readonly

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        if obj is not None and account_refusal(person=obj, by=request.user):
            return False
        return super().has_change_permission(request, obj)

    def add_view(self, request, form_url="", extra_context=None):
        if not request.user.is_superuser:
            return self._refuse(request, ADD_REFUSAL)
        return super().add_view(request, form_url, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST" and not request.user.is_superuser:
            person = self.get_object(request, unquote(object_id))
            refusal = person is not None and account_refusal(person=person, by=request.user)
            if refusal:
                return self._refuse(request, refusal + " Nothing was saved.")
            if any(name in request.POST for name in POWER_FIELDS):
                return self._refuse(request, POWERS_REFUSAL)
        return super().change_view(request, object_id, form_url, extra_context)

    def user_change_password(self, request, id, form_url=""):
        if not request.user.is_superuser:
            if unquote(id) == str(request.user.pk):
                return redirect("admin:password_change")
            return self._refuse(request, PASSWORD_REFUSAL)
        return super().user_change_password(request, id, form_url)

    @admin.action(
        description="Deactivate the selected leavers and hand their cards and people on",
        permissions=["change"],
    )
    def deactivate_and_hand_on(self, request, queryset):
        form = self.action_form(request.POST)
        form.is_valid()  # the action's own choice is not set here; only the successor counts
        successor = form.cleaned_data.get("successor")
        if successor is None:
            self.message_user(
                request, "Choose who takes over their cards and people first.", messages.ERROR
            )
            return
        for person in queryset.order_by("username"):
            self._deactivate(request, person, successor)

    def _deactivate(self, request, person, successor):
        name = person.get_full_name() or person.get_username()
        try:
            handover = account_deactivate(person=person, successor=successor, by=request.user)
        except RuleViolation as refusal:
            self.message_user(request, f"{name}: {refusal}", messages.ERROR)
            return
        for refusal in handover.refusals:
            self.message_user(request, refusal, messages.WARNING)
        summary = (
            f"{name} can no longer sign in; {handover.cards} card(s) and "
            f"{handover.people} person(s) handed to {successor}."
        )
        self.log_change(request, person, summary)
        self.message_user(request, summary, messages.SUCCESS)

    @admin.action(
        description="Send a password-reset email to the selected people", permissions=["change"]
    )
    def send_password_reset(self, request, queryset):
        for person in queryset.order_by("username"):
            name = person.get_full_name() or person.get_username()
            try:
                account_send_password_reset(person=person)
            except RuleViolation as refusal:
                self.message_user(request, f"{name}: {refusal}", messages.ERROR)
                continue
            self.log_change(request, person, "Sent a password-reset email.")
            self.message_user(
                request, f"{name} has been sent a link to choose a password.", messages.SUCCESS
            )

    def _refuse(self, request, sentence):
        context = {
            **self.admin_site.each_context(request),
            "title": "Not allowed",
            "sentence": sentence,
        }
        return TemplateResponse(request, "admin/accounts_refused.html", context, status=403)


@admin.register(Group)
class PowersGroupAdmin(GroupAdmin):
    """Groups carry permissions, so only a superuser sees or edits them."""

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
