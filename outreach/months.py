"""Calendar months: the period every figure belongs to.

A month is stored as the date of its first day and written as `YYYY-MM`. Staff type months in the
ways a spreadsheet or a Chinese input method gives them; `parse_month` reads those and nothing
ambiguous (`4/1/24` could be January or April, so it is refused with a way out).
"""

import re
from datetime import date
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from outreach.language import is_chinese

_FULLWIDTH = str.maketrans("０１２３４５６７８９－／．", "0123456789-/.")
_MONTH_PATTERNS = (
    re.compile(r"^(?P<year>\d{4})-(?P<month>\d{1,2})(?:-01)?$"),  # 2024-03, 2024-03-01
    re.compile(r"^(?P<year>\d{4})/(?P<month>\d{1,2})(?:/1|/01)?$"),  # 2024/3, 2024/3/1
    re.compile(r"^(?P<year>\d{4})\.(?P<month>\d{1,2})$"),  # 2024.3
    re.compile(r"^(?P<year>\d{4})年(?P<month>\d{1,2})月$"),  # 2024年3月
)


def first_of_month(day: date) -> date:
    """The month `day` falls in, as its first day."""
    return day.replace(day=1)


def add_months(month: date, count: int) -> date:
    """The month `count` months after `month` (before it when negative)."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def format_month(month: date) -> str:
    """The machine-readable form, `YYYY-MM`, used in forms, URLs and files."""
    return f"{month.year:04d}-{month.month:02d}"


def month_label(month: date) -> str:
    """The month as a reader expects it in the active language: `January 2024`, `2024年1月`."""
    return formats.date_format(month, "YEAR_MONTH_FORMAT")


def month_short(month: date, language: str | None = None) -> str:
    """The month as cards, charts and filters show it: `Feb 2024`, `2024年2月`.

    In `language`, the active one by default (give it when labelling thousands of points: looking up
    the active language costs more than the cached label).
    """
    return _month_short(month, language or get_language() or "")


# A national dashboard labels thousands of points with a few hundred months: format each once per language.
@lru_cache(maxsize=4096)
def _month_short(month: date, language: str) -> str:
    if is_chinese(language):
        return formats.date_format(month, "YEAR_MONTH_FORMAT")
    return formats.date_format(month, "M Y")


def parse_month(text: str) -> date:
    """Read a month typed as `2024-03`, `2024/3`, `2024.3` or `2024年3月`; raise ValidationError otherwise."""
    cleaned = str(text).strip().translate(_FULLWIDTH).replace(" ", "")
    for pattern in _MONTH_PATTERNS:
        match = pattern.match(cleaned)
        if match:
            year, month = int(match["year"]), int(match["month"])
            if 1 <= month <= 12 and year >= 1900:
                return date(year, month, 1)
            break
    spreadsheet_date = re.match(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$", cleaned)
    if spreadsheet_date:
        first, second, year = (int(part) for part in spreadsheet_date.groups())
        year += 2000 if year < 100 else 0
        # Spreadsheets write month/day/year (4/1/24 for 2024/4/1) more often than not: offer that month.
        example = f"{year:04d}-{first if 1 <= first <= 12 else second:02d}"
        raise ValidationError(
            _(
                "“%(value)s” is a date whose day and month order cannot be known. Write the month as "
                "YYYY-MM, e.g. %(example)s (in a spreadsheet, format the column as text first)."
            ),
            code="ambiguous_date",
            params={"value": text, "example": example},
        )
    raise ValidationError(
        _("“%(value)s” is not a month. Write it as YYYY-MM, e.g. 2024-03."),
        code="invalid_month",
        params={"value": text},
    )
