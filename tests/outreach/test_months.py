"""Months and counts as staff and spreadsheets type them."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from outreach.months import add_months, parse_month
from outreach.numbers import parse_count


@pytest.mark.parametrize(
    "typed", ["2024-03", "2024-3", "2024-03-01", "2024/3", "2024/03/01", "2024.3", "2024年3月", " ２０２４－０３ "]
)
def test_months_are_read_as_people_type_them(typed):
    assert parse_month(typed) == date(2024, 3, 1)


def test_a_spreadsheet_date_with_unknown_day_and_month_order_is_refused_with_a_way_out():
    with pytest.raises(ValidationError) as refused:
        parse_month("4/1/24")

    assert "Write the month as YYYY-MM, e.g. 2024-04" in refused.value.messages[0]
    assert "format the column as text" in refused.value.messages[0]


@pytest.mark.parametrize("typed", ["March", "2024-13", "24-03", ""])
def test_other_text_is_not_a_month(typed):
    with pytest.raises(ValidationError):
        parse_month(typed)


def test_months_add_across_years():
    assert add_months(date(2023, 11, 1), 3) == date(2024, 2, 1)
    assert add_months(date(2024, 1, 1), -1) == date(2023, 12, 1)


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("1,234,567", 1234567),
        ("1 234 567", 1234567),
        ("１２３", 123),
        ("１，２３４", 1234),
        ("", None),
        ("  ", None),
        (7, 7),
    ],
)
def test_counts_are_read_as_people_type_them(typed, value):
    assert parse_count(typed) == value
