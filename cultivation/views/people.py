"""Adding and editing a person, their consent to email, and "asked us to stop", confirmed.

Each view parses, calls one service and renders; a person who may not make the
change gets the sentence saying who may (403), and nothing changes.
"""

from django.contrib import messages
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from convivio.errors import PermissionRefused, RuleViolation
from convivio.parsing import object_or_404, parse_id

from .. import matching, policy, seams, services
from ..forms import moment_of
from ..models import Contact, Organisation
from ..person_forms import (
    ConsentForm,
    PersonForm,
    StopForm,
    WithdrawForm,
    initial_for,
)
from .common import done, forbidden, refused, safe_next

SAVE_ANYWAY = "save_anyway"


def _person(pk):
    people = Contact.objects.active().select_related("owner", "organisation")
    return object_or_404(people, pk, what="person")


def _duplicates(form, contact=None):
    """People the form's person may already be: a warning with links, never a refusal."""
    if not form.match_changed():
        return []
    data = form.cleaned_data
    organisation = data["organisation"]
    if organisation is None and data["new_organisation"].strip():
        organisation = Organisation.objects.filter(
            name__iexact=data["new_organisation"].strip()
        ).first()
    return matching.possible_duplicates(
        name=data["name"],
        organisation=organisation,
        email=data["email"],
        linkedin_url=data["linkedin_url"],
        exclude=contact,
    )


def _form_page(request, form, *, contact=None, duplicates=(), status=200):
    context = {
        "form": form,
        "contact": contact,
        "duplicates": duplicates,
        "save_anyway": SAVE_ANYWAY,
        "next": safe_next(request, ""),
    }
    return render(request, "cultivation/person_form.html", context, status=status)


def _warn_first(request, form, contact=None):
    """The duplicates to show before saving, or [] when there are none or the person
    chose "save anyway"."""
    if request.POST.get(SAVE_ANYWAY) == "yes":
        return []
    return _duplicates(form, contact)


def person_new(request):
    """Add a person: `/contacts/new/`, from the contact list's "New person"."""
    initial = {"owner": request.user, "organisation": parse_id(request.GET.get("organisation"))}
    form = PersonForm(request.POST or None, initial=initial, user=request.user)
    if request.method != "POST":
        return _form_page(request, form)
    if not form.is_valid():
        return _form_page(request, form, status=400)
    duplicates = _warn_first(request, form)
    if duplicates:
        return _form_page(request, form, duplicates=duplicates)
    try:
        person = services.contact_create(
            by=request.user, owner=form.cleaned_data["owner"], **form.details()
        )
    except PermissionRefused as error:
        return forbidden(request, error, back=reverse("cultivation:contact-list"))
    except RuleViolation as error:
        form.add_error(None, str(error))
        return _form_page(request, form, status=400)
    return done(request, f"Added {person.name}.", person.get_absolute_url())


def person_edit(request, pk):
    """Edit a person's details and owner: their owner or a manager (anyone, if nobody owns
    them). Saving what is there records nothing."""
    contact = _person(pk)
    if not policy.can_change_person(request.user, contact):
        refusal = policy.person_refusal(contact, f"change {contact.name}'s details")
        return forbidden(request, PermissionRefused(refusal), back=contact.get_absolute_url())
    form = PersonForm(
        request.POST or None, initial=initial_for(contact), user=request.user, contact=contact
    )
    if request.method != "POST":
        return _form_page(request, form, contact=contact)
    if not form.is_valid():
        return _form_page(request, form, contact=contact, status=400)
    duplicates = _warn_first(request, form, contact)
    if duplicates:
        return _form_page(request, form, contact=contact, duplicates=duplicates)
    try:
        services.contact_edit(
            contact=contact, by=request.user, owner=form.cleaned_data["owner"], **form.details()
        )
    except PermissionRefused as error:
        return forbidden(request, error, back=contact.get_absolute_url())
    except RuleViolation as error:
        form.add_error(None, str(error))
        return _form_page(request, form, contact=contact, status=400)
    message = f"Saved {contact.name}." if form.has_changed() else "Nothing changed."
    return done(request, message, contact.get_absolute_url())


# Consent --------------------------------------------------------------------------


@require_POST
def consent_give(request, pk):
    """Record consent to email, with how it was given."""
    contact = _person(pk)
    back = contact.get_absolute_url() + "#consent"
    form = ConsentForm(request.POST)
    if not form.is_valid():
        return _not_saved(request, form, back)
    try:
        services.contact_opt_in(contact=contact, by=request.user, how=form.cleaned_data["how"])
    except RuleViolation as error:
        return refused(request, error, back)
    return done(request, f"Recorded: {contact.name} opted in to email.", back)


@require_POST
def consent_withdraw(request, pk):
    """Record that consent to email was withdrawn (why is optional)."""
    contact = _person(pk)
    back = contact.get_absolute_url() + "#consent"
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        return _not_saved(request, form, back)
    try:
        services.contact_opt_out(contact=contact, by=request.user, why=form.cleaned_data["why"])
    except RuleViolation as error:
        return refused(request, error, back)
    return done(request, f"Recorded: {contact.name} withdrew consent to email.", back)


def _not_saved(request, form, back):
    """400: what was wrong with the one field of a small form on the person's page."""
    field, errors = next(iter(form.errors.items()))
    label = form.fields[field].label if field in form.fields else ""
    message = f"{label} {errors[0]}" if label else errors[0]
    context = {"message": message, "back": back}
    return render(request, "cultivation/not_saved.html", context, status=400)


# "Asked us to stop" asks first --------------------------------------------------------


def _stop_refusal(contact):
    return (
        policy.person_refusal(contact, f"record that {contact.name} asked us to stop")
        + " Log the call as reached and tell them."
    )


def confirm_stop(request, contact, *, initial=None):
    """The confirmation page: what "asked us to stop" does, and their open cards."""
    back = safe_next(request, contact.get_absolute_url())
    if not policy.can_change_person(request.user, contact):
        return forbidden(request, PermissionRefused(_stop_refusal(contact)), back=back)
    if contact.has_asked_to_stop:
        when = f"{timezone.localdate(contact.asked_to_stop_at):%-d %b %Y}"
        return refused(request, RuleViolation(f"{contact.name} asked us to stop on {when}."), back)
    return _stop_page(request, contact, StopForm(initial=initial), back=back)


def _stop_page(request, contact, form, *, back, status=200):
    cards = seams.open_cards_of(contact)
    if not cards:
        form.fields.pop("lose_open_cards", None)
    context = {"contact": contact, "form": form, "cards": cards, "next": back}
    return render(request, "cultivation/confirm_stop.html", context, status=status)


def contact_stop(request, pk):
    """`/contacts/<id>/stop/`: GET asks; POST (the confirmation) logs the call and ends
    their cultivation for good, and closes their open cards if asked."""
    contact = _person(pk)
    if request.method != "POST":
        return confirm_stop(request, contact)
    back = safe_next(request, contact.get_absolute_url())
    form = StopForm(request.POST)
    if not form.is_valid():
        return _stop_page(request, contact, form, back=back, status=400)
    data = form.cleaned_data
    try:
        stopped = services.contact_asked_to_stop(
            contact=contact,
            by=request.user,
            direction=data["direction"],
            at=moment_of(data["on"]),
            note=data["note"],
            is_arranged=data["is_arranged"],
            lose_open_cards=data["lose_open_cards"],
        )
    except PermissionRefused as error:
        return forbidden(request, error, back=back)
    except RuleViolation as error:
        form.add_error(None, str(error))
        return _stop_page(request, contact, form, back=back, status=400)
    for card, why in stopped.kept:
        messages.warning(request, f"“{card.title}” stays where it is: {why}")
    return done(request, _stopped_message(contact, stopped), back)


def _stopped_message(contact, stopped):
    message = (
        f"{contact.name} asked us to stop: their touch plan, follow-ups and open promises "
        "have ended for good, and Convivio will not remind anyone to contact them again."
    )
    if stopped.lost:
        titles = ", ".join(f"“{card.title}”" for card in stopped.lost)
        message += f" Moved to Lost (asked us to stop): {titles}."
    return message
