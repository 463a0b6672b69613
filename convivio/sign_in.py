"""Sign-in throttling wired for django-axes: whose address a try comes from, and the page
a locked-out person sees (docs/security.md)."""

import ipaddress

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS
from django.template.response import TemplateResponse

USERNAME_MAX_LENGTH = 150  # django.contrib.auth's User.username


def lockout_sentence():
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return (
        "Too many failed sign-ins for this account from your address. "
        f"Try again in {minutes} minutes, or ask a manager to unlock it."
    )


def client_address(request):
    """The address that counts for throttling. Behind TRUSTED_PROXY_COUNT proxies it is the
    one the outermost proxy saw, read from the right of X-Forwarded-For (entries further left
    are whatever the client claimed); with no proxy configured, the header is ignored."""
    remote = _valid(request.META.get("REMOTE_ADDR", ""))
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        return remote
    return _valid(forwarded[-count]) or remote


def username_of(request, credentials=None):
    """The username a try counts against, cut to the longest a username can be: Django's
    sign-in form does not cap its length, and axes keeps it in a 255-character column."""
    name = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(name)[:USERNAME_MAX_LENGTH]


def _valid(address):
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def lockout_response(request, original_response=None, credentials=None):
    """The sign-in page it was sent from (the site's or the admin's), its form carrying the
    lockout sentence, answered 429 Too Many Requests."""
    context = getattr(original_response, "context_data", None)
    template = getattr(original_response, "template_name", None)
    if context is None or template is None or "form" not in context:
        template = "registration/login.html"
        context = {"form": AuthenticationForm(request, data=request.POST), "next": ""}
    form = context["form"]
    form.is_valid()  # a no-op when the view has already checked it
    form._errors[NON_FIELD_ERRORS] = form.error_class([lockout_sentence()], error_class="nonfield")
    response = TemplateResponse(request, template, context, status=settings.AXES_HTTP_RESPONSE_CODE)
    # Made in a middleware, after the handler renders responses: render it here.
    return response.render()
