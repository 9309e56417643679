"""The one rule set for every figure written: the admin form, the month grid and the CSV import.

Each rule is a pure function of the values being written and of what is already recorded for the
account (`AccountHistory`, read by `selectors.snapshot_history`). Errors come back keyed by field,
worded for staff ("Views can't go down: January 2024 was 19,800,000"), never as codes. The database
holds the same invariants as constraints, as a backstop.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from outreach.months import first_of_month, month_label

METRICS = ("articles", "videos", "views", "followers")
# Totals that only grow; followers may go down when people unfollow.
CUMULATIVE_METRICS = ("articles", "videos", "views")
METRIC_LABELS = {
    "articles": gettext_lazy("Articles"),
    "videos": gettext_lazy("Videos"),
    "views": gettext_lazy("Views"),
    "followers": gettext_lazy("Followers"),
}


def views_content(platforms) -> str:
    """What the views of these platforms count: "articles" (阅读量), "videos" (播放量), or "both" (浏览量).

    The one rule for every place a figure is named (cards, summary, import): Chinese counts articles'
    views as 阅读量, videos' as 播放量, and a platform of both, or a total over both kinds, in a neutral word.
    """
    kinds = {platform.content for platform in platforms}
    if kinds == {"articles"}:
        return "articles"
    if kinds == {"videos"}:
        return "videos"
    return "both"


def metric_label(metric: str, platforms) -> str:
    """A figure's name for these platforms: views worded by what the platforms publish."""
    if metric != "views":
        return str(METRIC_LABELS[metric])
    return {
        "articles": _("Views"),
        "videos": pgettext("videos", "Views"),
        "both": pgettext("articles and videos", "Views"),
    }[views_content(platforms)]


# The largest count an account may report: a hundred trillion, far past any platform's figures, and
# small enough that a platform's monthly total over 90,000 such accounts still fits a bigint (2**63 - 1).
COUNT_MAX = 10**14 - 1

_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９－＋", "0123456789-+")
# Thousands separators people type: comma (also full-width), spaces (also no-break and thin), apostrophe.
_SEPARATORS = re.compile(r"[,，\s\u00a0\u202f\u3000'’_]")


def format_count(value: int) -> str:
    """A count with thousands separators, as staff read it."""
    return f"{value:,}"


# Chinese units a count may be typed in (`263万`, `1.2亿`): what each multiplies by.
CHINESE_UNITS = {"万": 10_000, "亿": 100_000_000}
_COUNT_TEXT = re.compile(r"(?P<number>[+-]?\d+(?:\.\d+)?)(?P<unit>[万亿])?")


def parse_count(value) -> int | None:
    """Read a count as typed (`1,234,567`, `1 234 567`, `１２３`, `263万`, `1.2亿`); None when empty.

    A Chinese unit is read where the result is a whole number (`188.6万` is 1,886,000). Raises
    ValidationError for text, negative numbers, fractions and numbers larger than a count may be.
    """
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
    else:
        text = _SEPARATORS.sub("", str(value).translate(_FULLWIDTH_DIGITS))
    if text == "":
        return None
    # Longer than any count may be: refused before Python is asked to read thousands of digits.
    matched = _COUNT_TEXT.fullmatch(text) if len(text) <= 40 else None
    if matched is None or (matched["unit"] is None and "." in matched["number"]):
        if len(text) > 40 and text.isascii() and text.lstrip("+-").isdigit():
            raise _too_large(value)
        raise ValidationError(
            _("“%(value)s” is not a whole number. Enter digits only, e.g. 1,234,567 (or 263万)."),
            code="not_a_number",
            params={"value": value},
        )
    number = Decimal(matched["number"]) * CHINESE_UNITS.get(matched["unit"], 1)
    if number != number.to_integral_value():
        raise ValidationError(
            _("“%(value)s” is %(number)s, not a whole number: give the figure exactly."),
            code="not_whole",
            params={"value": value, "number": f"{number.normalize():,f}"},
        )
    if number < 0:
        raise ValidationError(_("A count can't be negative."), code="negative")
    if number > COUNT_MAX:
        raise _too_large(value)
    return int(number)


def parse_count_or_none(value) -> int | None:
    """A count as `parse_count` reads it, or None where it cannot be read (for showing what was typed)."""
    try:
        return parse_count(value)
    except ValidationError:
        return None


def _too_large(value) -> ValidationError:
    shown = str(value) if len(str(value)) <= 30 else f"{str(value)[:12]}… ({len(str(value))} characters)"
    return ValidationError(
        _("%(value)s is larger than any count can be (at most %(max)s)."),
        code="too_large",
        params={"value": shown, "max": format_count(COUNT_MAX)},
    )


def count_reading(typed, value: int | None) -> str | None:
    """How a count typed with a Chinese unit was read (“263万” read as 2,630,000); None for plain digits."""
    text = str(typed or "").strip()
    if value is None or not any(unit in text for unit in CHINESE_UNITS):
        return None
    return _("“%(typed)s” read as %(value)s") % {"typed": text, "value": format_count(value)}


@dataclass(frozen=True)
class ReportedValue:
    """One figure already recorded for an account: its month and value."""

    period: date
    value: int


@dataclass(frozen=True)
class ExistingSnapshot:
    """A snapshot already recorded for the month being written, and where staff can open it."""

    pk: int
    url: str


@dataclass(frozen=True)
class AccountHistory:
    """What is recorded for an account around one month, other than the snapshot being written.

    `earlier` and `later` hold, per cumulative metric, the nearest reported value before and after the
    month; `existing` the snapshot that already holds that month, if any.
    """

    earlier: Mapping[str, ReportedValue] = field(default_factory=dict)
    later: Mapping[str, ReportedValue] = field(default_factory=dict)
    existing: ExistingSnapshot | None = None


def snapshot_errors(
    *,
    account,
    period: date | None,
    figures: Mapping[str, int | None],
    history: AccountHistory,
    today: date,
) -> dict[str, list[ValidationError]]:
    """Every rule a snapshot must keep, as {field: [errors]}; empty when it may be written.

    `account` needs `opened_on` and `platform.counts_articles`/`counts_videos`; `figures` holds the
    counts already parsed by `parse_count`.
    """
    errors: dict[str, list[ValidationError]] = {}

    def add(field_name: str, error: ValidationError) -> None:
        errors.setdefault(field_name, []).append(error)

    if all(figures.get(metric) is None for metric in METRICS):
        add(
            NON_FIELD_ERRORS,
            ValidationError(_("Enter at least one figure: articles, videos, views or followers."), code="no_figures"),
        )

    platform = account.platform
    for metric in METRICS:
        value = figures.get(metric)
        if value is not None and not 0 <= value <= COUNT_MAX:
            add(metric, _too_large(value) if value > COUNT_MAX else ValidationError(_("A count can't be negative.")))
    for metric, counted in (("articles", platform.counts_articles), ("videos", platform.counts_videos)):
        if figures.get(metric) is not None and not counted:
            add(
                metric,
                ValidationError(
                    _("%(platform)s does not count %(metric)s: leave this empty."),
                    code="not_counted",
                    params={"platform": platform, "metric": str(METRIC_LABELS[metric]).lower()},
                ),
            )

    if period is None:
        return errors

    future = future_period_error(period, today)
    if future is not None:
        add("period", future)
    opened = first_of_month(account.opened_on)
    if period < opened:
        add(
            "period",
            ValidationError(
                _("%(month)s is before the account opened (%(opened)s)."),
                code="before_opening",
                params={"month": month_label(period), "opened": month_label(opened)},
            ),
        )
    if history.existing is not None:
        add(
            "period",
            ValidationError(
                format_html(
                    _('{account} already has figures for {month}: <a href="{url}">open them</a> to correct them.'),
                    account=account,
                    month=month_label(period),
                    url=history.existing.url,
                ),
                code="duplicate",
            ),
        )

    for metric in CUMULATIVE_METRICS:
        value = figures.get(metric)
        if value is None:
            continue
        earlier = history.earlier.get(metric)
        if earlier is not None and value < earlier.value:
            add(
                metric,
                ValidationError(
                    _("%(metric)s can't go down: %(month)s was %(value)s."),
                    code="decreasing",
                    params={
                        "metric": metric_label(metric, [platform]),
                        "month": month_label(earlier.period),
                        "value": format_count(earlier.value),
                    },
                ),
            )
        later = history.later.get(metric)
        if later is not None and value > later.value:
            add(
                metric,
                ValidationError(
                    _("%(metric)s can't be higher than in a later month: %(month)s is %(value)s."),
                    code="above_later",
                    params={
                        "metric": metric_label(metric, [platform]),
                        "month": month_label(later.period),
                        "value": format_count(later.value),
                    },
                ),
            )
    return errors


# Flag (not refuse) a month whose increase is more than this many times the previous month's, and a
# count that may go down (followers) falling by more than this share in one step: typos as often as not.
SUSPICIOUS_JUMP_FACTOR = 10
SUSPICIOUS_FALL_SHARE = 0.5


def suspicious_changes(*, account, figures: Mapping[str, int | None], previous, before_previous) -> list[str]:
    """Warnings for figures that moved far more than the account's figures usually do; empty when none.

    `previous` and `before_previous` are the account's two latest earlier snapshots (or None).
    """
    if previous is None:
        return []
    warnings = []
    for metric in METRICS:
        new, last = figures.get(metric), previous.figures[metric]
        if new is None or last is None:
            continue
        earlier = before_previous.figures[metric] if before_previous is not None else None
        if earlier is not None and last - earlier > 0 and new - last > SUSPICIOUS_JUMP_FACTOR * (last - earlier):
            warnings.append(
                _(
                    "%(account)s: %(metric)s rose by %(increase)s, more than %(factor)s times the "
                    "previous rise (%(previous)s). Check the figure, or confirm it below."
                )
                % {
                    "account": account,
                    "metric": metric_label(metric, [account.platform]),
                    "increase": format_count(new - last),
                    "factor": SUSPICIOUS_JUMP_FACTOR,
                    "previous": format_count(last - earlier),
                }
            )
        if metric not in CUMULATIVE_METRICS and last > 0 and new < last * (1 - SUSPICIOUS_FALL_SHARE):
            share = f"{(last - new) * 100 / last:.2f}".rstrip("0").rstrip(".")
            warnings.append(
                _(
                    "%(account)s: %(metric)s fell from %(last)s in %(month)s to %(new)s (−%(share)s%%). "
                    "Check the figure, or confirm it below."
                )
                % {
                    "account": account,
                    "metric": metric_label(metric, [account.platform]),
                    "last": format_count(last),
                    "month": month_label(previous.period),
                    "new": format_count(new),
                    "share": share,
                }
            )
    return warnings


def future_period_error(period: date, today: date) -> ValidationError | None:
    """The error for a month after the current one (whose totals cannot be known yet), else None."""
    this_month = first_of_month(today)
    if period <= this_month:
        return None
    return ValidationError(
        _("%(month)s is in the future: figures can be entered up to %(latest)s."),
        code="future",
        params={"month": month_label(period), "latest": month_label(this_month)},
    )


def timeline_histories(timeline: list[tuple[date, Mapping[str, int | None]]]) -> dict[date, AccountHistory]:
    """For each month of one account's timeline, the nearest reported figures of the other months.

    `timeline` holds one entry per month (in any order); each entry's history is built from the others.
    Linear in the length of the timeline, so that an import of thousands of months stays fast.
    """
    entries = sorted(timeline, key=lambda entry: entry[0])
    earlier: list[dict[str, ReportedValue]] = [{} for _entry in entries]
    later: list[dict[str, ReportedValue]] = [{} for _entry in entries]
    for metric in CUMULATIVE_METRICS:
        last = None
        for index, (period, values) in enumerate(entries):
            if last is not None:
                earlier[index][metric] = last
            if values.get(metric) is not None:
                last = ReportedValue(period, values[metric])
        following = None
        for index in range(len(entries) - 1, -1, -1):
            period, values = entries[index]
            if following is not None:
                later[index][metric] = following
            if values.get(metric) is not None:
                following = ReportedValue(period, values[metric])
    return {
        period: AccountHistory(earlier=earlier[index], later=later[index])
        for index, (period, _values) in enumerate(entries)
    }
