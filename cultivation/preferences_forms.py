"""The settings page's form: it parses; `preferences_update` decides."""

from django import forms
from django.conf import settings

from .models import Weekday
from .models.preferences import time_zone_names

HOURS = [(hour, f"{hour:02d}:00") for hour in range(24)]


class PreferencesForm(forms.Form):
    time_zone = forms.CharField(
        required=False,
        max_length=64,
        label="Time zone",
        widget=forms.TextInput(attrs={"list": "time-zones", "autocomplete": "off"}),
    )
    weekly_email = forms.BooleanField(required=False, label="Send me the weekly email")
    weekly_email_weekday = forms.TypedChoiceField(
        choices=Weekday.choices,
        coerce=int,
        label="Day of the weekly email",
        error_messages={"invalid_choice": "Choose a day of the week, Monday to Sunday."},
    )
    weekly_email_hour = forms.TypedChoiceField(
        choices=HOURS,
        coerce=int,
        label="Hour of the weekly email",
        help_text="The hour of the day in your own time zone.",
        error_messages={"invalid_choice": "Choose an hour from 00:00 to 23:00."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        firm = settings.TIME_ZONE
        self.fields["time_zone"].widget.attrs["placeholder"] = f"the firm's ({firm})"
        self.fields[
            "time_zone"
        ].help_text = (
            f"Type to search, e.g. Europe/Paris or America/New_York. Blank: the firm's ({firm})."
        )

    def clean_time_zone(self):
        value = self.cleaned_data["time_zone"].strip()
        if not value:
            return ""
        names = {name.lower(): name for name in time_zone_names()}
        known = names.get(value.lower().replace(" ", "_"))
        if known is None:
            raise forms.ValidationError(
                f"“{value}” is not a time zone we know: choose one from the list, "
                "e.g. Europe/Paris or America/New_York."
            )
        return known
