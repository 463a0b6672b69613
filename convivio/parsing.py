"""Parse, then look up: ids and parameters read from a request before any query.

Views never hand a raw query parameter to the database. An id is whole ASCII
digits within a bigint column's range; a free-text parameter has no NUL byte
and a sane length. Forms use `IdField` and `DateInWindowField` for the same rules.
"""

from django import forms
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from .limits import BIGINT_MIN, EARLIEST_DATE, ID_MAX, SEARCH_MAX, latest_date


def parse_int(value, *, low, high):
    """`value` as a whole number from `low` to `high`, or None if it is not one.

    Only ASCII digits count: "²" and "١" look like digits to Python but no
    person types them as a number here.
    """
    if value is None:
        return None
    text = str(value).strip()
    digits = text[1:] if text.startswith("-") else text
    if not (digits.isascii() and digits.isdigit()) or len(digits) > len(str(ID_MAX)):
        return None
    number = int(text)
    return number if low <= number <= high else None


def parse_id(value):
    """An id (1 to the largest bigint) from a query parameter or field, or None."""
    return parse_int(value, low=1, high=ID_MAX)


def parse_bigint(value):
    """Any value a bigint column holds (e.g. a card position), or None."""
    return parse_int(value, low=BIGINT_MIN, high=ID_MAX)


def object_or_404(queryset, raw_id, *, what="record"):
    """The object named by a raw id from the request; 404 if it cannot be an id or names nothing."""
    pk = parse_id(raw_id)
    if pk is None:
        raise Http404(f"No such {what}: “{str(raw_id)[:20]}” is not one of its numbers.")
    return get_object_or_404(queryset, pk=pk)


def text_param(params, name, *, max_length=SEARCH_MAX):
    """A free-text query parameter, or "" when it cannot be read (a NUL byte, too long).

    A filter that cannot be read is ignored, never an error (docs/board.md).
    """
    value = params.get(name, "").strip()
    if "\x00" in value or len(value) > max_length:
        return ""
    return value


class IdField(forms.IntegerField):
    """The id of a record: whole ASCII digits, 1 to the largest bigint."""

    default_error_messages = {"invalid": "Enter the number of a record, in digits."}

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(**kwargs)

    def to_python(self, value):
        if value not in self.empty_values and parse_bigint(value) is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """Several records chosen by id; a value that cannot be an id is refused before any query."""

    def _check_values(self, value):
        if self.to_field_name is None and isinstance(value, list | tuple):
            for pk in value:
                if parse_id(pk) is None:
                    raise forms.ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": str(pk)[:20]},
                    )
        return super()._check_values(value)


class DateInWindowField(forms.DateField):
    """A date from 1 January 1900 to a hundred years ahead: nothing else is meant."""

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        latest = latest_date(timezone.localdate())
        if not EARLIEST_DATE <= value <= latest:
            raise forms.ValidationError(
                f"Choose a date from {EARLIEST_DATE:%-d %B %Y} to {latest:%-d %B %Y}.",
                code="out_of_range",
            )


def local_url(request, value):
    """`value` if it is a path on this site to send a person back to, else "".

    Only a path: `redirect()` would take any other word for a view's name.
    """
    if (
        value
        and value.startswith("/")
        and "\x00" not in value
        and url_has_allowed_host_and_scheme(
            value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return value
    return ""


def safe_next(request, fallback=""):
    """Where to send a person back to: `next` (from the form, else the query) if it is a
    path on this site (`local_url`: https only over https), else `fallback`.

    The one back-link check for both apps.
    """
    target = request.POST.get("next") or request.GET.get("next")
    return local_url(request, target) or fallback
