"""A forecast of a figure's total at the end of the year, from the account's own history, with an interval that
says how sure it is.

The method, named on the page: a seasonal naïve forecast of the growth still to come, scaled by the trend. The
months left in the year grow as the same months grew a year before (the seasons), times the ratio of the
last twelve months' growth to the twelve months' before (the trend: an account growing faster this year is
expected to keep doing so). Without two years of history the ratio is left out (the plain seasonal naïve
forecast); without thirteen months there is no forecast at all.

The interval is empirical, from the method's own past errors: the same forecast made at every earlier month of
the account's history, over the same number of months ahead, against what then happened; each error relative
to the twelve months' growth at its start, so that errors of a small account in its first years and of a large
one since are comparable. The 10th and 90th percentiles of those errors give an 80% interval. With fewer than
`ERRORS_AT_LEAST` past errors there is no interval, and the page says so. `bench/backtest.py` measures the
method's error and how often the interval holds the outcome, on held-out months.

Pure: the months' growth is handed in (month → what the figure grew by in it, like for like: over the accounts
that reported it and the month before, so that an account joining a platform's line is not counted as its
growth; None, or absent, where it is not known), with the total at the forecast's month.
"""

import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from outreach.months import add_months

SCALED_SEASONAL = "scaled_seasonal_naive"
SEASONAL = "seasonal_naive"

# Months of history a forecast needs: thirteen months of figures, twelve months' growth (the seasons).
HISTORY_AT_LEAST = 12
# Past errors an interval needs: fewer, and its percentiles would be a guess.
ERRORS_AT_LEAST = 8
# The interval's share of outcomes: between the 10th and the 90th percentile of the past errors.
INTERVAL = 0.8
# The trend's ratio is kept within these: a year of one-off growth (an account's campaign) must not multiply
# the forecast tenfold.
TREND_AT_MOST = 2.0
TREND_AT_LEAST = 0.5


@dataclass(frozen=True)
class Forecast:
    """The year-end total forecast at `origin`, and its 80% interval (None when too few past errors)."""

    origin: date
    year_end: int
    method: str
    low: int | None = None
    high: int | None = None
    errors: int = 0  # how many past errors the interval is drawn from


def growth_between(growth: Mapping[date, int | None], first: date, last: date) -> int | None:
    """The growth after `first` up to `last` (the months after `first`, `last` included); None if one is unknown."""
    total, month = 0, add_months(first, 1)
    while month <= last:
        value = growth.get(month)
        if value is None:
            return None
        total += value
        month = add_months(month, 1)
    return total


def growth_forecast(growth: Mapping[date, int | None], origin: date, months: int) -> tuple[int, str] | None:
    """The growth forecast over the `months` after `origin`, and the method used; None without the year
    before's same months."""
    seasons = growth_between(growth, add_months(origin, -12), add_months(origin, months - 12))
    if seasons is None:
        return None
    this_year = growth_between(growth, add_months(origin, -12), origin)
    year_before = growth_between(growth, add_months(origin, -24), add_months(origin, -12))
    if this_year is None or year_before is None or year_before <= 0 or this_year < 0:
        return seasons, SEASONAL
    trend = min(max(this_year / year_before, TREND_AT_LEAST), TREND_AT_MOST)
    return round(seasons * trend), SCALED_SEASONAL


def _scale(growth: Mapping[date, int | None], origin: date) -> int:
    """The size an error is measured against: the twelve months' growth to `origin` (at least 1)."""
    twelve = growth_between(growth, add_months(origin, -12), origin)
    return max(abs(twelve) if twelve is not None else 0, 1)


def past_errors(growth: Mapping[date, int | None], origin: date, months: int) -> list[float]:
    """The method's relative errors over `months` ahead, at every earlier month whose outcome is known by
    `origin`."""
    errors = []
    for start in sorted(growth):
        end = add_months(start, months)
        if end > origin:
            continue
        actual = growth_between(growth, start, end)
        forecast = growth_forecast(growth, start, months) if actual is not None else None
        if forecast is None:
            continue
        errors.append((actual - forecast[0]) / _scale(growth, start))
    return errors


def year_end_forecast(
    growth: Mapping[date, int | None], *, origin: date, current: int, cumulative: bool = True
) -> Forecast | None:
    """The forecast of December's total of `origin`'s year, made at `origin` (whose total is `current`); None
    with too little history (under thirteen months, or not the year before's same months) and in December. A
    `cumulative` figure (all but followers) cannot fall below `current`; none falls below zero."""
    if origin.month == 12:
        return None
    if len([month for month, value in growth.items() if month <= origin and value is not None]) < HISTORY_AT_LEAST:
        return None
    months = 12 - origin.month
    forecast = growth_forecast(growth, origin, months)
    if forecast is None:
        return None
    floor = current if cumulative else 0
    point = max(current + forecast[0], floor)
    errors = past_errors(growth, origin, months)
    if len(errors) < ERRORS_AT_LEAST:
        return Forecast(origin=origin, year_end=point, method=forecast[1], errors=len(errors))
    tenth, *_, ninetieth = statistics.quantiles(errors, n=10, method="inclusive")
    scale = _scale(growth, origin)
    low, high = max(round(point + tenth * scale), floor), max(round(point + ninetieth * scale), floor)
    return Forecast(origin=origin, year_end=point, method=forecast[1], low=low, high=high, errors=len(errors))


def monthly_growth(values: Mapping[date, int]) -> dict[date, int]:
    """A series of totals as each month's growth (where the month before is there too)."""
    return {
        month: value - values[add_months(month, -1)]
        for month, value in values.items()
        if add_months(month, -1) in values
    }
