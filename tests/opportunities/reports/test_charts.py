"""The SVG charts: escaped labels, empty data, gaps, one month, zeros, targets."""

import re
from decimal import Decimal

import pytest

from opportunities.reports import Chart, Series
from opportunities.reports.charts import fit_label, render, ticks


def test_labels_and_names_are_escaped():
    chart = Chart("bars", ["<script>alert(1)</script>"], [Series('"><b>x', [3])])
    svg = render(chart, labelled_by='t"x')
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert '"><b>' not in svg
    assert 'aria-labelledby="t&quot;x"' in svg


def test_horizontal_bars_escape_and_shorten_long_names_keeping_the_whole_in_the_title():
    name = "<script>Bartholomew Featherstonehaugh</script>"
    svg = render(Chart("hbars", [name], [Series("Pool", [10])]), labelled_by="t")
    assert "<script>" not in svg
    assert "<title>&lt;script&gt;Bartholomew Featherstonehaugh&lt;/script&gt;</title>" in svg
    assert "…" in svg


def test_a_chart_is_an_image_named_by_its_figures_title():
    svg = render(Chart("lines", ["Jan"], [Series("Calls", [4])]), labelled_by="figure-calls")
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert 'aria-labelledby="figure-calls"' in svg
    assert "style=" not in svg


@pytest.mark.parametrize("kind", ["bars", "lines", "hbars"])
def test_no_data_says_so(kind):
    assert "No data in this period" in render(Chart(kind, [], []), labelled_by="t")
    nothing = Chart(kind, ["Jan", "Feb"], [Series("x", [None, None])])
    assert "No data in this period" in render(nothing, labelled_by="t")


@pytest.mark.parametrize("kind", ["bars", "lines", "hbars"])
def test_zeros_draw_an_axis_without_dividing_by_zero(kind):
    svg = render(Chart(kind, ["Jan", "Feb"], [Series("x", [0, 0])]), labelled_by="t")
    assert "No data" not in svg and "Jan: 0</title>" in svg


def test_a_missing_month_breaks_the_line_and_draws_no_point():
    svg = render(
        Chart("lines", ["a", "b", "c", "d"], [Series("s", [1, 2, None, 4])]), labelled_by="t"
    )
    assert svg.count("<polyline") == 1  # a–b; d stands alone
    assert svg.count("<circle") == 3


def test_one_month_draws_one_point_and_one_bar():
    assert (
        render(Chart("lines", ["Apr"], [Series("s", [5])]), labelled_by="t").count("<circle") == 1
    )
    bars = render(Chart("bars", ["Apr"], [Series("a", [5]), Series("b", [2])]), labelled_by="t")
    assert bars.count('<rect class="cv-series-') == 4  # two bars and two legend keys


def test_targets_are_dashed_lines_with_their_labels_and_raise_the_axis():
    chart = Chart("bars", ["Apr"], [Series("Pool", [90])], "people", {"Target 240": 240})
    svg = render(chart, labelled_by="t")
    assert 'class="cv-target"' in svg and "Target 240" in svg
    assert re.search(r">300<", svg)  # the axis reaches past the target
    hbars = render(
        Chart("hbars", ["Ann"], [Series("Pool", [90])], "", {"Most 250": 250}), labelled_by="t"
    )
    assert 'class="cv-target"' in hbars


def test_percent_axis_says_percent():
    svg = render(Chart("lines", ["Apr"], [Series("On time", [50])], unit="%"), labelled_by="t")
    assert ">100%<" in svg and "On time, Apr: 50%" in svg  # the axis runs to 100%


def test_ticks_are_round_steps():
    assert ticks(0) == [0, 1]
    assert ticks(3) == [0, 1, 2, 3]
    assert ticks(80) == [0, 20, 40, 60, 80]
    assert ticks(250) == [0, 100, 200, 300]
    assert ticks(13) == [0, 5, 10, 15]


def test_an_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError, match="pie"):
        render(Chart("pie", ["a"], [Series("s", [1])]), labelled_by="t")


def test_money_in_decimals_is_drawn_like_any_number():
    chart = Chart(
        kind="bars",
        labels=["Mar", "Apr"],
        series=[Series("Won value", [Decimal("1250.50"), Decimal("0")])],
        unit="£",
        targets={"Goal": Decimal("1000")},
    )
    svg = str(render(chart, labelled_by="won"))
    assert svg.count("<rect") >= 1
    assert "1,000" in svg or "1000" in svg


def test_horizontal_bars_draw_every_series_with_a_legend_and_scale_to_the_largest():
    chart = Chart(
        "hbars",
        ["Pat", "Quinn"],
        [Series("Given", [2, 0]), Series("Received", [1, 9])],
    )
    svg = str(render(chart, labelled_by="t"))
    assert svg.count('<rect class="cv-series-1"') == 3  # two rows and the legend's key
    assert svg.count('<rect class="cv-series-2"') == 3
    assert "<title>Given, Pat: 2</title>" in svg
    assert "<title>Received, Quinn: 9</title>" in svg
    assert 'class="cv-chart-legend"' in svg and ">Received</text>" in svg
    assert ">10<" in svg  # the axis reaches Quinn's 9 received, not only the 2 given


def test_one_series_of_horizontal_bars_needs_no_legend():
    svg = str(render(Chart("hbars", ["Pat"], [Series("Names", [3])]), labelled_by="t"))
    assert "cv-chart-legend" not in svg and "<title>Pat: 3</title>" in svg


def test_long_column_labels_wrap_onto_two_lines_and_shorten_beyond_that():
    steps = [
        "Entered the pipeline",  # the nearest space to the middle is after "the"
        "Connecting or beyond",
        "Discovery or beyond",
        "Proposal or beyond",
        "Won",
        "Lost (at some point)",
        "Unbelievablylongsinglewordlabel",
    ]
    chart = Chart("bars", steps, [Series("Cards", [9, 7, 5, 3, 1, 2, 1])])
    svg = str(render(chart, labelled_by="t"))
    # 7 labels in 572 units: 81 each, room for 9 characters a line.
    first = '<tspan x="92.9" dy="0">Entered…</tspan><tspan x="92.9" dy="15">pipeline</tspan>'
    assert first in svg
    assert "<title>Connecting or beyond</title>" in svg
    assert ">Won</text>" in svg  # short enough: one line, as it was
    assert ">Unbeliev…</tspan>" in svg
    assert 'viewBox="0 0 640 255"' in svg  # a line taller, so the legend clears the labels


def test_fit_label_keeps_each_line_within_its_room():
    for room in (40, 81, 120, 300):
        for line in fit_label("Entered the pipeline and then some more words", room):
            assert len(line) * 8 <= room


def test_large_axis_numbers_are_short_enough_for_the_margin():
    chart = Chart(kind="bars", labels=["Oct", "Nov"], series=[Series("Won", [95000, 138000])])
    svg = str(render(chart, labelled_by="won"))
    ticks = re.findall(r'class="cv-chart-tick"[^>]*>([^<]*)<', svg)
    assert ticks == ["0", "50k", "100k", "150k"]
