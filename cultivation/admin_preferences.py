"""Each person's settings in the admin: a manager corrects them through the same service as
the settings page; the calendar address is never shown, only turned off (an action)."""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model

from convivio.admin_refusals import ActionsThroughServices, RefusalsAsMessages
from convivio.admin_widgets import ParsedInput
from convivio.parsing import parse_id

from .models import Preferences
from .preferences_forms import PreferencesForm
from .services.preferences import calendar_token_revoke, preferences_update

SERVICE_FIELDS = ["time_zone", "weekly_email", "weekly_email_weekday", "weekly_email_hour"]


class PreferencesAdminForm(forms.ModelForm):
    """The settings page's checks (a known zone, an hour 0-23), on the admin's form."""

    class Meta:
        model = Preferences
        fields = ["user", *SERVICE_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "user" in self.fields:
            self.fields["user"].queryset = get_user_model().objects.filter(
                is_active=True, preferences__isnull=True
            )
        self.fields["time_zone"].help_text = PreferencesForm().fields["time_zone"].help_text

    clean_time_zone = PreferencesForm.clean_time_zone


@admin.register(Preferences)
class PreferencesAdmin(ParsedInput, RefusalsAsMessages, ActionsThroughServices, admin.ModelAdmin):
    form = PreferencesAdminForm
    list_display = [
        "user",
        "time_zone",
        "weekly_email",
        "weekly_email_weekday",
        "weekly_email_hour",
        "has_calendar",
    ]
    list_filter = ["weekly_email", "weekly_email_weekday", "time_zone"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "time_zone"]
    readonly_fields = ["calendar_address", "updated_at"]
    actions = ["revoke_calendar_address"]
    action_noun = "calendar address"

    def get_object(self, request, object_id, from_field=None):
        # The key is the person's id, looked up through the relation: read it first, so a
        # huge one is "no such row", not an overflow in the database.
        if parse_id(object_id) is None:
            return None
        return super().get_object(request, object_id, from_field)

    def get_readonly_fields(self, request, obj=None):
        return [*(["user"] if obj else []), *self.readonly_fields]

    @admin.display(boolean=True, description="calendar")
    def has_calendar(self, obj):
        return bool(obj.calendar_token)

    @admin.display(description="calendar address")
    def calendar_address(self, obj):
        if obj is None or not obj.calendar_token:
            return "off"
        return f"on, made {obj.calendar_token_created_at:%-d %b %Y %H:%M}"

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in SERVICE_FIELDS}
        saved = preferences_update(user=obj.user, by=request.user, **values)
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Turn off the calendar address of the selected people")
    def revoke_calendar_address(self, request, queryset):
        self.apply_to_each(
            request,
            queryset.select_related("user"),
            "turned off",
            lambda row: calendar_token_revoke(user=row.user, by=request.user),
        )
