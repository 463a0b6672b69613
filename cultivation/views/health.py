from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.utils import timezone

from .. import jobs


@login_not_required
def health(request):
    """When the scan and the weekly email last ran, and "late" in plain words; 503 if late.

    Open without signing in, for an uptime monitor; it shows times and counts,
    and the last problem's text (which may name people) only to managers.
    """
    now = timezone.now()
    health = jobs.job_health(now=now)
    is_late = any(job.is_late for job in health)
    context = {
        "jobs": health,
        "is_late": is_late,
        "unsent_digests": jobs.unsent_digests(now=now).count(),
        "now": now,
    }
    return render(request, "cultivation/health.html", context, status=503 if is_late else 200)
