"""What each account's snapshots add to the monthly totals (`models.MonthlyTotal`): pure arithmetic.

A write changes the totals by the difference between what the touched accounts' timelines add after
it and what they added before. Every column is a sum or a count, so differences can be added to the
stored rows. A timeline may be partial (the changed months and, for each figure, the nearest reported
month on either side): whatever lies further away adds the same before and after, and cancels out.
"""

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from outreach.metrics import METRICS

# The columns of MonthlyTotal that are sums or counts, in this order everywhere.
COLUMNS = (
    "total",
    "reporting",
    "approximate",
    "illustrative",
    "growth",
    "growth_steps",
    "gaps",
    "gap_months",
    "growth_approximate",
    "growth_illustrative",
    # Coverage: inactive accounts whose last report of the figure is this month (not expected after it).
    "stops",
    # Like for like: the accounts that report the figure this month and the month before (`month_`), or
    # twelve months before (`year_`): how many, the earlier month's sum, the growth, and how many of those
    # pairs start or end at an approximate or illustrative figure.
    "month_pairs",
    "month_pair_base",
    "month_pair_growth",
    "month_pair_approximate",
    "month_pair_illustrative",
    "year_pairs",
    "year_pair_base",
    "year_pair_growth",
    "year_pair_approximate",
    "year_pair_illustrative",
)
# Each column's position in a cell, by name.
AT = {name: position for position, name in enumerate(COLUMNS)}

Key = tuple[int, date, str]  # platform id, month, metric


@dataclass(frozen=True)
class TimelineRow:
    """One snapshot, as the totals see it."""

    period: date
    figures: dict[str, int | None]
    approximate: bool
    illustrative: bool


@dataclass
class Timeline:
    """An account's snapshots as the totals see them: its platform (or another group), whether it is
    active, and its rows. `year_rows`, when given, are the rows that twelve-month pairs are read from
    (by default `rows`): a partial timeline needs other months for those than for the growth."""

    group_id: int
    rows: list[TimelineRow] = field(default_factory=list)
    active: bool = True
    year_rows: list[TimelineRow] | None = None


def month_index(period: date) -> int:
    return period.year * 12 + period.month - 1


def figure_growth(now: Sequence[int | None], before: Sequence[int | None]) -> tuple[int | None, ...]:
    """Each figure's growth from an earlier report (`before`) to a later one (`now`), figures in the same
    order: None where either leaves the figure empty, never 0. One account's step of the sums below; the
    export's increments and the summary's changes write it out row by row."""
    return tuple(None if a is None or b is None else a - b for a, b in zip(now, before, strict=True))


def contributions(timeline: Timeline) -> dict[Key, list[int]]:
    """What one account's snapshots add to its platform's monthly totals, per month and metric.

    A figure's growth runs from the account's previous month that reports it; a step longer than a
    month is a gap. The same arithmetic as `selectors.totals._monthly_totals_sql`, which rebuilds them in SQL.
    """
    group_id = timeline.group_id
    added: dict[Key, list[int]] = defaultdict(lambda: [0] * len(COLUMNS))
    ordered = sorted(timeline.rows, key=lambda row: row.period)
    for metric in METRICS:
        previous: TimelineRow | None = None
        for row in ordered:
            value = row.figures[metric]
            if value is None:
                continue
            cell = added[(group_id, row.period, metric)]
            cell[AT["total"]] += value
            cell[AT["reporting"]] += 1
            cell[AT["approximate"]] += row.approximate
            cell[AT["illustrative"]] += row.illustrative
            if previous is not None:
                span = month_index(row.period) - month_index(previous.period)
                earlier = previous.figures[metric]
                cell[AT["growth"]] += value - earlier
                cell[AT["growth_steps"]] += 1
                cell[AT["gaps"]] += span > 1
                cell[AT["gap_months"]] += span if span > 1 else 0
                cell[AT["growth_approximate"]] += row.approximate or previous.approximate
                cell[AT["growth_illustrative"]] += row.illustrative or previous.illustrative
                if span == 1:
                    _add_pair(cell, "month", value, earlier, row, previous)
            previous = row
        if previous is not None and not timeline.active:
            added[(group_id, previous.period, metric)][AT["stops"]] += 1
    year_rows = timeline.rows if timeline.year_rows is None else timeline.year_rows
    by_month = {month_index(row.period): row for row in year_rows}
    for index, row in sorted(by_month.items()):
        earlier_row = by_month.get(index - 12)
        if earlier_row is None:
            continue
        for metric in METRICS:
            value, earlier = row.figures[metric], earlier_row.figures[metric]
            if value is not None and earlier is not None:
                _add_pair(added[(group_id, row.period, metric)], "year", value, earlier, row, earlier_row)
    return added


def _add_pair(cell: list[int], kind: str, value: int, earlier: int, row: TimelineRow, earlier_row: TimelineRow):
    cell[AT[f"{kind}_pairs"]] += 1
    cell[AT[f"{kind}_pair_base"]] += earlier
    cell[AT[f"{kind}_pair_growth"]] += value - earlier
    cell[AT[f"{kind}_pair_approximate"]] += row.approximate or earlier_row.approximate
    cell[AT[f"{kind}_pair_illustrative"]] += row.illustrative or earlier_row.illustrative


def timelines_contributions(timelines: dict[int, Timeline]) -> dict[Key, list[int]]:
    """What these accounts' timelines (by account id) add, summed."""
    added: dict[Key, list[int]] = {}
    for timeline in timelines.values():
        for key, cell in contributions(timeline).items():
            present = added.get(key)
            added[key] = cell if present is None else [a + b for a, b in zip(present, cell, strict=True)]
    return added


def difference(before: dict[Key, list[int]], after: dict[Key, list[int]]) -> dict[Key, list[int]]:
    """`after` minus `before`, keeping only the cells that changed."""
    changed = {}
    for key in before.keys() | after.keys():
        old, new = before.get(key), after.get(key)
        delta = [n - o for n, o in zip(new or [0] * len(COLUMNS), old or [0] * len(COLUMNS), strict=True)]
        if any(delta):
            changed[key] = delta
    return changed


# --- Coverage ---------------------------------------------------------------------------------------


class Coverage:
    """How many accounts are expected to report each figure, per platform (or group) and month.

    An account is expected to report a figure from its first report of it on, and an inactive account
    up to its last: a new account is not missing the years before it, a platform that never counts a
    figure is never missing it, and a closed account is not missing the months after it closed.
    """

    def __init__(self, steps: dict[tuple[int, str], list[tuple[date, int]]]):
        # Per (group, metric): the months the expected count changes, and the count from then on.
        self._steps = {
            key: ([month_index(period) for period, _count in changes], [count for _period, count in changes])
            for key, changes in steps.items()
            if changes
        }

    def groups(self) -> set[int]:
        """The groups (platforms, or accounts) any account is ever expected to report in."""
        return {group_id for group_id, _metric in self._steps}

    def expected(self, group_id: int, metric: str, period: date) -> int:
        steps = self._steps.get((group_id, metric))
        if steps is None:
            return 0
        months, counts = steps
        position = bisect_right(months, month_index(period))
        return counts[position - 1] if position else 0


def coverage_of(
    cells: Iterable[tuple[int, date, str, int, int]], before: dict[tuple[int, str], int] | None = None
) -> Coverage:
    """The coverage from each cell's (group, month, metric, first reports, inactive accounts' last reports),
    and from how many accounts were expected already before the first of those months (`before`)."""
    changes: dict[tuple[int, str], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for group_id, period, metric, starts, stops in cells:
        months = changes[(group_id, metric)]
        months[month_index(period)] += starts
        if stops:
            months[month_index(period) + 1] -= stops  # expected in the month of its last report, not after
    steps = {}
    for key in changes.keys() | (before or {}).keys():
        count = (before or {}).get(key, 0)
        steps[key] = [(date.min, count)] if count else []
        for index, delta in sorted(changes.get(key, {}).items()):
            if delta:  # most months start and stop no account: no step
                count += delta
                steps[key].append((date(index // 12, index % 12 + 1, 1), count))
    return Coverage(steps)


def first_reports(cell: list[int]) -> int:
    """How many accounts report the figure for the first time in a cell: those with no earlier report."""
    return cell[AT["reporting"]] - cell[AT["growth_steps"]]


# --- What the reads return, per platform (or account) and month --------------------------------------


class Pairs(NamedTuple):
    """The accounts that report a figure both in a month and in an earlier one (the month before, or a
    year before): how many, their sum in the earlier month, their growth since, and whether any of those
    figures is approximate or illustrative. A like-for-like change is `growth` over `base`. (A named
    tuple: the national dashboard makes thousands, and a frozen dataclass costs several times more.)"""

    count: int = 0
    base: int = 0
    growth: int = 0
    approximate: bool = False
    illustrative: bool = False


@dataclass(frozen=True)
class PlatformMonthTotal:
    """One platform's totals in one month: sums of the reported figures, how many accounts reported each
    and how many were expected to (`monthly_totals.Coverage`), and the like-for-like pairs of each."""

    platform_id: int
    period: date
    totals: dict[str, int | None]
    reporting: dict[str, int]
    approximate: bool
    illustrative: bool
    expected: dict[str, int] = field(default_factory=dict)
    month_pairs: dict[str, Pairs] = field(default_factory=dict)
    year_pairs: dict[str, Pairs] = field(default_factory=dict)


@dataclass(frozen=True)
class AccountMonth:
    """One account's figures in one month."""

    account_id: int
    period: date
    figures: dict[str, int | None]
    approximate: bool
    illustrative: bool


@dataclass(frozen=True)
class Increment:
    """What a platform's (or an account's) figure grew by in one month, summed over its accounts.

    Each account's growth runs from its previous reported month; `gaps` counts the accounts whose growth
    spans missing months, `gap_months` the months those spans cover in all (0 when there is no gap).
    """

    group_id: int
    period: date
    value: int
    gaps: int
    gap_months: int
    approximate: bool
    illustrative: bool
    accounts: int = 1  # the accounts whose growth it sums
