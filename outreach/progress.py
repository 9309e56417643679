"""Progress against a yearly target: how much of the year's planned growth an account has made by a month, and
whether that is on track, against a straight-line pace or against the pace of its own past years' seasons.

Both kinds of target come to the same question. A year-end total (followers 2,900,000 at the end of 2024) plans
the growth from the year's start (the figure at the end of December before) to the total; a year's growth (60
videos in 2024) plans that growth itself. Progress is the growth made so far over the growth planned.

The pace a month is judged against: the account's own seasons where its past years show them (the share of a
whole year's growth it had made by the same month, averaged over the past years it reported whole, each with
some growth), else a straight line (a twelfth of the planned growth a month). Pure: the figures are handed in.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

STRAIGHT_LINE = "straight_line"
SEASONAL = "seasonal"

# Within this share of the planned growth of the pace, an account is on track rather than behind: a month's
# figures are rounded and a season shifts by days, and "behind" for 0.3 points would be noise.
ON_TRACK_MARGIN = 0.02


@dataclass(frozen=True)
class Pace:
    """What share of the year's planned growth is expected by the month, and how that was judged."""

    kind: str  # STRAIGHT_LINE or SEASONAL
    expected: float
    years: int = 0  # the past years the seasonal pace averages


def straight_line_pace(month: int) -> Pace:
    return Pace(STRAIGHT_LINE, month / 12)


def seasonal_pace(month: int, values: Mapping[date, int | None], *, before_year: int) -> Pace | None:
    """The account's own pace by `month`, from its past years before `before_year`: in each year it reported
    whole (its December before and all twelve months), with growth over the year, the share of that growth made
    by the month; their mean. None when no past year qualifies."""
    shares = []
    for year in sorted({period.year for period in values if period.year < before_year}):
        start = values.get(date(year - 1, 12, 1))
        ends = [values.get(date(year, number, 1)) for number in range(1, 13)]
        if start is None or any(value is None for value in ends):
            continue
        growth = ends[-1] - start
        if growth <= 0:
            continue
        shares.append((ends[month - 1] - start) / growth)
    if not shares:
        return None
    return Pace(SEASONAL, sum(shares) / len(shares), years=len(shares))


def pace_for(month: int, values: Mapping[date, int | None], *, year: int) -> Pace:
    """The pace shown: the account's seasons where its history has them, else a straight line."""
    return seasonal_pace(month, values, before_year=year) or straight_line_pace(month)


@dataclass(frozen=True)
class TargetProgress:
    """One target's progress at a month: the year's start, the figure now, the year-end total aimed at."""

    year: int
    month: date  # the month of `current`
    start: int  # the figure at the end of the December before (0 for an account opened in the year)
    current: int
    aimed_at: int  # the year-end total: the target itself, or the start plus the target's growth
    pace: Pace

    @property
    def planned_growth(self) -> int:
        return self.aimed_at - self.start

    @property
    def growth(self) -> int:
        return self.current - self.start

    @property
    def reached(self) -> bool:
        return self.current >= self.aimed_at

    @property
    def share(self) -> float | None:
        """The share of the planned growth made so far; None where none was planned (a total already held)."""
        return self.growth / self.planned_growth if self.planned_growth > 0 else None

    @property
    def on_track(self) -> bool:
        """Reached already, or at least the pace's share of the planned growth made (within the margin)."""
        if self.reached or self.share is None:
            return self.reached
        return self.share >= self.pace.expected - ON_TRACK_MARGIN


def target_progress(
    *,
    kind: str,
    value: int,
    year: int,
    month: date,
    current: int,
    start: int,
    history: Mapping[date, int | None],
) -> TargetProgress:
    """The progress of a target (`kind` "year_end" or "growth", of `value`) at `month`, with the figure then
    (`current`) and at the year's start (`start`); `history` (month → figure) gives the seasons' pace."""
    aimed_at = value if kind == "year_end" else start + value
    return TargetProgress(
        year=year,
        month=month,
        start=start,
        current=current,
        aimed_at=aimed_at,
        pace=pace_for(month.month, history, year=year),
    )
