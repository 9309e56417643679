"""The dashboard's reads, in one call (`dashboard_reads`): the accounts in scope, the totals per platform and
month with their coverage, the increments of one figure, the month shown, its milestones and the accounts
the summary describes.

Past 350 lines because the totals are read two ways that must agree: from the kept monthly totals
(every account) and computed from the accounts' snapshots (chosen accounts, a line per account), both
turned into the same rows here.
"""

import dataclasses
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import OuterRef, Subquery, Sum

from outreach import metrics, monthly_totals
from outreach.coverage import MonthCoverage, latest_month, month_coverage, month_shown, platforms_of
from outreach.models import Account, MetricSnapshot, Milestone, Platform
from outreach.monthly_totals import AccountMonth, Increment, Pairs, PlatformMonthTotal
from outreach.months import add_months
from outreach.selectors.scope import (
    Scope,
    accounts_in,
    milestones_in,
    monthly_totals_in,
    scope_account_count,
    scope_accounts,
    snapshots_in,
)
from outreach.selectors.targets import TargetReads, target_reads
from outreach.selectors.totals import scope_timelines

# Past these, a line per account and a sentence per account stop being readable (and cheap).
LINES_PER_ACCOUNT_AT_MOST = 50
SUMMARY_ACCOUNTS_AT_MOST = 20


@dataclass(frozen=True)
class DashboardReads:
    """Everything the dashboard shows, as read: `display.dashboard` builds the page from it."""

    scope: "Scope"  # as shown: ending at the month shown
    accounts: list[Account]  # the first LINES_PER_ACCOUNT_AT_MOST + 1 accounts in scope, with their platforms
    account_total: int
    by: str  # "platform", or "account" with few enough accounts
    lines_per_account_at_most: int
    platforms: list[Platform]  # those with figures, or expected to have some
    months: "DashboardMonths"  # up to the month shown, with its like-for-like pairs
    entered: list[MonthCoverage]  # every month read, with how far it is entered
    latest: date | None  # the latest month read
    shown: date | None  # the month shown: the latest complete one unless an end is chosen
    milestones: list[Milestone]
    summarised_accounts: list[Account]  # the first SUMMARY_ACCOUNTS_AT_MOST accounts, which the summary describes
    summarised: list[MetricSnapshot]  # the latest snapshot of each of them (those with figures)
    has_figures: bool  # whether any snapshot exists at all (for the empty state)
    targets: TargetReads | None = None  # the targets of the shown month's year, with what their progress needs
    # From the first month, where the scope starts later: a forecast reads the whole history, not the months shown.
    history: "DashboardMonths | None" = None


def dashboard_reads(
    scope: Scope,
    *,
    metric: str,
    by: str,
    platforms: list[Platform],
    every_account: int,
    end_chosen: bool,
    monthly: bool = True,
) -> DashboardReads:
    """What the dashboard shows for `scope`: a few queries, whatever the number of accounts (kept totals)."""
    accounts = scope_accounts(
        scope, limit=LINES_PER_ACCOUNT_AT_MOST + 1, platforms=platforms, every_account=every_account
    )
    account_total = len(accounts) if len(accounts) <= LINES_PER_ACCOUNT_AT_MOST else scope_account_count(scope)
    # Past so many accounts, lines per account give way to lines per platform (the page says so).
    drawn_by = "platform" if account_total > LINES_PER_ACCOUNT_AT_MOST else by
    months = dashboard_months(scope, metric=metric, by=drawn_by)
    shown_platforms = platforms_of(months.totals, platforms, months.coverage)
    entered = month_coverage(months.totals, [platform.pk for platform in shown_platforms], months.coverage)
    latest = latest_month(months.totals)
    shown = month_shown(entered, latest=latest, end_chosen=end_chosen)
    summarised_accounts = accounts[:SUMMARY_ACCOUNTS_AT_MOST]
    milestones, summarised, has_figures, targets, history = [], [], True, None, None
    if shown is None:
        has_figures = any_figures_recorded()
    else:
        if shown != latest:
            # Later months are still being entered: the page shows the latest complete one (and says so).
            months, scope = months.up_to(shown), dataclasses.replace(scope, end=shown)
        months = with_pairs(months, shown)
        milestones = dashboard_milestones(scope)
        summarised = latest_account_snapshots(
            Scope(account_ids=tuple(account.pk for account in summarised_accounts), start=scope.start, end=scope.end)
        )
        targets = target_reads(scope, shown)
        # Forecasts are drawn on the monthly chart only, and not in December (the year is over).
        if scope.start is not None and monthly and shown.month != 12:
            history = dashboard_months(dataclasses.replace(scope, start=None), metric=metric, by=drawn_by).up_to(shown)
    return DashboardReads(
        scope=scope,
        accounts=accounts,
        account_total=account_total,
        by=drawn_by,
        lines_per_account_at_most=LINES_PER_ACCOUNT_AT_MOST,
        platforms=shown_platforms,
        months=months,
        entered=entered,
        latest=latest,
        shown=shown,
        milestones=milestones,
        summarised_accounts=summarised_accounts,
        summarised=summarised,
        has_figures=has_figures,
        targets=targets,
        history=history,
    )


@dataclass(frozen=True)
class DashboardMonths:
    """What the dashboard draws from: per platform and month the totals, and the increments of one figure."""

    totals: list[PlatformMonthTotal]
    increments: list[Increment]
    account_months: list[AccountMonth]  # with a line per account: every snapshot in scope, oldest first
    coverage: monthly_totals.Coverage = field(default_factory=lambda: monthly_totals.Coverage({}))
    pairs_to_read: Scope | None = None  # read from the kept totals, for one month: `with_pairs`

    def up_to(self, last: date) -> "DashboardMonths":
        """The same months, ending at `last` (the latest complete month, when later ones are partial)."""
        return dataclasses.replace(
            self,
            totals=[row for row in self.totals if row.period <= last],
            increments=[row for row in self.increments if row.period <= last],
            account_months=[row for row in self.account_months if row.period <= last],
        )


def dashboard_months(scope: Scope, *, metric: str, by: str) -> DashboardMonths:
    """The totals per platform and month, and the increments of `metric` per platform (or account).

    Over every account they are read from the kept monthly totals (`MonthlyTotal`: a few thousand rows
    whatever the number of snapshots). For named accounts, or a line per account, they are computed
    from the accounts' snapshots (one query) by the arithmetic that keeps those totals.
    """
    kept_totals = scope.account_ids is None
    kept_increments = kept_totals and by == "platform"
    timelines = None if kept_increments else scope_timelines(scope)
    platform_cells = None
    if kept_totals:
        totals, coverage, kept_growth = _platform_month_totals_kept(scope, metric)
        pairs_to_read = scope
    else:
        every_cell = monthly_totals.timelines_contributions(timelines)
        coverage = _coverage_of_cells(every_cell)
        platform_cells = _from_start(every_cell, scope)
        totals = _platform_month_totals(platform_cells, coverage)
    account_months = []
    if kept_increments:
        increments = kept_growth
    else:
        if by == "account":
            account_months = [
                AccountMonth(
                    account_id=account_id,
                    period=row.period,
                    figures=row.figures,
                    approximate=row.approximate,
                    illustrative=row.illustrative,
                )
                for account_id, timeline in sorted(timelines.items())
                for row in sorted(timeline.rows, key=lambda row: row.period)
                if scope.includes_month(row.period)
            ]
            # Grouped by account rather than by platform.
            timelines = {
                account_id: monthly_totals.Timeline(group_id=account_id, rows=timeline.rows, active=timeline.active)
                for account_id, timeline in timelines.items()
            }
            cells = _from_start(monthly_totals.timelines_contributions(timelines), scope)
        else:
            cells = platform_cells  # named accounts, per platform: the cells the totals came from
        grown = sorted((key, cell) for key, cell in cells.items() if key[2] == metric)
        increments = [
            increment
            for (group_id, period, _metric), cell in grown
            if (increment := _increment(group_id, period, cell)) is not None
        ]
    return DashboardMonths(
        totals=totals,
        increments=increments,
        account_months=account_months,
        coverage=coverage,
        pairs_to_read=pairs_to_read if kept_totals else None,
    )


def with_pairs(months: DashboardMonths, period: date) -> DashboardMonths:
    """The same months, with the like-for-like pairs of `period` (the month the cards show) read from the
    kept totals where `dashboard_months` left them out (one small query); as they are otherwise."""
    scope = months.pairs_to_read
    if scope is None:
        return months
    columns = [f"{kind}_{column}" for kind in ("month", "year") for column in _PAIR_COLUMNS]
    rows = monthly_totals_in(Scope(platform_ids=scope.platform_ids, start=period, end=period))
    found: dict[int, dict] = defaultdict(lambda: {"month_pairs": {}, "year_pairs": {}})
    width = len(_PAIR_COLUMNS)
    for platform_id, metric, *pairs in rows.values_list("platform_id", "metric", *columns):
        for position, kind in enumerate(("month_pairs", "year_pairs")):
            count, base, growth, approximate, illustrative = pairs[position * width : (position + 1) * width]
            if count:
                found[platform_id][kind][metric] = Pairs(count, base, growth, approximate > 0, illustrative > 0)
    totals = [
        dataclasses.replace(row, **found[row.platform_id]) if row.period == period else row for row in months.totals
    ]
    return dataclasses.replace(months, totals=totals, pairs_to_read=None)


# The columns of a like-for-like pair, after "month_" or "year_".
_PAIR_COLUMNS = ("pairs", "pair_base", "pair_growth", "pair_approximate", "pair_illustrative")


def _from_start(cells: dict[monthly_totals.Key, list[int]], scope: Scope) -> dict:
    if scope.start:
        cells = {key: cell for key, cell in cells.items() if scope.includes_month(key[1])}
    return cells


def _coverage_of_cells(cells: dict[monthly_totals.Key, list[int]]) -> monthly_totals.Coverage:
    return monthly_totals.coverage_of(
        (group_id, period, metric, monthly_totals.first_reports(cell), cell[monthly_totals.AT["stops"]])
        for (group_id, period, metric), cell in cells.items()
    )


# What the dashboard reads of a cell, in this order.
_READ_COLUMNS = (
    "total",
    "reporting",
    "approximate",
    "illustrative",
    *(f"{kind}_{column}" for kind in ("month", "year") for column in _PAIR_COLUMNS),
)


def _platform_month_totals(cells: dict[monthly_totals.Key, list[int]], coverage) -> list[PlatformMonthTotal]:
    at = monthly_totals.AT
    months: dict[tuple[int, date], dict] = {}
    for (platform_id, period, metric), cell in sorted(cells.items()):
        if cell[at["reporting"]] > 0:
            _add_to_month(months, platform_id, period, metric, *(cell[at[name]] for name in _READ_COLUMNS))
    return _month_totals(months, coverage)


def _platform_month_totals_kept(
    scope: Scope, metric: str
) -> tuple[list[PlatformMonthTotal], monthly_totals.Coverage, list[Increment]]:
    """The kept totals in scope, their coverage, and the increments of `metric`: one query."""
    # Plain columns, grouped here: summing in SQL would cost a Python conversion per value. The
    # like-for-like pairs are left for `with_pairs`: the cards need them for one month only. The loop
    # unpacks each row by hand, as it runs for every one of thousands of kept rows.
    rows = (
        monthly_totals_in(scope)
        .order_by("platform_id", "period")
        .values_list(
            "platform_id",
            "period",
            "metric",
            "total",
            "reporting",
            "approximate",
            "illustrative",
            "growth_steps",
            "stops",
            *_GROWTH_COLUMNS,
        )
    )
    months: dict[tuple[int, date], dict] = {}
    starts_and_stops, increments = [], []
    for platform_id, period, row_metric, total, reporting, approximate, illustrative, steps, stops, *growth in rows:
        starts_and_stops.append((platform_id, period, row_metric, reporting - steps, stops))
        if reporting > 0:
            _add_to_month(months, platform_id, period, row_metric, total, reporting, approximate, illustrative)
        if row_metric == metric and steps > 0:
            increments.append(_increment_of(platform_id, period, steps, *growth))
    coverage = monthly_totals.coverage_of(starts_and_stops, _expected_before(scope))
    return _month_totals(months, coverage), coverage, increments


_GROWTH_COLUMNS = ("growth", "gaps", "gap_months", "growth_approximate", "growth_illustrative")


def _increment(group_id: int, period: date, cell: list[int]) -> Increment | None:
    """A cell's growth (a cell as a list in `monthly_totals.COLUMNS` order), if any."""
    steps = cell[monthly_totals.AT["growth_steps"]]
    if steps <= 0:
        return None
    return _increment_of(group_id, period, steps, *(cell[monthly_totals.AT[name]] for name in _GROWTH_COLUMNS))


def _increment_of(group_id, period, steps, growth, gaps, gap_months, approximate, illustrative) -> Increment:
    """The growth of `steps` accounts, from the `_GROWTH_COLUMNS` of a kept or computed cell."""
    return Increment(
        group_id=group_id,
        period=period,
        value=growth,
        gaps=gaps,
        gap_months=gap_months,
        approximate=approximate > 0,
        illustrative=illustrative > 0,
        accounts=steps,
    )


def _expected_before(scope: Scope) -> dict[tuple[int, str], int]:
    """How many accounts were expected to report each figure by the month before the scope's start."""
    if not scope.start:
        return {}
    earlier = monthly_totals_in(Scope(platform_ids=scope.platform_ids, end=add_months(scope.start, -1)))
    sums = earlier.values("platform_id", "metric").annotate(
        started=Sum("reporting") - Sum("growth_steps"), stopped=Sum("stops")
    )
    return {(row["platform_id"], row["metric"]): row["started"] - row["stopped"] for row in sums.order_by()}


def _add_to_month(months, platform_id, period, metric, total, reporting, approximate, illustrative, *pairs) -> None:
    month = months.get((platform_id, period))
    if month is None:
        month = months[(platform_id, period)] = {
            "totals": dict.fromkeys(metrics.METRICS),
            "reporting": dict.fromkeys(metrics.METRICS, 0),
            "flags": [0, 0],
            "month_pairs": {},
            "year_pairs": {},
        }
    month["totals"][metric] = total
    month["reporting"][metric] = reporting
    month["flags"][0] += approximate
    month["flags"][1] += illustrative
    if not pairs:
        return  # the kept totals' pairs are read for the month shown only (`with_pairs`)
    # The two kinds of `_PAIR_COLUMNS`, unpacked by hand: this runs for each of thousands of rows.
    count, base, growth, approximate_pairs, illustrative_pairs, *year = pairs
    if count:
        month["month_pairs"][metric] = Pairs(count, base, growth, approximate_pairs > 0, illustrative_pairs > 0)
    count, base, growth, approximate_pairs, illustrative_pairs = year
    if count:
        month["year_pairs"][metric] = Pairs(count, base, growth, approximate_pairs > 0, illustrative_pairs > 0)


def _month_totals(months, coverage: monthly_totals.Coverage) -> list[PlatformMonthTotal]:
    # Every snapshot reports at least one figure, so a month any snapshot is approximate (or
    # illustrative) in has a figure counting it.
    return [
        PlatformMonthTotal(
            platform_id=platform_id,
            period=period,
            totals=month["totals"],
            reporting=month["reporting"],
            approximate=month["flags"][0] > 0,
            illustrative=month["flags"][1] > 0,
            expected={metric: coverage.expected(platform_id, metric, period) for metric in metrics.METRICS},
            month_pairs=month["month_pairs"],
            year_pairs=month["year_pairs"],
        )
        for (platform_id, period), month in months.items()
    ]


def latest_account_snapshots(scope: Scope) -> list[MetricSnapshot]:
    """Each account's latest snapshot in scope, for the written summary (one query: an index probe per
    account, not a window over all their snapshots)."""
    latest = snapshots_in(scope.months()).filter(account=OuterRef("pk")).order_by("-period").values("pk")[:1]
    latest_pks = accounts_in(scope).annotate(latest_pk=Subquery(latest)).values("latest_pk")
    return list(
        MetricSnapshot.objects.filter(pk__in=latest_pks)
        .select_related("account__platform")
        .order_by("account__platform__display_order", "account_id")
    )


def dashboard_milestones(scope: Scope) -> list[Milestone]:
    """Milestones of the accounts in scope, and the museum's own, within the months shown."""
    return list(milestones_in(scope))


def any_figures_recorded() -> bool:
    """Whether any snapshot exists at all, for the dashboard's empty state."""
    return MetricSnapshot.objects.exists()
