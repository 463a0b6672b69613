"""Forms for adding and editing people and organisations, consent, and "asked to stop".

They parse input; the services (services/people.py, services/organisations.py) decide.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from convivio.errors import RuleViolation
from convivio.limits import SEARCH_MAX, TEXT_MAX

from . import policy
from .forms import PastDateField
from .models import Contact, Direction, Organisation
from .pickers import ContactPickerField, OrganisationPickerField
from .services.people import PERSON_FIELDS
from .services.tags import tag_names


def _max(model, name):
    return model._meta.get_field(name).max_length


def _label(model, name):
    return model._meta.get_field(name).verbose_name.capitalize()


def _text(name, *, rows=3, model=Contact):
    return forms.CharField(
        label=_label(model, name),
        required=False,
        max_length=TEXT_MAX,
        help_text=model._meta.get_field(name).help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _active_users():
    return get_user_model().objects.filter(is_active=True).order_by("first_name", "username")


def owners_offered(user, contact=None):
    """Whom `user` may make the owner: a manager or the person's owner, anyone active;
    anyone else, themselves (or nobody, the empty choice) and whoever owns them now."""
    users = _active_users()
    if policy.is_manager(user) or (contact is not None and contact.owner_id == user.pk):
        return users
    keep = [user.pk] + ([contact.owner_id] if contact is not None and contact.owner_id else [])
    return users.filter(pk__in=keep)


class PersonForm(forms.Form):
    """A person's details. The organisation is picked, or named to be added."""

    name = forms.CharField(max_length=_max(Contact, "name"))
    organisation = OrganisationPickerField(
        queryset=Organisation.objects.order_by("name"),
        required=False,
        help_text="Search for the organisation they work at.",
    )
    new_organisation = forms.CharField(
        label="Or add a new organisation",
        required=False,
        max_length=_max(Organisation, "name"),
        help_text="Its name; if we have it already (any case), that one is used.",
    )
    role = forms.CharField(required=False, max_length=_max(Contact, "role"))
    email = forms.EmailField(required=False, max_length=_max(Contact, "email"))
    phone = forms.CharField(required=False, max_length=_max(Contact, "phone"))
    linkedin_url = forms.URLField(
        label="LinkedIn profile",
        required=False,
        max_length=_max(Contact, "linkedin_url"),
        assume_scheme="https",
    )
    how_we_know_them = _text("how_we_know_them")
    what_makes_them_tick = _text("what_makes_them_tick")
    needs = _text("needs", rows=4)
    owner = forms.ModelChoiceField(
        queryset=_active_users(),
        required=False,
        empty_label="Nobody yet",
        help_text="Who keeps this relationship alive.",
    )
    referred_by = ContactPickerField(
        queryset=Contact.objects.active(),
        required=False,
        label="Referred by",
        help_text="The person who referred or introduced them to us.",
    )
    referred_by_colleague = forms.ModelChoiceField(
        queryset=_active_users(),
        required=False,
        label="Referred by a colleague",
        empty_label="No colleague",
    )

    tags = forms.CharField(
        required=False,
        max_length=TEXT_MAX,
        help_text="Separated by commas, e.g. “clients, board members”. A new name adds a tag.",
    )

    def __init__(self, *args, user, contact=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.contact = contact
        self.fields["owner"].queryset = owners_offered(user, contact)
        for name in ("owner", "referred_by_colleague"):
            self.fields[name].label_from_instance = policy.full_name
        if contact is not None:
            self.fields["referred_by"].queryset = Contact.objects.active().exclude(pk=contact.pk)

    def clean_tags(self):
        try:
            return tag_names(self.cleaned_data["tags"])
        except RuleViolation as error:
            raise ValidationError(str(error)) from error

    def clean(self):
        data = super().clean()
        if not (data.get("organisation") and data.get("new_organisation", "").strip()):
            return data
        if self.contact is not None and "organisation" not in self.changed_data:
            data["organisation"] = None  # a new name typed over the one they had: it wins
        else:
            self.add_error("new_organisation", "Pick an organisation or name a new one, not both.")
        return data

    def details(self):
        """The person's fields as the services take them."""
        data = self.cleaned_data
        return {name: data[name] for name in PERSON_FIELDS} | {
            "new_organisation": data["new_organisation"],
            "tags": data["tags"],
        }

    def match_changed(self):
        """Whether what duplicate matching compares changed (always, for a new person)."""
        watched = {"name", "organisation", "new_organisation", "email", "linkedin_url"}
        return self.contact is None or bool(watched & set(self.changed_data))


def initial_for(contact):
    """The edit form's starting values: the person as they are."""
    return {
        **{name: getattr(contact, name) for name in PERSON_FIELDS},
        "owner": contact.owner,
        "tags": ", ".join(tag.name for tag in contact.tags.all()),
    }


class ConsentForm(forms.Form):
    how = forms.CharField(
        label="How did they consent?",
        max_length=_max(Contact, "opt_in_how"),
        help_text="For example “asked at lunch”, “signed up on the website”.",
    )


class WithdrawForm(forms.Form):
    why = forms.CharField(
        label="Why (optional)",
        required=False,
        max_length=TEXT_MAX,
        help_text="For example “replied to the newsletter: please stop”.",
    )


class StopForm(forms.Form):
    """The call in which a person asked us to stop, confirmed."""

    direction = forms.ChoiceField(
        choices=Direction.choices,
        initial=Direction.OURS,
        widget=forms.RadioSelect,
        label="Who called",
    )
    on = PastDateField(label="Date of the call", initial=timezone.localdate)
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=TEXT_MAX
    )
    is_arranged = forms.BooleanField(
        required=False, label="Arranged call (they agreed to it; not out of the blue)"
    )
    lose_open_cards = forms.BooleanField(
        required=False,
        label="Also move their open cards to Lost, with the reason “asked us to stop”",
    )


class OrganisationForm(forms.Form):
    name = forms.CharField(max_length=_max(Organisation, "name"))
    website = forms.URLField(
        required=False, max_length=_max(Organisation, "website"), assume_scheme="https"
    )
    sector = forms.CharField(required=False, max_length=_max(Organisation, "sector"))
    notes = _text("notes", rows=4, model=Organisation)


class OrganisationSearchForm(forms.Form):
    q = forms.CharField(required=False, label="Search", max_length=SEARCH_MAX)
