"""What every page may show: the method's limits and whether the viewer is a manager.

Templates read these names, never a number or a rule of their own: a limit is
named once (a setting or a constant) and reaches the page from here.
"""

from django.utils.functional import SimpleLazyObject

from cultivation.models import follow_ups
from cultivation.policy import is_manager
from opportunities import models as cards
from opportunities import selectors as board


def limits(request):
    """The follow-up's attempts, and which board columns are closed and for how long shown."""
    return {
        "max_attempts": follow_ups.MAX_ATTEMPTS,
        "closed_stages": cards.CLOSED_STAGES,
        "recent_closed_days": board.RECENT_CLOSED_DAYS,
    }


def roles(request):
    """`is_manager`: the one predicate (cultivation.policy), asked only if a page uses it."""
    user = getattr(request, "user", None)
    return {"is_manager": SimpleLazyObject(lambda: is_manager(user))}
