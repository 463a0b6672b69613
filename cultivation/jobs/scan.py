"""The daily due scan: follow-ups left unanswered after the third attempt are stamped exhausted.

What is due is not stored: My week, the board's badges and the weekly email
read the live selectors. The scan keeps only what must happen once a day: the
FOLLOW_UP_EXHAUSTED stamp (with its history row) and its heartbeat.

Nothing here is per person or per local day: `exhausts_at` is a moment, stamped by
the first scan after it whatever anyone's time zone, so one daily run in UTC serves
everyone; `ScanResult.day` is the firm's date (TIME_ZONE), a label. See docs/jobs.md.
"""

from dataclasses import dataclass

from django.utils import timezone

from ..models import FollowUp
from ..services import follow_ups_exhaust
from .heartbeats import DUE_SCAN, heartbeat


@dataclass
class ScanResult:
    day: object
    exhausted: int = 0


def due_scan(*, now=None):
    """Stamp exhausted every follow-up whose wait after the third attempt is over, once.

    Safe to run twice, or from two workers at once: the second run finds nothing.
    Records its start and success in the heartbeat (`/health/`).
    """
    now = now or timezone.now()
    result = ScanResult(day=timezone.localdate(now, timezone.get_default_timezone()))
    with heartbeat(DUE_SCAN, now=now):
        result.exhausted = follow_ups_exhaust(now=now)
    return result


def due_scan_preview(*, now=None):
    """How many follow-ups `due_scan` would stamp exhausted now, writing nothing."""
    return FollowUp.objects.waited_out(now or timezone.now()).count()
