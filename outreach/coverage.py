"""Coverage: which accounts are expected to report which figures in which months, and what is missing.

An account is expected to report a figure in a month when the month lies between its first report of
that figure and the latest month of any figures (of any account); an inactive account only up to its
own last report of it. So a platform that never counts a figure is never missing it, a new account is
not missing the years before its first report, and an account that stopped is not missing the months
after. An account-month is missing when the account is expected to report some figure then and has no
snapshot; a snapshot misses a figure when it exists and leaves an expected figure empty.

Pure functions over a few numbers per account (`AccountReports`, one GROUP BY): an account whose
reports have no hole between its first and last snapshot is answered from those numbers alone; only an
account with holes needs its months read. No database access here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from outreach import metrics
from outreach.metrics import METRICS
from outreach.monthly_totals import Coverage, PlatformMonthTotal
from outreach.months import add_months

if TYPE_CHECKING:
    from outreach.models import Account, Platform


def months_between(first: date, last: date) -> int:
    """How many months from `first` to `last`, both included (0 when `last` is before `first`)."""
    return max(0, (last.year - first.year) * 12 + last.month - first.month + 1)


@dataclass(frozen=True)
class FigureReports:
    """An account's reports of one figure: the first and last month that report it, and how many do."""

    first: date
    last: date
    months: int


@dataclass(frozen=True)
class AccountReports:
    """What an account has reported, in a few numbers: its first and last snapshot, how many it has, and
    for each figure it has ever reported (only those) the figure's own first, last and count."""

    account_id: int
    active: bool
    first: date
    last: date
    snapshots: int
    figures: Mapping[str, FigureReports]


def expected_months(figure: FigureReports, *, active: bool, latest: date) -> tuple[date, date]:
    """The first and last month an account is expected to report a figure: from its first report of it,
    to the latest month of any figures while the account is active, to its own last report once not."""
    return figure.first, latest if active else min(figure.last, latest)


def needs_months(reports: AccountReports) -> bool:
    """Whether the account has holes between its first and last reports (of any snapshot, or of a figure),
    so that which months are missing can only be told from its months themselves."""
    if reports.snapshots < months_between(reports.first, reports.last):
        return True
    return any(figure.months < months_between(figure.first, figure.last) for figure in reports.figures.values())


@dataclass(frozen=True)
class Gap:
    """A run of months, `first` to `last`, in which an account is short of a report: with no snapshot at all
    (`figure` None), or with snapshots that leave `figure` empty though it is expected."""

    account_id: int
    first: date
    last: date
    figure: str | None = None


def account_gaps(
    reports: AccountReports, *, latest: date, months: Mapping[date, Iterable[str]] | None = None
) -> list[Gap]:
    """What the account is missing up to `latest`.

    `months` maps each of its snapshots' months to the figures it reports; it is needed only when
    `needs_months(reports)`, and read month by month then. Without it, the gaps follow from the numbers:
    every month between the first and last snapshot has one, and each figure is reported without a hole
    from its first report to its last, so an active account misses what lies after those.
    """
    expected = {
        metric: expected_months(figure, active=reports.active, latest=latest)
        for metric, figure in reports.figures.items()
    }
    if months is not None:
        return _gaps_month_by_month(reports.account_id, expected, months)
    if needs_months(reports):
        raise ValueError(f"account {reports.account_id} has holes in its reports: its months are needed")
    gaps = []
    if not reports.active:
        return gaps  # every figure reported without a hole up to its last report, and not expected after
    if reports.last < latest:
        gaps.append(Gap(reports.account_id, add_months(reports.last, 1), latest))
    for metric in METRICS:
        figure = reports.figures.get(metric)
        if figure is not None and figure.last < reports.last:
            gaps.append(Gap(reports.account_id, add_months(figure.last, 1), reports.last, metric))
    return gaps


def _gaps_month_by_month(
    account_id: int, expected: dict[str, tuple[date, date]], months: Mapping[date, Iterable[str]]
) -> list[Gap]:
    if not expected:
        return []
    gaps = []
    period, end = min(first for first, _last in expected.values()), max(last for _first, last in expected.values())
    while period <= end:
        due = [
            metric for metric in METRICS if metric in expected and expected[metric][0] <= period <= expected[metric][1]
        ]
        if due and period not in months:
            gaps.append(Gap(account_id, period, period))
        elif due:
            reported = set(months[period])
            gaps += [Gap(account_id, period, period, metric) for metric in due if metric not in reported]
        period = add_months(period, 1)
    return gaps


@dataclass(frozen=True)
class MonthGaps:
    """One month that is not fully entered: the accounts with no snapshot in it, and the accounts whose
    snapshot leaves expected figures empty (with those figures, in the usual order)."""

    period: date
    missing: list[int]
    figures: dict[int, tuple[str, ...]]


@dataclass(frozen=True)
class IncompleteMonths:
    """The months not fully entered: the newest few in detail (newest first), how many in all, the earliest."""

    months: list[MonthGaps]
    count: int
    earliest: date | None


def _index(period: date) -> int:
    return period.year * 12 + period.month - 1


def _month(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def incomplete_months(
    gaps: Iterable[Gap], *, months_at_most: int, account_order: Callable[[int], object] | None = None
) -> IncompleteMonths:
    """The months that these gaps leave incomplete, the newest `months_at_most` of them in detail, their
    accounts in `account_order` (by account id by default).

    Gaps are runs of months, so the months are counted by merging the runs, and only the listed months are
    spelled out account by account: the work follows the gaps and the months listed, not the years covered.
    """
    gaps = list(gaps)
    if not gaps:
        return IncompleteMonths(months=[], count=0, earliest=None)
    runs = sorted((_index(gap.first), _index(gap.last)) for gap in gaps)
    merged: list[list[int]] = []
    for first, last in runs:
        if merged and first <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], last)
        else:
            merged.append([first, last])
    count = sum(last - first + 1 for first, last in merged)
    listed: list[int] = []
    for first, last in reversed(merged):
        wanted = months_at_most - len(listed)
        if wanted <= 0:
            break
        listed += range(last, max(first, last - wanted + 1) - 1, -1)
    missing: dict[int, set[int]] = defaultdict(set)
    empty: dict[int, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    if listed:
        oldest_listed = listed[-1]
        for gap in gaps:
            for index in range(max(_index(gap.first), oldest_listed), _index(gap.last) + 1):
                if gap.figure is None:
                    missing[index].add(gap.account_id)
                else:
                    empty[index][gap.account_id].add(gap.figure)
    order = account_order or (lambda account_id: account_id)
    months = []
    for index in listed:
        # An account with no snapshot in a month has nothing to leave empty in it.
        figures = {
            account_id: tuple(metric for metric in METRICS if metric in left_empty)
            for account_id, left_empty in empty[index].items()
            if account_id not in missing[index]
        }
        months.append(
            MonthGaps(
                period=_month(index),
                missing=sorted(missing[index], key=order),
                figures=dict(sorted(figures.items(), key=lambda item: order(item[0]))),
            )
        )
    return IncompleteMonths(months=months, count=count, earliest=_month(merged[0][0]))


@dataclass(frozen=True)
class MonthMissing:
    """A month not fully entered: the accounts with no figures for it, and the accounts whose figures leave
    an expected figure empty (with those figures, in the usual order). The first `accounts_at_most` of
    each, in the admin's order of accounts, with their platforms, and how many there are in all."""

    period: date
    accounts: list[Account]
    accounts_count: int
    figures: list[tuple[Account, tuple[str, ...]]]
    figures_count: int


@dataclass(frozen=True)
class MissingReports:
    """What staff have still to enter, up to `latest`, the latest month of any figures: the newest months
    not fully entered (newest first), how many such months there are in all, and the earliest of them.
    `shared_platform_ids` are the platforms with several accounts, whose accounts are named, not just
    their platform."""

    months: list[MonthMissing]
    incomplete_months: int
    earliest: date | None
    latest: date | None
    shared_platform_ids: frozenset[int]
    # The earliest month an active account has not entered at all: what the month grid (which lists the
    # active accounts) can fill. A figure left out, or an inactive account's old hole, is listed, not this.
    earliest_to_enter: date | None = None


# --- How far each month shown has been entered, per platform -----------------------------------------


def latest_month(rows: list[PlatformMonthTotal]) -> date | None:
    return max((row.period for row in rows), default=None)


@dataclass(frozen=True)
class MonthCoverage:
    """How far a month has been entered: accounts that have reported, of those expected to."""

    period: date
    entered: int
    expected: int
    missing_figures: frozenset[str] = frozenset()  # figures some account expected to report left out

    @property
    def figures_complete(self) -> bool:
        """Every expected figure reported, too (an account may enter a month with a figure left out)."""
        return not self.missing_figures

    @property
    def complete(self) -> bool:
        """Every account expected this month has entered it: the month the dashboard shows by default. Not
        every figure, so that an account that stops counting one does not hold the page at an old month
        (the figure's own coverage says what it lacks)."""
        return self.entered >= self.expected


def month_coverage(rows: list[PlatformMonthTotal], platform_ids: list[int], coverage: Coverage) -> list[MonthCoverage]:
    """Every month of `rows`, oldest first, with how many accounts of `platform_ids` have entered it.

    The accounts counted are, per platform, those of its most widely reported figure (every account
    reports views); the month's figures are complete when every account expected to report each figure has.
    """
    by_month: dict[date, dict[int, PlatformMonthTotal]] = defaultdict(dict)
    for row in rows:
        by_month[row.period][row.platform_id] = row
    months = []
    for period, platforms in sorted(by_month.items()):
        entered = expected = 0
        missing = set()
        for platform_id in platform_ids:
            row = platforms.get(platform_id)
            # The row holds its expected counts already; a platform with no row that month is looked up.
            wanted = row.expected if row else {m: coverage.expected(platform_id, m, period) for m in metrics.METRICS}
            got = {metric: row.reporting[metric] if row else 0 for metric in metrics.METRICS}
            missing |= {metric for metric in metrics.METRICS if got[metric] < wanted[metric]}
            expected += max(wanted.values())
            entered += max(got.values())
        months.append(
            MonthCoverage(period=period, entered=entered, expected=expected, missing_figures=frozenset(missing))
        )
    return months


def latest_complete(months: list[MonthCoverage]) -> date | None:
    return max((month.period for month in months if month.complete), default=None)


def platforms_of(rows: list[PlatformMonthTotal], platforms: list[Platform], coverage: Coverage) -> list[Platform]:
    """The platforms (in their order) with figures among `rows`, or expected to have some in their latest
    month: a platform whose accounts have not entered the months read (`start` is later) still counts."""
    shown = {row.platform_id for row in rows}
    latest = latest_month(rows)
    if latest is not None:
        shown |= {
            group_id
            for group_id in coverage.groups()
            if any(coverage.expected(group_id, metric, latest) for metric in metrics.METRICS)
        }
    return [platform for platform in platforms if platform.pk in shown]


def month_shown(months: list[MonthCoverage], *, latest: date | None, end_chosen: bool) -> date | None:
    """The month a page shows: with no end chosen, the latest complete month (later ones are still being
    entered: the page says so); else, or when no month is complete, the latest month read."""
    complete = latest_complete(months)
    if latest is not None and not end_chosen and complete is not None and complete < latest:
        return complete
    return latest


def report_month_due(
    today: date, *, send_day: int, last_month_has_figures: bool, last_month_complete: bool, latest_earlier: date | None
) -> date | None:
    """The month whose report is due on `today`: last month as soon as every active account has reported it,
    or from `send_day` of this month with what is missing stated, whichever comes first; until then, the latest
    earlier month with figures (whose own day has passed). A month with no figures at all has no report.
    None when no month before this one has figures."""
    last_month = add_months(date(today.year, today.month, 1), -1)
    if last_month_has_figures and (last_month_complete or today.day >= send_day):
        return last_month
    return latest_earlier
