"""What each member of staff chooses for themselves: their time zone, when (and whether)
the weekly email comes, and their private calendar feed."""

import zoneinfo
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache

from django.conf import settings
from django.db import models


@lru_cache(maxsize=1)
def time_zone_names():
    """Every zone a person may choose ("Europe/London", "America/New_York", …)."""
    return sorted(zoneinfo.available_timezones() - {"localtime", "Factory"})


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class Preferences(models.Model):
    """One row per person, made when they first save their settings: without one, a
    person has the firm's time zone and the weekly email on Monday at 07:00."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="preferences",
    )
    # Blank: the firm's TIME_ZONE, and it follows the firm's if that changes.
    time_zone = models.CharField(max_length=64, blank=True)
    weekly_email = models.BooleanField("send me the weekly email", default=True)
    weekly_email_weekday = models.PositiveSmallIntegerField(
        "on", choices=Weekday, default=Weekday.MONDAY
    )
    weekly_email_hour = models.PositiveSmallIntegerField(
        "at", default=7, help_text="The hour of the day in your own time zone (0–23)."
    )
    # The secret in the address of the person's calendar feed; None when revoked.
    calendar_token = models.CharField(max_length=64, null=True, blank=True, unique=True)
    calendar_token_created_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "preferences"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weekly_email_hour__gte=0, weekly_email_hour__lte=23),
                name="preferences_hour_of_day",
            ),
            models.CheckConstraint(
                condition=models.Q(weekly_email_weekday__gte=0, weekly_email_weekday__lte=6),
                name="preferences_weekday",
            ),
        ]

    def __str__(self):
        return f"Preferences of {self.user}"

    @classmethod
    def of(cls, user):
        """The person's row, or (unsaved) the defaults everyone without one has.

        Reads `user.preferences` (one query unless it was select_related/prefetched)."""
        try:
            return user.preferences
        except cls.DoesNotExist:
            return cls(user_id=user.pk)  # not user=: that would cache it on `user`

    @property
    def zone(self):
        """Their zone, or the firm's if they chose none or theirs is no longer known (a
        zone retired from the time zone database must not break every page they open)."""
        try:
            return zoneinfo.ZoneInfo(self.time_zone or settings.TIME_ZONE)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo(settings.TIME_ZONE)

    def week_start(self, now):
        """The Monday of the week `now` falls in, in the person's own time zone: the week's name."""
        today = now.astimezone(self.zone).date()
        return today - timedelta(days=today.weekday())

    def weekly_email_at(self, week_start):
        """The moment (UTC) of the weekly email in the week of `week_start`: the chosen day and
        hour on the person's own clock. An hour the clocks skip (02:00 when they go forward)
        is read on the clock before the change, so it falls an hour later (03:00); one that
        happens twice is the first."""
        day = week_start + timedelta(days=self.weekly_email_weekday)
        local = datetime.combine(day, time(self.weekly_email_hour), tzinfo=self.zone)
        return local.astimezone(UTC)

    def is_weekly_email_due(self, now):
        """The weekly email is on and this week's moment for it has come."""
        return self.weekly_email and now >= self.weekly_email_at(self.week_start(now))


def zone_for(user):
    """The person's time zone: their own if they chose one, else the firm's.

    Reads `user.preferences` (one query unless it was select_related/prefetched)."""
    try:
        return user.preferences.zone
    except (Preferences.DoesNotExist, AttributeError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)
