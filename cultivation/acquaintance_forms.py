"""The form that links two people who know each other. It parses; the service decides."""

from django import forms

from .models import Acquaintance, Contact
from .pickers import ContactPickerField
from .services.acquaintances import DETAIL_MAX


class AcquaintanceForm(forms.Form):
    """Someone `contact` knows, how, and a detail ("met at the Law Society dinner")."""

    other = ContactPickerField(
        queryset=Contact.objects.none(),
        label="Knows",
        help_text="Search by name, email or organisation.",
        error_messages={"invalid_choice": "Choose someone we have on file (not themselves)."},
    )
    how = forms.ChoiceField(
        choices=[("", "How do they know each other?"), *Acquaintance.How.choices],
        required=False,
        label="How",
    )
    detail = forms.CharField(
        max_length=DETAIL_MAX,
        required=False,
        label="Detail",
        help_text="e.g. “met at the Law Society dinner”.",
    )

    prefix = "knows"  # the person's page has other forms (consent asks "how" too)

    def __init__(self, *args, contact, **kwargs):
        super().__init__(*args, **kwargs)
        self.contact = contact
        people = Contact.objects.active().exclude(pk=contact.pk).select_related("organisation")
        self.fields["other"].queryset = people
