"""The contact list's exports: the people it lists, as CSV or vCard, streamed.

Everyone signed in sees every person (policy.py), so anyone signed in may export
what the list shows them; the file holds exactly the list's people for its search
and filters (the same selector). Managers export everything else from the admin.
"""

from django.http import HttpResponseBadRequest
from django.utils import timezone
from django.views.decorators.http import require_safe

from .. import exporting, people_selectors
from ..forms import ContactFilterForm

FORMATS = {"csv": exporting.people_csv, "vcf": exporting.people_vcards}


@require_safe
def contact_export(request, kind):
    """`/contacts/export.csv` and `.vcf`, with the list's own query string."""
    form = ContactFilterForm(request.GET)
    if not form.is_valid():
        # The list ignores a filter it cannot read; an export must not widen to everyone.
        field, errors = next(iter(form.errors.items()))
        return HttpResponseBadRequest(
            f"Nothing exported: the filter “{field}” cannot be read ({errors[0]})",
            content_type="text/plain; charset=utf-8",
        )
    people = people_selectors.contacts_for_list(**form.filters(), now=timezone.now())
    return FORMATS[kind](people)
