"""Forms of strategic alliances and exchange lunches. They parse input; the services decide."""

from django import forms

from convivio.limits import TEXT_MAX
from convivio.parsing import DateInWindowField

from .models import CRITERIA
from .pickers import ContactPickerField

# Blank rows each way on the exchange-lunch form (JavaScript may add more, up to the most).
NAME_ROWS = 5
NAME_ROWS_MAX = 20


class AllianceForm(forms.Form):
    """The seven criteria as a checklist, and the partner's Preferral Profile."""

    preferral_profile = forms.CharField(
        label="Their Preferral Profile",
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Who is a good introduction for them: the people they want to meet.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in CRITERIA:
            self.fields[name] = forms.BooleanField(label=label, required=False)
        self.order_fields([name for name, _ in CRITERIA] + ["preferral_profile"])

    @property
    def criteria(self):
        return {name: self.cleaned_data[name] for name, _ in CRITERIA}


class AllianceEndForm(forms.Form):
    reason = forms.CharField(label="Why end the alliance?", max_length=TEXT_MAX)


class ExchangeForm(forms.Form):
    """The lunch itself: when, and what was said."""

    on = DateInWindowField(
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
        label="Lunch on",
    )
    note = forms.CharField(
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )


class NameOfferedForm(forms.Form):
    """A name the partner offered us. A row left blank is no name; the service refuses a row
    with details but no name."""

    name = forms.CharField(max_length=200, required=False)
    organisation = forms.CharField(max_length=200, required=False)
    email = forms.EmailField(required=False)
    need = forms.CharField(max_length=TEXT_MAX, required=False)
    research_card = forms.BooleanField(label="Open a Research card", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _small(self)


class NameGivenForm(forms.Form):
    """A name we offered the partner: someone we know, and what they need."""

    person = ContactPickerField(label="Person we introduced", required=False)
    need = forms.CharField(max_length=TEXT_MAX, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _small(self)


def _row_number(form):
    """1 for the form's first row; "new" for the empty row JavaScript copies."""
    index = form.prefix.rsplit("-", 1)[-1] if form.prefix else ""
    return int(index) + 1 if index.isdigit() else "new"


def _small(form):
    """Row fields render compact, one row of the table a name."""
    for name, field in form.fields.items():
        widget = field.widget
        label = field.label or name.replace("_", " ").capitalize()
        widget.attrs.setdefault("aria-label", f"{label}, row {_row_number(form)}")
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        else:
            widget.attrs.setdefault("class", "form-control form-control-sm")


def _formset(form):
    return forms.formset_factory(
        form,
        extra=NAME_ROWS,
        max_num=NAME_ROWS_MAX,
        absolute_max=NAME_ROWS_MAX,
        validate_max=True,
    )


NamesOfferedFormSet = _formset(NameOfferedForm)
NamesGivenFormSet = _formset(NameGivenForm)


def filled_rows(formset):
    """The cleaned rows someone typed into, blank ones left out."""
    return [form.cleaned_data for form in formset.forms if form.has_changed()]
