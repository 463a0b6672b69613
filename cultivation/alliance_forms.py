"""Forms of strategic alliances and exchange lunches. They parse input; the services decide."""

from django import forms

from convivio.limits import SEARCH_MAX, TEXT_MAX
from convivio.parsing import DateInWindowField

from .models import CRITERIA
from .models.people import name_match_key
from .pickers import SEARCH_SUFFIX, ContactPickerField, Picked

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


class RowPersonField(ContactPickerField):
    """The person in a row of the lunch form. Without JavaScript, what was typed that is
    exactly one person's name or email is that person (no second send); otherwise the row
    comes back with the matches, shown above its sentence."""

    def to_python(self, value):
        picked = Picked.of(value)
        if not picked.ids and (search := self.search_in(picked, [])):
            exact = [row for row in self.suggestions(search) if _is_exactly(row, search)]
            if len(exact) == 1:
                return exact[0]
        return super().to_python(value)

    def _refuse_unpicked(self, search):
        raise forms.ValidationError(
            f"Choose the person you mean from those matching “{search[:SEARCH_MAX]}” above, "
            "or search again.",
            code="unpicked",
        )


def _is_exactly(person, typed):
    typed = typed.strip()
    return name_match_key(person.name) == name_match_key(typed) or (
        bool(person.email) and person.email.lower() == typed.lower()
    )


class NameGivenForm(forms.Form):
    """A name we offered the partner: someone we know, and what they need."""

    person = RowPersonField(label="Person we introduced", required=False)
    need = forms.CharField(max_length=TEXT_MAX, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _small(self)
        self.fields["person"].widget.attrs["data-picker-quiet"] = True  # said once, above

    def has_changed(self):
        # A name typed and not chosen is a row filled in: it is checked, never skipped.
        typed = self.data.get(self.add_prefix("person") + SEARCH_SUFFIX, "")
        return super().has_changed() or (isinstance(typed, str) and bool(typed.strip()))


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
