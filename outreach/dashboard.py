"""What the dashboard shows, made from the selectors' rows: cards, chart series, the written summary.

Pure functions, no database: the view reads rows through `selectors` and hands them here; `charts`
turns the series into figures.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from outreach import metrics, numbers
from outreach.charts import DASHES, SYMBOLS, Point, Series, Share
from outreach.language import is_chinese
from outreach.metrics import metric_label, views_content
from outreach.models import Account, MetricSnapshot, Platform
from outreach.monthly_totals import AccountMonth, Coverage, Increment, Pairs, PlatformMonthTotal, month_index
from outreach.months import add_months, month_label, month_short
from outreach.numbers import names_listed, short_count

GRANULARITIES = ("month", "quarter", "year")


def bucket_of(period: date, granularity: str) -> date:
    """The first month of the quarter or year a month falls in (the month itself for "month")."""
    if granularity == "quarter":
        return period.replace(month=(period.month - 1) // 3 * 3 + 1)
    if granularity == "year":
        return period.replace(month=1)
    return period


def bucket_label(bucket: date, granularity: str) -> str:
    if granularity == "quarter":
        return _("Q%(quarter)s %(year)s") % {"quarter": (bucket.month - 1) // 3 + 1, "year": bucket.year}
    if granularity == "year":
        return str(bucket.year)
    return month_short(bucket)


# --- Headline cards --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """A like-for-like difference from an earlier month: over the accounts that reported the figure in
    both months. `percent` is None where their earlier total is 0; `accounts` is set when those are not
    all the accounts behind the totals beside it, so that the change says what it covers."""

    delta: int
    percent: float | None
    since: date
    accounts: int | None = None
    illustrative: bool = False
    approximate: bool = False  # either month's figure is a lower bound, so the difference is not exact

    @property
    def text(self) -> str:
        """“+1,234 (+5.2%) since January 2024”, “…, over the 3 accounts that reported both months”."""
        values = {"delta": f"{self.delta:+,}", "month": month_short(self.since)}
        if self.percent is None:
            text = _("%(delta)s since %(month)s") % values
        else:
            text = _("%(delta)s (%(percent)s) since %(month)s") % {**values, "percent": f"{self.percent:+.1f}%"}
        if self.accounts is None:
            return text
        over = ngettext(
            "over the %(count)d account that reported both months",
            "over the %(count)d accounts that reported both months",
            self.accounts,
        ) % {"count": self.accounts}
        return _("%(change)s, %(over)s") % {"change": text, "over": over}

    @property
    def direction(self) -> str:
        return "up" if self.delta > 0 else "down" if self.delta < 0 else "flat"


def like_for_like(pairs: list[Pairs], since: date, *, reporting_now: int, reporting_then: int) -> Change | None:
    """The change since `since` over the accounts that reported both months (`pairs`, one per platform),
    labelled with their number where they are not all the accounts reporting either month. The one rule
    for every change the dashboard states: a total never seems to fall because an account is missing."""
    count = sum(pair.count for pair in pairs)
    if not count:
        return None
    growth, base = sum(pair.growth for pair in pairs), sum(pair.base for pair in pairs)
    return Change(
        delta=growth,
        percent=growth / base * 100 if base else None,
        since=since,
        accounts=None if count == reporting_now == reporting_then else count,
        illustrative=any(pair.illustrative for pair in pairs),
        approximate=any(pair.approximate for pair in pairs),
    )


@dataclass(frozen=True)
class Card:
    """One figure of the month shown, with its changes and how many accounts it covers."""

    metric: str
    label: str
    value: int | None
    approximate: bool
    illustrative: bool
    reporting: int
    expected: int
    month_change: Change | None
    year_change: Change | None
    counted_by: str = ""  # “WeChat official account only” where not every platform shown counts it

    @property
    def partial(self) -> bool:
        return self.reporting < self.expected

    @property
    def changes(self) -> list[Change]:
        """Since the month before, then since a year before: those there are."""
        return [change for change in (self.month_change, self.year_change) if change is not None]

    @property
    def short_value(self) -> str:
        """The figure shortened for the card (1.89M, 188.6万); a dash when not reported."""
        return short_count(self.value) if self.value is not None else "–"

    @property
    def qualifier(self) -> str:
        """“more than” before a lower bound, else empty."""
        return _("more than") if self.approximate and self.value is not None else ""

    @property
    def exact_value(self) -> str:
        return numbers.format_count(self.value) if self.value is not None else _("not reported")

    @property
    def coverage(self) -> str:
        """“covers 3 of 4 accounts” when some accounts have not reported this month, else empty."""
        if not self.partial:
            return ""
        if not self.reporting:
            return ngettext(
                "not entered yet by the %(expected)d account that reports it",
                "not entered yet by any of the %(expected)d accounts that report it",
                self.expected,
            ) % {"expected": self.expected}
        return _coverage_notes(self.reporting, self.expected)[0]


@dataclass(frozen=True)
class PlatformCards:
    platform: Platform
    cards: list[Card]


def _card(
    metric: str, rows: list[PlatformMonthTotal], shown: date, platforms: list[Platform], coverage: Coverage
) -> Card:
    now = [row for row in rows if row.period == shown and row.totals[metric] is not None]
    previous, a_year_before = add_months(shown, -1), add_months(shown, -12)
    reporting = sum(row.reporting[metric] for row in now)

    def reported_in(month: date) -> int:
        return sum(row.reporting[metric] for row in rows if row.period == month)

    counting = [platform for platform in platforms if coverage.expected(platform.pk, metric, shown)]
    return Card(
        metric=metric,
        label=metric_label(metric, platforms),
        value=sum(row.totals[metric] for row in now) if now else None,
        approximate=any(row.approximate for row in now),
        illustrative=any(row.illustrative for row in now),
        reporting=reporting,
        expected=sum(coverage.expected(platform.pk, metric, shown) for platform in counting),
        month_change=like_for_like(
            [row.month_pairs[metric] for row in now if metric in row.month_pairs],
            previous,
            reporting_now=reporting,
            reporting_then=reported_in(previous),
        ),
        year_change=like_for_like(
            [row.year_pairs[metric] for row in now if metric in row.year_pairs],
            a_year_before,
            reporting_now=reporting,
            reporting_then=reported_in(a_year_before),
        ),
        counted_by=_("%(platforms)s only") % {"platforms": names_listed([p.name for p in counting])}
        if 0 < len(counting) < len(platforms)
        else "",
    )


def headline_cards(
    rows: list[PlatformMonthTotal], shown: date, platforms: list[Platform], coverage: Coverage
) -> list[Card]:
    """The month's totals across `platforms`, one card per figure any of their accounts reports."""
    cards = [_card(metric, rows, shown, platforms, coverage) for metric in metrics.METRICS]
    return [card for card in cards if card.expected or card.value is not None]


def platform_cards(
    rows: list[PlatformMonthTotal], platforms: list[Platform], shown: date, coverage: Coverage
) -> list[PlatformCards]:
    """Each platform's own figures of the month shown."""
    by_platform = defaultdict(list)
    for row in rows:
        by_platform[row.platform_id].append(row)
    every = [
        PlatformCards(platform=platform, cards=headline_cards(by_platform[platform.pk], shown, [platform], coverage))
        for platform in platforms
    ]
    return [platform_cards for platform_cards in every if platform_cards.cards]


def latest_month(rows: list[PlatformMonthTotal]) -> date | None:
    return max((row.period for row in rows), default=None)


# --- Coverage of the months shown -------------------------------------------------------------------


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


@dataclass(frozen=True)
class Notice:
    """A sentence above the figures, with a link where there is somewhere to go."""

    text: str
    link: str = ""
    link_text: str = ""


def partial_month_notice(month: MonthCoverage, *, showing: date | None = None) -> str:
    """“March 2024: 1 of 4 accounts entered; showing February 2024, the latest complete month.”"""
    values = {"month": month_label(month.period), "entered": month.entered, "expected": month.expected}
    if month.complete:
        return (
            _(
                "%(month)s: every account entered, some figures left out. Each total says how many accounts it "
                "covers; changes compare the accounts that reported both months."
            )
            % values
        )
    entered = (
        ngettext(
            "%(month)s: %(entered)d of %(expected)d account entered",
            "%(month)s: %(entered)d of %(expected)d accounts entered",
            month.expected,
        )
        % values
    )
    if showing is not None:
        return _("%(entered)s; showing %(showing)s, the latest complete month.") % {
            "entered": entered,
            "showing": month_label(showing),
        }
    return _(
        "%(entered)s so far. Totals add up the accounts that have reported; changes compare the accounts "
        "that reported both months."
    ) % {"entered": entered}


# Later months being entered, each named with its link; the rest are counted.
PARTIAL_MONTHS_NOTED = 3


def coverage_notices(
    months: list[MonthCoverage], *, latest: date | None, end_chosen: bool, link_to: Callable[[date], str]
) -> tuple[list[Notice], date | None]:
    """What the page says about months being entered, and the month it shows: with no end chosen, the
    latest complete month, the later ones named (the newest few) with a link to each; a month shown while
    it is being entered, or with a figure left out, says so, with a link to the latest complete month."""
    complete = latest_complete(months)
    if latest is None:
        return [], None
    if not end_chosen and complete is not None and complete < latest:
        later = [month for month in months if month.period > complete]
        notices = [
            Notice(
                text=partial_month_notice(month, showing=complete),
                link=link_to(month.period),
                link_text=_("See %(month)s as entered so far") % {"month": month_label(month.period)},
            )
            for month in later[-PARTIAL_MONTHS_NOTED:]
        ]
        if len(later) > PARTIAL_MONTHS_NOTED:
            notices.append(Notice(text=more_partial_months(later[:-PARTIAL_MONTHS_NOTED])))
        return notices, complete
    shown = next(month for month in months if month.period == latest)
    if shown.figures_complete:
        return [], latest
    earlier = complete if complete is not None and complete < latest else None
    link = (
        {
            "link": link_to(earlier),
            "link_text": _("See %(month)s, the latest complete month") % {"month": month_label(earlier)},
        }
        if earlier
        else {}
    )
    return [Notice(text=partial_month_notice(shown), **link)], latest


def more_partial_months(months: list[MonthCoverage]) -> str:
    """“2 earlier months are partly entered too, from November 2023.”"""
    return ngettext(
        "%(count)d earlier month is partly entered too: %(first)s.",
        "%(count)d earlier months are partly entered too, from %(first)s.",
        len(months),
    ) % {"count": len(months), "first": month_label(months[0].period)}


def summary_partial_note(month: date) -> str:
    return _("Accounts that have not entered %(month)s yet are described as of their latest month.") % {
        "month": month_label(month)
    }


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


# --- Chart series ----------------------------------------------------------------------------------


def _style(index: int, color: str) -> dict:
    return {"color": color, "dash": DASHES[index % len(DASHES)], "symbol": SYMBOLS[index % len(SYMBOLS)]}


_BUCKET_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def shown_to(bucket: date, granularity: str, latest: date | None) -> date:
    """The last month of a quarter or year the figures reach: its own last month, or `latest` within it."""
    end = add_months(bucket, _BUCKET_MONTHS[granularity] - 1)
    return min(end, latest) if latest is not None else end


def under_way(bucket: date, granularity: str, latest: date | None) -> bool:
    """Whether a quarter or year holds the latest month shown before its own last month: “to date”."""
    if granularity == "month" or latest is None:
        return False
    return bucket_of(latest, granularity) == bucket and latest < shown_to(bucket, granularity, None)


def months_span(first: date, last: date) -> str:
    """Months of one year: “Jan–Mar”, or “Jan” for one."""
    if first == last:
        # Translators: one month of a year, as in “2024 to date (Jan)”; %(number)d is its number (1–12).
        return pgettext("a month of a year", "%(month)s") % {
            "month": formats.date_format(first, "M"),
            "number": first.month,
        }
    # Translators: months of one year, as in “2024 to date (Jan–Mar)”; %(first_number)d and %(last_number)d
    # are their numbers (1–12), for languages that write them as numbers (1–3月).
    return _("%(first)s–%(last)s") % {
        "first": formats.date_format(first, "M"),
        "last": formats.date_format(last, "M"),
        "first_number": first.month,
        "last_number": last.month,
    }


def months_reached(bucket: date, granularity: str, latest: date | None) -> str:
    """For a quarter or year under way at `latest`, the months the figures reach (“Jan–Mar”); else empty."""
    return months_span(bucket, latest) if under_way(bucket, granularity, latest) else ""


def period_label(bucket: date, granularity: str, latest: date | None = None) -> str:
    """A period as the charts label it; the quarter or year still under way at `latest` is “to date”:
    “2024 to date (Jan–Mar)”, “Q1 2024 to date (Jan–Feb)”."""
    if not under_way(bucket, granularity, latest):
        return bucket_label(bucket, granularity)
    values = {"year": bucket.year, "quarter": (bucket.month - 1) // 3 + 1, "months": months_span(bucket, latest)}
    if granularity == "quarter":
        return _("Q%(quarter)s %(year)s to date (%(months)s)") % values
    return _("%(year)s to date (%(months)s)") % values


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


def _coverage_notes(reporting: int, expected: int) -> tuple[str, ...]:
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
    return _coverage_notes(grown, grown + missing)[0] if missing else ""


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


# --- The written summary ---------------------------------------------------------------------------


def count_in_words(value: int) -> str:
    """An audience as press releases write it: 1.886 million, 20 million; 188.6万, 2000万."""
    if is_chinese():
        return short_count(value) if value >= 10**4 else str(value)
    for size, word in ((10**9, _("billion")), (10**6, _("million"))):
        if value >= size:
            number = f"{value / size:.3f}".rstrip("0").rstrip(".")
            return f"{number} {word}"
    return numbers.format_count(value)


def count_of_items(value: int) -> str:
    """A number of articles or videos: 1,000 in English, 1000 in Chinese."""
    return str(value) if is_chinese() else numbers.format_count(value)


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return _("%(first)s and %(last)s") % {"first": _(", ").join(parts[:-1]), "last": parts[-1]}


def account_phrase(account: Account) -> str:
    """“the WeChat official account”, “the Douyin account”; 上海科技馆微信公众号, 上海科技馆抖音号."""
    values = {"platform": str(account.platform), "organisation": account.name_zh or account.name}
    if account.platform.name_en.lower().endswith("account"):
        return _("the %(platform)s") % values
    return _("the %(platform)s account") % values


@dataclass(frozen=True)
class SummarySentence:
    account: Account
    text: str
    illustrative: bool = False
    notes: list[str] = field(default_factory=list)


def summary_sentence(snapshot: MetricSnapshot) -> SummarySentence:
    """One sentence in the style of the seed article, from an account's latest snapshot.

    Approximate figures read "more than" (余, 超 in Chinese); unreported ones are left out. Each phrase
    is its own message, so that a translation can order and word it as that language's press releases do.
    """
    account = snapshot.account
    figures, approx = snapshot.figures, snapshot.approximate
    actions = []
    if figures["articles"] is not None:
        count = {"count": count_of_items(figures["articles"])}
        actions.append(
            (
                _("has published more than %(count)s original articles")
                if approx
                else _("has published %(count)s original articles")
            )
            % count
        )
    if figures["videos"] is not None:
        count = {"count": count_of_items(figures["videos"])}
        actions.append(
            (
                _("has released more than %(count)s original videos")
                if approx
                else _("has released %(count)s original videos")
            )
            % count
        )
    audience = []
    if figures["views"] is not None:
        amount = {"amount": count_in_words(figures["views"])}
        # Chinese says 阅读量 for articles, 播放量 for videos, 浏览量 for both: the cards' rule.
        content = views_content([account.platform])
        if content == "articles":
            audience.append((_("more than %(amount)s views") if approx else _("%(amount)s views")) % amount)
        elif content == "videos":
            audience.append(
                (pgettext("videos", "more than %(amount)s views") if approx else pgettext("videos", "%(amount)s views"))
                % amount
            )
        else:
            audience.append(
                (
                    pgettext("articles and videos", "more than %(amount)s views")
                    if approx
                    else pgettext("articles and videos", "%(amount)s views")
                )
                % amount
            )
    if figures["followers"] is not None:
        amount = {"amount": count_in_words(figures["followers"])}
        audience.append((_("more than %(amount)s followers") if approx else _("%(amount)s followers")) % amount)
    if actions and audience:
        body = _("%(actions)s, with %(audience)s") % {"actions": _join(actions), "audience": _join(audience)}
    elif actions:
        body = _join(actions)
    else:
        body = _("has %(audience)s") % {"audience": _join(audience)}
    text = _("As of %(month)s, %(account)s, opened in %(opened)s, %(body)s.") % {
        "month": month_label(snapshot.period),
        "account": account_phrase(account),
        "opened": month_label(account.opened_on),
        "body": body,
    }
    return SummarySentence(account=account, text=text[0].upper() + text[1:], illustrative=snapshot.is_illustrative)


# --- The data table --------------------------------------------------------------------------------


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
