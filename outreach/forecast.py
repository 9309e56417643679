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

Pure: the months' figures are handed in as a mapping of month → total (cumulative; followers may fall).
"""

import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from outreach.months import add_months

SCALED_SEASONAL = "scaled_seasonal_naive"
SEASONAL = "seasonal_naive"

# Months of history a forecast needs: the year before's same months (the seasons).
HISTORY_AT_LEAST = 13
# Past errors an interval needs: fewer, and its percentiles would be a guess.
ERRORS_AT_LEAST = 8
# The interval's share of outcomes: between the 10th and the 90th percentile of the past errors.
INTERVAL = 0.8


@dataclass(frozen=True)
class Forecast:
    """The year-end total forecast at `origin`, and its 80% interval (None when too few past errors)."""

    origin: date
    year_end: int
    method: str
    low: int | None = None
    high: int | None = None
    errors: int = 0  # how many past errors the interval is drawn from


def _growth(values: Mapping[date, int], first: date, last: date) -> int | None:
    if first in values and last in values:
        return values[last] - values[first]
    return None


def growth_forecast(values: Mapping[date, int], origin: date, months: int) -> tuple[int, str] | None:
    """The growth forecast over the `months` after `origin`, and the method used; None without the year
    before's same months."""
    seasons = _growth(values, add_months(origin, -12), add_months(origin, months - 12))
    if seasons is None:
        return None
    this_year = _growth(values, add_months(origin, -12), origin)
    year_before = _growth(values, add_months(origin, -24), add_months(origin, -12))
    if this_year is None or year_before is None or year_before <= 0 or this_year < 0:
        return seasons, SEASONAL
    return round(seasons * this_year / year_before), SCALED_SEASONAL


def _scale(values: Mapping[date, int], origin: date) -> int:
    """The size an error is measured against: the twelve months' growth to `origin` (at least 1)."""
    growth = _growth(values, add_months(origin, -12), origin)
    return max(abs(growth) if growth is not None else 0, 1)


def past_errors(values: Mapping[date, int], origin: date, months: int) -> list[float]:
    """The method's relative errors over `months` ahead, at every earlier month whose outcome is known by
    `origin`."""
    errors = []
    for start in sorted(values):
        end = add_months(start, months)
        if end > origin or end not in values:
            continue
        forecast = growth_forecast(values, start, months)
        if forecast is None:
            continue
        errors.append((values[end] - values[start] - forecast[0]) / _scale(values, start))
    return errors


def year_end_forecast(values: Mapping[date, int], *, origin: date, cumulative: bool = True) -> Forecast | None:
    """The forecast of December's total of `origin`'s year, made at `origin` (a month with a figure); None with
    too little history (under thirteen months, or not the year before's same months). A `cumulative` figure
    (all but followers) cannot fall: neither the forecast nor its interval goes below the total at `origin`."""
    if origin not in values or origin.month == 12:
        return None
    if len([period for period in values if period <= origin]) < HISTORY_AT_LEAST:
        return None
    months = 12 - origin.month
    forecast = growth_forecast(values, origin, months)
    if forecast is None:
        return None
    growth, method = forecast
    floor = values[origin] if cumulative else None
    point = max(values[origin] + growth, floor) if floor is not None else values[origin] + growth
    errors = past_errors(values, origin, months)
    if len(errors) < ERRORS_AT_LEAST:
        return Forecast(origin=origin, year_end=point, method=method, errors=len(errors))
    tenth, *_, ninetieth = statistics.quantiles(errors, n=10, method="inclusive")
    scale = _scale(values, origin)
    low, high = round(point + tenth * scale), round(point + ninetieth * scale)
    if floor is not None:
        low, high = max(low, floor), max(high, floor)
    return Forecast(origin=origin, year_end=point, method=method, low=low, high=high, errors=len(errors))
