"""The chart's data table, and the sentences that say what a page or a printout covers (scope, filters, months)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from outreach import metrics, numbers
from outreach.display.charts import Point, Series
from outreach.monthly_totals import PlatformMonthTotal
from outreach.months import month_label, month_short
from outreach.numbers import names_listed

if TYPE_CHECKING:
    from outreach.models import Account, Platform


@dataclass(frozen=True)
class DataTable:
    """The main chart's numbers as a table: its text alternative."""

    columns: list[str]
    rows: list[tuple[str, list[str]]]


def data_table(series: list[Series]) -> DataTable:
    first_points = {point.period: point for line in reversed(series) for point in line.points}
    periods = sorted(first_points)
    labels = {period: _label_of(point) for period, point in first_points.items()}
    cells = {(line.name, point.period): _cell(point) for line in series for point in line.points}
    return DataTable(
        columns=[line.name for line in series],
        rows=[(labels[period], [cells.get((line.name, period), "–") for line in series]) for period in periods],
    )


def _label_of(point: Point) -> str:
    return point.label or month_short(point.period)


def _cell(point: Point) -> str:
    text = numbers.format_count(point.value)
    if point.approximate:
        text = "≥ " + text
    if point.illustrative:
        text += " †"
    return text


# Past this many chosen accounts, the heading counts them rather than naming each.
ACCOUNTS_NAMED_AT_MOST = 3


def scope_title(chosen: dict, platforms: list[Platform], accounts: list[Account], account_total: int) -> str:
    """What the figures cover, for the cards' heading: the chosen accounts or platforms by name, else all.

    “WeChat official account and Douyin”; “Douyin · SSTM”; “5 chosen accounts”; “all platforms”.
    """
    if chosen["accounts"]:
        if account_total <= ACCOUNTS_NAMED_AT_MOST:
            return names_listed([f"{account.platform} · {account.display_name}" for account in accounts])
        return ngettext("%(count)d chosen account", "%(count)d chosen accounts", account_total) % {
            "count": account_total
        }
    names = [platform.name for platform in platforms if platform.slug in chosen["platforms"]]
    return names_listed(names) if names else _("all platforms")


def months_covered(rows: list[PlatformMonthTotal]) -> str:
    """The first and last month the figures shown come from: “January 2023 to February 2024”."""
    periods = [row.period for row in rows]
    if not periods:
        return ""
    first, last = min(periods), max(periods)
    if first == last:
        return month_label(first)
    return _("%(first)s to %(last)s") % {"first": month_label(first), "last": month_label(last)}


def filters_summary(chosen: dict, platforms: list[Platform], account_total: int, *, scope: str) -> str:
    """The filters in effect, in words, for the printed page; `scope` as `scope_title` writes it."""
    parts = [
        scope,
        ngettext("%(count)d account", "%(count)d accounts", account_total) % {"count": account_total},
        str(metrics.METRIC_LABELS[chosen["metric"]]),
        _("from %(start)s to %(end)s")
        % {
            "start": month_short(chosen["start"]) if chosen["start"] else _("the first month"),
            "end": month_short(chosen["end"]) if chosen["end"] else _("the latest month"),
        },
    ]
    return "; ".join(parts)
