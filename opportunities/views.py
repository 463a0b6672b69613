"""The staff board and the card page. Every write goes through `services`.

htmx requests aimed at `#board` get the board fragment back; plain requests
(no JavaScript) get full pages and redirects, so everything works without it.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from convivio.errors import PermissionRefused, RuleViolation, StaleVersion
from convivio.parsing import parse_bigint, parse_id, safe_next
from cultivation.models import Contact
from cultivation.views.common import forbidden, not_saved, refused

from . import policy, rules, selectors, services
from .forms import (
    AddContactForm,
    BoardFilterForm,
    CardForm,
    ConnectionIdeaForm,
    IdeaStatusForm,
    MoveForm,
    NewPersonForm,
    QuickAddForm,
)
from .models import ConnectionIdea, Opportunity, Stage

# Status codes of a move that was refused: the board fragment comes back with
# the card where the server says it is, and a sentence saying why.
REFUSED, CONFLICT = 422, 409
# Someone else's card: the same board back, and a sentence naming who may.
FORBIDDEN = 403


def _wants_fragment(request):
    return request.headers.get("HX-Target") == "board"


def _board_url(query):
    return reverse("opportunities:board") + (f"?{query}" if query else "")


def _board_context(request, **extra):
    filter_form = BoardFilterForm(request.GET)
    filters = filter_form.filters(request.user)
    query = request.GET.urlencode()
    return {
        "columns": selectors.board(filters, now=timezone.now()),
        "filters": filters,
        "filter_form": filter_form,
        "owners": selectors.owners(),
        "query": query,
        "closed_toggle": _toggle_closed(request.GET),
        **extra,
    }


def _toggle_closed(params):
    toggled = params.copy()
    if toggled.get("closed") == "all":
        toggled.pop("closed")
    else:
        toggled["closed"] = "all"
    return toggled.urlencode()


def _render_board(request, *, status=200, notice=None, level="danger", **extra):
    context = _board_context(request, notice=notice, level=level, **extra)
    template = (
        "opportunities/_board.html" if _wants_fragment(request) else "opportunities/board.html"
    )
    if "add_form" not in context:
        context["add_form"] = QuickAddForm()
    response = render(request, template, context, status=status)
    # The same URL is a page or a fragment by header: caches must tell them apart.
    patch_vary_headers(response, ["HX-Target"])
    return response


@require_GET
def board(request):
    return _render_board(request)


@require_GET
def board_column(request, stage):
    """More cards of one column: appended by htmx, or a page of its own without JavaScript."""
    if stage not in Stage.values:
        raise Http404("No such column.")
    after = parse_bigint(request.GET.get("after"))
    last = parse_id(request.GET.get("last")) if request.GET.get("last") else None
    if after is None or (last is None and request.GET.get("last")):
        return HttpResponseBadRequest(
            "“after” must be a card position and “last” a card.",
            content_type="text/plain; charset=utf-8",
        )
    params = request.GET.copy()
    for cursor in ("after", "last"):
        params.pop(cursor, None)
    filters = BoardFilterForm(params).filters(request.user)
    column = selectors.column_page(filters, stage, after=after, last=last, now=timezone.now())
    is_htmx = request.headers.get("HX-Request") == "true"
    template = "opportunities/_more_cards.html" if is_htmx else "opportunities/column.html"
    context = {"column": column, "query": params.urlencode()}
    return render(request, template, context)


@require_POST
def card_move(request, pk):
    """Move a card to a stage (or, to its own stage, reorder it) after card `after`.

    Accepts to_stage, version, after and note; anything else is refused with
    a 400 and a reason.
    """
    form = MoveForm(request.POST)
    unknown = form.unknown_fields()
    if unknown:
        return HttpResponseBadRequest(
            f"Unknown field(s): {', '.join(unknown)}. A move accepts only "
            "to_stage, version, after and note.",
            content_type="text/plain; charset=utf-8",
        )
    if not form.is_valid():
        problems = "; ".join(f"{name}: {' '.join(errs)}" for name, errs in form.errors.items())
        return HttpResponseBadRequest(
            f"The move could not be read ({problems}).", content_type="text/plain; charset=utf-8"
        )
    card = get_object_or_404(Opportunity, pk=pk)
    from_stage, data = card.stage, form.cleaned_data
    try:
        moved = services.opportunity_place(
            opportunity=card,
            to_stage=data["to_stage"],
            by=request.user,
            version=data["version"],
            note=data["note"],
            after=data["after"],
        )
    except RuleViolation as error:
        return _refused(request, str(error), status=_status_of(error))
    # A move to the card's own stage is refused, so an unchanged stage means a reorder.
    done = "reordered in" if card.stage == from_stage else "moved to"
    text = f"“{card.title}” {done} {card.get_stage_display()}."
    if unserved := getattr(moved, "unserved", None):
        text += f" No client touch plan for {', '.join(unserved)}: their history says why."
    if _wants_fragment(request):
        return _moved(request, card, text, stages={from_stage, card.stage}, after=data["after"])
    messages.success(request, text)
    return _back(request)


def _moved(request, card, text, *, stages, after):
    """The message, the card where the server put it, and the counts of the two columns.

    The same size whatever the columns hold, so a move stays quick on a big board.
    """
    filters = BoardFilterForm(request.GET).filters(request.user)
    now = timezone.now()
    context = {
        "card": selectors.cards_by_pk([card.pk], now=now)[0],
        "after": after,
        "columns": selectors.column_totals(filters, now=now, stages=stages).values(),
        "filters": filters,
        "query": request.GET.urlencode(),
        "closed_toggle": _toggle_closed(request.GET),
        "notice": text,
        "level": "success",
    }
    return render(request, "opportunities/_moved.html", context)


def _status_of(error):
    if isinstance(error, PermissionRefused):
        return FORBIDDEN
    return CONFLICT if isinstance(error, StaleVersion) else REFUSED


def _refused(request, text, *, status):
    """The whole board as the server sees it, so the card shows where it really is."""
    if _wants_fragment(request):
        response = _render_board(request, status=status, notice=text, level="danger")
        response["HX-Retarget"], response["HX-Reswap"] = "#board", "outerHTML"
        return response
    if status == FORBIDDEN:
        return forbidden(request, text)
    return not_saved(request, text, back=_back_url(request), status=status)


def _back(request):
    return redirect(_back_url(request))


def _back_url(request):
    """`next` if it is a page of this site, else the board with the same filters."""
    params = request.GET.copy()
    params.pop("next", None)
    return safe_next(request, _board_url(params.urlencode()))


@require_POST
def card_add(request):
    """Quick add from the board, with a person on the card if one is given."""
    form = QuickAddForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        card_fields = {name: data[name] for name in ("title", "priority", "stage", "source")}
        card_fields["organisation_name"] = data["organisation"]
        try:
            if form.has_person():
                person = {name: data[name] for name in QuickAddForm.PERSON_FIELDS}
                added = services.opportunity_quick_add_with_person(
                    by=request.user, **card_fields, **person
                )
                card = added.link.opportunity
            else:
                added, card = None, services.opportunity_quick_add(by=request.user, **card_fields)
        except RuleViolation as error:
            form.add_error(None, str(error))
        else:
            text = f"“{card.title}” added to {card.get_stage_display()}."
            messages.success(request, " ".join([text, *_person_sentences(added)]))
            return redirect(_board_url(request.GET.urlencode()))
    text = "The card was not added: " + " ".join(
        str(message) for errors in form.errors.values() for message in errors
    )
    return _render_board(request, status=400, notice=text, add_form=form, add_open=True)


def _person_sentences(added):
    """What a person put on a card says: who, found or new, and any possible duplicate."""
    if added is None:
        return []
    name = added.contact.name
    if added.found is not None:
        return [f"{name} was already on file ({added.found.reason}) and is on the card."]
    warnings = [
        f"Possible duplicate: {match.contact.name} ({match.reason})." for match in added.duplicates
    ]
    return [f"{name} added and on the card.", *warnings]


def card_detail(request, pk):
    card = get_object_or_404(Opportunity.objects.select_related("organisation", "owner"), pk=pk)
    if request.method == "POST":
        form = _card_form(request, card, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.opportunity_update(
                    opportunity=card,
                    by=request.user,
                    version=data["version"],
                    colleagues=data["colleagues"],
                    owner=data["owner"],
                    **{name: data[name] for name in services.EDITABLE_FIELDS},
                )
            except StaleVersion as error:
                # Show what the card holds now, with its current version, so a retry can work.
                fresh = Opportunity.objects.select_related("organisation", "owner").get(pk=pk)
                messages.error(request, f"{error} The form now shows the card as it is.")
                return _card_page(request, fresh, status=409)
            except PermissionRefused as error:
                return forbidden(request, error, back=card.get_absolute_url())
            except RuleViolation as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "Card saved.")
                return redirect(card)
        return _card_page(request, card, form=form, status=400)
    return _card_page(request, card)


def _card_page(request, card, *, status=200, **forms):
    """The card page; `forms` are bound forms coming back with their errors."""
    now = timezone.now()
    ideas = list(card.connection_ideas.select_related("via"))
    context = {
        "card": card,
        "form": forms.get("form") or _card_form(request, card),
        "people": selectors.card_people(card, now=now),
        "colleagues": card.colleagues.order_by("first_name", "username"),
        "history": selectors.card_history(card),
        "may_change": policy.can_change_card(request.user, card),
        "refusal": policy.card_refusal(card, "change"),
        "ideas": ideas,
        "idea_form": forms.get("idea_form") or ConnectionIdeaForm(card=card),
        "idea_statuses": ConnectionIdea.Status.choices,
        "introducers": selectors.introducers(card, now=now),
        "referral_chain": selectors.referral_chain(card),
        "introducer_days": selectors.INTRODUCER_RECENT_DAYS,
        "asked_via": _asked_via(ideas),
        "add_contact_form": forms.get("add_contact_form")
        or AddContactForm(choices=selectors.addable_contacts(card)),
        "new_person_form": forms.get("new_person_form") or NewPersonForm(card=card),
        "adding_person": any(name in forms for name in ("add_contact_form", "new_person_form")),
        "moves": rules.allowed_moves(card.stage),
        "today": timezone.localdate(now),
    }
    return render(request, "opportunities/card_detail.html", context, status=status)


def _asked_via(ideas):
    """The people an introduction is already being asked of (an idea not yet settled)."""
    live = (ConnectionIdea.Status.IDEA, ConnectionIdea.Status.TRIED)
    return {
        idea.via_id
        for idea in ideas
        if idea.kind == ConnectionIdea.Kind.INTRODUCTION and idea.status in live
    }


def _card_form(request, card, data=None):
    """The edit form; the owner is fixed for those who may not hand the card on."""
    form = CardForm(data, instance=Opportunity.objects.get(pk=card.pk) if data else card)
    form.fields["owner"].disabled = not policy.can_reassign_card(request.user, card)
    return form


@require_POST
def card_contact_add(request, pk):
    """Put someone we have on the card (found with the picker)."""
    card = _card_or_404(pk)
    form = AddContactForm(request.POST, choices=selectors.addable_contacts(card))
    if not form.is_valid():
        return _card_page(request, card, add_contact_form=form, status=400)
    data = form.cleaned_data
    try:
        services.opportunity_add_contact(
            opportunity=card,
            contact=data["contact"],
            role=data["role"],
            is_primary=data["is_primary"],
            by=request.user,
        )
    except PermissionRefused as error:
        return forbidden(request, error, back=card.get_absolute_url())
    except RuleViolation as error:
        form.add_error(None, str(error))
        return _card_page(request, card, add_contact_form=form, status=400)
    messages.success(request, f"{data['contact'].name} added to the card.")
    return redirect(card)


@require_POST
def card_person_new(request, pk):
    """Add someone new and put them on the card, or the person we have with that email."""
    card = _card_or_404(pk)
    form = NewPersonForm(request.POST, card=card)
    if not form.is_valid():
        return _card_page(request, card, new_person_form=form, status=400)
    data = form.cleaned_data
    try:
        added = services.opportunity_add_person(opportunity=card, by=request.user, **data)
    except PermissionRefused as error:
        return forbidden(request, error, back=card.get_absolute_url())
    except RuleViolation as error:
        form.add_error(None, str(error))
        return _card_page(request, card, new_person_form=form, status=400)
    messages.success(request, " ".join(_person_sentences(added)))
    return redirect(card)


@require_POST
def card_introduction_ask(request, pk, contact):
    """One click beside someone who could introduce us: an idea to ask them."""
    card = _card_or_404(pk)
    via = get_object_or_404(Contact.objects.active(), pk=contact)
    back = card.get_absolute_url() + "#ideas"
    try:
        idea, added = services.connection_idea_ask_introduction(
            opportunity=card, via=via, by=request.user
        )
    except RuleViolation as error:
        return refused(request, error, back)
    if added:
        messages.success(request, f"Idea added: {idea.description}")
    else:
        messages.info(
            request, f"Already an idea: “{idea.description}” ({idea.get_status_display().lower()})."
        )
    return redirect(back)


@require_POST
def card_idea_add(request, pk):
    card = _card_or_404(pk)
    form = ConnectionIdeaForm(request.POST, card=card)
    if not form.is_valid():
        return _card_page(request, card, idea_form=form, status=400)
    data = form.cleaned_data
    try:
        services.connection_idea_add(
            opportunity=card,
            by=request.user,
            kind=data["kind"],
            description=data["description"],
            via=data["via"],
        )
    except PermissionRefused as error:
        return forbidden(request, error, back=card.get_absolute_url())
    messages.success(request, "Idea added.")
    return redirect(card)


def _card_or_404(pk):
    return get_object_or_404(Opportunity.objects.select_related("organisation", "owner"), pk=pk)


@require_POST
def idea_mark(request, pk):
    idea = get_object_or_404(ConnectionIdea.objects.select_related("opportunity"), pk=pk)
    form = IdeaStatusForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Choose idea, tried, worked or didn't work.", status=400)
    try:
        services.connection_idea_mark(
            idea=idea, status=form.cleaned_data["status"], by=request.user
        )
    except PermissionRefused as error:
        return forbidden(request, error, back=idea.opportunity.get_absolute_url())
    messages.success(request, f"“{idea}” marked {idea.get_status_display().lower()}.")
    return redirect(idea.opportunity)
