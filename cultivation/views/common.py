from django.contrib import messages
from django.http import HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render

from convivio.errors import PermissionRefused
from convivio.parsing import safe_next

__all__ = ["done", "forbidden", "not_saved", "refused", "safe_next"]


def done(request, message, fallback):
    messages.success(request, message)
    return redirect(safe_next(request, fallback))


def refused(request, error, fallback):
    """A refusal: a permission refused is a 403 (`forbidden`); a rule broken or a bad value,
    a 400 saying why, that nothing was changed, and the way back."""
    back = safe_next(request, fallback)
    if isinstance(error, PermissionRefused):
        return forbidden(request, error, back=back)
    return not_saved(request, error, back=back)


def not_saved(request, error, *, back="", status=400):
    """The refusal's sentence with `status` (4xx): the text alone for htmx, else a page
    saying nothing was changed, with the way back."""
    if request.headers.get("HX-Request") == "true":
        return HttpResponse(str(error), status=status, content_type="text/plain; charset=utf-8")
    context = {"message": str(error), "back": back}
    return render(request, "cultivation/not_saved.html", context, status=status)


def forbidden(request, error, *, back=""):
    """403 with the sentence saying who may: the text alone for htmx, else a page."""
    if request.headers.get("HX-Request") == "true":
        return HttpResponseForbidden(str(error), content_type="text/plain; charset=utf-8")
    return render(request, "refused.html", {"message": str(error), "back": back}, status=403)
