"""The one rule set for every figure written: the admin form, the month grid and the CSV import.

Each rule is a pure function of the values being written and of what is already recorded for the
account (`AccountHistory`, read by `models.snapshot_history`). Errors come back keyed by field,
worded for staff ("Views can't go down: January 2024 was 19,800,000"), never as codes. The database
holds the same invariants as constraints, as a backstop.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext as _

from outreach.metrics import COUNT_MAX, CUMULATIVE_METRICS, METRIC_LABELS, METRICS, metric_label
from outreach.months import first_of_month, month_label
from outreach.numbers import count_too_large, format_count


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
            add(
                metric,
                count_too_large(value) if value > COUNT_MAX else ValidationError(_("A count can't be negative.")),
            )
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


def target_errors(
    *, metric: str, value: int | None, year: int | None, counted: tuple[str, ...] | None, platform_name: str = ""
) -> dict[str, list[ValidationError]]:
    """Every rule a yearly target must keep, as {field: [errors]}; empty when it may be written. `counted`:
    the figures the account's platform counts (None while no account is chosen)."""
    errors: dict[str, list[ValidationError]] = {}
    if value is not None and not 0 <= value <= COUNT_MAX:
        errors["value"] = [
            count_too_large(value) if value > COUNT_MAX else ValidationError(_("A count can't be negative."))
        ]
    if counted is not None and metric in METRICS and metric not in counted:
        errors["metric"] = [
            ValidationError(
                _("%(platform)s does not count %(metric)s: choose a figure it counts."),
                code="not_counted",
                params={"platform": platform_name, "metric": str(METRIC_LABELS[metric]).lower()},
            )
        ]
    if year is not None and not 2000 <= year <= 2100:
        errors["year"] = [ValidationError(_("Enter a year from 2000 to 2100."), code="year_out_of_range")]
    return errors


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
