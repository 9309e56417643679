"""The charts' series, made from the reads' rows: the cumulative lines per platform or account, the growth
bars with what they cover, the year over year, the shares. `charts` draws them.

About 350 lines: every series says what it covers (accounts reporting, gaps, the period under way) in
the same words, from the same helpers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from outreach.coverage import MonthCoverage
from outreach.display.charts import DASHES, SYMBOLS, Point, Series, Share
from outreach.display.periods import bucket_of, months_reached, months_span, period_label, shown_to, under_way
from outreach.monthly_totals import AccountMonth, Coverage, Increment, PlatformMonthTotal, month_index
from outreach.months import add_months, month_short

if TYPE_CHECKING:
    from outreach.models import Account, Platform


def shares_month(months: list[MonthCoverage], shown: date, metric: str) -> tuple[date, bool]:
    """The month a share of `metric` comes from, and whether every account expected reported it then: the
    month shown if they did, else the latest such month before (a month missing a report would credit
    whoever entered first), else the month shown as it is."""
    whole = [month.period for month in months if metric not in month.missing_figures and month.period <= shown]
    return (max(whole), True) if whole else (shown, False)


def shares(rows: list[PlatformMonthTotal], period: date, metric: str, platforms: list[Platform]) -> list[Share]:
    """Each platform's part of a figure in `period`."""
    position = {platform.pk: index for index, platform in enumerate(platforms)}
    of_month = sorted(
        (row for row in rows if row.period == period and row.totals[metric]), key=lambda row: position[row.platform_id]
    )
    return [
        Share(
            name=platforms[position[row.platform_id]].name,
            color=platforms[position[row.platform_id]].color,
            value=row.totals[metric],
        )
        for row in of_month
    ]


def _style(index: int, color: str) -> dict:
    return {"color": color, "dash": DASHES[index % len(DASHES)], "symbol": SYMBOLS[index % len(SYMBOLS)]}


def _last_per_bucket(points: list[Point], granularity: str, latest: date | None) -> list[Point]:
    """A cumulative total per quarter or year is the last month's of that period."""
    if granularity == "month":
        return points
    last: dict[date, Point] = {}
    for point in points:
        bucket = bucket_of(point.period, granularity)
        last[bucket] = Point(
            period=bucket,
            value=point.value,
            label=period_label(bucket, granularity, latest),
            under_way=months_reached(bucket, granularity, latest),
            approximate=point.approximate,
            illustrative=point.illustrative,
            notes=(_("as of %(month)s") % {"month": month_short(point.period)},),
        )
    return list(last.values())


def cumulative_series_by_platform(
    rows: list[PlatformMonthTotal],
    platforms: list[Platform],
    *,
    metric: str,
    granularity: str,
    latest: date | None = None,
) -> list[Series]:
    """A line per platform: the sum of its accounts' reported totals.

    A month some account expected to report the figure (`PlatformMonthTotal.expected`) has not is left
    out of its platform's line (and named in `Series.left_out`): the sum of the others would draw a
    cumulative total falling.
    """
    by_platform = defaultdict(list)
    left_out = defaultdict(list)
    for row in rows:
        if row.totals[metric] is None:
            continue
        if row.reporting[metric] < row.expected[metric]:
            left_out[row.platform_id].append(row.period)
        else:
            by_platform[row.platform_id].append(row)
    series = []
    for index, platform in enumerate(platforms):
        points = [
            Point(
                period=row.period,
                value=row.totals[metric],
                approximate=row.approximate,
                illustrative=row.illustrative,
            )
            for row in by_platform[platform.pk]
        ]
        if points or left_out[platform.pk]:
            series.append(
                Series(
                    name=platform.name,
                    points=_last_per_bucket(points, granularity, latest),
                    left_out=tuple(sorted(left_out[platform.pk])),
                    **_style(index, platform.color),
                )
            )
    return series


def coverage_notes(reporting: int, expected: int) -> tuple[str, ...]:
    if reporting >= expected:
        return ()
    return (
        ngettext(
            "covers %(reporting)d of %(expected)d account",
            "covers %(reporting)d of %(expected)d accounts",
            expected,
        )
        % {"reporting": reporting, "expected": expected},
    )


def account_name(account: Account, accounts: list[Account]) -> str:
    """An account as charts name it: its platform, and its own name where a platform has several."""
    siblings = sum(1 for other in accounts if other.platform_id == account.platform_id)
    return str(account.platform) if siblings == 1 else f"{account.platform} · {account.display_name}"


def cumulative_series_by_account(
    rows: list[AccountMonth], accounts: list[Account], *, metric: str, granularity: str, latest: date | None = None
) -> list[Series]:
    """A line per account."""
    series = []
    for index, account in enumerate(accounts):
        points = [
            Point(
                period=row.period, value=row.figures[metric], approximate=row.approximate, illustrative=row.illustrative
            )
            for row in rows
            if row.account_id == account.pk and row.figures[metric] is not None
        ]
        if points:
            series.append(
                Series(
                    name=account_name(account, accounts),
                    points=_last_per_bucket(points, granularity, latest),
                    **_style(index, account.platform.color),
                )
            )
    return series


@dataclass(frozen=True)
class Reporting:
    """Per group (a platform, or an account) and month, how many accounts are expected to report a figure
    and how many have: what a bar of growth leaves out (`missing`)."""

    expected: Callable[[int, date], int]
    reported: dict[tuple[int, date], int]

    def missing(self, group_id: int, period: date) -> int:
        return max(0, self.expected(group_id, period) - self.reported.get((group_id, period), 0))


def platform_reporting(rows: list[PlatformMonthTotal], coverage: Coverage, *, metric: str) -> Reporting:
    """Each platform's accounts expected to report `metric` in a month (`coverage`), and those that did."""
    # The rows hold their expected counts already; only a platform's months with no row are looked up.
    held = {(row.platform_id, row.period): row.expected[metric] for row in rows}

    def expected(platform_id: int, period: date) -> int:
        count = held.get((platform_id, period))
        return coverage.expected(platform_id, metric, period) if count is None else count

    return Reporting(expected=expected, reported={(row.platform_id, row.period): row.reporting[metric] for row in rows})


def account_reporting(rows: list[AccountMonth], accounts: list[Account], *, metric: str) -> Reporting:
    """Whether each account is expected to report `metric` in a month, and whether it did: as `Coverage`
    counts it, from its first report on, and for an inactive account up to its last."""
    reports = defaultdict(list)
    for row in rows:
        if row.figures[metric] is not None:
            reports[row.account_id].append(row.period)
    active = {account.pk: account.is_active for account in accounts}
    spans = {account_id: (min(periods), max(periods)) for account_id, periods in reports.items()}

    def expected(account_id: int, period: date) -> int:
        first, last = spans.get(account_id, (None, None))
        return int(first is not None and first <= period and (active.get(account_id, True) or period <= last))

    return Reporting(
        expected=expected,
        reported={(account_id, period): 1 for account_id, periods in reports.items() for period in periods},
    )


def _growth_coverage(grown: int, missing: int) -> str:
    """“covers 3 of 4 accounts” where `missing` accounts expected to grow have not reported, else empty."""
    return coverage_notes(grown, grown + missing)[0] if missing else ""


def _in_month(note: str, month: date, granularity: str) -> str:
    """A quarter's or year's note about one of its months names that month: “Mar 2024: covers 1 of 4 accounts”."""
    if not note or granularity == "month":
        return note
    return _("%(month)s: %(note)s") % {"month": month_short(month), "note": note}


def _year_before(group_id: int, bucket: date, latest: date, at: dict[tuple[int, date], Increment]) -> str:
    """A period under way's same months a year before, for one group: “Jan–Mar 2023: +12,345”. Empty
    unless that group grew in the first and the last of those months, from the month before the first."""
    first, last = add_months(bucket, -12), add_months(latest, -12)
    start, end = at.get((group_id, first)), at.get((group_id, last))
    if start is None or end is None or start.gaps:
        return ""
    months = [add_months(first, count) for count in range(month_index(last) - month_index(first) + 1)]
    grown = [at[(group_id, month)] for month in months if (group_id, month) in at]
    values = {
        "months": months_span(first, last),
        "year": first.year,
        "growth": f"{sum(increment.value for increment in grown):+,}",
    }
    if any(increment.illustrative for increment in grown):
        # Compared with made-up months: marked as every illustrative figure is.
        return _("%(months)s %(year)s, illustrative: %(growth)s") % values
    return _("%(months)s %(year)s: %(growth)s") % values


def increment_series(
    increments: list[Increment],
    groups: list,
    *,
    by: str,
    accounts: list[Account],
    granularity: str,
    reporting: Reporting | None = None,
    latest: date | None = None,
) -> list[Series]:
    """Bars of growth per period, one series per platform or account (`groups`, in their order).

    A bar whose last month (of the period; `latest` within the period under way) leaves out accounts of
    its group expected to grow, by `reporting`, says how many it covers; the period under way at `latest`
    is labelled “to date” and compared with the same months a year before.
    """
    sums: dict[tuple[int, date], dict] = {}
    at: dict[tuple[int, date], Increment] = {}
    for increment in increments:
        at[(increment.group_id, increment.period)] = increment
        bucket = bucket_of(increment.period, granularity)
        entry = sums.setdefault(
            (increment.group_id, bucket), {"value": 0, "approximate": False, "illustrative": False, "notes": []}
        )
        entry["value"] += increment.value
        entry["approximate"] |= increment.approximate
        entry["illustrative"] |= increment.illustrative
        entry["notes"].extend(_gap_note(increment))
    by_group: dict[int, list[Point]] = defaultdict(list)
    labels = {bucket: period_label(bucket, granularity, latest) for _group, bucket in sums}
    for (group_id, bucket), entry in sorted(sums.items(), key=lambda item: item[0][1]):
        last = shown_to(bucket, granularity, latest)
        grown = at[(group_id, last)].accounts if (group_id, last) in at else 0
        missing = reporting.missing(group_id, last) if reporting is not None else 0
        by_group[group_id].append(
            Point(
                period=bucket,
                value=entry["value"],
                label=labels[bucket],
                under_way=months_reached(bucket, granularity, latest),
                approximate=entry["approximate"],
                illustrative=entry["illustrative"],
                notes=tuple(entry["notes"]),
                coverage=_in_month(_growth_coverage(grown, missing), last, granularity),
                compared=_year_before(group_id, bucket, latest, at) if under_way(bucket, granularity, latest) else "",
            )
        )
    series = []
    for index, group in enumerate(groups):
        points = by_group[group.pk]
        if points:
            name = group.name if by == "platform" else account_name(group, accounts)
            color = group.color if by == "platform" else group.platform.color
            series.append(Series(name=name, points=points, **_style(index, color)))
    return series


def increment_coverage(
    increments: list[Increment],
    reporting: Reporting,
    platform_ids: list[int],
    *,
    granularity: str,
    latest: date | None = None,
) -> list[tuple[date, str]]:
    """Per period with growth, where its bars count fewer accounts than expected in all: the month it is
    about (the period's last month shown) and “covers 1 of 4 accounts”. Platforms expected to report that
    month with no bar at all count too (`reporting`, per platform)."""
    grown: dict[date, int] = defaultdict(int)
    lasts = {}
    for increment in increments:
        bucket = bucket_of(increment.period, granularity)
        last = lasts.setdefault(bucket, shown_to(bucket, granularity, latest))
        if increment.period == last:
            grown[last] += increment.accounts
    noted = []
    for last in sorted(lasts.values()):
        missing = sum(reporting.missing(platform_id, last) for platform_id in platform_ids)
        if missing:
            noted.append((last, _growth_coverage(grown[last], missing)))
    return noted


def _gap_note(increment: Increment) -> tuple[str, ...]:
    if increment.gaps == 0:
        return ()
    if increment.gaps == 1:
        start = add_months(increment.period, -increment.gap_months + 1)
        return (
            _("covers %(count)d months, %(start)s to %(end)s, with no report between")
            % {"count": increment.gap_months, "start": month_short(start), "end": month_short(increment.period)},
        )
    return (_("includes %(accounts)d accounts' growth over months with no report") % {"accounts": increment.gaps},)


def monthly_growth(
    increments: list[Increment], year: int, *, reporting: Reporting | None = None, platform_ids: list[int] = ()
) -> list[Point]:
    """The growth of every month of `year`, summed over platforms or accounts, for the year-over-year chart.

    A month whose growth leaves out accounts expected to grow (by `reporting`, per platform of
    `platform_ids`, those with no growth at all included) says how many it covers."""
    months: dict[date, dict] = {}
    for increment in increments:
        if increment.period.year != year:
            continue
        entry = months.setdefault(increment.period, {"value": 0, "illustrative": False, "notes": [], "accounts": 0})
        entry["value"] += increment.value
        entry["illustrative"] |= increment.illustrative
        entry["notes"].extend(_gap_note(increment))
        entry["accounts"] += increment.accounts
    return [
        Point(
            period=period,
            value=entry["value"],
            label=formats.date_format(period, "M"),
            illustrative=entry["illustrative"],
            notes=tuple(entry["notes"]),
            coverage=_growth_coverage(
                entry["accounts"],
                sum(reporting.missing(platform_id, period) for platform_id in platform_ids) if reporting else 0,
            ),
        )
        for period, entry in sorted(months.items())
    ]
