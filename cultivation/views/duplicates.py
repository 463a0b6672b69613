"""The "Possible duplicates" page, and merging two records of one person from it."""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from convivio.errors import PermissionRefused, RuleViolation
from convivio.parsing import IdField, parse_int, text_param

from .. import matching, policy, services
from ..models import Contact
from ..services.merge import merge_preview, merge_refusal
from .common import forbidden, refused

GROUPS_PER_PAGE = 25
# Far past any real list; keeps the OFFSET a number every database reads.
LAST_PAGE = 100_000


@dataclass(frozen=True)
class GroupsPage:
    """One page of groups. No total: counting every group would read every key again."""

    number: int
    groups: list
    has_next: bool

    @property
    def has_previous(self):
        return self.number > 1


def duplicates(request):
    """Groups of people who share an email, a LinkedIn profile, or a name at one
    organisation: one kind at a time (?by=), a page of groups at a time (?page=)."""
    kind = matching.duplicate_kind(text_param(request.GET, "by"))
    number = parse_int(request.GET.get("page"), low=1, high=LAST_PAGE) or 1
    start = (number - 1) * GROUPS_PER_PAGE
    keys = list(matching.duplicate_keys(kind)[start : start + GROUPS_PER_PAGE + 1])
    page = GroupsPage(
        number=number,
        groups=matching.duplicate_groups(kind, keys[:GROUPS_PER_PAGE]),
        has_next=len(keys) > GROUPS_PER_PAGE,
    )
    context = {"kinds": matching.DUPLICATE_KINDS, "kind": kind, "page": page}
    return render(request, "cultivation/duplicates.html", context)


class PairForm(forms.Form):
    """The two records: `survivor` is kept, `duplicate` merged into it."""

    survivor = IdField()
    duplicate = IdField()


def _pair(request):
    form = PairForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        raise Http404("No such pair of people: give the numbers of two people to merge.")
    people = Contact.objects.select_related("organisation", "owner")
    survivor = get_object_or_404(people, pk=form.cleaned_data["survivor"])
    duplicate = get_object_or_404(people, pk=form.cleaned_data["duplicate"])
    return survivor, duplicate


def contact_merge(request):
    """GET: what merging `duplicate` into `survivor` moves and decides, to confirm.
    POST: merge them (`services.contact_merge`), then show the survivor."""
    survivor, duplicate = _pair(request)
    back = reverse("cultivation:contact-duplicates")
    if request.method == "POST":
        try:
            merged = services.contact_merge(survivor=survivor, duplicate=duplicate, by=request.user)
        except RuleViolation as error:
            return refused(request, error, back)
        messages.success(
            request,
            f"Merged {merged.duplicate_name} into {merged.survivor.name}: "
            f"{merged.total} record(s) moved.",
        )
        return redirect(merged.survivor)
    return _confirmation(request, survivor, duplicate, back)


def _confirmation(request, survivor, duplicate, back):
    """What the merge would move and decide; the refusal instead, if it would be refused."""
    refusal = merge_refusal(survivor, duplicate)
    if refusal:
        context = {"refusal": refusal, "back": back}
        return render(request, "cultivation/merge_confirm.html", context, status=400)
    if not policy.can_merge(request.user, survivor, duplicate):
        error = PermissionRefused(policy.merge_refusal(survivor, duplicate))
        return forbidden(request, error, back=back)
    context = {"preview": merge_preview(survivor=survivor, duplicate=duplicate), "back": back}
    return render(request, "cultivation/merge_confirm.html", context)
