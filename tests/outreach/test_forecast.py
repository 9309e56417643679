"""The year-end forecast (seasonal naïve scaled by the trend, with an interval from its own past errors), on
series whose answer is known: exact where the series follows the method's own model, none with too little
history, an interval only with enough past errors, never below the total so far for a figure that only grows."""

import random
from datetime import date

import pytest

from outreach.forecast import (
    ERRORS_AT_LEAST,
    SCALED_SEASONAL,
    SEASONAL,
    TREND_AT_MOST,
    monthly_growth,
    past_errors,
)
from outreach.forecast import year_end_forecast as forecast_of
from outreach.months import add_months

SEASON = [5, 4, 6, 7, 8, 12, 15, 14, 9, 8, 6, 6]  # a museum's summer


def year_end_forecast(values: dict[date, int], *, origin: date, cumulative: bool = True):
    """The forecast from a series of totals, as the dashboard makes it from each month's growth."""
    return forecast_of(monthly_growth(values), origin=origin, current=values[origin], cumulative=cumulative)


def growing(first: date, months: int, *, start: int = 1000, yearly: float = 1.2, noise: float = 0.0, seed: int = 1):
    """A cumulative series whose monthly growth is the season's, times `yearly` each year, times some noise."""
    rng = random.Random(seed)
    values, total, period = {}, start, first
    for _ in range(months):
        years = (period.year - first.year) + (period.month - 1) / 12
        total += round(SEASON[period.month - 1] * 100 * yearly**years * (1 + rng.gauss(0, noise)))
        values[period] = total
        period = add_months(period, 1)
    return values


def test_under_thirteen_months_there_is_no_forecast():
    values = growing(date(2023, 3, 1), 12)
    assert year_end_forecast(values, origin=date(2024, 2, 1)) is None
    assert year_end_forecast(growing(date(2023, 1, 1), 24), origin=date(2024, 12, 1)) is None  # December: over


def test_with_one_year_before_it_is_the_plain_seasonal_forecast_without_an_interval():
    values = growing(date(2023, 1, 1), 15)  # to March 2024
    forecast = year_end_forecast(values, origin=date(2024, 3, 1))
    last_year_rest = values[date(2023, 12, 1)] - values[date(2023, 3, 1)]
    assert forecast.method == SEASONAL
    assert forecast.year_end == values[date(2024, 3, 1)] + last_year_rest
    assert forecast.low is None and forecast.errors < ERRORS_AT_LEAST


def test_a_series_growing_as_the_method_expects_is_forecast_within_rounding_with_a_narrow_interval():
    values = growing(date(2019, 1, 1), 70, yearly=1.25)  # to October 2024
    truth = growing(date(2019, 1, 1), 72, yearly=1.25)[date(2024, 12, 1)]
    forecast = year_end_forecast(values, origin=date(2024, 6, 1))

    assert forecast.method == SCALED_SEASONAL
    # The trend's ratio is measured over whole years, so a steady yearly growth is recovered almost exactly.
    assert forecast.year_end == pytest.approx(truth, rel=0.03)
    assert forecast.low <= forecast.year_end <= forecast.high
    assert (forecast.high - forecast.low) / forecast.year_end < 0.05
    assert forecast.errors >= ERRORS_AT_LEAST


def test_the_interval_widens_with_the_series_noise():
    # (How often it holds the outcome is measured over many series and months by bench/backtest.py.)
    quiet = year_end_forecast(growing(date(2018, 1, 1), 77, noise=0.02), origin=date(2024, 5, 1))
    noisy = year_end_forecast(growing(date(2018, 1, 1), 77, noise=0.3), origin=date(2024, 5, 1))
    assert (noisy.high - noisy.low) > 2 * (quiet.high - quiet.low)


def test_past_errors_use_only_outcomes_known_at_the_origin():
    growth = monthly_growth(growing(date(2019, 1, 1), 72))
    origin = date(2022, 6, 1)
    known = {period: value for period, value in growth.items() if period <= origin}
    assert past_errors(growth, origin, 6) == past_errors(known, origin, 6) != []


def test_a_figure_that_only_grows_is_never_forecast_below_its_total_so_far():
    values = growing(date(2020, 1, 1), 54)
    # Last year's rest of the year shrank to nothing, as though the account had stopped publishing.
    for month in range(7, 13):
        values[date(2023, month, 1)] = values[date(2023, 6, 1)]
    forecast = year_end_forecast(values, origin=date(2024, 6, 1))
    assert forecast.year_end >= values[date(2024, 6, 1)]
    assert forecast.low is None or forecast.low >= values[date(2024, 6, 1)]


def test_a_year_of_one_off_growth_cannot_multiply_the_forecast_beyond_the_trends_bound():
    values = growing(date(2020, 1, 1), 54, yearly=1.0)
    growth = monthly_growth(values)
    growth[date(2023, 9, 1)] *= 50  # a campaign's month (or a platform's line that an account joined)
    forecast = forecast_of(growth, origin=date(2024, 6, 1), current=values[date(2024, 6, 1)])
    seasons = sum(growth[date(2023, month, 1)] for month in range(7, 13))
    assert forecast.year_end - values[date(2024, 6, 1)] <= TREND_AT_MOST * seasons


def test_a_month_whose_growth_is_not_known_leaves_its_windows_out():
    values = growing(date(2020, 1, 1), 54)
    growth = monthly_growth(values)
    growth[date(2023, 8, 1)] = None  # an account's growth spanning missing months
    forecast = forecast_of(growth, origin=date(2024, 6, 1), current=values[date(2024, 6, 1)])
    assert forecast is None  # the same months a year before are not known whole


def test_followers_may_fall_but_not_below_zero():
    values = {add_months(date(2021, 1, 1), index): max(0, 500 - 20 * index) for index in range(42)}
    forecast = year_end_forecast(values, origin=date(2024, 6, 1), cumulative=False)
    assert forecast.year_end >= 0 and (forecast.low is None or forecast.low >= 0)
