"""What a report is asked for (`Scope`: months and people) and what it answers
(`Figure`: a table and, drawn from it, a chart)."""

from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo


def month_start(day):
    return day.replace(day=1)


def next_month(day):
    """The first day of the month after `day`'s."""
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


@dataclass(frozen=True)
class Scope:
    """Whole months from `first` (a 1st) up to, not including, `end` (a 1st), counted in
    the firm's time zone `zone`, for the people whose user ids are `user_ids` (None:
    everyone, which only a manager may ask for)."""

    first: date
    end: date
    zone: ZoneInfo
    user_ids: tuple[int, ...] | None = None

    def __post_init__(self):
        if self.first.day != 1 or self.end.day != 1 or self.end <= self.first:
            raise ValueError("A scope is whole months: first and end are 1sts, end after first.")

    @property
    def months(self):
        """The first day of each month in the scope, oldest first."""
        months, day = [], self.first
        while day < self.end:
            months.append(day)
            day = next_month(day)
        return months

    @property
    def starts_at(self):
        """The first moment of the scope, aware, in the firm's zone."""
        return datetime.combine(self.first, time.min, tzinfo=self.zone)

    @property
    def ends_at(self):
        """The first moment after the scope (exclusive), aware, in the firm's zone."""
        return datetime.combine(self.end, time.min, tzinfo=self.zone)


@dataclass(frozen=True)
class Series:
    name: str
    values: list  # one number (or None) per label


@dataclass(frozen=True)
class Chart:
    """`kind`: "bars" (grouped columns), "lines" (a trend) or "hbars" (ranked bars).
    `targets` draws dashed reference lines: {"label": value}."""

    kind: str
    labels: list[str]
    series: list[Series]
    unit: str = ""  # "%" or "£" etc., shown on the axis
    targets: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list]  # cells: str, int, Decimal, float or None (shown as "–")


@dataclass(frozen=True)
class Figure:
    """One numbered thing on a report page: `slug` names its CSV download
    (/reports/<report>/<slug>.csv with the page's query string)."""

    slug: str
    title: str
    table: Table
    chart: Chart | None = None
    note: str = ""  # one sentence under the title: how to read it, the method's number
