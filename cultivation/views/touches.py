from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from convivio.errors import RuleViolation
from convivio.parsing import object_or_404, parse_id

from .. import services
from ..forms import GatheringForm, IntroductionForm, QuickTouchForm, TouchForm, moment_of
from ..models import Contact, Direction, Method, Outcome
from ..people_selectors import touch_rules_for
from . import people
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
        return _render(request, "cultivation/touch_form.html", form, **_rules_of(contact))
    form = TouchForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        fixed = {name: data[name] for name in ("direction", "is_arranged")}
        logged = _log(request, form, at=moment_of(data["on"]), **fixed)
        if logged is not None:
            return logged
    contact = form.cleaned_data.get("contact")
    return _render(request, "cultivation/touch_form.html", form, status=400, **_rules_of(contact))


def touch_quick(request):
    """My week's one-tap "Log": `?contact=<id>&method=call&next=/my-week/` opens a short form
    (method, outcome, note) for a touch of ours, now, which goes back to `next` once logged."""
    if request.method != "POST":
        contact = object_or_404(Contact.objects.active(), request.GET.get("contact"), what="person")
        initial = {"contact": contact.pk}
        if (method := request.GET.get("method")) in Method.values:
            initial["method"] = method
        form = QuickTouchForm(initial=initial)
        return _render(request, "cultivation/touch_quick.html", form, **_rules_of(contact))
    form = QuickTouchForm(request.POST)
    if form.is_valid():
        logged = _log(request, form, at=timezone.now())
        if logged is not None:
            return logged
    contact = form.cleaned_data.get("contact")
    return _render(request, "cultivation/touch_quick.html", form, status=400, **_rules_of(contact))


def _log(request, form, *, at, direction=Direction.OURS, is_arranged=False):
    """Log the touch `form` holds, then back to `next`; None, the sentence on the form, if
    the rules refuse it. "Asked to stop" on a call first asks for confirmation."""
    data = form.cleaned_data
    if data["outcome"] == Outcome.ASKED_TO_STOP and data["method"] == Method.CALL:
        # Final for good: a confirmation page first, which logs the call (people.py).
        day = timezone.localdate(at)
        initial = {
            "direction": direction,
            "on": day,
            "note": data["note"],
            "is_arranged": is_arranged,
        }
        return people.confirm_stop(request, data["contact"], initial=initial)
    try:
        touch = services.touch_log(
            contact=data["contact"],
            method=data["method"],
            direction=direction,
            at=at,
            outcome=data["outcome"],
            is_arranged=is_arranged,
            still_qualifies=data["still_qualifies"],
            note=data["note"],
            by=request.user,
        )
    except RuleViolation as error:
        form.add_error(None, str(error))
        return None
    return done(request, f"Logged: {touch}.", touch.contact.get_absolute_url())


def _rules_of(contact):
    """The person and the rules the form previews for them (none before one is chosen)."""
    if contact is None:
        return {"contact": None, "rules": None}
    return {"contact": contact, "rules": touch_rules_for(contact, now=timezone.now())}


@require_GET
def touch_rules(request):
    """The touch form's preview of the rules for the person just chosen (htmx swaps it in
    as soon as one is picked): their follow-up, their email consent, and what would be
    refused. An id that names no one is a 404 with a sentence."""
    raw = request.GET.get("contact", "")
    contact = object_or_404(Contact.objects.active(), raw, what="person") if raw else None
    context = _rules_of(contact)
    return render(request, "cultivation/_touch_rules.html", context)


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
