"""Helpers every report shares: months as keys, per-person sums, percentages, names."""

from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.db.models.functions import Coalesce

from cultivation.policy import full_name


def month_of(value):
    """The first day of the month of `value` (a date or a datetime from TruncMonth, already
    in the firm's zone): the key every report's monthly rows use."""
    if isinstance(value, datetime):
        value = value.date()
    return date(value.year, value.month, 1)


def month_label(day):
    return f"{day:%b %Y}"


def percent(part, whole):
    """`part` of `whole` as a whole percentage, or None (shown "–") when `whole` is 0."""
    if not whole:
        return None
    return round(100 * part / whole)


def of_people(queryset, path, scope):
    """`queryset` narrowed to the scope's people, `path` naming the user field."""
    if scope.user_ids is None:
        return queryset
    return queryset.filter(**{f"{path}__in": scope.user_ids})


def attributed(by="by", owner="contact__owner"):
    """Who a touch counts for: whoever made it, or the person's owner when nobody is named."""
    return Coalesce(by, owner)


def in_period(path, scope):
    """A moment at `path` falls in the scope's months, in the firm's zone."""
    return Q(**{f"{path}__gte": scope.starts_at, f"{path}__lt": scope.ends_at})


def colleagues(scope):
    """The people a per-person table lists: everyone active in the scope (one query), by name."""
    users = get_user_model().objects.filter(is_active=True)
    if scope.user_ids is not None:
        users = get_user_model().objects.filter(pk__in=scope.user_ids)
    users = users.order_by("first_name", "last_name", "username")
    return [(user.pk, full_name(user)) for user in users]


def summed(rows, keys):
    """Each of `keys` summed over `rows` (dicts): the total of a per-person grouping."""
    return {key: sum(row.get(key) or 0 for row in rows) for key in keys}
