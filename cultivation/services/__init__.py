"""Writes that enforce the cultivation rules of docs/method.md.

Pages, the admin, tasks, commands and the board's app call these; each raises
`RuleViolation` with a sentence when the method refuses, and saves nothing.
"""

from .acquaintances import acquaintance_add, acquaintance_remove
from .alliances import alliance_end, alliance_mark, alliance_reschedule, exchange_log
from .follow_ups import (
    follow_up_close,
    follow_up_snooze,
    follow_up_start,
    follow_ups_exhaust,
)
from .importing import (
    import_confirm,
    import_preview,
    import_run,
    import_set_mapping,
    import_undo,
    import_upload,
)
from .merge import contact_merge
from .organisations import organisation_create, organisation_for_name, organisation_update
from .people import (
    contact_asked_to_stop,
    contact_create,
    contact_edit,
    contact_opt_in,
    contact_opt_out,
    contact_stop_reverse,
    contact_update,
)
from .plans import (
    contact_reassign,
    plan_end,
    plan_item_add,
    plan_item_snooze,
    touch_plan_serve,
    touch_plan_start,
    touch_plan_start_for_card,
)
from .privacy import contact_erase, contact_export, is_erased_email
from .promises import promise_keep, promise_make, promise_release
from .referrals import referral_outcome, referral_record
from .tags import contact_tag
from .touches import gathering_log, introduction_log, touch_log

__all__ = [
    "acquaintance_add",
    "acquaintance_remove",
    "alliance_end",
    "alliance_mark",
    "alliance_reschedule",
    "exchange_log",
    "contact_asked_to_stop",
    "contact_create",
    "contact_edit",
    "contact_erase",
    "contact_export",
    "contact_merge",
    "contact_opt_in",
    "contact_opt_out",
    "contact_reassign",
    "contact_stop_reverse",
    "contact_tag",
    "referral_outcome",
    "referral_record",
    "contact_update",
    "import_confirm",
    "import_preview",
    "import_run",
    "import_set_mapping",
    "import_undo",
    "import_upload",
    "follow_up_close",
    "follow_up_snooze",
    "follow_up_start",
    "follow_ups_exhaust",
    "gathering_log",
    "introduction_log",
    "is_erased_email",
    "organisation_create",
    "organisation_for_name",
    "organisation_update",
    "plan_end",
    "plan_item_add",
    "plan_item_snooze",
    "promise_keep",
    "promise_make",
    "promise_release",
    "touch_log",
    "touch_plan_serve",
    "touch_plan_start",
    "touch_plan_start_for_card",
]
