"""Touch plans: how regularly we keep in touch with each cultivated person."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .people import Contact, in_touch
from .touches import Method


def live_plan(path=""):
    """The plan at `path` ("" for a plan, "plan__" from its items) has not ended."""
    return Q(**{f"{path}ended_at": None})


class TouchPlanQuerySet(models.QuerySet):
    def live(self):
        """Plans not ended: their people are in cultivation."""
        return self.filter(live_plan())

    def pool_of(self, owner):
        """The live plans of the people `owner` keeps: the size of their pool."""
        return self.live().filter(contact__owner=owner)


class PlanItemQuerySet(models.QuerySet):
    def live(self):
        """Touches of plans not ended."""
        return self.filter(live_plan("plan__"))

    def of_people_in_touch(self):
        """Of people who did not ask us to stop and are not erased."""
        return self.filter(in_touch("plan__contact__"))

    def due_by(self, day):
        """Live touches due on or before `day` (overdue included)."""
        return self.live().filter(next_due_on__lte=day)

    def overdue_on(self, day):
        """Live touches that were due before `day`."""
        return self.live().filter(next_due_on__lt=day)


class TouchPlan(models.Model):
    """A cultivated person's plan. Live while `ended_at` is empty; counts in the owner's pool."""

    class Kind(models.TextChoices):
        CULTIVATING = "cultivating", "Cultivating"
        ALLIANCE = "alliance", "Strategic alliance"
        REFERRAL_PARTNER = "referral_partner", "Referral partner"
        CLIENT = "client", "Client (servicing)"

    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="touch_plan")
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.CULTIVATING)
    started_at = models.DateTimeField()
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.TextField(blank=True)

    objects = TouchPlanQuerySet.as_manager()

    class Meta:
        ordering = ["contact__name"]
        indexes = [
            models.Index(fields=["ended_at"], name="touch_plan_live", condition=Q(ended_at=None)),
            # The reports: who our clients are (a few among many plans).
            models.Index(fields=["contact"], name="touch_plan_client", condition=Q(kind="client")),
        ]

    def __str__(self):
        return f"Touch plan for {self.contact}"

    @property
    def is_live(self):
        return self.ended_at is None


class PlanItem(models.Model):
    """One kind of touch in a plan, every `interval_days`, next due on `next_due_on`."""

    plan = models.ForeignKey(TouchPlan, on_delete=models.CASCADE, related_name="items")
    method = models.CharField(max_length=20, choices=Method)
    interval_days = models.PositiveSmallIntegerField()
    next_due_on = models.DateField()
    last_done_at = models.DateTimeField(null=True, blank=True)
    snoozed_from = models.DateField(
        null=True, blank=True, help_text="The date it was due before it was snoozed."
    )

    objects = PlanItemQuerySet.as_manager()

    class Meta:
        ordering = ["next_due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "method"], name="plan_item_one_per_method"),
            models.CheckConstraint(
                condition=Q(interval_days__gte=1), name="plan_item_interval_positive"
            ),
        ]
        indexes = [models.Index(fields=["next_due_on"])]

    def __str__(self):
        return f"{self.get_method_display()} every {self.interval_days} days"

    @property
    def is_touch_base(self):
        return self.method == Method.CALL

    @property
    def label(self):
        if self.is_touch_base:
            return "Touch-base call"
        return self.get_method_display()
