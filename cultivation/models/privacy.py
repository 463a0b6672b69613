"""What we keep of a person after erasing them: a one-way hash of their email, and the record.

The hash is an HMAC-SHA256 of the normalised email (stripped, lower-cased)
keyed with settings.ERASED_EMAIL_HASH_KEY, not a plain SHA-256: email
addresses are guessable (first.last@firm), so a plain hash in a leaked
database names the person again by trying candidates; without the key nobody
can. The key is its own setting (SECRET_KEY when unset) so that rotating
SECRET_KEY after a leak does not forget who was erased.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac

HASH_SALT = "convivio.cultivation.erased-email"
ERASED_EMAIL_REFUSAL = (
    "This email address belonged to a person we erased at their request (right to erasure): "
    "they may not be added again."
)


def normalise_email(email):
    return (email or "").strip().lower()


def email_hash(email):
    """The one-way hash kept of an erased person's email; "" for no email."""
    email = normalise_email(email)
    if not email:
        return ""
    secret = settings.ERASED_EMAIL_HASH_KEY
    return salted_hmac(HASH_SALT, email, secret=secret, algorithm="sha256").hexdigest()


def refuse_erased_email(email):
    """The validator on Contact.email: refuse the address of someone erased."""
    if ErasedIdentity.objects.matching(email).exists():
        raise ValidationError(ERASED_EMAIL_REFUSAL, code="erased")


class ErasedIdentityQuerySet(models.QuerySet):
    def matching(self, email):
        """Erasures of this email address (any case, surrounding spaces ignored)."""
        hashed = email_hash(email)
        return self.filter(email_hash=hashed) if hashed else self.none()


class ErasedIdentity(models.Model):
    """One erasure: who erased which contact row, when and why. Holds no personal data.

    `email_hash` lets an import or a form refuse the person if they come back.
    `reason` is stored with the person's name, email and phone taken out.
    """

    contact = models.OneToOneField(
        "Contact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="erasure",
        help_text="The blanked contact row, kept so counts in reports stay right.",
    )
    email_hash = models.CharField(max_length=64, blank=True, db_index=True)
    erased_at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField()

    objects = ErasedIdentityQuerySet.as_manager()

    class Meta:
        ordering = ["-erased_at", "-pk"]
        verbose_name = "erasure"

    def __str__(self):
        return f"Contact #{self.contact_id} erased on {timezone.localdate(self.erased_at)}"
