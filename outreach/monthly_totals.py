"""What each account's snapshots add to the monthly totals (`models.MonthlyTotal`): pure arithmetic.

A write changes the totals by the difference between what the touched accounts' timelines add after
it and what they added before. Every column is a sum or a count, so differences can be added to the
stored rows. A timeline may be partial (the changed months and, for each figure, the nearest reported
month on either side): whatever lies further away adds the same before and after, and cancels out.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from outreach.rules import METRICS

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
)

Key = tuple[int, date, str]  # platform id, month, metric


@dataclass(frozen=True)
class TimelineRow:
    """One snapshot, as the totals see it."""

    period: date
    figures: dict[str, int | None]
    approximate: bool
    illustrative: bool


def month_index(period: date) -> int:
    return period.year * 12 + period.month - 1


def contributions(platform_id: int, rows: list[TimelineRow]) -> dict[Key, list[int]]:
    """What one account's snapshots add to its platform's monthly totals, per month and metric.

    A figure's growth runs from the account's previous month that reports it; a step longer than a
    month is a gap. The same arithmetic as `selectors._monthly_totals_sql`, which rebuilds them in SQL.
    """
    added: dict[Key, list[int]] = defaultdict(lambda: [0] * len(COLUMNS))
    ordered = sorted(rows, key=lambda row: row.period)
    for metric in METRICS:
        previous: TimelineRow | None = None
        for row in ordered:
            value = row.figures[metric]
            if value is None:
                continue
            cell = added[(platform_id, row.period, metric)]
            cell[0] += value
            cell[1] += 1
            cell[2] += row.approximate
            cell[3] += row.illustrative
            if previous is not None:
                span = month_index(row.period) - month_index(previous.period)
                cell[4] += value - previous.figures[metric]
                cell[5] += 1
                cell[6] += span > 1
                cell[7] += span if span > 1 else 0
                cell[8] += row.approximate or previous.approximate
                cell[9] += row.illustrative or previous.illustrative
            previous = row
    return added


def timelines_contributions(timelines: dict[int, tuple[int, list[TimelineRow]]]) -> dict[Key, list[int]]:
    """What these accounts' timelines (account id: platform id and rows) add, summed."""
    added: dict[Key, list[int]] = {}
    for platform_id, rows in timelines.values():
        for key, cell in contributions(platform_id, rows).items():
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
