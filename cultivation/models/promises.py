"""Promises made to a person, tracked until kept or openly released."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from .people import Contact, in_touch


class PromiseQuerySet(models.QuerySet):
    def open(self):
        """Neither kept nor released (the mirror of `Promise.is_open`)."""
        return self.filter(kept_at=None, released_at=None)

    def overdue_on(self, day):
        """Open, and due before `day`."""
        return self.open().filter(due_on__lt=day)

    def due_by(self, day):
        """Open, due on or before `day` (overdue included)."""
        return self.open().filter(due_on__lte=day)

    def of_people_in_touch(self):
        """To people who did not ask us to stop and are not erased."""
        return self.filter(in_touch("contact__"))


class Promise(models.Model):
    """What we promised a person, who owns it and by when.

    A promise made about a card is linked to it by the board's app, which owns
    that link (a foreign key on its side); nothing here knows cards.
    """

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="promises")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="promises"
    )
    what = models.CharField(max_length=300)
    due_on = models.DateField()
    made_at = models.DateTimeField(default=timezone.now)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kept_at = models.DateTimeField(null=True, blank=True)
    kept_touch = models.OneToOneField(
        "Touch", null=True, blank=True, on_delete=models.SET_NULL, related_name="kept_promise"
    )
    released_at = models.DateTimeField(null=True, blank=True)
    release_reason = models.TextField(blank=True)

    objects = PromiseQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kept_at=None) | Q(released_at=None),
                name="promise_kept_or_released_not_both",
            ),
            models.CheckConstraint(
                condition=Q(released_at=None) | ~Q(release_reason=""),
                name="promise_released_has_reason",
            ),
        ]
        indexes = [
            models.Index(
                fields=["owner", "due_on"],
                condition=Q(kept_at=None, released_at=None),
                name="promise_open_by_owner_due",
            ),
        ]

    def __str__(self):
        return f"{self.what} (to {self.contact})"

    def get_absolute_url(self):
        return reverse("cultivation:contact-detail", args=[self.contact_id]) + "#promises"

    @property
    def is_open(self):
        return self.kept_at is None and self.released_at is None

    def is_overdue_on(self, today):
        return self.is_open and self.due_on < today
