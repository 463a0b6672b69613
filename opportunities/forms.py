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

from .models import ConnectionIdea, Opportunity, Priority, Source, Stage
from .selectors import BoardFilters


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


class CardForm(forms.ModelForm):
    """The card's details. Saved through `opportunity_update`, with the version seen."""

    version = IdField(widget=forms.HiddenInput)

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
    class Meta:
        model = ConnectionIdea
        fields = ["kind", "description", "via"]

    def __init__(self, *args, card, introducers, **kwargs):
        """`introducers`: the (person, [people on the card they know]) pairs to offer as "via"."""
        super().__init__(*args, **kwargs)
        self.fields["via"].queryset = Contact.objects.filter(
            pk__in=[person.pk for person, _ in introducers]
        )
        self.fields["description"].widget.attrs["placeholder"] = "e.g. Ask Priya to introduce us"
        self.helper = FormHelper()
        self.helper.form_action = reverse("opportunities:card-idea-add", args=[card.pk])
        self.helper.add_input(Submit("add", "Add idea"))


class IdeaStatusForm(forms.Form):
    status = forms.ChoiceField(choices=ConnectionIdea.Status.choices)


class AddContactForm(forms.Form):
    contact = forms.ModelChoiceField(queryset=Contact.objects.none())
    role = forms.CharField(max_length=200, required=False)
    is_primary = forms.BooleanField(required=False, label="Primary contact")

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = choices
