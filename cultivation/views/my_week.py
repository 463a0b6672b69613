from django.shortcuts import render
from django.utils import timezone

from .. import selectors
from ..forms import next_week
from ..models import Outcome


def my_week(request):
    """What is overdue and due this week for the signed-in person, grouped."""
    now = timezone.now()
    week = selectors.my_week(request.user, now=now)
    context = {
        "week": week,
        "capacity": selectors.capacity_for(request.user, now=now),
        "outcomes": Outcome.choices,
        "snooze_default": next_week(),
        "today": timezone.localdate(now),
    }
    return render(request, "cultivation/my_week.html", context)
