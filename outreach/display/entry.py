"""What staff have still to enter, as the admin's pages say it: sentences per month, the accounts named (the rest
counted), with a link to the month grid.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from outreach import metrics
from outreach.coverage import MissingReports
from outreach.months import format_month, month_label
from outreach.numbers import names_listed

if TYPE_CHECKING:
    from outreach.models import Account


@dataclass(frozen=True)
class MissingReportsShown:
    """What staff have still to enter, as the admin's pages say it: for each month listed, its sentences
    (each month's name links to its month grid); then how many more months have gaps, or, when nothing is
    missing, a sentence that says so."""

    months: list[list[SafeString]]
    more: SafeString | str
    complete: str


def _sentence(template: str, **parts) -> SafeString:
    """A translated sentence with its parts put in, each escaped unless already safe (a link)."""
    return mark_safe(  # noqa: S308 (the template and every part are escaped here)
        conditional_escape(template)
        % {name: part if isinstance(part, int) else conditional_escape(part) for name, part in parts.items()}
    )


def _month_grid_link(period: date) -> SafeString:
    url = reverse("admin:outreach_month_grid") + "?" + urlencode({"period": format_month(period)})
    return format_html('<a href="{}">{}</a>', url, month_label(period))


def _account_named(account: Account, shared_platform_ids: frozenset[int]) -> str:
    """An account as the missing list names it: its platform, and its own name where the platform has several."""
    if account.platform_id in shared_platform_ids:
        return f"{account.platform} · {account.display_name}"
    return str(account.platform)


def _names(names: list[str], count: int) -> str:
    """Names as a list, and how many more there are than named."""
    listed = pgettext("between names in a list", ", ").join(names)
    if count <= len(names):
        return listed
    more = count - len(names)
    return ngettext("%(names)s and %(count)d more account", "%(names)s and %(count)d more accounts", more) % {
        "names": listed,
        "count": more,
    }


def _figure_in_sentence(metric: str, account: Account) -> str:
    """A figure's name inside a sentence (“followers”), views worded by what the account's platform publishes."""
    if metric == "views":
        return {
            "articles": _("views"),
            "videos": pgettext("videos", "views"),
            "both": pgettext("articles and videos", "views"),
        }[metrics.views_content([account.platform])]
    return {"articles": _("articles"), "videos": _("videos"), "followers": _("followers")}[metric]


def _figures_in_sentence(metrics: tuple[str, ...], account: Account) -> str:
    return names_listed([_figure_in_sentence(metric, account) for metric in metrics])


def missing_reports_shown(missing: MissingReports) -> MissingReportsShown:
    """The sentences of the missing list: “March 2024: missing Douyin, Bilibili”, for the latest month (the
    one being entered); “April 2023 skipped by 2 accounts: Douyin, Bilibili” for earlier ones; “WeChat
    official account: followers not entered for March 2024” for a report that leaves a figure empty."""
    months = []
    for month in missing.months:
        link = _month_grid_link(month.period)
        sentences = []
        if month.accounts_count:
            names = _names(
                [_account_named(account, missing.shared_platform_ids) for account in month.accounts],
                month.accounts_count,
            )
            if month.period == missing.latest:
                sentences.append(_sentence(_("%(month)s: missing %(accounts)s"), month=link, accounts=names))
            else:
                sentences.append(
                    _sentence(
                        ngettext(
                            "%(month)s skipped by %(count)d account: %(accounts)s",
                            "%(month)s skipped by %(count)d accounts: %(accounts)s",
                            month.accounts_count,
                        ),
                        month=link,
                        count=month.accounts_count,
                        accounts=names,
                    )
                )
        for account, figures in month.figures:
            sentences.append(
                _sentence(
                    _("%(account)s: %(figures)s not entered for %(month)s"),
                    account=_account_named(account, missing.shared_platform_ids),
                    figures=_figures_in_sentence(figures, account),
                    month=link,
                )
            )
        unnamed = month.figures_count - len(month.figures)
        if unnamed:
            sentences.append(
                _sentence(
                    ngettext(
                        "%(month)s: figures not entered by %(count)d more account",
                        "%(month)s: figures not entered by %(count)d more accounts",
                        unnamed,
                    ),
                    month=link,
                    count=unnamed,
                )
            )
        months.append(sentences)
    more = missing.incomplete_months - len(missing.months)
    return MissingReportsShown(
        months=months,
        more=_sentence(
            ngettext(
                "%(count)d more month has gaps, back to %(earliest)s.",
                "%(count)d more months have gaps, back to %(earliest)s.",
                more,
            ),
            count=more,
            earliest=_month_grid_link(missing.earliest),
        )
        if more > 0
        else "",
        complete=(
            _("Every account has reported up to %(month)s.") % {"month": month_label(missing.latest)}
            if missing.latest
            else _("No figures have been entered yet.")
        ),
    )
