"""Organisations and the people in them."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse

from .privacy import refuse_erased_email


class Organisation(models.Model):
    name = models.CharField(max_length=200)
    website = models.URLField(blank=True)
    sector = models.CharField(max_length=100, blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="organisation_name_unique_ci"),
        ]

    def __str__(self):
        return self.name


class ContactQuerySet(models.QuerySet):
    def active(self):
        """People not erased: the only ones pages, reminders and jobs may show."""
        return self.filter(erased_at=None)

    def erased(self):
        return self.exclude(erased_at=None)


class Contact(models.Model):
    """A person. We connect with people, not organisations."""

    name = models.CharField(max_length=200)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts"
    )
    role = models.CharField(max_length=200, blank=True)
    # An erased person never comes back: not by hand, not through an import.
    email = models.EmailField(blank=True, validators=[refuse_erased_email])
    phone = models.CharField(max_length=50, blank=True)
    has_opted_in = models.BooleanField(
        "opted in to email",
        default=False,
        help_text="Newsletters and 'thinking of you' emails go only to people who opted in.",
    )
    how_we_know_them = models.TextField(blank=True)
    what_makes_them_tick = models.TextField(
        blank=True, help_text="What makes them get up in the morning."
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contacts",
        help_text="Who keeps this relationship alive.",
    )
    knows = models.ManyToManyField(
        "self",
        blank=True,
        symmetrical=True,
        help_text="People this person knows: who could introduce whom.",
    )
    asked_to_stop_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="They asked us to stop: cultivation ended for good, history kept.",
    )
    erased_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Erased (right to erasure): personal data blanked, never contacted again.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["owner", "name"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("cultivation:contact-detail", args=[self.pk])

    @property
    def has_asked_to_stop(self):
        return self.asked_to_stop_at is not None

    @property
    def is_erased(self):
        return self.erased_at is not None
