"""Reads for the organisation pages: a fixed number of queries whatever the data size."""

from dataclasses import dataclass

from django.db.models import Count, Max, Q

from . import seams
from .models import Contact, Organisation


def organisations_for_list(*, q=""):
    """Organisations matching the search (name or sector), by name."""
    organisations = Organisation.objects.order_by("name", "pk")
    if q:
        organisations = organisations.filter(Q(name__icontains=q) | Q(sector__icontains=q))
    return organisations


def people_counts(organisations):
    """How many people (not erased) we know at each of `organisations`: one query for a
    page of them, not a count over every person for the whole list."""
    rows = (
        Contact.objects.active()
        .filter(organisation__in=organisations)
        .values("organisation")
        .annotate(people=Count("pk"))
        .order_by()
    )
    counts = {row["organisation"]: row["people"] for row in rows}
    for organisation in organisations:
        organisation.people = counts.get(organisation.pk, 0)
    return organisations


@dataclass
class OrganisationPage:
    organisation: Organisation
    people: list
    cards: list


def organisation_page(organisation):
    """The organisation's people (owner, last touch) and its cards."""
    people = (
        Contact.objects.active()
        .filter(organisation=organisation)
        .select_related("owner", "touch_plan")
        .annotate(last_touch_at=Max("touches__at"))
        .order_by("name", "pk")
    )
    return OrganisationPage(
        organisation=organisation, people=list(people), cards=seams.cards_at(organisation)
    )
