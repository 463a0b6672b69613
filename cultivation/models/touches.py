"""Touches: every contact we have with a person, and the gatherings some belong to."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .people import Contact


class Method(models.TextChoices):
    NEWSLETTER = "newsletter", "Newsletter"
    NOTE = "note", "Handwritten note"
    CALL = "call", "Phone call"
    THINKING_OF_YOU = "thinking_of_you", "Thinking-of-you email with a link"
    LUNCH = "lunch", "Lunch or coffee"
    EVENT = "event", "Event"
    INTRODUCTION = "introduction", "Introduction"
    REFERRAL = "referral", "Referral"
    ITEM = "item", "Item of value"
    EMAIL = "email", "Email"
    MEETING = "meeting", "Meeting"
    # A "last contacted" date from another tool, which does not say how: written only by
    # an import, so a plan's touch-base call counts from it (services/plans.py).
    IMPORTED = "imported", "Contact before Convivio (imported, how not recorded)"


# What a person may log or plan: every method but the imported one.
LOGGABLE_METHODS = [(value, label) for value, label in Method.choices if value != Method.IMPORTED]
# Emails that go only to people who opted in.
OPT_IN_METHODS = (Method.NEWSLETTER, Method.THINKING_OF_YOU)
# Touches that are a conversation by their nature.
CONVERSATION_METHODS = (Method.LUNCH, Method.MEETING, Method.EVENT)


class Direction(models.TextChoices):
    OURS = "ours", "From us"
    THEIRS = "theirs", "From them"


class Outcome(models.TextChoices):
    NOT_REACHED = "not_reached", "Not reached"
    NO_NEED = "no_need", "Reached, no need"
    NEED_FOUND = "need_found", "Reached, need found"
    MEETING_AGREED = "meeting_agreed", "Meeting agreed"
    REFERRAL_GIVEN = "referral_given", "Referral given"
    ASKED_TO_STOP = "asked_to_stop", "Asked to stop"


# Call outcomes that say nothing of whether the person still qualifies: no call, not
# reached, or cultivation ended for good.
NOT_REQUALIFIED = ("", Outcome.NOT_REACHED, Outcome.ASKED_TO_STOP)


class Gathering(models.Model):
    """A lunch or coffee with two or three people: one event, a touch for each person."""

    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self):
        return f"Lunch or coffee on {timezone.localdate(self.at):%d %b %Y}"


class Touch(models.Model):
    """One touch with a person, ours or theirs. Never edited: it is the contact's history."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="touches")
    method = models.CharField(max_length=20, choices=Method)
    direction = models.CharField(max_length=10, choices=Direction, default=Direction.OURS)
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)
    outcome = models.CharField(
        max_length=20, choices=Outcome, blank=True, help_text="For phone calls: how it went."
    )
    is_arranged = models.BooleanField(
        default=False, help_text="A call they agreed to beforehand, not one out of the blue."
    )
    still_qualifies = models.BooleanField(
        null=True,
        blank=True,
        help_text="For a call that reached them: still worth cultivating (a recall to "
        "requalify). Empty for any other touch.",
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    follow_up = models.ForeignKey(
        "FollowUp",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="attempts",
        help_text="The follow-up this touch was an attempt of.",
    )
    gathering = models.ForeignKey(
        Gathering, null=True, blank=True, on_delete=models.CASCADE, related_name="touches"
    )
    introduced_to = models.ForeignKey(
        Contact,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="For introductions: the other person.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "touches"
        indexes = [
            models.Index(fields=["contact", "at"]),
            # The reports: touches someone made in a period.
            models.Index(fields=["by", "at"], name="touch_by_at"),
        ]

    def __str__(self):
        when = timezone.localdate(self.at)
        return f"{self.get_method_display()} with {self.contact} on {when:%-d %b %Y}"

    @property
    def is_two_way(self):
        """A conversation: anything from them, a call that reached them, a meeting or lunch."""
        if self.direction == Direction.THEIRS or self.method in CONVERSATION_METHODS:
            return True
        return self.method == Method.CALL and self.outcome not in ("", Outcome.NOT_REACHED)

    @property
    def is_requalifying(self):
        """A call that reached the person (not to stop): it says whether they still qualify."""
        return self.method == Method.CALL and self.outcome not in NOT_REQUALIFIED


class ContactEvent(models.Model):
    """History of a person's cultivation besides touches: who did what, when, why."""

    class Action(models.TextChoices):
        FOLLOW_UP_STARTED = "follow_up_started", "Follow-up started"
        FOLLOW_UP_ANSWERED = "follow_up_answered", "Follow-up answered"
        FOLLOW_UP_EXHAUSTED = "follow_up_exhausted", "Follow-up exhausted"
        FOLLOW_UP_CLOSED = "follow_up_closed", "Follow-up closed"
        PLAN_STARTED = "plan_started", "Touch plan started"
        PLAN_ENDED = "plan_ended", "Touch plan ended"
        PLAN_CHANGED = "plan_changed", "Touch plan changed"
        SNOOZED = "snoozed", "Touch snoozed"
        PROMISE_MADE = "promise_made", "Promise made"
        PROMISE_KEPT = "promise_kept", "Promise kept"
        PROMISE_RELEASED = "promise_released", "Promise released"
        ASKED_TO_STOP = "asked_to_stop", "Asked to stop"
        REASSIGNED = "reassigned", "Owner changed"
        UPDATED = "updated", "Details changed"
        CREATED = "created", "Added"
        OPTED_IN = "opted_in", "Opted in to email"
        OPTED_OUT = "opted_out", "Withdrew email consent"
        STOP_REVERSED = "stop_reversed", "'Asked to stop' reversed"
        KNOWS_ADDED = "knows_added", "Knows link added"
        KNOWS_REMOVED = "knows_removed", "Knows link removed"
        MERGED = "merged", "Merged with a duplicate"
        REFERRAL_RECORDED = "referral_recorded", "Referral recorded"
        REFERRAL_OUTCOME = "referral_outcome", "Referral followed up"
        PLAN_NOT_STARTED = "plan_not_started", "Touch plan not started"
        ALLIANCE_STARTED = "alliance_started", "Became an alliance partner"
        ALLIANCE_CHANGED = "alliance_changed", "Alliance criteria or profile changed"
        ALLIANCE_ENDED = "alliance_ended", "Alliance ended"
        EXCHANGE_LOGGED = "exchange_logged", "Preferral-exchange lunch"

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=30, choices=Action)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)
    changes = models.JSONField(
        default=list,
        blank=True,
        help_text="For a change of details or owner: [{field, label, from, to}], as read then.",
    )

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["contact", "at"])]

    def __str__(self):
        return f"{self.get_action_display()}: {self.contact}"
