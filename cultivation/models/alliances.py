"""Strategic alliances and the preferral-exchange lunches we have with them
(docs/method.md, "Referrals, preferrals and alliances").

An alliance partner is a person we know (a Contact) whom the firm has chosen as a
strategic alliance, judged against the seven criteria of a good preferral partner.
About once a quarter we have a preferral-exchange lunch with each: an `Exchange`. The
names offered both ways at that lunch are referrals (`Referral.exchange`), so their
outcomes ("thirds") are the referral ledger's outcomes.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .people import Contact
from .touches import Touch

# The seven criteria of a good preferral partner, in the method's order: the field
# names on Alliance and the sentence each stands for.
CRITERIA = (
    ("respects_us", "Respects us professionally"),
    ("knows_our_people", "Knows the kind of people we want to meet (our Preferral Profile)"),
    ("has_standing", "Has standing with them"),
    ("will_introduce", "Will introduce us if approached properly"),
    ("complementary", "Offers a complementary, non-competing service to our market"),
    ("can_receive", "Can receive introductions to people who fit their profile"),
    ("is_growing", "Is actively growing their practice"),
)


class AllianceQuerySet(models.QuerySet):
    def live(self):
        """Partners the firm still keeps as alliances."""
        return self.filter(ended_at=None)

    def lunch_due_by(self, day):
        return self.live().filter(next_lunch_on__lte=day)


class Alliance(models.Model):
    """A person the firm keeps as a strategic alliance partner."""

    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="alliance")
    respects_us = models.BooleanField(CRITERIA[0][1], default=False)
    knows_our_people = models.BooleanField(CRITERIA[1][1], default=False)
    has_standing = models.BooleanField(CRITERIA[2][1], default=False)
    will_introduce = models.BooleanField(CRITERIA[3][1], default=False)
    complementary = models.BooleanField(CRITERIA[4][1], default=False)
    can_receive = models.BooleanField(CRITERIA[5][1], default=False)
    is_growing = models.BooleanField(CRITERIA[6][1], default=False)
    preferral_profile = models.TextField(
        "their Preferral Profile",
        blank=True,
        help_text="Who is a good introduction for them: the people they want to meet.",
    )
    # Owned by the alliance services: the next preferral-exchange lunch, spread across
    # the firm's weeks (read-only everywhere else).
    next_lunch_on = models.DateField(null=True, blank=True)
    since = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = AllianceQuerySet.as_manager()

    class Meta:
        ordering = ["next_lunch_on", "pk"]
        indexes = [models.Index(fields=["next_lunch_on"], name="alliance_next_lunch")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at=None) | Q(next_lunch_on=None),
                name="alliance_ended_has_no_lunch",
                violation_error_message="An ended alliance has no next lunch.",
            ),
        ]

    def __str__(self):
        return f"Alliance with {self.contact}"

    @property
    def criteria_met(self):
        return [label for name, label in CRITERIA if getattr(self, name)]

    @property
    def criteria_missing(self):
        return [label for name, label in CRITERIA if not getattr(self, name)]


class Exchange(models.Model):
    """A preferral-exchange lunch with an alliance partner: when, who went, and (as
    referrals pointing here) the names offered both ways."""

    partner = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="exchanges")
    on = models.DateField(default=timezone.localdate)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="exchanges"
    )
    note = models.TextField(blank=True)
    # The lunch is also a touch in the partner's history (method "lunch").
    touch = models.OneToOneField(
        Touch, null=True, blank=True, on_delete=models.SET_NULL, related_name="exchange"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-on", "-pk"]
        indexes = [models.Index(fields=["on"], name="exchange_on")]

    def __str__(self):
        return f"Preferral exchange with {self.partner} on {self.on:%d %b %Y}"
