"""A back-office file's reading made into import rows for one account, each figure explained: a month-end
total as read, a month's increase added to the account's total of the month before (from the file itself
where it gives that month, else as recorded). Pure: what is recorded is handed in. The rows then go through
the same rule set, preview and all-or-nothing write as a standard file's.
"""

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from outreach import metrics
from outreach.imports.backoffice.reading import (
    INCREASE,
    MISSING_DAYS,
    MISSING_VALUE,
    MONTH_NOT_OVER,
    PARTIAL_MONTH,
    TOTAL,
    MonthFigure,
    Reading,
    SkippedMonth,
)
from outreach.imports.plan import ImportRow
from outreach.months import add_months, month_label
from outreach.numbers import format_count


@dataclass(frozen=True)
class Recorded:
    """An account's month as recorded: its figures, and whether they are illustrative."""

    figures: dict[str, int | None]
    illustrative: bool
    approximate: bool = False  # its figures are lower bounds ("more than 1,000")


def months_needed(reading: Reading) -> set[date]:
    """The months whose recorded figures the rows are built from: the file's, and each one before."""
    months = {figure.month for figure in reading.figures}
    return months | {add_months(month, -1) for month in months}


def backoffice_rows(reading: Reading, account, recorded: dict[date, Recorded]) -> list[ImportRow]:
    """A row per month the file gives a figure of, with only those figures given (the others left alone)."""
    label = {metric: metrics.metric_label(metric, [account.platform]).lower() for metric in metrics.METRICS}
    rows: dict[date, ImportRow] = {}
    totals: dict[tuple[str, date], int] = {}  # what this file makes each figure at a month's end
    for figure in sorted(reading.figures, key=lambda figure: (figure.month, figure.metric)):
        row = rows.get(figure.month)
        if row is None:
            row = rows[figure.month] = ImportRow(
                line=len(rows) + 1, cells={}, account=account, period=figure.month, given=set(), explanations=[]
            )
        row.given.add(figure.metric)
        if figure.kind == TOTAL:
            row.figures[figure.metric] = totals[(figure.metric, figure.month)] = figure.value
            row.explanations.append(_total_explained(figure, label[figure.metric]))
            continue
        before_month = add_months(figure.month, -1)
        before = totals.get((figure.metric, before_month))
        kept = recorded.get(before_month)
        if before is None and kept is not None and kept.figures.get(figure.metric) is not None:
            if kept.illustrative:
                row.figures[figure.metric] = None
                row.add_error(figure.metric, _illustrative_before(figure, label[figure.metric]))
                continue
            before = kept.figures[figure.metric]
            if kept.approximate:
                # A lower bound plus what the month added is a lower bound too: the month is marked so.
                row.approximate = True
                if _lower_bound_explained(figure, kept) not in row.explanations:
                    row.explanations.append(_lower_bound_explained(figure, kept))
        if before is None and figure.month <= account.opened_on.replace(day=1):
            # The account's first month: what the month added is all it has.
            row.figures[figure.metric] = totals[(figure.metric, figure.month)] = figure.value
            row.explanations.append(_first_month_explained(figure, label[figure.metric]))
            continue
        if before is None:
            row.figures[figure.metric] = None
            row.add_error(figure.metric, _nothing_before(figure, label[figure.metric]))
            continue
        row.figures[figure.metric] = totals[(figure.metric, figure.month)] = before + figure.value
        row.explanations.append(_increase_explained(figure, before, label[figure.metric]))
    return list(rows.values())


def _words(figure: MonthFigure) -> dict:
    return {
        "month": month_label(figure.month),
        "month_before": month_label(add_months(figure.month, -1)),
        "column": figure.source.column,
        "increase": format_count(figure.value),
    }


def _total_explained(figure: MonthFigure, name: str) -> str:
    return _("%(figure)s at the end of %(month)s: %(value)s — %(column)s on %(day)s") % {
        **_words(figure),
        "figure": name.capitalize(),
        "value": format_count(figure.value),
        "day": figure.source.last.isoformat(),
    }


def _how(figure: MonthFigure) -> str:
    if figure.source.counted == "works" and not figure.source.count:
        return _("no work with a %(column)s in the month") % {"column": figure.source.column}
    if figure.source.counted == "works":
        return _("the works with a %(column)s in the month, the first on %(first)s, the last on %(last)s") % {
            "column": figure.source.column,
            "first": figure.source.first.isoformat(),
            "last": figure.source.last.isoformat(),
        }
    return _("the sum of %(column)s over its %(days)s days") % {
        "column": figure.source.column,
        "days": figure.source.count,
    }


def _increase_explained(figure: MonthFigure, before: int, name: str) -> str:
    words = {
        **_words(figure),
        "figure": name.capitalize(),
        "value": format_count(before + figure.value),
        "before": format_count(before),
        "how": _how(figure),
    }
    if figure.metric == "views":
        return (
            _(
                "%(figure)s at the end of %(month)s: %(value)s = %(month_before)s's %(before)s + %(increase)s in "
                "%(month)s (%(how)s)"
            )
            % words
        )
    return (
        _(
            "%(figure)s at the end of %(month)s: %(value)s = %(month_before)s's %(before)s + %(increase)s published "
            "in %(month)s (%(how)s)"
        )
        % words
    )


def _lower_bound_explained(figure: MonthFigure, kept: Recorded) -> str:
    return _(
        "%(month_before)s's figures are lower bounds (“more than”), so %(month)s's are marked as lower bounds too."
    ) % _words(figure)


def _first_month_explained(figure: MonthFigure, name: str) -> str:
    return _(
        "%(figure)s at the end of %(month)s: %(value)s, all added in %(month)s, the account's first month (%(how)s)"
    ) % {**_words(figure), "figure": name.capitalize(), "value": format_count(figure.value), "how": _how(figure)}


def _nothing_before(figure: MonthFigure, name: str) -> str:
    return _(
        "Enter the %(figure)s at the end of %(month_before)s first: this file gives only what %(month)s added "
        "(%(increase)s), which is added to them."
    ) % {**_words(figure), "figure": name}


def _illustrative_before(figure: MonthFigure, name: str) -> str:
    return _(
        "The %(figure)s of %(month_before)s are illustrative: enter the real figure first, to which what %(month)s "
        "added (%(increase)s) is added."
    ) % {**_words(figure), "figure": name}


def skipped_explained(skip: SkippedMonth, platform) -> str:
    """Why a month the file touches gives no figure, and that nothing is written for it."""
    words = {
        "month": month_label(skip.month),
        "figure": metrics.metric_label(skip.metric, [platform]).lower(),
        **{key: value for key, value in skip.params.items() if key != "days"},
    }
    if skip.reason == PARTIAL_MONTH and "first" not in skip.params:
        return (
            _(
                "%(month)s: the file ends on %(last)s, before the month's end, so it does not give the %(figure)s at "
                "the month's end; nothing is written for them."
            )
            % words
        )
    if skip.reason == PARTIAL_MONTH:
        return (
            _(
                "%(month)s: the file covers %(first)s to %(last)s, not the whole month, so it does not give what the "
                "month added to the %(figure)s; nothing is written for them."
            )
            % words
        )
    if skip.reason == MISSING_DAYS:
        return _(
            "%(month)s: the file has no line for %(days)s, so it does not give what the month added to the "
            "%(figure)s; nothing is written for them."
        ) % {**words, "days": ", ".join(skip.params["days"])}
    if skip.reason == MISSING_VALUE:
        return (
            _(
                "%(month)s: line %(line)s has no %(column)s (empty or “-”), so the month's %(figure)s are not known; "
                "nothing is written for them."
            )
            % words
        )
    if skip.reason == MONTH_NOT_OVER:
        return (
            _(
                "%(month)s had not ended on %(today)s: the list cannot give all that it added to the %(figure)s yet; "
                "nothing is written for them."
            )
            % words
        )
    raise ValueError(skip.reason)


__all__ = ["INCREASE", "Recorded", "backoffice_rows", "months_needed", "skipped_explained"]
