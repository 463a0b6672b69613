"""Due dates and spreading: pure functions of dates, no database.

The services feed them what they read; hypothesis tests them across years,
leap days and daylight-saving changes.
"""

from collections import Counter
from datetime import UTC, timedelta

# A month, for spreading: about a third of a quarterly pool falls in each.
SPREAD_BLOCK_DAYS = 30


def elapsed_after(moment, delta):
    """`moment` plus `delta` of real elapsed time.

    Python adds to an aware datetime on its wall clock, so 48 hours after a
    local time just before the clocks change would be 47 or 49 real hours;
    adding in UTC keeps "48 hours" exact.
    """
    return (moment.astimezone(UTC) + delta).astimezone(moment.tzinfo)


def follow_up_due_at(met_at, hours):
    """The moment a follow-up falls due: `hours` of elapsed time after meeting them."""
    return elapsed_after(met_at, timedelta(hours=hours))


def next_due_on(last_touch_at, interval_days, tz):
    """The calendar day, in `tz`, `interval_days` after the day of the last touch."""
    return last_touch_at.astimezone(tz).date() + timedelta(days=interval_days)


def spread_first_due(*, today, interval_days, load):
    """The first due date of a new plan item, spread over the coming interval.

    Picks the weekday in (today, today + interval] with the fewest items already
    due, preferring the least-loaded month of the window, then the earliest
    day. `load` maps dates to how many items are due that day. Added one by
    one, plans fill every weekday evenly, so about a third of a quarterly pool
    falls due each month instead of all on one day.
    """
    window = [today + timedelta(days=n) for n in range(1, interval_days + 1)]
    weekdays = [day for day in window if day.weekday() < 5] or window
    per_block = Counter()
    for day in window:
        per_block[_block(today, day)] += load.get(day, 0)
    return min(weekdays, key=lambda day: (load.get(day, 0), per_block[_block(today, day)], day))


def _block(today, day):
    return ((day - today).days - 1) // SPREAD_BLOCK_DAYS


# How far either side of its ideal day a preferral-exchange lunch may move to fill a
# quiet week (docs/method.md: about two lunches a week across the firm).
LUNCH_SLACK_DAYS = 14


def week_of(day):
    """The Monday of `day`'s week (weeks run Monday to Sunday)."""
    return day - timedelta(days=day.weekday())


def lunch_day(*, earliest, latest, ideal, load):
    """The day for a preferral-exchange lunch: a weekday in [earliest, latest] in the week
    with the fewest lunches booked, then the quietest day of it, then the one nearest
    `ideal`, then the earliest. `load` maps days to lunches already booked then."""
    days = [earliest + timedelta(days=n) for n in range((latest - earliest).days + 1)]
    weekdays = [day for day in days if day.weekday() < 5] or days
    per_week = Counter()
    for day, booked in load.items():
        per_week[week_of(day)] += booked
    return min(
        weekdays,
        key=lambda day: (per_week[week_of(day)], load.get(day, 0), abs((day - ideal).days), day),
    )


def lunch_window(*, today, ideal, quarter_days):
    """(earliest, latest) for the next lunch: within LUNCH_SLACK_DAYS of `ideal`, never
    before tomorrow; with no `ideal` (a new partner) anywhere in the coming quarter."""
    tomorrow = today + timedelta(days=1)
    if ideal is None:
        return tomorrow, today + timedelta(days=quarter_days)
    earliest = max(ideal - timedelta(days=LUNCH_SLACK_DAYS), tomorrow)
    latest = max(ideal + timedelta(days=LUNCH_SLACK_DAYS), earliest + timedelta(days=13))
    return earliest, latest
