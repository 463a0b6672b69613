"""A person's calendar feed (RFC 5545): what My week lists, as all-day events.

The events are read on each request from the selectors My week and the weekly email use
(cultivation/selectors.py), so snoozing, logging or keeping shows at the next poll. Days
are the person's own (their time zone); an overdue item sits on today, marked overdue,
so it stays in sight. Each partner's next preferral-exchange lunch is an event too, linking
to the form that logs it.
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, timedelta
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.utils import timezone

from . import selectors
from .models import zone_for
from .policy import full_name

# Bump when the shape of the events changes, so that clients holding an old ETag refetch.
FEED_FORMAT = "2"
POLL_EVERY = timedelta(minutes=15)


@dataclass(frozen=True)
class FeedEvent:
    uid: str
    day: date
    summary: str
    description: str
    url: str


def _event(item, *, today, host):
    url = settings.SITE_URL + item.url
    due = item.due_date
    overdue = item.is_overdue
    summary = f"{item.title} · {item.contact.name}"
    when = f"Overdue: was due {due:%a %-d %b %Y}." if overdue else f"Due {due:%a %-d %b %Y}."
    return FeedEvent(
        uid=f"{item.kind.replace('_', '-')}-{item.subject_id}@{host}",
        day=max(due, today),
        summary=f"Overdue: {summary}" if overdue else summary,
        description=f"{when}\n{url}",
        url=url,
    )


def feed_events(user, *, now):
    """The person's follow-ups, planned touches, open promises and their partners' next
    exchange lunches, overdue or due within CALENDAR_FEED_DAYS, and the decisions awaiting
    them: five queries, whatever the count."""
    host = urlsplit(settings.SITE_URL).hostname or "convivio"
    with timezone.override(zone_for(user)):
        today = timezone.localdate(now)
        until = today + timedelta(days=settings.CONVIVIO["CALENDAR_FEED_DAYS"])
        items = [
            *selectors.follow_ups_due(user, until=until, now=now),
            *selectors.touches_due(user, until=until, now=now),
            *selectors.promises_due(user, until=until, now=now),
            *selectors.decisions_awaiting(user, now=now),
            *selectors.lunches_due(user, until=until, now=now),
        ]
        events = [_event(item, today=today, host=host) for item in items]
    return sorted(events, key=lambda event: (event.day, event.uid))


def feed_etag(user, events):
    """A weak validator over what the events say (not their DTSTAMP, which is the time of
    the request): equal whenever a client already holds the same feed."""
    digest = hashlib.sha256(repr((FEED_FORMAT, full_name(user), events)).encode())
    return f'W/"{digest.hexdigest()[:32]}"'


def feed_ics(user, events, *, now):
    """The feed as iCalendar bytes: one all-day, transparent VEVENT per item."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Convivio//Calendar feed//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    name = f"Convivio: {full_name(user)}"
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("refresh-interval", POLL_EVERY, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", POLL_EVERY)
    stamp = now.astimezone(UTC)
    for item in events:
        event = icalendar.Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", item.day)
        event.add("dtend", item.day + timedelta(days=1))
        event.add("summary", item.summary)
        event.add("description", item.description)
        event.add("url", item.url)
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()
