"""The downloads' columns: machine names that never change, their names for people in either language, and the
summary's rows. An import reads the same columns back (`outreach.imports`).
"""

from collections.abc import Iterator

from django.utils.translation import gettext_lazy

from outreach import metrics
from outreach.monthly_totals import figure_growth

# The columns of a snapshot export, in order; an import reads the same.
SNAPSHOT_COLUMNS = (
    "platform",
    "account",
    "period",
    *metrics.METRICS,
    "approximate",
    "note",
    "illustrative",
)


# `increments_illustrative`: the growth is computed from an illustrative figure (this month's or the
# previous report's), so it carries the mark as every illustrative figure does.
INCREMENT_COLUMNS = (
    *(f"{metric}_increment" for metric in metrics.METRICS),
    "months_since_previous",
    "increments_illustrative",
)


# The columns' names for people, offered as an export's header on request (`headers=translated`); an
# import reads them too, in either language. The machine-readable names above never change.
COLUMN_LABELS = {
    "platform": gettext_lazy("Platform"),
    "account": gettext_lazy("Account"),
    "period": gettext_lazy("Month"),
    "articles": gettext_lazy("Articles"),
    "videos": gettext_lazy("Videos"),
    "views": gettext_lazy("Views"),
    "followers": gettext_lazy("Followers"),
    "approximate": gettext_lazy("Approximate"),
    "note": gettext_lazy("Note"),
    "illustrative": gettext_lazy("Illustrative"),
    "articles_increment": gettext_lazy("New articles"),
    "videos_increment": gettext_lazy("New videos"),
    "views_increment": gettext_lazy("New views"),
    "followers_increment": gettext_lazy("New followers"),
    "months_since_previous": gettext_lazy("Months since the previous report"),
    "increments_illustrative": gettext_lazy("Increments illustrative"),
    "year_before": gettext_lazy("A year before"),
    "articles_change": gettext_lazy("Change in articles"),
    "videos_change": gettext_lazy("Change in videos"),
    "views_change": gettext_lazy("Change in views"),
    "followers_change": gettext_lazy("Change in followers"),
    "changes_illustrative": gettext_lazy("Changes illustrative"),
}


def translated_header(columns) -> list[str]:
    """The header in the active language."""
    return [str(COLUMN_LABELS[column]) for column in columns]


SUMMARY_COLUMNS = (
    "platform",
    "account",
    "period",
    *metrics.METRICS,
    "approximate",
    "illustrative",
    "year_before",
    *(f"{metric}_change" for metric in metrics.METRICS),
    "changes_illustrative",
)


def summary_rows(summaries) -> Iterator[tuple]:
    """The summary report's rows: each account's latest totals, and their change since twelve months before
    (over the figures it reported both months; marked illustrative where either month is)."""
    for summary in summaries:
        latest, before = summary.latest, summary.year_before
        changes = (
            figure_growth([latest.figures[m] for m in metrics.METRICS], [before.figures[m] for m in metrics.METRICS])
            if before is not None
            else (None,) * len(metrics.METRICS)
        )
        any_change = any(change is not None for change in changes)
        yield (
            latest.account.platform.slug,
            latest.account.name,
            latest.period,
            *(latest.figures[metric] for metric in metrics.METRICS),
            latest.approximate,
            latest.is_illustrative,
            before.period if before is not None else None,
            *changes,
            (latest.is_illustrative or before.is_illustrative) if any_change else None,
        )
