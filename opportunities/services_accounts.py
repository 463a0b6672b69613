"""Writes about the firm's people as accounts: a leaver stops signing in and hands on
their work. Managers call these from the admin (opportunities/admin_accounts.py)."""

from dataclasses import dataclass, field
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.db import transaction

from convivio.errors import PermissionRefused, RuleViolation
from cultivation import services as cultivation
from cultivation.models import Contact

from . import services
from .models import Opportunity


@dataclass
class Handover:
    """What a leaver handed on: counts, and a sentence for each card or person that stayed."""

    cards: int = 0
    people: int = 0
    refusals: list[str] = field(default_factory=list)


def account_refusal(*, person, by):
    """Why `by` may not manage `person`'s account, or None. Only a superuser manages a
    superuser's account, so a manager cannot lock one out or take one over."""
    if person.is_superuser and not by.is_superuser:
        return f"Only a superuser can change {_name(person)}'s account: it is a superuser's."
    return None


@transaction.atomic
def account_deactivate(*, person, successor, by):
    """A leaver can no longer sign in, and their cards and people go to `successor`. Each
    card and person moves whole or not at all: one the rules refuse (the successor has no
    room to cultivate them) stays with the leaver and is named in the refusals; the rest
    move. The leaver is deactivated either way, since access must end on the day they go."""
    person = get_user_model().objects.select_for_update().get(pk=person.pk)
    _check_deactivation(person=person, successor=successor, by=by)
    handover = Handover()
    reassign_card = partial(services.opportunity_reassign, owner=successor, by=by)
    for card in Opportunity.objects.filter(owner=person).order_by("pk"):
        _hand_on(handover, "cards", person, card.title, partial(reassign_card, opportunity=card))
    reassign_contact = partial(cultivation.contact_reassign, owner=successor, by=by)
    for contact in Contact.objects.filter(owner=person).order_by("pk"):
        _hand_on(
            handover, "people", person, contact.name, partial(reassign_contact, contact=contact)
        )
    person.is_active = False
    person.save(update_fields=["is_active"])
    return handover


def account_send_password_reset(*, person):
    """Email `person` a single-use link to choose their own password (Django's password
    reset), so nobody else ever knows it. Only for an active person with an email address."""
    name = _name(person)
    if not person.is_active:
        raise RuleViolation(f"{name} is inactive, so no reset email was sent.")
    if not person.email:
        raise RuleViolation(f"{name} has no email address: add one first.")
    site = urlsplit(settings.SITE_URL)
    form = _OnePersonReset(person)
    form.is_valid()
    form.save(
        domain_override=site.netloc,
        use_https=site.scheme == "https",
        subject_template_name="registration/account_password_reset_subject.txt",
        email_template_name="registration/account_password_reset_email.txt",
    )


class _OnePersonReset(PasswordResetForm):
    """Django's reset form, sent to the chosen person only, not every account that
    shares their address, and also to someone who has never had a password."""

    def __init__(self, person):
        super().__init__(data={"email": person.email})
        self.person = person

    def get_users(self, email):
        return [self.person]


def _check_deactivation(*, person, successor, by):
    refusal = account_refusal(person=person, by=by)
    if refusal:
        raise PermissionRefused(refusal)
    if person.pk == by.pk:
        raise RuleViolation("You cannot deactivate your own account; ask another manager.")
    if not person.is_active:
        raise RuleViolation(f"{_name(person)} is already inactive.")
    if successor is None or successor.pk == person.pk or not successor.is_active:
        raise RuleViolation(
            f"Choose an active colleague, other than {_name(person)}, to hand their work on to."
        )


def _hand_on(handover, kind, person, label, reassign):
    try:
        with transaction.atomic():
            reassign()
    except RuleViolation as refusal:
        handover.refusals.append(f"“{label}” stays with {_name(person)}: {refusal}")
    else:
        setattr(handover, kind, getattr(handover, kind) + 1)


def _name(person):
    return person.get_full_name() or person.get_username()
