"""Reads: every query the admin, the month grid and (later) the dashboard and reports need.

Plain functions that return rows or small value objects; no writes.
"""

import dataclasses
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from django.db.models import F, IntegerField, Max, Min, OuterRef, Q, Subquery, Sum, Window
from django.db.models.functions import Cast, ExtractMonth, ExtractYear, Lag, Lead
from django.urls import reverse
from django.utils.translation import gettext as _

from outreach import metrics, monthly_totals, numbers, rules
from outreach.history import is_restore_reason, reason_shown
from outreach.models import Account, MetricSnapshot, Milestone, MonthlyTotal, Platform
from outreach.months import add_months, first_of_month


def snapshot_history(*, account_id: int, period: date | None, exclude_pk: int | None = None) -> rules.AccountHistory:
    """What is recorded for an account around `period`, for the rule set (one query)."""
    if period is None:
        return rules.AccountHistory()
    rows = MetricSnapshot.objects.filter(account_id=account_id)
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    rows = list(rows.values_list("pk", "period", *metrics.CUMULATIVE_METRICS))
    others = [(row[1], dict(zip(metrics.CUMULATIVE_METRICS, row[2:], strict=True))) for row in rows if row[1] != period]
    history = rules.timeline_histories([*others, (period, {})])[period]
    existing_pk = next((row[0] for row in rows if row[1] == period), None)
    if existing_pk is None:
        return history
    return rules.AccountHistory(
        earlier=history.earlier,
        later=history.later,
        existing=rules.ExistingSnapshot(
            pk=existing_pk, url=reverse("admin:outreach_metricsnapshot_change", args=(existing_pk,))
        ),
    )


def snapshots_before(
    *, account_id: int, period: date, exclude_pk: int | None = None
) -> tuple[MetricSnapshot | None, MetricSnapshot | None]:
    """An account's two latest snapshots before `period` (latest first), None where there are fewer."""
    earlier = MetricSnapshot.objects.filter(account_id=account_id, period__lt=period).order_by("-period")
    if exclude_pk is not None:
        earlier = earlier.exclude(pk=exclude_pk)
    found = list(earlier[:2])
    return (found + [None, None])[0], (found + [None, None])[1]


@dataclass(frozen=True)
class MonthGridRow:
    """One active account in the month grid: its snapshot for the month (if any) and the two latest before it."""

    account: Account
    snapshot: MetricSnapshot | None
    previous: MetricSnapshot | None
    before_previous: MetricSnapshot | None


def month_grid_rows(*, period: date) -> list[MonthGridRow]:
    """The active accounts open by `period`, each with that month's snapshot and the latest earlier one.

    Three queries, whatever the number of accounts.
    """
    earlier = MetricSnapshot.objects.filter(account=OuterRef("pk"), period__lt=period).order_by("-period").values("pk")
    accounts = list(
        Account.objects.active()
        .filter(opened_on__lt=add_months(first_of_month(period), 1))
        .select_related("platform")
        .annotate(previous_pk=Subquery(earlier[:1]), before_previous_pk=Subquery(earlier[1:2]))
    )
    earlier_pks = [pk for a in accounts for pk in (a.previous_pk, a.before_previous_pk) if pk]
    by_pk = {
        s.pk: s for s in MetricSnapshot.objects.filter(Q(account__in=accounts, period=period) | Q(pk__in=earlier_pks))
    }
    this_month = {s.account_id: s for s in by_pk.values() if s.period == period}
    return [
        MonthGridRow(
            account=account,
            snapshot=this_month.get(account.pk),
            previous=by_pk.get(account.previous_pk),
            before_previous=by_pk.get(account.before_previous_pk),
        )
        for account in accounts
    ]


def snapshot_years() -> list[int]:
    """The years from the first figures to the last, newest first, for the admin's year filter.

    Two index lookups rather than a DISTINCT over every snapshot.
    """
    first = MetricSnapshot.objects.order_by("period").values_list("period", flat=True).first()
    last = latest_period()
    return list(range(last.year, first.year - 1, -1)) if first and last else []


def latest_period() -> date | None:
    """The latest month with any figure."""
    return MetricSnapshot.objects.order_by("-period").values_list("period", flat=True).first()


def month_grid_default_period(*, today: date, missing: "MissingReports | None" = None) -> date:
    """The month staff most likely enter next: the earliest month some active account has still to enter
    (as `missing`, from `missing_reports`, says), else the one after the latest figures, at most the month
    just ended."""
    if missing is not None and missing.earliest_to_enter is not None:
        return missing.earliest_to_enter
    last_month = add_months(first_of_month(today), -1)
    latest = latest_period()
    return last_month if latest is None else min(add_months(latest, 1), last_month)


# --- The dashboard's reads -------------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardScope:
    """Which accounts and months the dashboard and the reports read.

    None means no restriction: every account (of the chosen platforms), every platform. The scope is
    kept as conditions, not as a list of every account, so that it stays small at national scale.
    """

    account_ids: tuple[int, ...] | None = None
    platform_ids: tuple[int, ...] | None = None
    start: date | None = None
    end: date | None = None


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


def dashboard_accounts() -> list[Account]:
    """Every account, with its platform: the filters' choices (while there are few)."""
    return list(Account.objects.select_related("platform"))


def account_count() -> int:
    return Account.objects.count()


def _accounts_in_scope(scope: DashboardScope):
    accounts = Account.objects.all()
    if scope.account_ids is not None:
        accounts = accounts.filter(pk__in=scope.account_ids)
    if scope.platform_ids is not None:
        accounts = accounts.filter(platform_id__in=scope.platform_ids)
    return accounts


def scope_accounts(
    scope: DashboardScope, *, limit: int, platforms: list[Platform], every_account: int
) -> list[Account]:
    """The first `limit` accounts in scope, in the order of `platforms` (every platform, in order), with
    their platforms. `every_account` is how many accounts there are in all."""
    if scope.account_ids is not None or every_account <= limit:
        return list(_accounts_in_scope(scope).select_related("platform")[:limit])
    # Many accounts: read platform by platform off the (platform, name) index, so that the first page
    # of 30,000 accounts is not joined and sorted whole. A query per platform until the page is full.
    accounts: list[Account] = []
    for platform in platforms:
        if scope.platform_ids is not None and platform.pk not in scope.platform_ids:
            continue
        found = list(Account.objects.filter(platform=platform).order_by("name")[: limit - len(accounts)])
        for account in found:
            account.platform = platform
        accounts += found
        if len(accounts) >= limit:
            break
    return accounts


def scope_account_count(scope: DashboardScope) -> int:
    return _accounts_in_scope(scope).count()


def existing_account_ids(account_ids: list[int]) -> set[int]:
    """Which of these account numbers exist."""
    return set(Account.objects.filter(pk__in=account_ids).order_by().values_list("pk", flat=True))


def _in_scope(scope: DashboardScope, *, up_to_end_only: bool = False):
    rows = MetricSnapshot.objects.all()
    if scope.account_ids is not None:
        rows = rows.filter(account_id__in=scope.account_ids)
    if scope.platform_ids is not None:
        rows = rows.filter(account__platform_id__in=scope.platform_ids)
    if scope.start and not up_to_end_only:
        rows = rows.filter(period__gte=scope.start)
    if scope.end:
        rows = rows.filter(period__lte=scope.end)
    return rows


@dataclass(frozen=True)
class DashboardMonths:
    """What the dashboard draws from: per platform and month the totals, and the increments of one figure."""

    totals: list[PlatformMonthTotal]
    increments: list[Increment]
    account_months: list[AccountMonth]  # with a line per account: every snapshot in scope, oldest first
    coverage: monthly_totals.Coverage = field(default_factory=lambda: monthly_totals.Coverage({}))
    pairs_to_read: DashboardScope | None = None  # read from the kept totals, for one month: `with_pairs`

    def up_to(self, last: date) -> "DashboardMonths":
        """The same months, ending at `last` (the latest complete month, when later ones are partial)."""
        return dataclasses.replace(
            self,
            totals=[row for row in self.totals if row.period <= last],
            increments=[row for row in self.increments if row.period <= last],
            account_months=[row for row in self.account_months if row.period <= last],
        )


def dashboard_months(scope: DashboardScope, *, metric: str, by: str) -> DashboardMonths:
    """The totals per platform and month, and the increments of `metric` per platform (or account).

    Over every account they are read from the kept monthly totals (`MonthlyTotal`: a few thousand rows
    whatever the number of snapshots). For named accounts, or a line per account, they are computed
    from the accounts' snapshots (one query) by the arithmetic that keeps those totals.
    """
    kept_totals = scope.account_ids is None
    kept_increments = kept_totals and by == "platform"
    timelines = None if kept_increments else _scope_timelines(scope)
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
                if scope.start is None or row.period >= scope.start
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
    rows = _monthly_totals_rows(DashboardScope(platform_ids=scope.platform_ids)).filter(period=period)
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


def _scope_timelines(scope: DashboardScope) -> dict[int, monthly_totals.Timeline]:
    """The snapshots of the accounts in scope up to its end (earlier months give the first growth)."""
    accounts = _accounts_in_scope(scope).order_by().values_list("pk", "platform_id", "is_active")
    timelines = {
        pk: monthly_totals.Timeline(group_id=platform_id, active=active) for pk, platform_id, active in accounts
    }
    rows = MetricSnapshot.objects.filter(account_id__in=timelines).order_by()
    if scope.end:
        rows = rows.filter(period__lte=scope.end)
    _add_timeline_rows(timelines, rows)
    return timelines


def _timeline_row(period: date, figures: list, approximate: bool, illustrative: bool) -> monthly_totals.TimelineRow:
    return monthly_totals.TimelineRow(
        period=period,
        figures=dict(zip(metrics.METRICS, figures, strict=True)),
        approximate=approximate,
        illustrative=illustrative,
    )


def _add_timeline_rows(timelines: dict[int, monthly_totals.Timeline], snapshots) -> None:
    """Append these snapshots to their accounts' timelines."""
    fields = ("account_id", "period", *metrics.METRICS, "approximate", "is_illustrative")
    for account_id, period, *figures, approximate, illustrative in snapshots.values_list(*fields):
        timelines[account_id].rows.append(_timeline_row(period, figures, approximate, illustrative))


def _from_start(cells: dict[monthly_totals.Key, list[int]], scope: DashboardScope) -> dict:
    if scope.start:
        cells = {key: cell for key, cell in cells.items() if key[1] >= scope.start}
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
    scope: DashboardScope, metric: str
) -> tuple[list[PlatformMonthTotal], monthly_totals.Coverage, list[Increment]]:
    """The kept totals in scope, their coverage, and the increments of `metric`: one query."""
    # Plain columns, grouped here: summing in SQL would cost a Python conversion per value. The
    # like-for-like pairs are left for `with_pairs`: the cards need them for one month only. The loop
    # unpacks each row by hand, as it runs for every one of thousands of kept rows.
    rows = (
        _monthly_totals_rows(scope)
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


def _expected_before(scope: DashboardScope) -> dict[tuple[int, str], int]:
    """How many accounts were expected to report each figure by the month before the scope's start."""
    if not scope.start:
        return {}
    earlier = MonthlyTotal.objects.filter(period__lt=scope.start)
    if scope.platform_ids is not None:
        earlier = earlier.filter(platform_id__in=scope.platform_ids)
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


def _monthly_totals_sql(metric: str) -> tuple[str, list]:
    """One SELECT of `monthly_totals.COLUMNS` per platform and month, from every snapshot (for the rebuild).

    Each account's growth is its figure minus its previous reported one (a window over its snapshots
    that report the metric), then everything is summed per platform and month, so that the rows returned
    are few whatever the number of snapshots. The same arithmetic as `monthly_totals.contributions`,
    in SQL: a rebuild reads 3.6 million snapshots in seconds, not minutes.
    """
    month_index = ExtractYear("period") * 12 + ExtractMonth("period")
    by_account = {"partition_by": F("account_id"), "order_by": F("period").asc()}
    flag = {"output_field": IntegerField()}
    steps = (
        MetricSnapshot.objects.order_by()
        .filter(**{f"{metric}__isnull": False})
        .annotate(
            group_id=F("account__platform_id"),
            value=F(metric),
            month_index=month_index,
            flagged_approximate=Cast("approximate", **flag),
            flagged_illustrative=Cast("is_illustrative", **flag),
            flagged_active=Cast("account__is_active", **flag),
            previous_value=Window(Lag(metric), **by_account),
            previous_index=Window(Lag(month_index), **by_account),
            previous_approximate=Window(Lag(Cast("approximate", **flag)), **by_account),
            previous_illustrative=Window(Lag(Cast("is_illustrative", **flag)), **by_account),
            next_index=Window(Lead(month_index), **by_account),
        )
        .values(
            "account_id",
            "group_id",
            "period",
            "value",
            "month_index",
            "flagged_approximate",
            "flagged_illustrative",
            "flagged_active",
            "previous_value",
            "previous_index",
            "previous_approximate",
            "previous_illustrative",
            "next_index",
        )
    )
    inner, params = steps.query.sql_with_params()
    # The same account's figure exactly twelve months earlier, where it reported one (Django's frames
    # cannot say "12 PRECEDING" for both ends).
    year = "OVER (PARTITION BY account_id ORDER BY month_index RANGE BETWEEN 12 PRECEDING AND 12 PRECEDING)"
    month_pair = "month_index - previous_index = 1"
    query = f"""
        SELECT group_id, period,
               CAST(SUM(value) AS BIGINT) AS total,
               CAST(COUNT(*) AS BIGINT) AS reporting,
               CAST(SUM(flagged_approximate) AS BIGINT) AS approximate,
               CAST(SUM(flagged_illustrative) AS BIGINT) AS illustrative,
               CAST(COALESCE(SUM(value - previous_value), 0) AS BIGINT) AS growth,
               CAST(COUNT(previous_value) AS BIGINT) AS growth_steps,
               CAST(SUM(CASE WHEN month_index - previous_index > 1 THEN 1 ELSE 0 END) AS BIGINT) AS gaps,
               CAST(SUM(CASE WHEN month_index - previous_index > 1 THEN month_index - previous_index ELSE 0 END)
                    AS BIGINT) AS gap_months,
               CAST(SUM(CASE WHEN previous_value IS NOT NULL AND flagged_approximate + previous_approximate > 0
                             THEN 1 ELSE 0 END) AS BIGINT) AS growth_approximate,
               CAST(SUM(CASE WHEN previous_value IS NOT NULL AND flagged_illustrative + previous_illustrative > 0
                             THEN 1 ELSE 0 END) AS BIGINT) AS growth_illustrative,
               CAST(SUM(CASE WHEN next_index IS NULL THEN 1 - flagged_active ELSE 0 END) AS BIGINT) AS stops,
               CAST(SUM(CASE WHEN {month_pair} THEN 1 ELSE 0 END) AS BIGINT) AS month_pairs,
               CAST(SUM(CASE WHEN {month_pair} THEN previous_value ELSE 0 END) AS BIGINT) AS month_pair_base,
               CAST(SUM(CASE WHEN {month_pair} THEN value - previous_value ELSE 0 END) AS BIGINT)
                    AS month_pair_growth,
               CAST(SUM(CASE WHEN {month_pair} AND flagged_approximate + previous_approximate > 0
                             THEN 1 ELSE 0 END) AS BIGINT) AS month_pair_approximate,
               CAST(SUM(CASE WHEN {month_pair} AND flagged_illustrative + previous_illustrative > 0
                             THEN 1 ELSE 0 END) AS BIGINT) AS month_pair_illustrative,
               CAST(COUNT(year_value) AS BIGINT) AS year_pairs,
               CAST(COALESCE(SUM(year_value), 0) AS BIGINT) AS year_pair_base,
               CAST(COALESCE(SUM(value - year_value), 0) AS BIGINT) AS year_pair_growth,
               CAST(SUM(CASE WHEN year_value IS NOT NULL AND flagged_approximate + year_approximate > 0
                             THEN 1 ELSE 0 END) AS BIGINT) AS year_pair_approximate,
               CAST(SUM(CASE WHEN year_value IS NOT NULL AND flagged_illustrative + year_illustrative > 0
                             THEN 1 ELSE 0 END) AS BIGINT) AS year_pair_illustrative
        FROM (
            SELECT steps.*,
                   FIRST_VALUE(value) {year} AS year_value,
                   FIRST_VALUE(flagged_approximate) {year} AS year_approximate,
                   FIRST_VALUE(flagged_illustrative) {year} AS year_illustrative
            FROM ({inner}) AS steps
        ) AS paired
        GROUP BY group_id, period
    """  # noqa: S608 (the inner query is Django's, compiled with parameters)
    return query, list(params)


def _monthly_totals_rows(scope: DashboardScope):
    """The kept monthly totals in scope (for scopes that do not name accounts)."""
    rows = MonthlyTotal.objects.all()
    if scope.platform_ids is not None:
        rows = rows.filter(platform_id__in=scope.platform_ids)
    if scope.start:
        rows = rows.filter(period__gte=scope.start)
    if scope.end:
        rows = rows.filter(period__lte=scope.end)
    return rows


def latest_account_snapshots(scope: DashboardScope) -> list[MetricSnapshot]:
    """Each account's latest snapshot in scope, for the written summary (one query: an index probe per
    account, not a window over all their snapshots)."""
    latest = (
        _in_scope(DashboardScope(start=scope.start, end=scope.end))
        .filter(account=OuterRef("pk"))
        .order_by("-period")
        .values("pk")[:1]
    )
    latest_pks = _accounts_in_scope(scope).annotate(latest_pk=Subquery(latest)).values("latest_pk")
    return list(
        MetricSnapshot.objects.filter(pk__in=latest_pks)
        .select_related("account__platform")
        .order_by("account__platform__display_order", "account_id")
    )


def dashboard_milestones(scope: DashboardScope) -> list[Milestone]:
    """Milestones of the accounts in scope, and the museum's own, within the months shown."""
    start, end = scope.start, scope.end
    of_accounts = Q(account__isnull=False)
    if scope.account_ids is not None:
        of_accounts &= Q(account_id__in=scope.account_ids)
    if scope.platform_ids is not None:
        of_accounts &= Q(account__platform_id__in=scope.platform_ids)
    milestones = Milestone.objects.filter(Q(account__isnull=True) | of_accounts)
    if start:
        milestones = milestones.filter(date__gte=start)
    if end:
        milestones = milestones.filter(date__lt=add_months(end, 1))
    return list(milestones)


def any_figures_recorded() -> bool:
    """Whether any snapshot exists at all, for the dashboard's empty state."""
    return MetricSnapshot.objects.exists()


# --- The kept monthly totals ------------------------------------------------------------------------


def account_timelines(
    account_ids: set[int], *, first: date | None = None, last: date | None = None
) -> dict[int, monthly_totals.Timeline]:
    """What the monthly totals need of these accounts to follow a change between `first` and `last`:
    each account's platform and whether it is active; its snapshots in those months and, for each figure,
    the nearest snapshot reporting it on either side; and, for the twelve-month pairs, its snapshots
    twelve months either side of those months. Without months, every snapshot. A few queries per 900
    accounts.
    """
    timelines: dict[int, monthly_totals.Timeline] = {}
    account_ids = sorted(account_ids)
    for start in range(0, len(account_ids), _ACCOUNTS_PER_QUERY):
        batch = account_ids[start : start + _ACCOUNTS_PER_QUERY]
        accounts = Account.objects.filter(pk__in=batch)
        snapshots = MetricSnapshot.objects.filter(account_id__in=batch)
        if first is None or last is None:
            for pk, platform_id, active in accounts.values_list("pk", "platform_id", "is_active"):
                timelines[pk] = monthly_totals.Timeline(group_id=platform_id, active=active)
            _add_timeline_rows(timelines, snapshots)
            continue
        nearest = {}
        for metric in metrics.METRICS:
            reported = MetricSnapshot.objects.filter(account=OuterRef("pk"), **{f"{metric}__isnull": False})
            before = reported.filter(period__lt=first).order_by("-period").values("pk")[:1]
            after = reported.filter(period__gt=last).order_by("period").values("pk")[:1]
            nearest[f"before_{metric}"], nearest[f"after_{metric}"] = Subquery(before), Subquery(after)
        rows = list(accounts.annotate(**nearest).values("pk", "platform_id", "is_active", *nearest))
        neighbours = {row[name] for row in rows for name in nearest if row[name] is not None}
        for row in rows:
            timelines[row["pk"]] = monthly_totals.Timeline(group_id=row["platform_id"], active=row["is_active"])
            timelines[row["pk"]].year_rows = []
        # A change of month M changes the pairs (M - 12, M) and (M, M + 12), whatever lies between.
        years = [
            (add_months(first, -12), add_months(last, -12)),
            (first, last),
            (add_months(first, 12), add_months(last, 12)),
        ]
        in_years = Q()
        for low, high in years:
            in_years |= Q(period__range=(low, high))
        fields = ("pk", "account_id", "period", *metrics.METRICS, "approximate", "is_illustrative")
        for pk, account_id, period, *figures, approximate, illustrative in snapshots.filter(
            in_years | Q(pk__in=neighbours)
        ).values_list(*fields):
            row = _timeline_row(period, figures, approximate, illustrative)
            timeline = timelines[account_id]
            if first <= period <= last or pk in neighbours:
                timeline.rows.append(row)
            if any(low <= period <= high for low, high in years):
                timeline.year_rows.append(row)
    return timelines


def monthly_totals_rebuild_queries() -> list[tuple[str, list]]:
    """One SELECT per metric of every platform's monthly totals, computed from all the snapshots:
    (platform id, month, metric, *monthly_totals.COLUMNS)."""
    queries = []
    for metric in metrics.METRICS:
        query, params = _monthly_totals_sql(metric)
        columns = ", ".join(monthly_totals.COLUMNS)
        queries.append((f"SELECT group_id, period, %s, {columns} FROM ({query}) AS figures", [metric, *params]))  # noqa: S608
    return queries


# --- Reports ---------------------------------------------------------------------------------------

_EXPORT_ORDER = ("account__platform__display_order", "account__platform__slug", "account__name", "period")
_EXPORT_FIELDS = ("account__platform__slug", "account__name", "period", *metrics.METRICS, "approximate", "note")


def export_period_range(scope: DashboardScope) -> tuple[date | None, date | None]:
    """The first and last month with figures in scope."""
    bounds = _in_scope(scope).aggregate(first=Min("period"), last=Max("period"))
    return bounds["first"], bounds["last"]


def snapshot_export_rows(scope: DashboardScope, *, increments: bool = False):
    """The snapshot report's rows, read lazily: the columns of `reports.SNAPSHOT_COLUMNS`, then, with
    `increments`, each figure's growth since the account's previous snapshot and the months between."""
    rows = _in_scope(scope, up_to_end_only=increments)
    return _export_rows(rows, increments=increments, start=scope.start)


def selected_snapshot_rows(snapshots):
    """The snapshot report's rows for snapshots chosen one by one (the admin's export action)."""
    return _export_rows(snapshots, increments=False, start=None)


def _export_rows(rows, *, increments: bool, start: date | None):
    rows = rows.order_by(*_EXPORT_ORDER)
    if not increments:
        return rows.values_list(*_EXPORT_FIELDS, "is_illustrative").iterator(chunk_size=5000)
    by_account = {"partition_by": F("account_id"), "order_by": F("period").asc()}
    lagged = rows.annotate(
        previous_period=Window(Lag("period"), **by_account),
        previous_illustrative=Window(Lag("is_illustrative"), **by_account),
        **{f"previous_{metric}": Window(Lag(metric), **by_account) for metric in metrics.METRICS},
    ).values_list(
        *_EXPORT_FIELDS,
        "is_illustrative",
        "previous_period",
        "previous_illustrative",
        *(f"previous_{metric}" for metric in metrics.METRICS),
    )
    return _with_increments(lagged.iterator(chunk_size=5000), start=start)


def _with_increments(rows, *, start: date | None):
    width = len(_EXPORT_FIELDS) + 1
    for row in rows:
        period = row[2]
        if start and period < start:
            continue
        previous_period, previous_illustrative, previous = row[width], row[width + 1], row[width + 2 :]
        growth = tuple(
            (now - before) if now is not None and before is not None else None
            for now, before in zip(row[3:7], previous, strict=True)
        )
        if previous_period is None:
            yield (*row[:width], *growth, None, None)
            continue
        months = (period.year - previous_period.year) * 12 + period.month - previous_period.month
        # A growth computed from an illustrative figure, either end, is illustrative too.
        illustrative = bool(row[width - 1] or previous_illustrative)
        yield (*row[:width], *growth, months, illustrative)


@dataclass(frozen=True)
class AccountYear:
    """An account's latest snapshot and the one a year before it, for the summary report."""

    latest: MetricSnapshot
    year_before: MetricSnapshot | None


def account_year_summaries(scope: DashboardScope) -> list[AccountYear]:
    """Each account's latest snapshot in scope and its snapshot twelve months earlier (two queries)."""
    latest = list(
        _in_scope(scope)
        .select_related("account__platform")
        .annotate(latest_period=Window(Max("period"), partition_by=F("account_id")))
        .filter(period=F("latest_period"))
        .order_by(*_EXPORT_ORDER)
    )
    wanted = {(snapshot.account_id, add_months(snapshot.period, -12)) for snapshot in latest}
    earlier = MetricSnapshot.objects.filter(
        account_id__in={account_id for account_id, _period in wanted},
        period__in={period for _account_id, period in wanted},
    )
    by_key = {(snapshot.account_id, snapshot.period): snapshot for snapshot in earlier}
    return [
        AccountYear(latest=snapshot, year_before=by_key.get((snapshot.account_id, add_months(snapshot.period, -12))))
        for snapshot in latest
    ]


def import_accounts() -> list[Account]:
    """Every account with its platform: what an imported file may name."""
    return list(Account.objects.select_related("platform"))


@dataclass
class ImportContext:
    """What an import is checked against: the snapshots at the file's months, and around them.

    `existing` maps (account id, month) to the snapshot recorded there; `timelines` maps each account to
    the figures of its months that the rule set compares with: every month within the file's range, and
    for each cumulative figure the nearest reported month before and after it.
    """

    existing: dict[tuple[int, date], MetricSnapshot]
    timelines: dict[int, dict[date, dict[str, int | None]]]


# SQLite refuses more than a few thousand parameters in one query.
_ACCOUNTS_PER_QUERY = 900


def import_context(keys: set[tuple[int, date]]) -> ImportContext:
    """The snapshots an import of these (account id, month) keys is checked against (a few queries per
    900 accounts), without reading every month of every account."""
    context = ImportContext(existing={}, timelines=defaultdict(dict))
    if not keys:
        return context
    first, last = min(period for _account, period in keys), max(period for _account, period in keys)
    account_ids = sorted({account_id for account_id, _period in keys})
    for start in range(0, len(account_ids), _ACCOUNTS_PER_QUERY):
        batch = account_ids[start : start + _ACCOUNTS_PER_QUERY]
        in_range = MetricSnapshot.objects.filter(account_id__in=batch, period__range=(first, last))
        wanted_pks = []
        for pk, account_id, period, *figures in in_range.values_list("pk", "account_id", "period", *metrics.METRICS):
            context.timelines[account_id][period] = dict(zip(metrics.METRICS, figures, strict=True))
            if (account_id, period) in keys:
                wanted_pks.append(pk)
        for snapshot in MetricSnapshot.objects.filter(pk__in=wanted_pks):
            context.existing[(snapshot.account_id, snapshot.period)] = snapshot
        around = {}
        for metric in metrics.CUMULATIVE_METRICS:
            reported = MetricSnapshot.objects.filter(account=OuterRef("pk"), **{f"{metric}__isnull": False})
            before = reported.filter(period__lt=first).order_by("-period")
            after = reported.filter(period__gt=last).order_by("period")
            around[f"before_{metric}_period"] = Subquery(before.values("period")[:1])
            around[f"before_{metric}"] = Subquery(before.values(metric)[:1])
            around[f"after_{metric}_period"] = Subquery(after.values("period")[:1])
            around[f"after_{metric}"] = Subquery(after.values(metric)[:1])
        for row in Account.objects.filter(pk__in=batch).annotate(**around).values("pk", *around):
            timeline = context.timelines[row["pk"]]
            for metric in metrics.CUMULATIVE_METRICS:
                for side in ("before", "after"):
                    period = row[f"{side}_{metric}_period"]
                    if period is not None:
                        timeline.setdefault(period, {})[metric] = row[f"{side}_{metric}"]
    return context


# --- The audit trail -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeRecord:
    """One recorded create, change or delete of a figure, an account, a platform or a milestone."""

    when: datetime
    who: str
    kind: str  # "+" created, "~" changed, "-" deleted
    model: str
    label: str
    differences: list[tuple[str, str, str]]
    reason: str  # as the reader reads it: the app's own reasons (a restore, an import) translated
    history_url: str
    restored: bool = False  # a restore from the history (of a deleted snapshot or of an older version)


def _shown(value) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int):
        return numbers.format_count(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def recent_changes(*, limit: int = 50) -> list[ChangeRecord]:
    """The latest recorded changes across the audited models, newest first (two queries per model)."""

    audited = (
        (MetricSnapshot, ("account__platform",)),
        (Account, ("platform",)),
        (Platform, ()),
        (Milestone, ()),
    )
    changes = []
    for model, related in audited:
        history = model.history.model
        latest = list(history.objects.select_related("history_user", *related).order_by("-history_date")[:limit])
        earlier = history.objects.filter(id__in={record.id for record in latest}).order_by("id", "history_date")
        by_object: dict[int, list] = defaultdict(list)
        for record in earlier.only("history_id", "id", "history_date", *(f.attname for f in history.tracked_fields)):
            by_object[record.id].append(record)
        for record in latest:
            versions = by_object[record.id]
            position = next(i for i, version in enumerate(versions) if version.history_id == record.history_id)
            previous = versions[position - 1] if position else None
            differences = []
            if previous is not None and record.history_type == "~":
                delta = record.diff_against(previous, foreign_keys_are_objs=False)
                differences = [
                    (str(model._meta.get_field(change.field).verbose_name), _shown(change.old), _shown(change.new))
                    for change in delta.changes
                ]
            changes.append(
                ChangeRecord(
                    when=record.history_date,
                    who=record.history_user.get_username() if record.history_user else _("the system"),
                    kind=record.history_type,
                    model=str(model._meta.verbose_name),
                    label=_instance_label(record, related),
                    differences=differences,
                    reason=reason_shown(record.history_change_reason),
                    history_url=reverse(f"admin:outreach_{model._meta.model_name}_history", args=(record.id,)),
                    restored=is_restore_reason(record.history_change_reason),
                )
            )
    changes.sort(key=lambda change: change.when, reverse=True)
    return changes[:limit]


def _instance_label(record, related: tuple[str, ...]) -> str:
    """The object as it was, named as its model names it: built from the record's own fields and the
    relations already read onto it (`record.instance` reads the fields history does not keep from the
    live row, and each name would read its account again: two queries per change)."""
    instance = record.instance_type(
        **{field.attname: getattr(record, field.attname) for field in record.tracked_fields}
    )
    for name in {path.split("__")[0] for path in related}:
        setattr(instance, name, getattr(record, name))
    return str(instance)


def snapshot_export_copy_query(scope: DashboardScope, line: str) -> tuple[str, list]:
    """The snapshot report as one SELECT of CSV lines (`line`), for PostgreSQL's COPY."""
    conditions, params = ["TRUE"], []
    if scope.account_ids is not None:
        conditions.append("s.account_id = ANY(%s)")
        params.append(list(scope.account_ids))
    if scope.platform_ids is not None:
        conditions.append("a.platform_id = ANY(%s)")
        params.append(list(scope.platform_ids))
    if scope.start:
        conditions.append("s.period >= %s")
        params.append(scope.start)
    if scope.end:
        conditions.append("s.period <= %s")
        params.append(scope.end)
    query = f"""
        SELECT {line}
        FROM outreach_metricsnapshot s
        JOIN outreach_account a ON a.id = s.account_id
        JOIN outreach_platform p ON p.id = a.platform_id
        WHERE {" AND ".join(conditions)}
        ORDER BY p.display_order, p.slug, a.name, s.period
    """  # noqa: S608 (our own column expressions; values are parameters)
    return query, params


# --- Coverage: what staff have still to enter -------------------------------------------------------


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


def missing_reports(*, months_at_most: int = 12, accounts_at_most: int = 20) -> MissingReports:
    """Which accounts have not reported which months, and which figures their reports leave empty, as
    `outreach.coverage` defines it, for the newest `months_at_most` incomplete months.

    A handful of queries whatever the number of snapshots: one GROUP BY of the snapshots per account that
    returns only the accounts that may be missing something (every other one reported each of its figures
    every month from its first to the latest); for those, each figure's first and last month, and the
    months themselves of only those whose reports have holes (a few queries per 900 such accounts each);
    then the accounts listed.
    """
    # Imported here rather than at the top, which belongs to the reads above.
    from django.db.models import Count

    from outreach import coverage

    shared = frozenset(
        Account.objects.order_by()
        .values("platform_id")
        .annotate(accounts=Count("pk"))
        .filter(accounts__gt=1)
        .values_list("platform_id", flat=True)
    )
    latest = latest_period()
    if latest is None:
        return MissingReports(months=[], incomplete_months=0, earliest=None, latest=None, shared_platform_ids=shared)

    def month_number(period):
        return ExtractYear(period) * 12 + ExtractMonth(period)

    counts = {f"{metric}_months": Count(metric) for metric in metrics.METRICS}
    # Complete, and answered without another read: a snapshot every month from the first to the latest,
    # each figure in all of them or in none. Only the other accounts come back.
    regular = Q(snapshots=F("span"))
    for metric in metrics.METRICS:
        regular &= Q(**{f"{metric}_months": 0}) | Q(**{f"{metric}_months": F("snapshots")})
    summaries = list(
        MetricSnapshot.objects.order_by()
        .values("account_id")
        .annotate(
            first_period=Min("period"),
            last_period=Max("period"),
            snapshots=Count("pk"),
            span=month_number(Max("period")) - month_number(Min("period")) + 1,
            **counts,
        )
        .exclude(regular & Q(last_period=latest))
    )
    # (pk, active, platform id) of those accounts, in the admin's order. Past a batch of them (a month half
    # entered across the country), one read of every account costs less than a query per 900.
    wanted = {row["account_id"] for row in summaries}
    if len(wanted) > _ACCOUNTS_PER_QUERY:
        every = Account.objects.values_list("pk", "is_active", "platform_id")
        accounts = [account for account in every if account[0] in wanted]
    else:
        chosen = Account.objects.filter(pk__in=wanted).values_list("pk", "is_active", "platform_id")
        accounts = list(chosen)
    active = {pk: is_active for pk, is_active, _platform_id in accounts}
    # An account deleted meanwhile (its snapshots with it) has nothing to enter.
    summaries = [row for row in summaries if row["account_id"] in active]

    def account_reports(summary: dict, figures: dict[str, coverage.FigureReports]) -> coverage.AccountReports:
        return coverage.AccountReports(
            account_id=summary["account_id"],
            active=active[summary["account_id"]],
            first=summary["first_period"],
            last=summary["last_period"],
            snapshots=summary["snapshots"],
            figures=figures,
        )

    reports = []
    irregular = []
    for row in summaries:
        if row["snapshots"] == row["span"] and all(row[name] in (0, row["snapshots"]) for name in counts):
            # Every figure it reports, it reports from its first snapshot to its last.
            span = coverage.FigureReports(first=row["first_period"], last=row["last_period"], months=row["snapshots"])
            figures = {metric: span for metric in metrics.METRICS if row[f"{metric}_months"]}
            reports.append(account_reports(row, figures))
        else:
            irregular.append(row["account_id"])
    per_figure = {}
    for metric in metrics.METRICS:
        reported = Q(**{f"{metric}__isnull": False})
        per_figure[f"{metric}_first"] = Min("period", filter=reported)
        per_figure[f"{metric}_last"] = Max("period", filter=reported)
    summary_of = {row["account_id"]: row for row in summaries}
    for batch in _batches(irregular):
        spans = (
            MetricSnapshot.objects.filter(account_id__in=batch)
            .order_by()
            .values("account_id")
            .annotate(**per_figure, **counts)
        )
        for row in spans:
            figures = {
                metric: coverage.FigureReports(
                    first=row[f"{metric}_first"], last=row[f"{metric}_last"], months=row[f"{metric}_months"]
                )
                for metric in metrics.METRICS
                if row[f"{metric}_months"]
            }
            reports.append(account_reports(summary_of[row["account_id"]], figures))
    with_holes = sorted(account.account_id for account in reports if coverage.needs_months(account))
    months: dict[int, dict[date, list[str]]] = {pk: {} for pk in with_holes}
    for batch in _batches(with_holes):
        rows = MetricSnapshot.objects.filter(account_id__in=batch).order_by()
        for account_id, period, *figures in rows.values_list("account_id", "period", *metrics.METRICS):
            months[account_id][period] = [
                m for m, value in zip(metrics.METRICS, figures, strict=True) if value is not None
            ]
    gaps = [
        gap
        for account in reports
        for gap in coverage.account_gaps(account, latest=latest, months=months.get(account.account_id))
    ]
    position = {pk: index for index, (pk, _active, _platform_id) in enumerate(accounts)}
    found = coverage.incomplete_months(gaps, months_at_most=months_at_most, account_order=position.__getitem__)
    listed_ids = {
        pk
        for month in found.months
        for pk in (*month.missing[:accounts_at_most], *list(month.figures)[:accounts_at_most])
    }
    listed = Account.objects.select_related("platform").in_bulk(listed_ids) if listed_ids else {}
    # `if pk in listed`: an account deleted since the GROUP BY is no longer named.
    return MissingReports(
        months=[
            MonthMissing(
                period=month.period,
                accounts=[listed[pk] for pk in month.missing[:accounts_at_most] if pk in listed],
                accounts_count=len(month.missing),
                figures=[
                    (listed[pk], figures)
                    for pk, figures in list(month.figures.items())[:accounts_at_most]
                    if pk in listed
                ],
                figures_count=len(month.figures),
            )
            for month in found.months
        ],
        incomplete_months=found.count,
        earliest=found.earliest,
        latest=latest,
        shared_platform_ids=shared,
        earliest_to_enter=min(
            (gap.first for gap in gaps if gap.figure is None and active[gap.account_id]), default=None
        ),
    )


def _batches(account_ids: list[int]):
    for start in range(0, len(account_ids), _ACCOUNTS_PER_QUERY):
        yield account_ids[start : start + _ACCOUNTS_PER_QUERY]
