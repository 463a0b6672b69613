from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from convivio.errors import PermissionRefused, RuleViolation
from convivio.parsing import parse_id

from .. import seams, services
from ..forms import PromiseForm, PromiseKeepForm, ReasonForm, next_week
from ..models import Promise
from .common import done, forbidden, refused, safe_next


def promise_new(request):
    """Record a promise to a person. ?contact=<id> presets the person; the parameter the
    layer above names in `seams.promise_subject()` presets what it is about (a card)."""
    subject = seams.promise_subject()
    initial = {"owner": request.user.pk, "due_on": next_week()}
    initial["contact"] = parse_id(request.GET.get("contact"))
    if subject is not None:
        initial[subject.field] = parse_id(request.GET.get(subject.param))
    form = PromiseForm(request.POST or None, initial=initial, subject=subject)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            promise = services.promise_make(
                contact=data["contact"],
                owner=data["owner"],
                what=data["what"],
                due_on=data["due_on"],
                about=data.get("about"),
                by=request.user,
            )
        except PermissionRefused as error:
            return forbidden(request, error)
        except RuleViolation as error:
            form.add_error(None, str(error))
        else:
            return done(request, f"Promise recorded: {promise.what}.", promise.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "next": safe_next(request, "")}
    return render(request, "cultivation/promise_form.html", context, status=status)


@require_POST
def promise_keep(request, pk):
    promise = get_object_or_404(Promise, pk=pk)
    form = PromiseKeepForm(request.POST)
    fallback = promise.get_absolute_url()
    if not form.is_valid():
        return refused(request, "Choose how the promise was kept.", fallback)
    try:
        services.promise_keep(promise=promise, method=form.cleaned_data["method"], by=request.user)
    except RuleViolation as error:
        return refused(request, error, fallback)
    return done(request, f"Promise kept: {promise.what}. Logged as a touch.", fallback)


@require_POST
def promise_release(request, pk):
    promise = get_object_or_404(Promise, pk=pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.promise_release(promise=promise, reason=reason, by=request.user)
    except RuleViolation as error:
        return refused(request, error, promise.get_absolute_url())
    return done(request, f"Promise released: {promise.what}.", promise.get_absolute_url())
