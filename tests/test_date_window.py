"""The window of dates a person may choose: 1 January 1900 to a hundred years ahead."""

from datetime import date

import pytest
import time_machine
from django import forms

from convivio.limits import latest_date
from convivio.parsing import DateInWindowField


def test_a_hundred_years_after_a_leap_day_that_is_no_leap_day_ends_on_the_28th():
    assert latest_date(date(2000, 2, 29)) == date(2100, 2, 28)
    assert latest_date(date(2028, 2, 29)) == date(2128, 2, 29)


def test_an_optional_date_left_empty_is_no_date():
    assert DateInWindowField(required=False).clean("") is None


@time_machine.travel(date(2026, 6, 10), tick=False)
@pytest.mark.parametrize("value", ["1900-01-01", "2026-06-10", "2126-06-10"])
def test_a_date_inside_the_window_is_read(value):
    assert DateInWindowField().clean(value) == date.fromisoformat(value)


@time_machine.travel(date(2026, 6, 10), tick=False)
@pytest.mark.parametrize("value", ["1899-12-31", "2126-06-11", "0001-01-01"])
def test_a_date_outside_the_window_is_refused_with_the_window_named(value):
    with pytest.raises(forms.ValidationError, match="1 January 1900 to 10 June 2126"):
        DateInWindowField().clean(value)
