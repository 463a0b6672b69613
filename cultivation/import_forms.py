"""Forms of the import pages: the upload, the column mapping, and the choice for matches.

They parse what the person sent; the import service (services/importing.py) decides.
"""

from django import forms
from django.contrib.auth import get_user_model

from . import policy
from .importing.layouts import LAYOUTS
from .importing.rows import FIELDS
from .services.importing import CADENCES

# The encodings a person may choose instead of the one detected (codec name, label).
ENCODINGS = [
    ("utf-8", "UTF-8"),
    ("utf-8-sig", "UTF-8 with BOM"),
    ("utf-16", "UTF-16"),
    ("cp1252", "Windows-1252"),
    ("iso-8859-1", "Latin-1 (ISO-8859-1)"),
    ("mac-roman", "Mac Roman"),
]
ENCODING_LABELS = dict(ENCODINGS)

UNOWNED = "unowned"
MB = 1000 * 1000  # as IMPORT_MAX_BYTES counts them (25 MB: 25,000,000 bytes)


def codec_key(codec):
    """ "utf_8", "UTF-8" and "utf-8" are one encoding: the form's values are lower case
    with hyphens."""
    return (codec or "").lower().replace("_", "-")


def encoding_label(codec):
    """The name a person knows an encoding by ("Windows-1252" for "cp1252" or "cp_1252")."""
    name = codec_key(codec)
    if name in ENCODING_LABELS:
        return ENCODING_LABELS[name]
    if name.startswith("cp125"):
        return f"Windows-{name.removeprefix('cp')}"
    return name.upper() or "unknown"


def _owners_for(user):
    """A manager imports for anyone active; anyone else into their own pool."""
    users = get_user_model().objects.filter(is_active=True)
    if not policy.is_manager(user):
        users = users.filter(pk=user.pk)
    return users.order_by("first_name", "username")


def _owner_label(owner, user):
    name = owner.get_full_name() or owner.username
    return f"My pool ({name})" if owner.pk == user.pk else name


class UploadForm(forms.Form):
    """A file of people to bring in, whose pool they join, and optional overrides."""

    file = forms.FileField(
        help_text="CSV (any delimiter or encoding), vCard (.vcf) or Excel (.xlsx).",
    )
    owner = forms.ChoiceField()  # replaced in __init__: the choices depend on who imports
    encoding = forms.ChoiceField(
        label="Encoding",
        required=False,
        choices=[("", "Detect it"), *ENCODINGS],
        help_text="Leave it to Convivio unless names come out garbled.",
    )
    layout = forms.ChoiceField(
        label="Layout",
        required=False,
        choices=[
            ("", "Recognise it from the header"),
            *((key, layout.label) for key, layout in LAYOUTS.items()),
        ],
    )

    def __init__(self, *args, user, max_bytes, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes
        self.owners = {str(owner.pk): owner for owner in _owners_for(user)}
        self.fields["owner"] = forms.ChoiceField(
            label="Whose people",
            initial=str(user.pk),
            choices=[
                *((pk, _owner_label(owner, user)) for pk, owner in self.owners.items()),
                (UNOWNED, "Nobody: unowned, everyone's to look after"),
            ],
            help_text="A manager may import for anyone; staff into their own pool.",
        )
        self.fields["file"].help_text += f" Up to {max_bytes / MB:g} MB."

    def clean_owner(self):
        """The user whose pool the people join, or None for unowned."""
        return self.owners.get(self.cleaned_data["owner"])

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.max_bytes:
            raise forms.ValidationError(
                f"This file is {upload.size / MB:.1f} MB: files up to "
                f"{self.max_bytes / MB:g} MB can be imported. Split it into smaller files "
                "and import each."
            )
        if "\x00" in upload.name:
            raise forms.ValidationError("This file's name cannot be read.")
        return upload


class MappingForm(forms.Form):
    """One select per column of the file (`column_0`, `column_1`, ...), and the encoding."""

    encoding = forms.ChoiceField(
        label="Encoding",
        required=False,
        choices=ENCODINGS,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, columns, detected_encoding="", **kwargs):
        super().__init__(*args, **kwargs)
        self.columns = columns
        choices = list(FIELDS.items())
        for column in columns:
            self.fields[column.field_name] = forms.ChoiceField(
                label=column.header or f"Column {column.index + 1}",
                choices=choices,
                required=False,
                initial=column.guess,
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
        detected = codec_key(detected_encoding)
        if detected and detected not in ENCODING_LABELS:
            self.fields["encoding"].choices = [(detected, encoding_label(detected)), *ENCODINGS]
        self.fields["encoding"].initial = detected
        self.fields["encoding"].help_text = f"Detected: {encoding_label(detected_encoding)}"

    def mapping(self):
        """header -> the field chosen for its column ("" leaves it out)."""
        return {column.header: self.cleaned_data[column.field_name] for column in self.columns}


class ConfirmForm(forms.Form):
    """What to do with people who are already in Convivio."""

    on_match = forms.ChoiceField(
        label="People already in Convivio",
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        initial="skip",
        choices=[
            ("skip", "Skip them: change nothing about them"),
            ("fill", "Fill only their empty fields"),
            ("update", "Update their fields from the file"),
        ],
    )


CADENCE_LABELS = {
    "monthly": "A call each month",
    "quarterly": "A call each quarter",
    "twice_yearly": "A call twice a year",
    "yearly": "A call each year",
}


class BucketPlansForm(forms.Form):
    """For each bucket the file's people are in (Contactually), the touch plan its people
    start with, if any (`bucket_0`, `bucket_1`, ...)."""

    def __init__(self, *args, buckets, chosen, **kwargs):
        super().__init__(*args, **kwargs)
        self.buckets = buckets
        choices = [("", "No plan"), *((key, CADENCE_LABELS.get(key, key)) for key in CADENCES)]
        for index, (bucket, people) in enumerate(buckets):
            self.fields[f"bucket_{index}"] = forms.ChoiceField(
                label=f"{bucket} ({people} {'person' if people == 1 else 'people'})",
                choices=choices,
                required=False,
                initial=chosen.get(bucket.strip().casefold(), ""),
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )

    def bucket_plans(self):
        """bucket -> cadence, for the buckets given one."""
        return {
            bucket: self.cleaned_data[f"bucket_{index}"]
            for index, (bucket, _) in enumerate(self.buckets)
            if self.cleaned_data[f"bucket_{index}"]
        }
