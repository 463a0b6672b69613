"""Writes that enforce the cultivation rules of docs/method.md.

Pages, the admin, tasks, commands and the board's app call these; each raises
`RuleViolation` with a sentence when the method refuses, and saves nothing.
"""

from .follow_ups import (
    follow_up_close,
    follow_up_snooze,
    follow_up_start,
    follow_ups_exhaust,
)
from .people import contact_update
from .plans import (
    contact_reassign,
    plan_end,
    plan_item_add,
    plan_item_snooze,
    touch_plan_start,
    touch_plan_start_for_card,
)
from .privacy import contact_erase, contact_export, is_erased_email
from .promises import promise_keep, promise_make, promise_release
from .touches import gathering_log, introduction_log, touch_log

__all__ = [
    "contact_erase",
    "contact_export",
    "contact_reassign",
    "contact_update",
    "follow_up_close",
    "follow_up_snooze",
    "follow_up_start",
    "follow_ups_exhaust",
    "gathering_log",
    "introduction_log",
    "is_erased_email",
    "plan_end",
    "plan_item_add",
    "plan_item_snooze",
    "promise_keep",
    "promise_make",
    "promise_release",
    "touch_log",
    "touch_plan_start",
    "touch_plan_start_for_card",
]
