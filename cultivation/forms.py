"""Forms for the cultivation pages. They parse input; the services decide."""

from datetime import datetime, time, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from convivio.limits import SEARCH_MAX, TEXT_MAX
from convivio.parsing import DateInWindowField, IdField

from .models import (
    LOGGABLE_METHODS,
    NOT_REQUALIFIED,
    Contact,
    Direction,
    Method,
    Outcome,
    Tag,
    TouchPlan,
)
from .pickers import ContactPickerField, ContactsPickerField
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


def still_qualifies_field(**attrs):
    """ "Still worth cultivating?" after a call that reached them: yes unless a tap says no."""
    return forms.TypedChoiceField(
        choices=[("yes", "Yes"), ("no", "No longer qualifies")],
        coerce=lambda value: value == "yes",
        initial="yes",
        required=False,
        empty_value=True,
        widget=forms.RadioSelect(attrs=attrs),
        label="Still worth cultivating?",
    )


def requalified(data):
    """Keep "still worth cultivating?" only for a call that reached the person."""
    if data.get("method") != Method.CALL or data.get("outcome") in NOT_REQUALIFIED:
        data["still_qualifies"] = None
    return data


class TouchForm(forms.Form):
    contact = ContactPickerField()
    method = forms.ChoiceField(choices=LOGGABLE_METHODS, initial=Method.EMAIL)
    direction = forms.ChoiceField(
        choices=Direction.choices, initial=Direction.OURS, widget=forms.RadioSelect
    )
    on = PastDateField(label="Date", initial=timezone.localdate)
    outcome = forms.ChoiceField(
        choices=[("", "— (not a call) —"), *Outcome.choices],
        required=False,
        label="Call outcome",
    )
    still_qualifies = still_qualifies_field()
    is_arranged = forms.BooleanField(
        required=False, label="Arranged call (they agreed to it; not out of the blue)"
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=TEXT_MAX
    )

    def clean(self):
        return requalified(super().clean())


class QuickTouchForm(forms.Form):
    """The short form My week's "Log" opens after a call: the person is chosen already, the
    touch is ours and happened now. An outcome belongs to a call only, so another method
    drops it (the outcomes are hidden as soon as another method is picked)."""

    contact = IdField(widget=forms.HiddenInput)
    method = forms.ChoiceField(choices=[("", "Choose how"), *LOGGABLE_METHODS], label="How")
    outcome = forms.ChoiceField(
        choices=Outcome.choices,
        required=False,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
        label="How the call went",
    )
    still_qualifies = still_qualifies_field(**{"class": "btn-check"})
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=TEXT_MAX
    )

    def clean_contact(self):
        contact = Contact.objects.active().filter(pk=self.cleaned_data["contact"]).first()
        if contact is None:
            raise forms.ValidationError(
                "This person is no longer in the list: log the touch from their page."
            )
        return contact

    def clean(self):
        data = super().clean()
        if data.get("method") != Method.CALL:
            data["outcome"] = ""
        return requalified(data)


class GatheringForm(forms.Form):
    contacts = ContactsPickerField(
        label="People", help_text="Two or three people at the lunch or coffee."
    )
    on = PastDateField(label="Date", initial=timezone.localdate)
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=TEXT_MAX
    )


class IntroductionForm(forms.Form):
    contact = ContactPickerField(label="Our contact")
    expert = ContactPickerField(label="Introduced to (the expert)")
    on = PastDateField(label="Date", initial=timezone.localdate)
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=TEXT_MAX
    )


def _users():
    return get_user_model().objects.filter(is_active=True).order_by("first_name", "username")


class PromiseForm(forms.Form):
    """A promise to a person; `subject` (seams.promise_subject) lets it be about a card."""

    contact = ContactPickerField()
    what = forms.CharField(max_length=300, label="What we promised")
    due_on = DateInWindowField(widget=DATE_INPUT, label="Due by")
    owner = forms.ModelChoiceField(queryset=_users())

    def __init__(self, *args, subject=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.subject = subject
        if subject is not None:
            self.fields[subject.field] = IdField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if self.subject is not None:
            data["about"] = self._about(data.get(self.subject.field))
        return data

    def _about(self, pk):
        # The id is a hidden field: say what is wrong where the person reads it.
        label = self.subject.label
        for message in self.errors.pop(self.subject.field, []):
            self.add_error(None, f"The {label} this promise is for: {message}")
        about = None if pk is None else self.subject.find(pk)
        if pk is not None and about is None:
            self.add_error(
                None,
                f"The {label} this promise is for: There is no {label} number {pk}: "
                f"record the promise from the {label}'s page.",
            )
        return about


class PromiseKeepForm(forms.Form):
    method = forms.ChoiceField(choices=LOGGABLE_METHODS, initial=Method.EMAIL, label="Kept by")


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
    method = forms.ChoiceField(choices=LOGGABLE_METHODS, widget=forms.Select(attrs=SMALL_SELECT))
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
    tag = forms.CharField(
        required=False, label="Tag", max_length=Tag._meta.get_field("name").max_length
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].label_from_instance = full_name  # as the board names people

    def filters(self):
        """The list's filters as `contacts_for_list` takes them (call after is_valid())."""
        data = self.cleaned_data
        return {
            "q": data.get("q", ""),
            "owner": data.get("owner"),
            "cultivation": data.get("cultivation", ""),
            "overdue": data.get("overdue", False),
            "tag": data.get("tag", "").strip(),
        }
