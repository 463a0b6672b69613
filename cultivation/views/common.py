from django.contrib import messages
from django.http import HttpResponseForbidden
from django.shortcuts import redirect, render

from convivio.errors import PermissionRefused
from convivio.parsing import safe_next

__all__ = ["done", "forbidden", "refused", "safe_next"]


def done(request, message, fallback):
    messages.success(request, message)
    return redirect(safe_next(request, fallback))


def refused(request, error, fallback):
    """A refusal: a permission refused is a 403 (`forbidden`); a rule, a message and back."""
    if isinstance(error, PermissionRefused):
        return forbidden(request, error, back=safe_next(request, fallback))
    messages.error(request, str(error))
    return redirect(safe_next(request, fallback))


def forbidden(request, error, *, back=""):
    """403 with the sentence saying who may: the text alone for htmx, else a page."""
    if request.headers.get("HX-Request") == "true":
        return HttpResponseForbidden(str(error), content_type="text/plain; charset=utf-8")
    return render(request, "refused.html", {"message": str(error), "back": back}, status=403)
