"""Forms of the referral ledger. They parse input; the services decide."""

from django import forms

from convivio.limits import TEXT_MAX
from convivio.parsing import DateInWindowField, IdField

from .forms import DATE_INPUT, _users
from .models import Referral
from .pickers import ContactPickerField
from .policy import full_name


class ReferralForm(forms.Form):
    """A referral given or received: who introduced whom to whom, when, for what need."""

    direction = forms.ChoiceField(choices=Referral.Direction.choices, widget=forms.RadioSelect)
    person = ContactPickerField(label="Person introduced")
    partner = ContactPickerField(
        label="Partner",
        help_text="Received: who introduced them to us. Given: who we introduced them to.",
    )
    colleague = forms.ModelChoiceField(
        queryset=_users(), label="Colleague", help_text="Who received it, or who gave it."
    )
    on = DateInWindowField(widget=DATE_INPUT, label="On")
    need = forms.CharField(
        max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["colleague"].label_from_instance = full_name  # as the board names people


class ReferralOutcomeForm(forms.Form):
    """What became of a referral, and optionally the number of the card it led to."""

    outcome = forms.ChoiceField(choices=Referral.Outcome.choices)
    card = IdField(required=False, label="Card number")


class LedgerFilterForm(forms.Form):
    """The ledger page's filters: a period (either end open) and a person."""

    start = DateInWindowField(required=False, widget=DATE_INPUT, label="From")
    end = DateInWindowField(required=False, widget=DATE_INPUT, label="To")
    person = IdField(required=False, widget=forms.HiddenInput)
