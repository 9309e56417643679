"""What the page says about months still being entered: which month it shows and why, with links to the others."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from outreach.coverage import MonthCoverage, latest_complete
from outreach.months import month_label


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
    months: list[MonthCoverage], *, latest: date | None, shown: date | None, link_to: Callable[[date], str]
) -> list[Notice]:
    """What the page says about months being entered (`coverage.month_shown` chose the month shown): when
    it shows the latest complete month, the later ones named (the newest few) with a link to each; a month
    shown while it is being entered, or with a figure left out, says so, with a link to the latest
    complete month."""
    if latest is None:
        return []
    complete = latest_complete(months)
    if shown != latest:
        later = [month for month in months if month.period > shown]
        notices = [
            Notice(
                text=partial_month_notice(month, showing=shown),
                link=link_to(month.period),
                link_text=_("See %(month)s as entered so far") % {"month": month_label(month.period)},
            )
            for month in later[-PARTIAL_MONTHS_NOTED:]
        ]
        if len(later) > PARTIAL_MONTHS_NOTED:
            notices.append(Notice(text=more_partial_months(later[:-PARTIAL_MONTHS_NOTED])))
        return notices
    month = next(month for month in months if month.period == latest)
    if month.figures_complete:
        return []
    earlier = complete if complete is not None and complete < latest else None
    link = (
        {
            "link": link_to(earlier),
            "link_text": _("See %(month)s, the latest complete month") % {"month": month_label(earlier)},
        }
        if earlier
        else {}
    )
    return [Notice(text=partial_month_notice(month), **link)]


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
