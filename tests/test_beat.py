"""The beat schedule refuses times that would skip or double a day, or miss Monday morning."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from convivio.beat import beat_schedule, schedule_mistakes

LONDON = {"scan_minute": 15, "digest_minute": 5, "local_hour": 7, "zone": "Europe/London"}


def test_the_default_times_are_fine_and_make_both_entries():
    schedule = beat_schedule(scan_hour=4, digest_hours="5-11", **LONDON)

    assert set(schedule) == {"due-scan", "weekly-digest"}
    assert schedule["due-scan"]["task"] == "cultivation.tasks.due_scan"


@pytest.mark.parametrize("scan_hour, digest_hours", [(1, "5-11"), (4, "2-8")])
def test_the_clock_change_window_is_refused(scan_hour, digest_hours):
    mistakes = schedule_mistakes(scan_hour=scan_hour, digest_hours=digest_hours, **LONDON)

    assert "must avoid 01:00-03:00 UTC" in " ".join(mistakes)


def test_a_scan_near_local_midnight_is_refused():
    # 23:15 UTC is 00:15 in London in summer: one local day scanned twice, one skipped.
    mistakes = schedule_mistakes(scan_hour=23, digest_hours="5-11", **LONDON)

    assert mistakes == [
        "DUE_SCAN_HOUR_UTC must put the scan between 03:00 and 23:00 in Europe/London."
    ]


def test_email_hours_that_miss_monday_morning_in_summer_or_winter_are_refused():
    # 06:05 UTC is 07:05 in summer but 06:05 in winter, before the 07:00 start.
    assert schedule_mistakes(scan_hour=4, digest_hours="6", **LONDON)
    assert schedule_mistakes(scan_hour=4, digest_hours="7", **LONDON) == []


def test_new_york_needs_its_own_hours_and_the_readme_ones_work():
    new_york = {**LONDON, "zone": "America/New_York"}

    assert schedule_mistakes(scan_hour=4, digest_hours="5-11", **new_york)
    assert schedule_mistakes(scan_hour=9, digest_hours="11-16", **new_york) == []


def test_settings_refuse_to_start_with_bad_times():
    with pytest.raises(ImproperlyConfigured, match="See docs/jobs.md"):
        beat_schedule(scan_hour=2, digest_hours="5-11", **LONDON)
