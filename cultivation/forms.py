"""Forms for the cultivation pages. They parse input; the services decide."""

from datetime import datetime, time, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone

from convivio.limits import SEARCH_MAX, TEXT_MAX
from convivio.parsing import DateInWindowField, IdField, IdsChoiceField

from .models import Contact, Direction, Method, Outcome, TouchPlan
from .policy import full_name

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def moment_of(day, now=None):
    """A logged date as a moment: now for today, midday for an earlier day."""
    now = now or timezone.now()
    if day == timezone.localdate(now):
        return now
    return timezone.make_aware(datetime.combine(day, time(12)))


class PastDateField(DateInWindowField):
    """The day a touch happened: a touch is something done, so never a day to come."""

    widget = DATE_INPUT

    def validate(self, value):
        super().validate(value)
        if value and value > timezone.localdate():
            raise forms.ValidationError(
                "A touch is logged once it has happened: choose today or an earlier day."
            )


def _contacts():
    return Contact.objects.select_related("organisation").order_by("name")


class TouchForm(forms.Form):
    contact = forms.ModelChoiceField(queryset=_contacts())
    method = forms.ChoiceField(choices=Method.choices, initial=Method.EMAIL)
    direction = forms.ChoiceField(
        choices=Direction.choices, initial=Direction.OURS, widget=forms.RadioSelect
    )
    on = PastDateField(label="Date", initial=timezone.localdate)
    outcome = forms.ChoiceField(
        choices=[("", "— (not a call) —"), *Outcome.choices],
        required=False,
        label="Call outcome",
    )
    is_arranged = forms.BooleanField(
        required=False, label="Arranged call (they agreed to it; not out of the blue)"
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=TEXT_MAX
    )


class GatheringForm(forms.Form):
    contacts = IdsChoiceField(
        queryset=_contacts(),
        help_text="Two or three people at the lunch or coffee.",
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    on = PastDateField(label="Date", initial=timezone.localdate)
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=TEXT_MAX
    )


class IntroductionForm(forms.Form):
    contact = forms.ModelChoiceField(queryset=_contacts(), label="Our contact")
    expert = forms.ModelChoiceField(queryset=_contacts(), label="Introduced to (the expert)")
    on = PastDateField(label="Date", initial=timezone.localdate)
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=TEXT_MAX
    )


def _users():
    return get_user_model().objects.filter(is_active=True).order_by("first_name", "username")


class PromiseForm(forms.Form):
    contact = forms.ModelChoiceField(queryset=_contacts())
    what = forms.CharField(max_length=300, label="What we promised")
    due_on = DateInWindowField(widget=DATE_INPUT, label="Due by")
    owner = forms.ModelChoiceField(queryset=_users())
    opportunity_id = IdField(required=False, widget=forms.HiddenInput)

    def clean_opportunity_id(self):
        card_id = self.cleaned_data["opportunity_id"]
        if card_id is not None and not _card_exists(card_id):
            raise forms.ValidationError(
                f"There is no card number {card_id}: record the promise from the card's page."
            )
        return card_id

    def clean(self):
        # The card's id is a hidden field: say what is wrong where the person reads it.
        for message in self.errors.pop("opportunity_id", []):
            self.add_error(None, f"The card this promise is for: {message}")
        return super().clean()


def _card_exists(card_id):
    # Cards live in `opportunities`, the layer above: reach their model through the
    # relation it adds to Contact (`opportunities`), by name and without import.
    try:
        cards = Contact._meta.get_field("opportunities").related_model
    except FieldDoesNotExist:
        return False
    return cards._default_manager.filter(pk=card_id).exists()


class PromiseKeepForm(forms.Form):
    method = forms.ChoiceField(choices=Method.choices, initial=Method.EMAIL, label="Kept by")


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=500)


class SnoozeForm(forms.Form):
    until = DateInWindowField(widget=DATE_INPUT, label="Snooze to")


def next_week():
    return timezone.localdate() + timedelta(days=7)


SMALL_SELECT = {"class": "form-select form-select-sm"}


class PlanStartForm(forms.Form):
    kind = forms.ChoiceField(
        choices=TouchPlan.Kind.choices, widget=forms.Select(attrs=SMALL_SELECT)
    )


class PlanItemForm(forms.Form):
    method = forms.ChoiceField(choices=Method.choices, widget=forms.Select(attrs=SMALL_SELECT))
    interval_days = forms.IntegerField(
        min_value=1,
        max_value=730,
        label="Every (days)",
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}),
    )


class ContactFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search", max_length=SEARCH_MAX)
    owner = forms.ModelChoiceField(
        queryset=_users(),
        required=False,
        empty_label="Any owner",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    cultivation = forms.ChoiceField(
        choices=[("", "In cultivation or not"), ("yes", "In cultivation"), ("no", "Not")],
        required=False,
        label="Cultivation",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    overdue = forms.BooleanField(required=False, label="Overdue only")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].label_from_instance = full_name  # as the board names people
