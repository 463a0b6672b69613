"""Forms of the board and the card page. Rules live in services; forms only parse input."""

from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.urls import reverse

from convivio.limits import MONEY_BELOW, SEARCH_MAX, TEXT_MAX
from convivio.parsing import IdField, IdsChoiceField, parse_id
from cultivation.models import Contact
from cultivation.pickers import ContactPickerField, OrganisationPickerField

from .models import ConnectionIdea, Opportunity, Priority, Source, Stage
from .selectors import BoardFilters

NAME_MAX = Contact._meta.get_field("name").max_length
ROLE_MAX = Contact._meta.get_field("role").max_length


def full_name(user):
    return user.get_full_name() or user.username


class BoardFilterForm(forms.Form):
    """The board's filters, read from the URL so a filtered board can be bookmarked."""

    owner = forms.CharField(required=False)  # "mine", "" (everyone) or a user's pk
    priority = forms.ChoiceField(required=False, choices=[("", "Any priority"), *Priority.choices])
    q = forms.CharField(required=False, max_length=SEARCH_MAX, strip=True)
    closed = forms.ChoiceField(required=False, choices=[("", "Last 90 days"), ("all", "All")])

    def filters(self, user):
        """BoardFilters for `user`; an unreadable filter falls back to showing everything."""
        data = self.cleaned_data if self.is_valid() else {}
        owner = None
        wanted = data.get("owner", "")
        if wanted == "mine":
            owner = user
        elif (owner_id := parse_id(wanted)) is not None:
            owner = get_user_model().objects.filter(pk=owner_id).first()
        return BoardFilters(
            owner=owner,
            priority=data.get("priority", ""),
            q=data.get("q", ""),
            all_closed=data.get("closed") == "all",
        )


class MoveForm(forms.Form):
    """The move endpoint's fields, and only these (anything else is refused with a 400)."""

    FIELDS = frozenset({"to_stage", "version", "after", "note", "csrfmiddlewaretoken"})

    to_stage = forms.ChoiceField(choices=Stage.choices)
    version = IdField()
    after = IdField(required=False)
    note = forms.CharField(required=False, max_length=TEXT_MAX)

    def unknown_fields(self):
        return sorted(set(self.data) - self.FIELDS)


class QuickAddForm(forms.Form):
    """A new card from the board: Research, or Connecting/Cultivating for inbound work."""

    title = forms.CharField(max_length=200)
    organisation = forms.CharField(
        max_length=200, required=False, help_text="Found by name, or added."
    )
    priority = forms.ChoiceField(choices=Priority.choices, initial=Priority.REFERRAL)
    stage = forms.ChoiceField(
        choices=[(s.value, s.label) for s in (Stage.RESEARCH, Stage.CONNECTING, Stage.CULTIVATING)],
        initial=Stage.RESEARCH,
        help_text="Only inbound cards may start past Research.",
    )
    source = forms.ChoiceField(choices=Source.choices, initial=Source.RESEARCH)
    person_name = forms.CharField(
        max_length=NAME_MAX, required=False, label="Person's name", help_text="Optional."
    )
    person_email = forms.EmailField(
        required=False,
        label="Their email",
        help_text="Someone we have with this email is put on the card instead of a new person.",
    )
    person_role = forms.CharField(max_length=ROLE_MAX, required=False, label="Their role")

    PERSON_FIELDS = ("person_name", "person_email", "person_role")

    def has_person(self):
        """A person was given (a name or an email): the card is added with them on it."""
        data = self.cleaned_data
        return bool(data.get("person_name") or data.get("person_email"))

    def clean(self):
        data = super().clean()
        if data.get("person_role") and not self.has_person():
            self.add_error("person_name", "Give the person's name (or email) for their role.")
        return data


class CardForm(forms.ModelForm):
    """The card's details. Saved through `opportunity_update`, with the version seen."""

    version = IdField(widget=forms.HiddenInput)
    organisation = OrganisationPickerField(required=False)

    class Meta:
        model = Opportunity
        fields = [
            "title",
            "organisation",
            "owner",
            "colleagues",
            "priority",
            "estimated_value",
            "pain",
            "gain",
        ]
        widgets = {
            "pain": forms.Textarea(attrs={"rows": 3}),
            "gain": forms.Textarea(attrs={"rows": 3}),
            "colleagues": forms.CheckboxSelectMultiple,
        }
        field_classes = {"colleagues": IdsChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.filter(is_active=True).order_by("first_name", "username")
        for name in ("owner", "colleagues"):
            self.fields[name].queryset = users
            self.fields[name].label_from_instance = full_name
        self.fields["version"].initial = self.instance.version
        _limit_value(self.fields["estimated_value"])
        for name in ("pain", "gain"):
            _limit_text(self.fields[name])
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", "Save card"))


def _limit_value(field):
    """Money is never negative, and below what its column holds."""
    field.validators += [
        MinValueValidator(0, message="A value is never negative: enter 0 or more."),
        MaxValueValidator(
            MONEY_BELOW - Decimal("0.01"), message=f"Enter a value below {MONEY_BELOW:,}."
        ),
    ]
    field.widget.attrs.update(min=0, max=MONEY_BELOW - Decimal("0.01"))


def _limit_text(field):
    field.validators.append(MaxLengthValidator(TEXT_MAX))
    field.widget.attrs["maxlength"] = TEXT_MAX


class ConnectionIdeaForm(forms.ModelForm):
    via = ContactPickerField(
        required=False,
        label="Via",
        help_text="Who could introduce us, for an introduction: anyone we know.",
    )

    class Meta:
        model = ConnectionIdea
        fields = ["kind", "description", "via"]

    def __init__(self, *args, card, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["description"].widget.attrs["placeholder"] = "e.g. Ask Priya to introduce us"
        self.helper = FormHelper()
        self.helper.form_action = reverse("opportunities:card-idea-add", args=[card.pk])
        self.helper.add_input(Submit("add", "Add idea"))


class IdeaStatusForm(forms.Form):
    status = forms.ChoiceField(choices=ConnectionIdea.Status.choices)


class AddContactForm(forms.Form):
    """Put someone we have on the card: found by searching, never a list of everyone."""

    contact = ContactPickerField(label="Person", queryset=Contact.objects.none())
    role = forms.CharField(max_length=ROLE_MAX, required=False, label="Role on the card")
    is_primary = forms.BooleanField(required=False, label="Primary contact")

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = choices


class NewPersonForm(forms.Form):
    """Someone new, added and put on the card in one step (their organisation defaults to
    the card's). Someone we have with the same email is put on instead."""

    name = forms.CharField(max_length=NAME_MAX)
    email = forms.EmailField(required=False)
    role = forms.CharField(max_length=ROLE_MAX, required=False, help_text="Their job.")
    organisation = OrganisationPickerField(required=False)
    card_role = forms.CharField(max_length=ROLE_MAX, required=False, label="Role on the card")
    is_primary = forms.BooleanField(required=False, label="Primary contact")

    prefix = "new"

    def __init__(self, *args, card, **kwargs):
        kwargs.setdefault("initial", {"organisation": card.organisation_id})
        super().__init__(*args, **kwargs)
