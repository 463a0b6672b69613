from django.shortcuts import render
from django.urls import reverse

from convivio.errors import RuleViolation
from convivio.parsing import object_or_404, parse_id

from .. import services
from ..forms import GatheringForm, IntroductionForm, TouchForm, moment_of
from ..models import Contact
from .common import done, safe_next


def _initial(request, fields):
    initial = {name: request.GET[name] for name in fields if request.GET.get(name)}
    if "contact" in initial:
        initial["contact"] = parse_id(initial["contact"])
    return initial


def _render(request, template, form, status=200, **extra):
    context = {"form": form, "next": safe_next(request, ""), **extra}
    return render(request, template, context, status=status)


def touch_new(request):
    """Log one touch. Reached with ?contact=<id> from a contact page, My week or a card."""
    if request.method != "POST":
        contact_id = request.GET.get("contact")
        contact = object_or_404(Contact, contact_id, what="person") if contact_id else None
        initial = _initial(request, ["contact", "method", "outcome", "direction"])
        form = TouchForm(initial=initial)
        return _render(request, "cultivation/touch_form.html", form, contact=contact)
    form = TouchForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            touch = services.touch_log(
                contact=data["contact"],
                method=data["method"],
                direction=data["direction"],
                at=moment_of(data["on"]),
                outcome=data["outcome"],
                is_arranged=data["is_arranged"],
                note=data["note"],
                by=request.user,
            )
        except RuleViolation as error:
            form.add_error(None, str(error))
        else:
            fallback = touch.contact.get_absolute_url()
            return done(request, f"Logged: {touch}.", fallback)
    contact = form.cleaned_data.get("contact")
    return _render(request, "cultivation/touch_form.html", form, status=400, contact=contact)


def gathering_new(request):
    """A lunch or coffee with two or three people: one gathering, a touch each."""
    form = GatheringForm(request.POST or None, initial=_contacts_initial(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.gathering_log(
                contacts=list(data["contacts"]),
                at=moment_of(data["on"]),
                note=data["note"],
                by=request.user,
            )
        except RuleViolation as error:
            form.add_error(None, str(error))
        else:
            names = ", ".join(c.name for c in data["contacts"])
            return done(
                request, f"Logged lunch or coffee with {names}.", reverse("cultivation:my-week")
            )
    status = 400 if request.method == "POST" else 200
    return _render(request, "cultivation/gathering_form.html", form, status=status)


def _contacts_initial(request):
    contact_id = parse_id(request.GET.get("contact"))
    return {"contacts": [contact_id]} if contact_id else {}


def introduction_new(request):
    """Introduce our contact to an expert we know: both are touched, and now know each other."""
    form = IntroductionForm(request.POST or None, initial=_initial(request, ["contact"]))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.introduction_log(
                contact=data["contact"],
                expert=data["expert"],
                at=moment_of(data["on"]),
                note=data["note"],
                by=request.user,
            )
        except RuleViolation as error:
            form.add_error(None, str(error))
        else:
            message = f"Logged the introduction of {data['contact']} to {data['expert']}."
            return done(request, message, data["contact"].get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return _render(request, "cultivation/introduction_form.html", form, status=status)
