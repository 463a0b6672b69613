"""Each person's own settings: time zone, weekly email, and the secret calendar address."""

import secrets

from django.db import transaction
from django.utils import timezone

from convivio.errors import RuleViolation

from .. import policy
from ..models import Preferences
from ..models.preferences import time_zone_names

# secrets.token_urlsafe(32): 43 characters of A-Z, a-z, 0-9, "-" and "_" (256 bits).
CALENDAR_TOKEN_BYTES = 32


def _lock(*, user, by, doing):
    """The person's row, locked (made with the defaults on first use); refused unless `by`
    is that person or a manager."""
    policy.require(
        policy.is_signed_in(by) and (by.pk == user.pk or policy.is_manager(by)),
        f"Only {policy.full_name(user)} or a manager can {doing}.",
    )
    Preferences.objects.get_or_create(user=user)
    return Preferences.objects.select_for_update().get(user=user)


@transaction.atomic
def preferences_update(
    *, user, by, time_zone, weekly_email, weekly_email_weekday, weekly_email_hour
):
    """Save a person's time zone (blank: the firm's), and whether, on which day and at which
    hour of their own day the weekly email comes. The person or a manager may."""
    if time_zone and time_zone not in time_zone_names():
        raise RuleViolation(f"“{time_zone}” is not a time zone: choose one from the list.")
    if weekly_email_hour not in range(24):
        raise RuleViolation("The hour of the weekly email is from 0 to 23.")
    if weekly_email_weekday not in range(7):
        raise RuleViolation("Choose a day of the week for the weekly email.")
    preferences = _lock(user=user, by=by, doing="change these settings")
    preferences.time_zone = time_zone
    preferences.weekly_email = weekly_email
    preferences.weekly_email_weekday = weekly_email_weekday
    preferences.weekly_email_hour = weekly_email_hour
    preferences.save(
        update_fields=[
            "time_zone",
            "weekly_email",
            "weekly_email_weekday",
            "weekly_email_hour",
            "updated_at",
        ]
    )
    return preferences


@transaction.atomic
def calendar_token_rotate(*, user, by):
    """Give the person a new secret calendar address; the old one stops working at once."""
    preferences = _lock(user=user, by=by, doing="change this calendar address")
    preferences.calendar_token = secrets.token_urlsafe(CALENDAR_TOKEN_BYTES)
    preferences.calendar_token_created_at = timezone.now()
    preferences.save(update_fields=["calendar_token", "calendar_token_created_at", "updated_at"])
    return preferences


@transaction.atomic
def calendar_token_revoke(*, user, by):
    """Turn the person's calendar address off: it answers 404 from now on."""
    preferences = _lock(user=user, by=by, doing="turn this calendar address off")
    preferences.calendar_token = None
    preferences.calendar_token_created_at = None
    preferences.save(update_fields=["calendar_token", "calendar_token_created_at", "updated_at"])
    return preferences
