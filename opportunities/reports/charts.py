"""Charts drawn on the server as SVG, from a figure's `Chart` (scope.py).

No script and no style attributes (the pages' strict Content-Security-Policy): colours and
strokes come from classes in static/css/convivio.css. Every label is escaped through
format_html. The chart is a picture (`role="img"`, labelled by the figure's title); the
table beneath it is the accessible version, so the SVG only adds `<title>`s for hover.
"""

import dataclasses
import math

from django.utils.html import format_html, format_html_join

WIDTH = 640
HEIGHT = 240
LEFT = 52  # room for the axis' numbers
RIGHT = 16
TOP = 24  # room for the unit
BOTTOM = 44  # room for the month names and the legend
NAME_WIDTH = 150  # horizontal bars: room for people's names
ROW = 24  # horizontal bars: one per row
MAX_LABELS = 8  # month names under a chart; more are thinned out
NAME_LENGTH = 20
TARGET_LABEL_STEP = 90
CHAR_WIDTH = 8  # a label's character, generously: the font is larger on a phone (CSS)
LINE_HEIGHT = 15  # a label wrapped onto its second line (the phone font is 14)
LEGEND_HEIGHT = 20  # horizontal bars with more than one series: the legend under the rows


def render(chart, *, labelled_by):
    """The SVG for `chart`, its accessible name the element with id `labelled_by`."""
    chart = _in_floats(chart)
    if _is_empty(chart):
        return _empty(labelled_by)
    if chart.kind == "hbars":
        return _hbars(chart, labelled_by)
    if chart.kind in ("bars", "lines"):
        return _columns(chart, labelled_by)
    raise ValueError(f"No such chart kind: {chart.kind!r}.")


def _in_floats(chart):
    """The chart with its numbers as floats: a table may hold Decimals (money), and the
    drawing mixes them with float coordinates."""
    series = [
        dataclasses.replace(s, values=[None if v is None else float(v) for v in s.values])
        for s in chart.series
    ]
    targets = {label: float(value) for label, value in chart.targets.items()}
    return dataclasses.replace(chart, series=series, targets=targets)


def _is_empty(chart):
    return not chart.labels or all(v is None for s in chart.series for v in s.values)


def _join(parts):
    return format_html_join("", "{}", ((part,) for part in parts))


def _svg(width, height, labelled_by, parts, kind):
    return format_html(
        '<svg class="cv-chart cv-chart-{}" viewBox="0 0 {} {}" role="img" '
        'aria-labelledby="{}" xmlns="http://www.w3.org/2000/svg">{}</svg>',
        kind,
        width,
        height,
        labelled_by,
        _join(parts),
    )


def _empty(labelled_by):
    text = format_html(
        '<text class="cv-chart-empty" x="{}" y="{}" text-anchor="middle">'
        "No data in this period</text>",
        WIDTH // 2,
        60,
    )
    return _svg(WIDTH, 100, labelled_by, [text], "empty")


def ticks(top):
    """Round steps from 0 covering `top`: 0, 1, 2 … or 0, 50, 100 … (four to six of them)."""
    if not top or top <= 0:
        return [0, 1]
    raw = top / 4
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    if step < 1:
        step = 1
    count = math.ceil(top / step)
    return [_tidy(step * i) for i in range(count + 1)]


def _tidy(number):
    return int(number) if float(number).is_integer() else round(number, 1)


def _tick(value, unit=""):
    """An axis number, short enough for the axis' margin on a phone: 150k, not 150,000."""
    if abs(value) >= 10_000:
        text = f"{_tidy(value / 1000):,}k"
        return f"{text}%" if unit == "%" else text
    return _number(value, unit)


def _number(value, unit=""):
    text = f"{_tidy(value):,}"
    return f"{text}%" if unit == "%" else text


def _top(chart):
    values = [v for s in chart.series for v in s.values if v is not None]
    floor = 100 if chart.unit == "%" else 0  # a share is read against the whole
    return max([*values, *chart.targets.values(), floor])


# Columns and lines: months along the bottom, numbers up the side


def _columns(chart, labelled_by):
    scale = ticks(_top(chart))
    high = scale[-1]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / len(chart.labels)

    def y(value):
        return round(TOP + plot_h - plot_h * value / high, 1)

    parts = list(_y_axis(scale, y, chart.unit))
    labels = list(_x_labels(chart.labels, slot))
    parts += labels
    if chart.kind == "bars":
        parts += _bars(chart, slot, y)
    else:
        parts += _lines(chart, slot, y)
    parts += _targets_across(chart.targets, y)
    # A label wrapped onto a second line pushes the legend down by a line.
    height = HEIGHT + (LINE_HEIGHT if any("<tspan" in label for label in labels) else 0)
    parts += _legend(chart.series, height - 8)
    return _svg(WIDTH, height, labelled_by, parts, chart.kind)


def _y_axis(scale, y, unit):
    yield format_html('<text class="cv-chart-unit" x="4" y="12">{}</text>', unit)
    for value in scale:
        yield format_html(
            '<line class="cv-chart-grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
            '<text class="cv-chart-tick" x="{}" y="{}" text-anchor="end">{}</text>',
            LEFT,
            WIDTH - RIGHT,
            y(value),
            y(value),
            LEFT - 6,
            y(value) + 4,
            _tick(value, unit),
        )


def _x_labels(labels, slot):
    every = math.ceil(len(labels) / MAX_LABELS)
    room = slot * every  # a thinned-out label may use its neighbours' slots
    for index, label in enumerate(labels):
        if index % every == 0:
            yield _x_label(label, round(LEFT + slot * (index + 0.5), 1), room)


def fit_label(label, room):
    """`label` as at most two lines, each of at most `room` units wide: split at the space
    nearest the middle, and a line still too long shortened with "…"."""
    chars = max(int((room - 4) // CHAR_WIDTH), 3)
    if len(label) <= chars:
        return [label]
    spaces = [i for i, c in enumerate(label) if c == " "]
    if spaces:
        middle = min(spaces, key=lambda i: abs(i - len(label) / 2))
        lines = [label[:middle], label[middle + 1 :]]
    else:
        lines = [label]
    return [line if len(line) <= chars else line[: chars - 1].rstrip() + "…" for line in lines]


def _x_label(label, x, room):
    lines = fit_label(label, room)
    y = HEIGHT - BOTTOM + 16
    if len(lines) == 1 and lines[0] == label:
        return format_html(
            '<text class="cv-chart-label" x="{}" y="{}" text-anchor="middle">{}</text>',
            x,
            y,
            label,
        )
    spans = format_html_join(
        "",
        '<tspan x="{}" dy="{}">{}</tspan>',
        ((x, 0 if n == 0 else LINE_HEIGHT, line) for n, line in enumerate(lines)),
    )
    return format_html(
        '<text class="cv-chart-label" x="{}" y="{}" text-anchor="middle">{}'
        "<title>{}</title></text>",
        x,
        y,
        spans,
        label,
    )


def _bars(chart, slot, y):
    count = len(chart.series)
    width = slot * 0.8 / count
    base = y(0)
    for number, series in enumerate(chart.series, start=1):
        for index, value in enumerate(series.values):
            if value is None:
                continue
            x = LEFT + slot * (index + 0.1) + width * (number - 1)
            yield format_html(
                '<rect class="cv-series-{}" x="{}" y="{}" width="{}" height="{}">'
                "<title>{}, {}: {}</title></rect>",
                number,
                round(x, 1),
                y(value),
                round(max(width - 1, 1), 1),
                round(base - y(value), 1),
                series.name,
                chart.labels[index],
                _number(value, chart.unit),
            )


def _lines(chart, slot, y):
    for number, series in enumerate(chart.series, start=1):
        points = [
            (round(LEFT + slot * (index + 0.5), 1), y(value), chart.labels[index], value)
            for index, value in enumerate(series.values)
            if value is not None
        ]
        # A month without a value (None) breaks the line rather than joining across it.
        for run in _runs(series.values, points):
            if len(run) > 1:
                yield format_html(
                    '<polyline class="cv-line cv-series-{}" points="{}"/>',
                    number,
                    " ".join(f"{x},{py}" for x, py, _, _ in run),
                )
        for x, py, label, value in points:
            yield format_html(
                '<circle class="cv-series-{}" cx="{}" cy="{}" r="3">'
                "<title>{}, {}: {}</title></circle>",
                number,
                x,
                py,
                series.name,
                label,
                _number(value, chart.unit),
            )


def _runs(values, points):
    runs, run, taken = [], [], iter(points)
    for value in values:
        if value is None:
            runs.append(run)
            run = []
        else:
            run.append(next(taken))
    runs.append(run)
    return runs


def _targets_across(targets, y):
    # Labels step leftwards so that close targets (240, 250) do not print over each other.
    for index, (label, value) in enumerate(targets.items()):
        yield format_html(
            '<line class="cv-target" x1="{}" x2="{}" y1="{}" y2="{}"><title>{}</title></line>'
            '<text class="cv-target-label" x="{}" y="{}" text-anchor="end">{}</text>',
            LEFT,
            WIDTH - RIGHT,
            y(value),
            y(value),
            label,
            WIDTH - RIGHT - 2 - TARGET_LABEL_STEP * index,
            y(value) - 3,
            label,
        )


def _legend(series, baseline):
    x = LEFT
    for number, one in enumerate(series, start=1):
        yield format_html(
            '<rect class="cv-series-{}" x="{}" y="{}" width="10" height="10"/>'
            '<text class="cv-chart-legend" x="{}" y="{}">{}</text>',
            number,
            x,
            baseline - 9,
            x + 14,
            baseline,
            one.name,
        )
        x += 24 + CHAR_WIDTH * len(one.name)


# Horizontal bars: one row each (people), ranked, numbers along the top


def _hbars(chart, labelled_by):
    # One bar per series in each row (given and received side by side), a legend if more
    # than one; the scale covers every series drawn.
    count = len(chart.series)
    bar = ROW - 8 if count == 1 else 10
    row = bar * count + 8
    scale = ticks(_top(chart))
    high = scale[-1]
    plot_w = WIDTH - NAME_WIDTH - RIGHT
    rows_end = TOP + row * len(chart.labels) + 4
    height = rows_end + (28 if chart.targets else 8) + (LEGEND_HEIGHT if count > 1 else 0)

    def x(value):
        return round(NAME_WIDTH + plot_w * value / high, 1)

    parts = [format_html('<text class="cv-chart-unit" x="4" y="12">{}</text>', chart.unit)]
    for value in scale:
        parts.append(
            format_html(
                '<line class="cv-chart-grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                '<text class="cv-chart-tick" x="{}" y="{}" text-anchor="middle">{}</text>',
                x(value),
                x(value),
                TOP,
                rows_end,
                x(value),
                TOP - 6,
                _tick(value, chart.unit),
            )
        )
    for index, label in enumerate(chart.labels):
        top = TOP + row * index + 4
        short = label if len(label) <= NAME_LENGTH else label[: NAME_LENGTH - 1] + "…"
        parts.append(
            format_html(
                '<text class="cv-chart-label" x="{}" y="{}" text-anchor="end">{}'
                "<title>{}</title></text>",
                NAME_WIDTH - 6,
                top + bar * count / 2 + 4,
                short,
                label,
            )
        )
        for number, series in enumerate(chart.series, start=1):
            value = series.values[index]
            if value is None:
                continue
            what = label if count == 1 else f"{series.name}, {label}"
            parts.append(
                format_html(
                    '<rect class="cv-series-{}" x="{}" y="{}" width="{}" height="{}">'
                    "<title>{}: {}</title></rect>",
                    number,
                    NAME_WIDTH,
                    top + bar * (number - 1),
                    round(x(value) - NAME_WIDTH, 1),
                    bar - (1 if count > 1 else 0),
                    what,
                    _number(value, chart.unit),
                )
            )
    # Each target's number under its line, every other one lower: 240 and 250 sit close.
    for index, (label, value) in enumerate(chart.targets.items()):
        parts.append(
            format_html(
                '<line class="cv-target" x1="{}" x2="{}" y1="{}" y2="{}"><title>{}</title></line>'
                '<text class="cv-target-label" x="{}" y="{}" text-anchor="middle">{}</text>',
                x(value),
                x(value),
                TOP,
                rows_end,
                label,
                x(value),
                rows_end + 12 + 11 * (index % 2),
                _number(value),
            )
        )
    if count > 1:
        parts += _legend(chart.series, height - 6)
    return _svg(WIDTH, height, labelled_by, parts, "hbars")
