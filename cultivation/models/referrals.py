"""The referral ledger: introductions given and received, and what became of them."""

import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from .people import Contact


class ReferralQuerySet(models.QuerySet):
    def received(self):
        return self.filter(direction=Referral.Direction.RECEIVED)

    def given(self):
        return self.filter(direction=Referral.Direction.GIVEN)

    def awaiting_outcome(self):
        """Not yet followed up: no outcome recorded."""
        return self.filter(outcome="")

    def between(self, start, end):
        """Made on a day from `start` to `end`, both included; either may be None."""
        qs = self
        if start is not None:
            qs = qs.filter(on__gte=start)
        if end is not None:
            qs = qs.filter(on__lte=end)
        return qs

    def exchange_names_waiting(self, now):
        """Names offered to us at an exchange lunch with no outcome yet, whose follow-up
        window (FOLLOW_UP_HOURS["referral"]) has passed since the lunch's day."""
        hours = settings.CONVIVIO["FOLLOW_UP_HOURS"]["referral"]
        zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        cutoff = timezone.localdate(now - timedelta(hours=hours), zone)
        return self.received().awaiting_outcome().filter(exchange__isnull=False, on__lte=cutoff)

    def involving(self, contact):
        """Where `contact` is the person referred or the partner, either way."""
        return self.filter(Q(person=contact) | Q(from_person=contact) | Q(to_person=contact))


class Referral(models.Model):
    """One introduction: received (a partner referred `person` to a colleague) or given
    (a colleague referred `person` to a partner), for a need, with its outcome.

    A referral that led to a card is linked to it by the board's app, which owns
    that link; nothing here knows cards.
    """

    class Direction(models.TextChoices):
        RECEIVED = "received", "Received"
        GIVEN = "given", "Given"

    class Outcome(models.TextChoices):
        NO_FUTURE = "no_future", "No future"
        STAY_IN_TOUCH = "stay_in_touch", "Stay in touch"
        NEXT_STEP = "next_step", "Next step"
        BECAME_CLIENT = "became_client", "Became a client"

    direction = models.CharField(max_length=10, choices=Direction)
    person = models.ForeignKey(
        Contact,
        on_delete=models.CASCADE,
        related_name="referrals_about",
        help_text="The person introduced.",
    )
    from_person = models.ForeignKey(
        Contact,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="referrals_made",
        help_text="Received: the partner who introduced them to us.",
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals_received",
        help_text="Received: the colleague they were introduced to.",
    )
    by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals_given",
        help_text="Given: the colleague who made the introduction.",
    )
    to_person = models.ForeignKey(
        Contact,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="referrals_taken",
        help_text="Given: the partner we introduced them to.",
    )
    on = models.DateField(default=timezone.localdate)
    # A name offered at a preferral-exchange lunch (either way); owned by the alliance
    # services.
    exchange = models.ForeignKey(
        "Exchange", null=True, blank=True, on_delete=models.SET_NULL, related_name="names"
    )
    need = models.TextField(blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome, blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        direction="received",
                        from_person__isnull=False,
                        to_user__isnull=False,
                        by_user=None,
                        to_person=None,
                    )
                    | Q(
                        direction="given",
                        by_user__isnull=False,
                        to_person__isnull=False,
                        from_person=None,
                        to_user=None,
                    )
                ),
                name="referral_sides_match_direction",
                violation_error_message=(
                    "A received referral names the partner who made it and the colleague it "
                    "reached; a given one, the colleague who made it and the partner."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(person=F("from_person")) & ~Q(person=F("to_person")),
                name="referral_not_self",
                violation_error_message="A person is not referred by or to themselves.",
            ),
            models.CheckConstraint(
                condition=Q(outcome="", outcome_at=None)
                | (~Q(outcome="") & Q(outcome_at__isnull=False)),
                name="referral_outcome_has_date",
            ),
        ]
        indexes = [models.Index(fields=["on"], name="referral_on")]

    def __str__(self):
        if self.direction == self.Direction.RECEIVED:
            return f"{self.from_person} referred {self.person} to {self.to_user} on {self.on}"
        return f"{self.by_user} referred {self.person} to {self.to_person} on {self.on}"

    def get_absolute_url(self):
        return reverse("cultivation:contact-detail", args=[self.person_id]) + "#referrals"

    @property
    def partner(self):
        return self.from_person if self.direction == self.Direction.RECEIVED else self.to_person

    @property
    def colleague(self):
        return self.to_user if self.direction == self.Direction.RECEIVED else self.by_user
