"""The follow-up after meeting someone new: at most three unanswered attempts."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .people import Contact, in_touch
from .priority import Priority

MAX_ATTEMPTS = 3


class FollowUpQuerySet(models.QuerySet):
    """Facts about sets of follow-ups, each spelled here once (`FollowUp.objects.live()`)."""

    def live(self):
        """Still running: open, or exhausted and awaiting a person's decision."""
        return self.filter(status__in=self.model.LIVE)

    def open(self):
        """Waiting for another attempt or for an answer to the last one."""
        return self.filter(status=self.model.Status.OPEN)

    def due_before(self, moment):
        """Open, with the next attempt due before `moment`."""
        return self.open().filter(next_due_at__lt=moment)

    def exhausted(self, now):
        """Awaiting a person's decision at `now`: stamped exhausted, or waited out
        and not stamped yet (the mirror of `FollowUp.is_exhausted_at`)."""
        return self.filter(Q(status=self.model.Status.EXHAUSTED) | self._waited_out(now))

    def waited_out(self, now):
        """Open, with the wait after the third attempt over by `now`: for the sweep to stamp."""
        return self.filter(self._waited_out(now))

    def of_people_in_touch(self):
        """With people who did not ask us to stop and are not erased."""
        return self.filter(in_touch("contact__"))

    def _waited_out(self, now):
        return Q(status=self.model.Status.OPEN, exhausts_at__lte=now)


class FollowUp(models.Model):
    """One sequence of follow-up attempts with one person.

    Live while OPEN; a two-way touch ends it as ANSWERED. After the third
    attempt `exhausts_at` is set (a week later by default): from then on it
    counts as exhausted and awaits a person's decision, whether or not the
    daily sweep has stamped status EXHAUSTED yet.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ANSWERED = "answered", "Answered"
        EXHAUSTED = "exhausted", "Exhausted: decide"
        CLOSED = "closed", "Closed"

    LIVE = (Status.OPEN, Status.EXHAUSTED)

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="follow_ups")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_ups",
    )
    priority = models.CharField(max_length=20, choices=Priority, default=Priority.REFERRAL)
    met_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status, default=Status.OPEN)
    attempt_count = models.PositiveSmallIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_due_at = models.DateTimeField(
        null=True, blank=True, help_text="When the next attempt is due; empty after the third."
    )
    exhausts_at = models.DateTimeField(
        null=True, blank=True, help_text="When an unanswered third attempt becomes exhausted."
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        ordering = ["-met_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["contact"],
                condition=Q(status__in=["open", "exhausted"]),
                name="follow_up_one_live_per_contact",
            ),
            models.CheckConstraint(
                condition=Q(attempt_count__lte=MAX_ATTEMPTS), name="follow_up_at_most_three"
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "status", "next_due_at"]),
            models.Index(fields=["status", "exhausts_at"]),
        ]

    def __str__(self):
        return f"Follow-up with {self.contact} ({self.get_status_display()})"

    @property
    def is_live(self):
        return self.status in self.LIVE

    def is_exhausted_at(self, now):
        if self.status == self.Status.EXHAUSTED:
            return True
        return (
            self.status == self.Status.OPEN
            and self.exhausts_at is not None
            and self.exhausts_at <= now
        )
