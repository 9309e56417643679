"""The downloads' rows: every snapshot in scope (with increments if asked), the summary per account, and the
snapshot report as one SELECT for PostgreSQL's COPY.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import F, Max, Min, Window
from django.db.models.functions import Lag

from outreach import metrics
from outreach.models import MetricSnapshot
from outreach.monthly_totals import figure_growth
from outreach.months import add_months
from outreach.selectors.scope import SNAPSHOTS_SQL, Scope, snapshots_in

_EXPORT_ORDER = ("account__platform__display_order", "account__platform__slug", "account__name", "period")


_EXPORT_FIELDS = ("account__platform__slug", "account__name", "period", *metrics.METRICS, "approximate", "note")


def export_period_range(scope: Scope) -> tuple[date | None, date | None]:
    """The first and last month with figures in scope."""
    bounds = snapshots_in(scope).aggregate(first=Min("period"), last=Max("period"))
    return bounds["first"], bounds["last"]


def snapshot_export_rows(scope: Scope, *, increments: bool = False):
    """The snapshot report's rows, read lazily: the columns of `files.columns.SNAPSHOT_COLUMNS`, then, with
    `increments`, each figure's growth since the account's previous snapshot and the months between."""
    rows = snapshots_in(scope, from_start=not increments)
    return _export_rows(rows, increments=increments, scope=scope)


def selected_snapshot_rows(snapshots):
    """The snapshot report's rows for snapshots chosen one by one (the admin's export action)."""
    return _export_rows(snapshots, increments=False, scope=Scope())


def _export_rows(rows, *, increments: bool, scope: Scope):
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
    return _with_increments(lagged.iterator(chunk_size=5000), scope=scope)


def _with_increments(rows, *, scope: Scope):
    width = len(_EXPORT_FIELDS) + 1
    for row in rows:
        period = row[2]
        if not scope.includes_month(period):  # read from before `start` for its first increment
            continue
        previous_period, previous_illustrative, previous = row[width], row[width + 1], row[width + 2 :]
        growth = figure_growth(row[3:7], previous)
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


def account_year_summaries(scope: Scope) -> list[AccountYear]:
    """Each account's latest snapshot in scope and its snapshot twelve months earlier (two queries)."""
    latest = list(
        snapshots_in(scope)
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


def snapshot_export_copy_query(scope: Scope, line: str) -> tuple[str, list]:
    """The snapshot report as one SELECT of CSV lines (`line`), for PostgreSQL's COPY."""
    where, params = scope.sql(SNAPSHOTS_SQL)
    query = f"""
        SELECT {line}
        FROM outreach_metricsnapshot s
        JOIN outreach_account a ON a.id = s.account_id
        JOIN outreach_platform p ON p.id = a.platform_id
        WHERE {where}
        ORDER BY p.display_order, p.slug, a.name, s.period
    """  # noqa: S608 (our own column expressions; values are parameters)
    return query, params
