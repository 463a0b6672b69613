"""Organisations and the people in them, and who knows whom."""

import re
import unicodedata
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from .privacy import refuse_erased_email


def name_match_key(name):
    """A name as duplicate matching compares it: no case, accents, punctuation or extra spaces.

    "  José  O'Brien-Smith " and "jose obrien smith" give the same key.
    """
    decomposed = unicodedata.normalize("NFKD", name or "")
    letters = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    letters = re.sub(r"['’`]", "", letters.casefold())
    return " ".join(re.sub(r"[\W_]+", " ", letters).split())


def linkedin_match_key(url):
    """A LinkedIn profile address as matching compares it: "linkedin.com/in/jane-doe".

    Scheme, "www."/country subdomains, query, fragment, trailing slash and case are ignored.
    """
    url = (url or "").strip()
    if not url:
        return ""
    parts = urlsplit(url if "://" in url else "https://" + url)
    host = (parts.hostname or "").casefold()
    if host == "linkedin.com" or host.endswith(".linkedin.com"):
        host = "linkedin.com"
    return f"{host}{parts.path.rstrip('/')}".casefold()


class MatchKeyField(models.CharField):
    """A column derived from another by `derive`, kept in step on every insert and save.

    `pre_save` also runs in `bulk_create`, so an import in bulk gets its keys too
    (not in `update()` or `bulk_update()`: those must set it themselves).
    """

    def __init__(self, *args, source, derive, **kwargs):
        self.source, self.derive = source, derive
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance, add):
        value = self.derive(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        return name, path, args, {**kwargs, "source": self.source, "derive": self.derive}


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


def in_touch(path=""):
    """The person at `path` ("" for a contact, "contact__" from a row about one) may still
    be reminded about: they did not ask us to stop and were not erased."""
    return models.Q(**{f"{path}asked_to_stop_at": None, f"{path}erased_at": None})


class Tag(models.Model):
    """A label on people ("Board members", a Contactually bucket, a Google label): the
    contacts list filters by it. Names are unique whatever their case."""

    name = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="tag_name_unique_ci")]

    def __str__(self):
        return self.name


class ContactQuerySet(models.QuerySet):
    """Facts about sets of people, each spelled here once (`Contact.objects.in_cultivation()`)."""

    def active(self):
        """People not erased nor merged into another: the only ones pages and jobs may show."""
        return self.filter(erased_at=None, merged_into=None)

    def erased(self):
        return self.exclude(erased_at=None)

    def in_touch(self):
        """People who did not ask us to stop and were not erased."""
        return self.filter(in_touch())

    def in_cultivation(self):
        """People with a live touch plan: each counts in their owner's pool."""
        return self.filter(self._has_live_plan())

    def not_in_cultivation(self):
        return self.exclude(self._has_live_plan())

    def _has_live_plan(self):
        from .plans import TouchPlan  # plans.py imports this module

        return models.Exists(TouchPlan.objects.live().filter(contact=models.OuterRef("pk")))


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
    linkedin_url = models.URLField("LinkedIn profile", max_length=300, blank=True)
    has_opted_in = models.BooleanField(
        "opted in to email",
        default=False,
        help_text="Newsletters and 'thinking of you' emails go only to people who opted in.",
    )
    # Consent is a record, not a tick box: when and how it was given (both kept in the
    # person's history when it is given or withdrawn). Set only with `has_opted_in`.
    opted_in_at = models.DateTimeField("opted in on", null=True, blank=True)
    opt_in_how = models.CharField(
        "how they opted in",
        max_length=200,
        blank=True,
        help_text='e.g. "asked at lunch", "signed up on the website".',
    )
    how_we_know_them = models.TextField(blank=True)
    what_makes_them_tick = models.TextField(
        blank=True, help_text="What makes them get up in the morning."
    )
    needs = models.TextField(
        "needs we have heard",
        blank=True,
        help_text="One per line: keep an eye out for what they need.",
    )
    referred_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referrals",
        help_text="The person who referred or introduced them to us.",
    )
    referred_by_colleague = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referred_contacts",
        help_text="The colleague who referred them to us.",
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
        through="Acquaintance",
        help_text="People this person knows: who could introduce whom.",
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="people")
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
    # A duplicate merged into another record (services/merge.py) is kept only so that its
    # old address leads to the survivor: nothing personal stays on it.
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="merged_records",
        help_text="The person this duplicate record was merged into.",
        # Indexed only where set (Meta): a full index lures SQLite into reading every
        # living person through it for `merged_into IS NULL`.
        db_index=False,
    )
    merged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Duplicate matching's keys, derived from `name` and `linkedin_url` on every write.
    name_key = MatchKeyField(max_length=200, source="name", derive=name_match_key)
    linkedin_key = MatchKeyField(max_length=300, source="linkedin_url", derive=linkedin_match_key)

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["owner", "name"]),
            models.Index(fields=["name_key", "organisation"], name="contact_name_key"),
            models.Index(fields=["linkedin_key"], name="contact_linkedin_key"),
            models.Index(Lower("email"), name="contact_email_ci"),
            models.Index(
                fields=["merged_into"],
                name="contact_merged_into",
                condition=models.Q(merged_into__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(has_opted_in=False, opted_in_at=None)
                | models.Q(has_opted_in=True, opted_in_at__isnull=False),
                name="contact_opt_in_has_a_date",
            ),
            models.CheckConstraint(
                condition=models.Q(merged_into=None, merged_at=None)
                | models.Q(merged_into__isnull=False, merged_at__isnull=False),
                name="contact_merged_has_a_date",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, update_fields=None, **kwargs):
        if update_fields is not None:
            update_fields = set(update_fields)
            if "name" in update_fields:
                update_fields.add("name_key")
            if "linkedin_url" in update_fields:
                update_fields.add("linkedin_key")
        super().save(*args, update_fields=update_fields, **kwargs)

    def get_absolute_url(self):
        return reverse("cultivation:contact-detail", args=[self.pk])

    @property
    def has_asked_to_stop(self):
        return self.asked_to_stop_at is not None

    @property
    def is_erased(self):
        return self.erased_at is not None

    @property
    def is_merged(self):
        return self.merged_into_id is not None

    @property
    def retired_reason(self):
        """Why nothing more may be written about this record ("" for a live person)."""
        if self.is_erased:
            return f"Person #{self.pk} was erased: nothing more is recorded about them."
        if self.is_merged:
            return (
                f"This record was merged into person #{self.merged_into_id}: "
                "record it on that person instead."
            )
        return ""


class Acquaintance(models.Model):
    """One direction of "knows": the link is symmetrical, so each pair is two rows.

    Kept in the table Django made for the plain many-to-many, with how they know
    each other and who recorded it.
    """

    class How(models.TextChoices):
        COLLEAGUE = "colleague", "Colleague"
        CLIENT = "client", "Client"
        FRIEND = "friend", "Friend"
        ALLIANCE_PARTNER = "alliance_partner", "Alliance partner"
        MET_AT = "met_at", "Met at …"
        OTHER = "other", "Other"

    from_contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    to_contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    how = models.CharField(max_length=20, choices=How, blank=True)
    detail = models.CharField(
        max_length=200, blank=True, help_text='e.g. "met at the Law Society dinner".'
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "cultivation_contact_knows"
        unique_together = [("from_contact", "to_contact")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(from_contact=models.F("to_contact")),
                name="acquaintance_not_oneself",
            ),
        ]

    def __str__(self):
        return f"{self.from_contact} knows {self.to_contact}"
