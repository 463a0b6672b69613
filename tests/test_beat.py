"""The beat schedule: a daily scan clear of clock changes, and an hourly weekly-email sweep."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from convivio.beat import beat_schedule, schedule_mistakes

LONDON = {"scan_minute": 15, "digest_minute": 5, "zone": "Europe/London"}


def test_the_default_times_are_fine_and_make_both_entries():
    schedule = beat_schedule(scan_hour=4, **LONDON)

    assert set(schedule) == {"due-scan", "weekly-digest"}
    assert schedule["due-scan"]["task"] == "cultivation.tasks.due_scan"


def test_the_weekly_email_sweep_runs_every_hour_of_every_day_at_its_minute():
    sweep = beat_schedule(scan_hour=4, **LONDON)["weekly-digest"]["schedule"]

    assert sweep.hour == set(range(24))
    assert sweep.day_of_week == set(range(7))
    assert sweep.minute == {5}


@pytest.mark.parametrize("scan_hour", [1, 2])
def test_the_clock_change_window_is_refused_for_the_scan(scan_hour):
    mistakes = schedule_mistakes(scan_hour=scan_hour, **LONDON)

    assert "DUE_SCAN_HOUR_UTC must avoid 01:00-03:00 UTC." in mistakes


def test_a_scan_near_local_midnight_is_refused():
    # 23:15 UTC is 00:15 in London in summer: one local day scanned twice, one skipped.
    mistakes = schedule_mistakes(scan_hour=23, **LONDON)

    assert mistakes == [
        "DUE_SCAN_HOUR_UTC must put the scan between 03:00 and 23:00 in Europe/London."
    ]


def test_new_york_needs_its_own_scan_hour_and_the_readme_one_works():
    new_york = {**LONDON, "zone": "America/New_York"}

    assert schedule_mistakes(scan_hour=4, **new_york)
    assert schedule_mistakes(scan_hour=9, **new_york) == []


@pytest.mark.parametrize(
    "times, sentence",
    [
        ({"scan_hour": 4, "digest_minute": 60}, "WEEKLY_DIGEST_MINUTE_UTC must be"),
        ({"scan_hour": 24, "digest_minute": 5}, "DUE_SCAN_HOUR_UTC must be 0-23"),
    ],
)
def test_times_off_the_clock_are_refused_with_a_sentence(times, sentence):
    mistakes = schedule_mistakes(scan_minute=15, zone="Europe/London", **times)

    assert len(mistakes) == 1 and mistakes[0].startswith(sentence)


def test_settings_refuse_to_start_with_bad_times():
    with pytest.raises(ImproperlyConfigured, match="See docs/jobs.md"):
        beat_schedule(scan_hour=2, **LONDON)
