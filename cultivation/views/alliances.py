"""Strategic alliances: marking a partner, ending an alliance, the firm's alliances page and
the exchange-lunch form."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from convivio.errors import PermissionRefused, RuleViolation

from .. import alliance_selectors, policy, services
from ..alliance_forms import (
    NAME_ROWS_MAX,
    AllianceEndForm,
    AllianceForm,
    ExchangeForm,
    NamesGivenFormSet,
    NamesOfferedFormSet,
    filled_rows,
)
from ..models import CRITERIA, Alliance, Contact
from .common import done, forbidden, not_saved, refused


def alliance_list(request):
    """The firm's live alliances against the target, the coming quarter's lunches per week,
    and the partners overdue a lunch."""
    page = alliance_selectors.alliances_page()
    manager = None  # asked once, and only if a partner is someone else's
    for alliance in page.alliances:  # lunches are logged by the partner's keeper or a manager
        if alliance.contact.owner_id not in (None, request.user.pk) and manager is None:
            manager = policy.is_manager(request.user)
        alliance.may_log = policy.can_change_person(request.user, alliance.contact, manager=manager)
    context = {"page": page, "criteria_count": len(CRITERIA)}
    return render(request, "cultivation/alliance_list.html", context)


def _initial(alliance):
    if alliance is None or alliance.ended_at is not None:
        return {}
    initial = {name: getattr(alliance, name) for name, _ in CRITERIA}
    return {**initial, "preferral_profile": alliance.preferral_profile}


def alliance_edit(request, pk):
    """Make a person an alliance partner, or change their criteria and profile."""
    contact = get_object_or_404(Contact.objects.select_related("owner"), pk=pk)
    alliance = Alliance.objects.filter(contact=contact).first()
    form = AllianceForm(request.POST or None, initial=_initial(alliance))
    back = contact.get_absolute_url() + "#alliance"
    if request.method == "POST" and form.is_valid():
        try:
            marked = services.alliance_mark(
                contact=contact,
                criteria=form.criteria,
                preferral_profile=form.cleaned_data["preferral_profile"],
                by=request.user,
            )
        except PermissionRefused as error:
            return forbidden(request, error, back=back)
        except RuleViolation as error:
            form.add_error(None, str(error))
        else:
            if marked.plan_refusal:
                messages.warning(request, f"No alliance touch plan: {marked.plan_refusal}")
            said = "is now an alliance partner" if marked.is_new else "alliance updated"
            return done(request, f"{contact.name}: {said}.", back)
    context = {
        "form": form,
        "contact": contact,
        "is_live": alliance is not None and alliance.ended_at is None,
        "may_change": policy.can_change_person(request.user, contact),
        "refusal": policy.person_refusal(contact, "change their alliance"),
        "next": back,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "cultivation/alliance_form.html", context, status=status)


@require_POST
def alliance_end(request, pk):
    alliance = get_object_or_404(Alliance.objects.select_related("contact"), pk=pk)
    back = alliance.contact.get_absolute_url() + "#alliance"
    form = AllianceEndForm(request.POST)
    if not form.is_valid():
        return refused(request, RuleViolation("Say why the alliance ends."), back)
    try:
        services.alliance_end(
            alliance=alliance, reason=form.cleaned_data["reason"], by=request.user
        )
    except RuleViolation as error:
        return refused(request, error, back)
    return done(request, f"The alliance with {alliance.contact.name} has ended.", back)


def exchange_new(request, pk):
    """Log a preferral-exchange lunch with a partner and the names offered both ways."""
    partner = get_object_or_404(Contact.objects.select_related("owner"), pk=pk)
    data = request.POST or None
    # Their own today (their zone is active): the day the service takes as today.
    form = ExchangeForm(data, initial={"on": timezone.localdate()})
    offered = NamesOfferedFormSet(data, prefix="offered")
    given = NamesGivenFormSet(data, prefix="given")
    back = partner.get_absolute_url() + "#alliance"
    if request.method == "POST":
        if not offered.management_form.is_valid() or not given.management_form.is_valid():
            return not_saved(request, "The form was damaged: open it again.", back=back)
        if form.is_valid() and offered.is_valid() and given.is_valid():
            try:
                exchange = services.exchange_log(
                    partner=partner,
                    by=request.user,
                    names_offered=filled_rows(offered),
                    names_given=filled_rows(given),
                    **form.cleaned_data,
                )
            except PermissionRefused as error:
                return forbidden(request, error, back=back)
            except RuleViolation as error:
                form.add_error(None, str(error))
            else:
                count = exchange.names.count()
                return done(request, f"Lunch with {partner.name} logged: {count} name(s).", back)
    context = {
        "form": form,
        "offered": offered,
        "given": given,
        "partner": partner,
        "alliance": Alliance.objects.live().filter(contact=partner).first(),
        "rows_max": NAME_ROWS_MAX,
        "next": back,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "cultivation/exchange_form.html", context, status=status)
