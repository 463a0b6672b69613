"""The referral ledger's pages: the ledger with its totals, recording one, its outcome."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_POST

from convivio.errors import PermissionRefused, RuleViolation
from convivio.parsing import parse_id

from .. import policy, referral_selectors, seams, services
from ..models import Contact, Referral
from ..referral_forms import LedgerFilterForm, ReferralForm, ReferralOutcomeForm
from .common import done, forbidden, not_saved, refused, safe_next

PAGE_SIZE = 50


def referral_ledger(request):
    """Every referral in the period (optionally one person's), and fair's fair totals."""
    filters = LedgerFilterForm(request.GET)
    if not filters.is_valid():
        return not_saved(
            request, _first_error(filters), back=reverse("cultivation:referral-ledger")
        )
    data = filters.cleaned_data
    referrals = Referral.objects.between(data["start"], data["end"])
    person = None
    if data["person"] is not None:
        person = get_object_or_404(Contact, pk=data["person"])
        referrals = referrals.involving(person)
    rows = referrals.select_related(*referral_selectors.NAMED)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filters": filters,
        "person": person,
        "page": page,
        "referrals": policy.mark_followable(
            request.user, referral_selectors.ledger(list(page.object_list))
        ),
        "by_partner": referral_selectors.balances_by_partner(referrals),
        "by_colleague": referral_selectors.balances_by_colleague(referrals),
        "outcomes": Referral.Outcome.choices,
    }
    return render(request, "cultivation/referral_ledger.html", context)


def recorded_sentence(referral):
    """'Referral recorded: Erica Flores referred Dylan Parrish to Alice Smith on 25 Nov 2026.'
    Full names and the app's date, as the ledger writes them."""
    if referral.direction == Referral.Direction.RECEIVED:
        who, to = referral.from_person.name, policy.full_name(referral.to_user)
    else:
        who, to = policy.full_name(referral.by_user), referral.to_person.name
    on = date_format(referral.on, "j M Y")
    return f"Referral recorded: {who} referred {referral.person.name} to {to} on {on}."


def _first_error(form):
    field, errors = next(iter(form.errors.items()))
    label = form.fields[field].label if field in form.fields else ""
    return f"{label}: {errors[0]}" if label else errors[0]


def referral_new(request):
    """Record a referral. ?person=<id> presets the person introduced."""
    initial = {"person": parse_id(request.GET.get("person")), "colleague": request.user.pk}
    initial["on"] = timezone.localdate()
    form = ReferralForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = services.referral_record(**data, by=request.user)
        except PermissionRefused as error:
            return forbidden(request, error)
        except RuleViolation as error:
            form.add_error(None, str(error))
        else:
            return done(request, recorded_sentence(referral), referral.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "next": safe_next(request, "")}
    return render(request, "cultivation/referral_form.html", context, status=status)


@require_POST
def referral_outcome(request, pk):
    """Record what became of a referral (and the card it led to, by its number)."""
    referral = get_object_or_404(Referral, pk=pk)
    fallback = referral.get_absolute_url()
    form = ReferralOutcomeForm(request.POST)
    if not form.is_valid():
        return refused(request, RuleViolation(_first_error(form)), fallback)
    card = None
    if form.cleaned_data["card"] is not None:
        card = _card(form.cleaned_data["card"])
        if card is None:
            return refused(request, RuleViolation("There is no card with that number."), fallback)
    try:
        services.referral_outcome(
            referral=referral, by=request.user, outcome=form.cleaned_data["outcome"], card=card
        )
    except RuleViolation as error:
        return refused(request, error, fallback)
    return done(request, f"Outcome recorded for {referral.person.name}.", fallback)


def _card(pk):
    provider = seams.referral_card()
    return provider.find(pk) if provider is not None else None
