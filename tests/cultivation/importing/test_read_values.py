"""Cells read as dates, emails, yes or no, formulas; mojibake repaired."""

from datetime import date

import pytest

from cultivation.importing import values


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("2024-03-14", "dmy", date(2024, 3, 14)),
        ("2024-03-14T09:30:00Z", "dmy", date(2024, 3, 14)),
        ("2021-06-30 14:05:00 UTC", "mdy", date(2021, 6, 30)),
        ("2024/3/4", "mdy", date(2024, 3, 4)),
        ("14 Mar 2024", "dmy", date(2024, 3, 14)),
        ("4 March 2024", "mdy", date(2024, 3, 4)),
        ("14-Mar-2024", "dmy", date(2024, 3, 14)),
        ("Mar 14, 2024", "dmy", date(2024, 3, 14)),
        ("September 1st, 2023", "dmy", date(2023, 9, 1)),
        ("3/4/2024", "mdy", date(2024, 3, 4)),
        ("3/4/2024", "dmy", date(2024, 4, 3)),
        ("14/03/2024", "mdy", date(2024, 3, 14)),
        ("3/14/2024", "dmy", date(2024, 3, 14)),
        ("14.03.2024", "dmy", date(2024, 3, 14)),
        ("3/14/24", "mdy", date(2024, 3, 14)),
        ("3/14/99", "mdy", date(1999, 3, 14)),
        ("", "dmy", None),
        ("  ", "dmy", None),
    ],
)
def test_dates(text, order, expected):
    assert values.parse_date(text, order) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("30 Feb 2024", "30 Feb 2024 is not a date"),
        ("29 Feb 2023", "29 Feb 2023 is not a date"),
        ("30/02/2024", "30/02/2024 is not a date"),
        ("2024-13-01", "2024-13-01 is not a date"),
        ("14 Foo 2024", "“14 Foo 2024” is not a date Convivio can read"),
        ("soon", "“soon” is not a date Convivio can read"),
    ],
)
def test_impossible_and_unreadable_dates(text, message):
    with pytest.raises(values.Unreadable) as unreadable:
        values.parse_date(text, "dmy")

    assert str(unreadable.value) == message


def test_a_leap_day_is_a_date():
    assert values.parse_date("29 Feb 2024", "dmy") == date(2024, 2, 29)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("JosÃ© GarcÃ­a", "José García"), ("José García", "José García"), (" Ann ", "Ann")],
)
def test_mojibake_is_repaired_and_right_text_left_alone(text, expected):
    assert values.repair(text) == expected


def test_emails_are_validated_and_kept_as_given():
    assert values.email("Jane@Example.COM") == "Jane@Example.COM"
    with pytest.raises(values.Unreadable):
        values.email("jane@")


@pytest.mark.parametrize(
    "address",
    [
        "a@b.co",
        "jane.doe+crm@mail.example.org",
        "o'brien@example.ie",
        "jane@localhost",
        "jane@[127.0.0.1]",
        "jane..doe@example.org",
        ".jane@example.org",
        "jane@-example.org",
        "jane@example.c",
        "jane@exa_mple.org",
        "jané@example.org",
        "jane@" + "a" * 64 + ".org",
        "j" * 250 + "@example.org",
    ],
)
def test_the_fast_path_agrees_with_djangos_validator(address):
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    try:
        validate_email(address)
        django_says = True
    except ValidationError:
        django_says = False
    try:
        values.email(address)
        we_say = True
    except values.Unreadable:
        we_say = False

    assert we_say == django_says
