"""Fields that pick a person or an organisation by searching, never from a list of everyone.

The form posts the chosen row's id, exactly as a ModelChoiceField does; the widget
is a search box with suggestions (htmx) and works as a plain search without JavaScript.
"""

from django import forms


class ContactPickerField(forms.ModelChoiceField):
    """One person, chosen by searching their name, email or organisation."""

    widget = forms.TextInput


class ContactsPickerField(forms.ModelMultipleChoiceField):
    """Several people, chosen one search at a time."""

    widget = forms.MultipleHiddenInput


class OrganisationPickerField(forms.ModelChoiceField):
    """One organisation, chosen by searching its name."""

    widget = forms.TextInput
