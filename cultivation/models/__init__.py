"""People and the relationships we keep with them: the lower layer.

`opportunities` builds on these models; nothing here imports from it.
"""

from .jobs import JobRun, Reminder, WeeklyDigest
from .people import Contact, Organisation

__all__ = ["Contact", "JobRun", "Organisation", "Reminder", "WeeklyDigest"]
