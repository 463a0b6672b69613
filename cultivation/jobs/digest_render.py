"""The weekly email's item lines, built in Python once for the text and HTML parts.

A busy person's email lists several hundred items. Rendered by Django's
template engine, each item cost about 0.2 ms of CPU (variable lookups, `{% if %}`
nodes and the `date` filter, twice: text and HTML), most of the time an email
took (docs/jobs.md). The frames (greeting, headings,
footer) stay templates in templates/emails/; each group's lines come from
here, already escaped for the HTML part. What the person reads is the same:
tests/jobs/test_digest_render.py holds it to the templates it replaced.
"""

from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime

GROUP_TITLES = (
    ("decisions", "Awaiting your decision"),
    ("follow_ups", "Follow-ups"),
    ("touches", "Touch-base calls and planned touches"),
    ("promises", "Promises"),
    ("lunches", "Preferral-exchange lunches"),
    ("exchange_names", "Names from exchange lunches to follow up"),
)
# Anything else: "Log it".
ACTIONS = {
    "decision": "Decide",
    "promise": "Keep or release",
    "lunch": "Log the lunch",
    "exchange_name": "Follow up",
}
OVERDUE_STYLE = "color: #b02a37; font-weight: 600;"
DUE_STYLE = "color: #6c757d;"


@dataclass(frozen=True)
class DigestGroup:
    """One heading of the email and its lines, as plain text and as HTML."""

    title: str
    items: list
    text: str
    html: SafeString


class _DueDates:
    """ "Mon 23 Nov" (and " 09:00" for a follow-up), in the current time zone.

    Django's `date` filter, as the templates used it, for each distinct day only:
    a week's items fall on a few dozen days.
    """

    def __init__(self):
        self.days = {}

    def __call__(self, item):
        due = template_localtime(item.due)
        day = due.date() if isinstance(due, datetime) else due
        if day not in self.days:
            self.days[day] = date_format(day, "D j M")
        if item.kind == "follow_up":
            return f"{self.days[day]} {due:%H:%M}"
        return self.days[day]


class _ContactPages:
    """`Contact.get_absolute_url()` for any pk from a single `reverse()`: one per item cost
    about as much as building the rest of the item's lines."""

    MARKER = 918273645

    def __init__(self):
        path = reverse("cultivation:contact-detail", args=[self.MARKER])
        self.before, self.after = path.split(str(self.MARKER))

    def __call__(self, contact):
        return f"{self.before}{contact.pk}{self.after}"


def digest_groups(week, *, site_url):
    """My week's groups for the email, each with its lines ready to insert."""
    due_dates, contact_pages = _DueDates(), _ContactPages()
    return [
        _group(getattr(week, name), title, site_url, due_dates, contact_pages)
        for name, title in GROUP_TITLES
    ]


def _group(items, title, site_url, due_dates, contact_pages):
    site_html = escape(site_url)
    text, html = [], []
    for item in items:
        name, due = item.contact.name, due_dates(item)
        what = item.subject.what if item.kind == "promise" else item.title
        when = _when(item)
        text.append(f"\n- {name}: {what}\n  {when} {due}\n  {site_url}{item.url}")
        html.append(
            f'\n    <li style="margin-bottom: 6px;" data-kind="{escape(item.kind)}">\n'
            f'      <a href="{site_html}{escape(contact_pages(item.contact))}"'
            f' style="font-weight: 600;">{escape(name)}</a> ·\n'
            f"      {escape(what)}\n"
            f'      <span style="{OVERDUE_STYLE if item.is_overdue else DUE_STYLE}">'
            f"{when.lower()} {escape(due)}</span>\n"
            f'      · <a href="{site_html}{escape(item.url)}">'
            f"{ACTIONS.get(item.kind, 'Log it')}</a>\n"
            "    </li>\n    "
        )
    # Every value in the lines above went through escape(); the markup is our own.
    return DigestGroup(title, items, "".join(text), mark_safe("".join(html)))  # nosec B308 B703


def _when(item):
    """ "since", "due" or "OVERDUE since": the text part shouts the word that matters."""
    if item.kind == "decision":
        return "since"
    return "OVERDUE since" if item.is_overdue else "due"
