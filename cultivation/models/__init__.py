"""People and the relationships we keep with them: the lower layer.

The board's app builds on these models; nothing here imports from it (cultivation/seams.py).
"""

from .alliances import CRITERIA, Alliance, Exchange
from .follow_ups import MAX_ATTEMPTS, FollowUp
from .imports import ImportBatch, ImportedPerson, ImportRowError, SavedMapping
from .jobs import JobRun, WeeklyDigest
from .people import Acquaintance, Contact, Organisation, Tag
from .plans import PlanItem, TouchPlan
from .preferences import Preferences, Weekday, zone_for
from .priority import Priority
from .privacy import ErasedIdentity
from .promises import Promise
from .referrals import Referral
from .touches import (
    CONVERSATION_METHODS,
    LOGGABLE_METHODS,
    NOT_REQUALIFIED,
    OPT_IN_METHODS,
    ContactEvent,
    Direction,
    Gathering,
    Method,
    Outcome,
    Touch,
)

__all__ = [
    "Acquaintance",
    "Alliance",
    "CRITERIA",
    "Exchange",
    "CONVERSATION_METHODS",
    "LOGGABLE_METHODS",
    "NOT_REQUALIFIED",
    "MAX_ATTEMPTS",
    "OPT_IN_METHODS",
    "Contact",
    "ContactEvent",
    "Direction",
    "ErasedIdentity",
    "FollowUp",
    "ImportBatch",
    "ImportedPerson",
    "ImportRowError",
    "Gathering",
    "JobRun",
    "Method",
    "Organisation",
    "Outcome",
    "PlanItem",
    "Preferences",
    "Priority",
    "Promise",
    "Referral",
    "SavedMapping",
    "Tag",
    "Touch",
    "TouchPlan",
    "Weekday",
    "WeeklyDigest",
    "zone_for",
]
