"""Organisations: the list, a page per organisation (its people and its cards), add, edit.

The cards come from the layer above through `seams.cards_at`: this page is about the
people we know there, and cultivation names nothing of the board.
"""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse

from convivio.errors import PermissionRefused, RuleViolation
from convivio.parsing import object_or_404, text_param

from .. import organisation_selectors, services
from ..models import Organisation
from ..person_forms import OrganisationForm
from .common import done, forbidden, safe_next

PAGE_SIZE = 25
FIELDS = ("name", "website", "sector", "notes")


def organisation_list(request):
    q = text_param(request.GET, "q")
    organisations = organisation_selectors.organisations_for_list(q=q)
    page = Paginator(organisations, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = organisation_selectors.people_counts(list(page.object_list))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"q": q, "page": page, "query": query.urlencode()}
    return render(request, "cultivation/organisation_list.html", context)


def organisation_detail(request, pk):
    organisation = object_or_404(Organisation, pk, what="organisation")
    data = organisation_selectors.organisation_page(organisation)
    context = {"organisation": organisation, "page": data}
    return render(request, "cultivation/organisation_detail.html", context)


def _form_page(request, form, organisation=None, status=200):
    context = {"form": form, "organisation": organisation, "next": safe_next(request, "")}
    return render(request, "cultivation/organisation_form.html", context, status=status)


def organisation_new(request):
    form = OrganisationForm(request.POST or None)
    if request.method != "POST":
        return _form_page(request, form)
    if form.is_valid():
        try:
            organisation = services.organisation_create(by=request.user, **form.cleaned_data)
        except PermissionRefused as error:
            return forbidden(request, error, back=reverse("cultivation:organisation-list"))
        except RuleViolation as error:
            form.add_error(None, str(error))
        else:
            url = reverse("cultivation:organisation-detail", args=[organisation.pk])
            return done(request, f"Added {organisation.name}.", url)
    return _form_page(request, form, status=400)


def organisation_edit(request, pk):
    organisation = object_or_404(Organisation, pk, what="organisation")
    url = reverse("cultivation:organisation-detail", args=[organisation.pk])
    initial = {name: getattr(organisation, name) for name in FIELDS}
    form = OrganisationForm(request.POST or None, initial=initial)
    if request.method != "POST":
        return _form_page(request, form, organisation)
    if form.is_valid():
        try:
            services.organisation_update(
                organisation=organisation, by=request.user, **form.cleaned_data
            )
        except PermissionRefused as error:
            return forbidden(request, error, back=url)
        except RuleViolation as error:
            form.add_error(None, str(error))
        else:
            message = f"Saved {organisation.name}." if form.has_changed() else "Nothing changed."
            return done(request, message, url)
    return _form_page(request, form, organisation, status=400)
