"""The headline cards, in total and per platform: each total with its coverage, and its like-for-like changes on
the month before and on a year before.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from outreach import metrics, numbers
from outreach.display.series import coverage_notes
from outreach.metrics import metric_label
from outreach.monthly_totals import Coverage, Pairs, PlatformMonthTotal
from outreach.months import add_months, month_short
from outreach.numbers import names_listed, short_count

if TYPE_CHECKING:
    from outreach.models import Platform


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
    target: object = None  # its yearly target (`display.targets.CardTarget`), where the page has targets

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
        return coverage_notes(self.reporting, self.expected)[0]


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
