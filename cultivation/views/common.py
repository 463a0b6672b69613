from django.contrib import messages
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, fallback):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def done(request, message, fallback):
    messages.success(request, message)
    return redirect(safe_next(request, fallback))


def refused(request, error, fallback):
    messages.error(request, str(error))
    return redirect(safe_next(request, fallback))
