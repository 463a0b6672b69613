"""Suggestions for the pickers (cultivation/pickers.py): at most twenty, as listbox options.

`q` is what was typed; `r` names the field's restriction kept on the server, if it
has one. A search that cannot be read (a NUL byte, over-long) finds nothing.
"""

from dataclasses import dataclass

from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.views.decorators.http import require_GET

from convivio.parsing import text_param

from .. import pickers
from ..models import Contact, Organisation


@dataclass(frozen=True)
class Choice:
    pk: int
    name: str
    label: str
    detail: str


def _contact_choice(contact):
    organisation = contact.organisation.name if contact.organisation_id else ""
    detail = " · ".join(part for part in (organisation, contact.email) if part)
    return Choice(contact.pk, contact.name, pickers.contact_label(contact), detail)


def _organisation_choice(organisation):
    return Choice(organisation.pk, organisation.name, organisation.name, organisation.sector)


def _suggest(request, model, search, choice, nouns):
    token = request.GET.get("r", "")
    within = pickers.restricted(model, token) if token else None
    if token and within is None:
        if not pickers.TOKEN.fullmatch(token):
            return HttpResponseBadRequest("That search is not one of this site's pickers.")
        message = (
            "These suggestions have expired: reload the page (or type the name and send the form)."
        )
        return _answer(request, [], message)
    q = text_param(request.GET, "q")
    found = search(q, within=within) if q else []
    return _answer(request, [choice(row) for row in found], f"No {nouns} match “{q}”." if q else "")


def _answer(request, choices, message):
    context = {"choices": choices, "message": message}
    return render(request, "cultivation/_picker_options.html", context)


@require_GET
def pick_contacts(request):
    """People matching ?q= by name, email or organisation, best first."""
    return _suggest(request, Contact, pickers.contact_suggestions, _contact_choice, "people")


@require_GET
def pick_organisations(request):
    """Organisations matching ?q= by name."""
    return _suggest(
        request,
        Organisation,
        pickers.organisation_suggestions,
        _organisation_choice,
        "organisations",
    )
