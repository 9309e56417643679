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

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
# What PostgreSQL's bigint (and SQLite's integer) holds.
COUNT_MAX = 2**63 - 1

_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９－＋", "0123456789-+")
# Thousands separators people type: comma (also full-width), spaces (also no-break and thin), apostrophe.
_SEPARATORS = re.compile(r"[,，\s\u00a0\u202f\u3000'’_]")


def format_count(value: int) -> str:
    """A count with thousands separators, as staff read it."""
    return f"{value:,}"


def parse_count(value) -> int | None:
    """Read a count as typed (`1,234,567`, `1 234 567`, `１２３`); None when empty (not reported).

    Raises ValidationError for text, negative numbers, fractions and numbers too large to store.
    """
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
    else:
        text = _SEPARATORS.sub("", str(value).translate(_FULLWIDTH_DIGITS))
    if text == "":
        return None
    if not re.fullmatch(r"[+-]?\d+", text):
        raise ValidationError(
            _("“%(value)s” is not a whole number. Enter digits only, e.g. 1,234,567."),
            code="not_a_number",
            params={"value": value},
        )
    number = int(text)
    if number < 0:
        raise ValidationError(_("A count can't be negative."), code="negative")
    if number > COUNT_MAX:
        raise ValidationError(
            _("%(value)s is larger than any count that can be stored (at most %(max)s)."),
            code="too_large",
            params={"value": value, "max": format_count(COUNT_MAX)},
        )
    return number


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
                        "metric": METRIC_LABELS[metric],
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
                        "metric": METRIC_LABELS[metric],
                        "month": month_label(later.period),
                        "value": format_count(later.value),
                    },
                ),
            )
    return errors


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
