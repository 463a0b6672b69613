"""The report pages (/reports/): each report in the registry, its figures drawn as SVG
with their tables beneath, and each figure's table as CSV (docs/reports.md).

Period and person live in the query string (?from=YYYY-MM&to=YYYY-MM&person=<id>), so
a page can be shared. Managers see everyone and may choose a person; staff see only
their own numbers ("My numbers"): asking for someone else's is refused.
"""

import csv
import io
import re
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from convivio.parsing import parse_id
from cultivation.exporting import BOM, csv_cell
from cultivation.policy import full_name, is_manager

from .reports import charts, registry
from .reports.scope import Scope, next_month

DEFAULT_MONTHS = 12
MAX_MONTHS = 36
MONTH = re.compile(r"(\d{4})-(\d{2})")
# Years a report can be asked about (the trend reaches a year before `from`; the month after
# `to` must be a date Python can hold).
FIRST_YEAR, LAST_YEAR = 1900, 2999


class BadQuery(Exception):
    """A query string the report cannot read: a sentence, and the status to answer."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.status = status


@require_safe
def reports(request):
    """/reports/ is the funnel, with whatever period and person were asked for."""
    url = reverse("opportunities:report", args=["funnel"])
    query = request.META.get("QUERY_STRING", "")
    return redirect(f"{url}?{query}" if query else url)


@require_safe
def report(request, slug):
    title = _report_title(slug)
    manager = is_manager(request.user)
    try:
        scope, person = read_query(request.GET, request.user, manager=manager)
    except BadQuery as error:
        return _refused(request, error)
    figures = registry.build(slug, scope)
    query = _query(scope, person)
    context = {
        "report_title": title,
        "slug": slug,
        "tabs": [(s, t, s == slug) for s, (t, _) in registry.REPORTS.items()],
        "page_title": _page_title(manager, person),
        "manager": manager,
        "people": _people() if manager else [],
        "person": person,
        "period": _period_text(scope),
        "from_value": f"{scope.first:%Y-%m}",
        "to_value": f"{scope.months[-1]:%Y-%m}",
        "query": query,
        "figures": [_shown(f) for f in figures],
    }
    return render(request, "opportunities/reports/report.html", context)


@require_safe
def report_csv(request, slug, figure):
    """One figure's table as CSV: UTF-8 with a BOM (for spreadsheets), formulas escaped."""
    _report_title(slug)
    try:
        scope, _person = read_query(request.GET, request.user, manager=is_manager(request.user))
    except BadQuery as error:
        return _refused(request, error)
    wanted = next((f for f in registry.build(slug, scope) if f.slug == figure), None)
    if wanted is None:
        raise Http404(f"The report has no figure “{figure}”.")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_cell(cell) for cell in wanted.table.headers])
    writer.writerows([csv_cell(cell) for cell in row] for row in wanted.table.rows)
    response = HttpResponse(BOM + out.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"convivio-{slug}-{figure}-{scope.first:%Y-%m}-to-{scope.months[-1]:%Y-%m}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# Reading the query string


def read_query(params, user, *, manager, today=None):
    """(Scope, person or None) from ?from=YYYY-MM&to=YYYY-MM&person=<id>; BadQuery with a
    sentence if they cannot be read or name someone `user` may not see."""
    if any("\x00" in value for values in params.lists() for value in values[1]):
        raise BadQuery("The address holds a character that cannot be read (a NUL byte).")
    zone = ZoneInfo(settings.TIME_ZONE)
    today = today or timezone.localdate(timezone.now(), zone)
    last = _month(params.get("to"), "to") or date(today.year, today.month, 1)
    first = _month(params.get("from"), "from") or _months_before(last, DEFAULT_MONTHS - 1)
    if last < first:
        raise BadQuery("The period ends before it starts: choose a “to” month after “from”.")
    end = next_month(last)
    if _months_between(first, end) > MAX_MONTHS:
        raise BadQuery(f"A report covers at most {MAX_MONTHS} months: choose a shorter period.")
    person = _person(params.get("person"), user, manager=manager)
    if person is not None:
        user_ids = (person.pk,)
    elif manager:
        user_ids = None  # everyone
    else:
        user_ids = (user.pk,)
    return Scope(first=first, end=end, zone=zone, user_ids=user_ids), person


def _month(raw, name):
    raw = (raw or "").strip()
    if not raw:
        return None
    match = MONTH.fullmatch(raw)
    if (
        match is None
        or not 1 <= int(match[2]) <= 12
        or not FIRST_YEAR <= int(match[1]) <= LAST_YEAR
    ):
        shown = raw[:20]
        raise BadQuery(f"“{shown}” is not a month for “{name}”: write it as YYYY-MM, e.g. 2026-04.")
    return date(int(match[1]), int(match[2]), 1)


def _person(raw, user, *, manager):
    raw = (raw or "").strip()
    if not raw:
        return None
    pk = parse_id(raw)
    if pk is None:
        raise BadQuery(f"“{raw[:20]}” is not a colleague's number.")
    if not manager:
        if pk != user.pk:
            raise BadQuery("You can see your own numbers only; a manager sees everyone's.", 403)
        return None
    person = get_user_model().objects.filter(pk=pk).first()
    if person is None:
        raise BadQuery(f"No colleague has the number {pk}.")
    return person


def _months_before(day, count):
    index = day.year * 12 + day.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


def _months_between(first, end):
    return (end.year - first.year) * 12 + end.month - first.month


# Rendering


def _report_title(slug):
    if slug not in registry.REPORTS:
        raise Http404(f"There is no report “{slug}”.")
    return registry.REPORTS[slug][0]


def _refused(request, error):
    back = reverse("opportunities:report", args=["funnel"])
    context = {"message": str(error), "back": back}
    return render(request, "opportunities/reports/refused.html", context, status=error.status)


def _page_title(manager, person):
    if not manager:
        return "My numbers"
    return f"Reports: {full_name(person)}" if person is not None else "Reports: everyone"


def _people():
    users = get_user_model().objects.filter(is_active=True)
    return [(u.pk, full_name(u)) for u in users.order_by("first_name", "last_name", "username")]


def _query(scope, person):
    params = {"from": f"{scope.first:%Y-%m}", "to": f"{scope.months[-1]:%Y-%m}"}
    if person is not None:
        params["person"] = person.pk
    return urlencode(params)


def _period_text(scope):
    last = scope.months[-1]
    if last == scope.first:
        return f"{scope.first:%B %Y}"
    return f"{scope.first:%B %Y} to {last:%B %Y}"


def _shown(figure):
    """A figure ready for the template: its SVG, and its cells as text ("–" for none)."""
    title_id = f"figure-{figure.slug}"
    return {
        "figure": figure,
        "title_id": title_id,
        "svg": charts.render(figure.chart, labelled_by=title_id) if figure.chart else "",
        "rows": [[_cell(cell) for cell in row] for row in figure.table.rows],
    }


def _cell(value):
    if value is None:
        return "–"
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return f"{value:,}"  # 7,500 on the page; the CSV keeps the raw number
    return value
