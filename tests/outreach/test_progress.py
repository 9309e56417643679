"""Progress against a yearly target, computed by hand beside the module: the share of the planned growth made,
and on track or behind against a straight line and against the account's own seasons."""

from datetime import date

import pytest

from outreach.progress import SEASONAL, STRAIGHT_LINE, pace_for, seasonal_pace, target_progress


def months(year: int, values: list[int], december_before: int | None = None) -> dict[date, int]:
    found = {date(year, number, 1): value for number, value in enumerate(values, start=1)}
    if december_before is not None:
        found[date(year - 1, 12, 1)] = december_before
    return found


def test_a_year_end_total_plans_the_growth_from_the_years_start():
    progress = target_progress(
        kind="year_end",
        value=2_900_000,
        year=2024,
        month=date(2024, 2, 1),
        current=2_630_000,
        start=2_560_000,
        history={},
    )
    assert progress.planned_growth == 340_000 and progress.growth == 70_000
    assert progress.share == pytest.approx(70_000 / 340_000)
    assert progress.pace.kind == STRAIGHT_LINE and progress.pace.expected == pytest.approx(2 / 12)
    assert progress.on_track  # 20.6% made, 16.7% expected by February


def test_a_growth_target_is_the_growth_itself_and_behind_when_short_of_the_line():
    progress = target_progress(
        kind="growth", value=60, year=2024, month=date(2024, 6, 1), current=320, start=300, history={}
    )
    assert progress.aimed_at == 360 and progress.share == pytest.approx(20 / 60)
    assert not progress.on_track  # a third made, half expected by June


def test_the_seasonal_pace_is_the_mean_share_of_past_whole_years_made_by_the_month():
    # 2022: +120 over the year, +60 of it by June (50%); 2023: +100, +30 by June (30%); 2021 is not whole.
    history = {
        **months(2022, [110, 120, 130, 140, 150, 160, 170, 180, 190, 200, 210, 220], december_before=100),
        **months(2023, [225, 230, 235, 240, 245, 250, 270, 280, 290, 300, 310, 320], december_before=220),
        date(2021, 6, 1): 50,
    }
    pace = seasonal_pace(6, history, before_year=2024)
    assert pace.kind == SEASONAL and pace.years == 2 and pace.expected == pytest.approx((0.5 + 0.3) / 2)
    assert pace_for(6, history, year=2024) == pace
    # Only the years before the target's: 2023's own target is judged on 2022 alone.
    assert seasonal_pace(6, history, before_year=2023).expected == pytest.approx(0.5)


def test_a_year_with_a_missing_month_or_no_growth_gives_no_season():
    gap = months(2023, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], december_before=0)
    del gap[date(2023, 7, 1)]
    flat = months(2022, [5] * 12, december_before=5)
    assert seasonal_pace(3, {**gap, **flat}, before_year=2024) is None
    assert pace_for(3, {**gap, **flat}, year=2024).kind == STRAIGHT_LINE


def test_a_total_already_held_is_reached_and_on_track_without_a_share():
    progress = target_progress(
        kind="year_end", value=1000, year=2024, month=date(2024, 1, 1), current=1200, start=1100, history={}
    )
    assert progress.reached and progress.share is None and progress.on_track


def test_within_the_margin_of_the_pace_is_on_track():
    # 15% made by February, 16.7% expected: within two points.
    progress = target_progress(
        kind="growth", value=100, year=2024, month=date(2024, 2, 1), current=15, start=0, history={}
    )
    assert progress.on_track
    behind = target_progress(
        kind="growth", value=100, year=2024, month=date(2024, 2, 1), current=14, start=0, history={}
    )
    assert not behind.on_track
