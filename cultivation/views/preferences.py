"""The settings page, and the calendar feed it gives the address of."""

import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from convivio.errors import RuleViolation

from .. import calendar_feed
from ..models import Preferences
from ..models.preferences import time_zone_names
from ..preferences_forms import PreferencesForm
from ..services.preferences import (
    calendar_token_revoke,
    calendar_token_rotate,
    preferences_update,
)

# What secrets.token_urlsafe(32) makes: anything else is not looked up at all.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")


def _preferences_of(user):
    """The person's saved row, or an unsaved one with the defaults."""
    return Preferences.objects.filter(user=user).first() or Preferences(user=user)


def feed_url(preferences):
    if not preferences.calendar_token:
        return ""
    path = reverse("cultivation:calendar-feed", args=[preferences.calendar_token])
    return settings.SITE_URL + path


@require_http_methods(["GET", "HEAD", "POST"])
def settings_page(request):
    """Your time zone, your weekly email, and your calendar's secret address."""
    preferences = _preferences_of(request.user)
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            try:
                preferences_update(user=request.user, by=request.user, **form.cleaned_data)
            except RuleViolation as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "Your settings are saved.")
                return redirect("cultivation:settings")
    else:
        form = PreferencesForm(
            initial={
                "time_zone": preferences.time_zone,
                "weekly_email": preferences.weekly_email,
                "weekly_email_weekday": preferences.weekly_email_weekday,
                "weekly_email_hour": preferences.weekly_email_hour,
            }
        )
    context = {
        "form": form,
        "preferences": preferences,
        "feed_url": feed_url(preferences),
        "time_zone_names": time_zone_names(),
        "zone_now": timezone.now(),
    }
    return render(request, "cultivation/settings.html", context, status=400 if form.errors else 200)


@require_POST
def calendar_rotate(request):
    had_one = bool(_preferences_of(request.user).calendar_token)
    calendar_token_rotate(user=request.user, by=request.user)
    messages.success(
        request,
        "Your calendar has a new address: the old one no longer works. "
        "Subscribe to the new one in your calendar app."
        if had_one
        else "Your calendar address is ready: copy it into your calendar app.",
    )
    return redirect(reverse("cultivation:settings") + "#calendar")


@require_POST
def calendar_revoke(request):
    calendar_token_revoke(user=request.user, by=request.user)
    messages.success(request, "Your calendar address is turned off: it no longer works.")
    return redirect(reverse("cultivation:settings") + "#calendar")


@login_not_required
@require_safe
def calendar(request, token):
    """The feed at its secret address. A wrong, revoked or malformed token, or a person no
    longer active, is the same 404 as any unknown address."""
    if not TOKEN_SHAPE.fullmatch(token):
        raise Http404()
    preferences = (
        Preferences.objects.select_related("user")
        .filter(calendar_token=token, user__is_active=True)
        .first()
    )
    if preferences is None:
        raise Http404()
    now = timezone.now()
    user = preferences.user
    events = calendar_feed.feed_events(user, now=now)
    etag = calendar_feed.feed_etag(user, events)
    response = get_conditional_response(request, etag=etag)
    if response is None:
        response = HttpResponse(
            calendar_feed.feed_ics(user, events, now=now),
            content_type="text/calendar; charset=utf-8",
        )
        response["Content-Disposition"] = 'inline; filename="convivio.ics"'
    response["ETag"] = etag
    response["X-Robots-Tag"] = "noindex"
    patch_cache_control(response, private=True, no_cache=True)
    return response
