"""Opportunity cards and their moves across the board."""

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from cultivation.models import Contact, Organisation, Priority, Promise, Referral


class Stage(models.TextChoices):
    RESEARCH = "research", "Research"
    CONNECTING = "connecting", "Connecting"
    CULTIVATING = "cultivating", "Cultivating"
    WON = "won", "Won"
    LOST = "lost", "Lost"


OPEN_STAGES = (Stage.RESEARCH, Stage.CONNECTING, Stage.CULTIVATING)
CLOSED_STAGES = (Stage.WON, Stage.LOST)


class Source(models.TextChoices):
    RESEARCH = "research", "Our research"
    INBOUND = "inbound", "Inbound (they contacted us)"
    REFERRAL = "referral", "Referral"


class OpportunityQuerySet(models.QuerySet):
    """Facts about sets of cards, each spelled here once (`Opportunity.objects.open()`)."""

    def open(self):
        """Cards still in play: Research, Connecting or Cultivating (`Opportunity.is_open`)."""
        return self.filter(stage__in=OPEN_STAGES)

    def closed(self):
        """Won or Lost."""
        return self.filter(stage__in=CLOSED_STAGES)

    def open_or_closed_since(self, since):
        """Open cards, and the Won or Lost ones that closed at `since` or later."""
        return self.exclude(stage__in=CLOSED_STAGES, stage_entered_at__lt=since)


class Opportunity(models.Model):
    """A card on the board: one new-client opportunity."""

    title = models.CharField(max_length=200)
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="opportunities",
    )
    contacts = models.ManyToManyField(
        Contact, through="OpportunityContact", related_name="opportunities", blank=True
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_opportunities"
    )
    colleagues = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="involved_opportunities",
        help_text="Colleagues involved, e.g. someone who can make an introduction.",
    )
    stage = models.CharField(max_length=20, choices=Stage, default=Stage.RESEARCH)
    # Cultivation's Priority (the follow-up falls due by it); importable from here too.
    priority = models.CharField(max_length=20, choices=Priority, default=Priority.REFERRAL)
    source = models.CharField(max_length=20, choices=Source, default=Source.RESEARCH)
    estimated_value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    pain = models.TextField(blank=True, help_text="What would cause the people there pain.")
    gain = models.TextField(blank=True, help_text="What would offer them gain.")
    lost_reason = models.TextField(blank=True)
    position = models.BigIntegerField(default=0, help_text="Order within its column, lowest first.")
    stage_entered_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every change.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OpportunityQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "opportunities"
        ordering = ["stage", "position", "pk"]
        indexes = [
            models.Index(fields=["owner", "stage"]),
            models.Index(fields=["stage", "stage_entered_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["stage", "position"], name="opportunity_position_unique_in_column"
            ),
            models.CheckConstraint(
                condition=~Q(stage=Stage.LOST) | ~Q(lost_reason=""),
                name="opportunity_lost_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(stage__in=Stage.values), name="opportunity_stage_valid"
            ),
            models.CheckConstraint(
                condition=Q(estimated_value__isnull=True) | Q(estimated_value__gte=0),
                name="opportunity_value_not_negative",
                violation_error_message="A card's value is never negative: enter 0 or more.",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("opportunities:card-detail", args=[self.pk])

    @property
    def is_open(self):
        return self.stage in OPEN_STAGES

    @property
    def days_in_stage(self):
        return (timezone.now() - self.stage_entered_at).days


class OpportunityContactQuerySet(models.QuerySet):
    def primary(self):
        """Each card's primary contact (at most one per card)."""
        return self.filter(is_primary=True)


class OpportunityContact(models.Model):
    """A person on a card; exactly one may be the primary contact."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="links")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="card_links")
    role = models.CharField(max_length=200, blank=True, help_text="Their part in this opportunity.")
    is_primary = models.BooleanField(default=False)

    objects = OpportunityContactQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "contact"], name="opportunity_contact_unique"
            ),
            models.UniqueConstraint(
                fields=["opportunity"],
                condition=Q(is_primary=True),
                name="opportunity_one_primary_contact",
            ),
        ]

    def __str__(self):
        return f"{self.contact} on {self.opportunity}"


class StageChange(models.Model):
    """One move of a card: who, when, from, to, why. Never edited."""

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="stage_changes"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    from_stage = models.CharField(
        max_length=20, choices=Stage, blank=True, help_text="Blank when the card was created."
    )
    to_stage = models.CharField(max_length=20, choices=Stage)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["opportunity", "at"]),
            models.Index(fields=["to_stage", "at"]),
        ]

    def __str__(self):
        start = self.get_from_stage_display() or "new"
        return f"{self.opportunity}: {start} → {self.get_to_stage_display()}"


class ConnectionIdea(models.Model):
    """A way we might get to meet the people on a card, and how it went.

    docs/method.md, "Ways to make the first connection".
    """

    class Kind(models.TextChoices):
        INTRODUCTION = "introduction", "Introduction by someone we know"
        EVENT = "event", "An event they attend"
        OUR_EVENT = "our_event", "Our own event"
        COFFEE = "coffee", "Coffee about something useful to them"
        USEFUL_EMAIL = "useful_email", "A short, useful email"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        IDEA = "idea", "Idea"
        TRIED = "tried", "Tried"
        WORKED = "worked", "Worked"
        DIDNT_WORK = "didnt_work", "Didn't work"

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="connection_ideas"
    )
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.INTRODUCTION)
    description = models.CharField(max_length=300)
    via = models.ForeignKey(
        Contact,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who could introduce us, for an introduction.",
    )
    status = models.CharField(max_length=20, choices=Status, default=Status.IDEA)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.description


class CardChange(models.Model):
    """One change to a card's details, owner or colleagues: who, when, which field,
    from what, to what (as a person read them then). Written by the services; never edited."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="changes")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    field = models.CharField(max_length=50)
    old = models.TextField(blank=True)
    new = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["opportunity", "at"])]

    def __str__(self):
        return f"{self.opportunity}: {self.field_label} changed"

    @property
    def field_label(self):
        """The field's name as the card page shows it ("estimated value", "colleagues")."""
        if self.field == "contacts":
            return "people"
        try:
            return str(Opportunity._meta.get_field(self.field).verbose_name)
        except FieldDoesNotExist:
            return self.field


class CardPromise(models.Model):
    """A promise to a person made about a card (from the card's page).

    The upper layer owns the link, so cultivation's `Promise` needs no column
    that points up here. Written with the promise, in its transaction.
    """

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="promises")
    promise = models.OneToOneField(Promise, on_delete=models.CASCADE, related_name="card_link")

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.promise} about {self.opportunity}"


class CardReferral(models.Model):
    """A referral that led to a card (recorded with the referral's outcome).

    The upper layer owns the link, so cultivation's `Referral` needs no column
    that points up here. A card page shows the chain through it.
    """

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="referrals")
    referral = models.OneToOneField(Referral, on_delete=models.CASCADE, related_name="card_link")

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.referral} led to {self.opportunity}"
