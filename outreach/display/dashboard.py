"""The dashboard page, built from its reads (`selectors.dashboard.dashboard_reads`): the notices, the cards,
the four charts with their text alternatives, the data table and the written summary. Pure, so that the
monthly report can build the same figures for paper.
"""

from collections.abc import Callable
from datetime import date

from django.utils.translation import gettext as _

from outreach import metrics
from outreach.display.cards import headline_cards, platform_cards
from outreach.display.charts import (
    LineForecast,
    MilestoneMark,
    cumulative_figure,
    increments_figure,
    shares_figure,
    year_over_year_figure,
)
from outreach.display.notices import coverage_notices, summary_partial_note
from outreach.display.sentences import summary_sentence
from outreach.display.series import (
    account_reporting,
    cumulative_series_by_account,
    cumulative_series_by_platform,
    increment_coverage,
    increment_series,
    monthly_growth,
    platform_reporting,
    shares,
    shares_month,
)
from outreach.display.tables import data_table, filters_summary, months_covered, scope_title
from outreach.display.targets import with_targets
from outreach.forecast import year_end_forecast
from outreach.months import month_short


def dashboard_page(reads, *, chosen: dict, platforms: list, link_to: Callable[[date], str]) -> dict:
    """What the dashboard template places, for the filters `chosen` (`platforms`: every platform, in
    order; `link_to(month)`: this dashboard ending at another month)."""
    title = scope_title(chosen, platforms, reads.accounts, reads.account_total)
    page = {
        "latest": reads.shown,
        "scope_title": title,
        "filters_summary": filters_summary(chosen, platforms, reads.account_total, scope=title),
        "months_covered": months_covered(reads.months.totals),
        "coverage_notices": coverage_notices(reads.entered, latest=reads.latest, shown=reads.shown, link_to=link_to),
    }
    if reads.shown is None:
        return {**page, "has_figures": reads.has_figures}
    return {**page, **_figures(reads, chosen, platforms)}


def _figures(reads, chosen: dict, platforms: list) -> dict:
    metric, granularity, by = chosen["metric"], chosen["granularity"], reads.by
    months, shown_platforms, accounts = reads.months, reads.platforms, reads.accounts
    totals, latest = months.totals, reads.shown
    notices = []
    if by != chosen["by"]:
        notices.append(
            _("A line per account is drawn for at most %(count)d accounts: choose fewer. Shown per platform.")
            % {"count": reads.lines_per_account_at_most}
        )
    if reads.account_total > len(reads.summarised_accounts):
        notices.append(
            _("The summary covers the first %(shown)d of %(total)d accounts: choose accounts to read about others.")
            % {"shown": len(reads.summarised_accounts), "total": reads.account_total}
        )
    metric_label = metrics.metric_label(metric, shown_platforms)
    lines = _lines(months, by, accounts, shown_platforms, metric=metric, granularity=granularity, latest=latest)
    increments = months.increments
    # What the growth covers: per platform, and per account with a bar per account.
    reporting = platform_reporting(totals, months.coverage, metric=metric)
    shown_ids = [platform.pk for platform in shown_platforms]
    # Shares from a month every account reported the figure: a partial month's would credit whoever
    # entered first. Per figure, so that an account that stopped counting followers holds back only those.
    views_month, views_whole = shares_month(reads.entered, latest, "views")
    followers_month, followers_whole = shares_month(reads.entered, latest, "followers")
    figures = {
        "cumulative": None,  # below, once the cards' targets are known
        "increments": increments_figure(
            series=increment_series(
                increments,
                shown_platforms if by == "platform" else accounts,
                by=by,
                accounts=accounts,
                granularity=granularity,
                reporting=reporting
                if by == "platform"
                else account_reporting(months.account_months, accounts, metric=metric),
                latest=latest,
            ),
            metric_label=metric_label,
            granularity=granularity,
            coverage=increment_coverage(increments, reporting, shown_ids, granularity=granularity, latest=latest),
        ),
        "shares": shares_figure(
            views=shares(totals, views_month, "views", platforms),
            followers=shares(totals, followers_month, "followers", platforms),
            # Named as the cards name the figure over the same platforms (浏览量 over articles and videos).
            views_label=metrics.metric_label("views", shown_platforms),
            month=views_month,
            followers_month=followers_month,
            complete=views_whole and followers_whole,
        ),
        "year_over_year": year_over_year_figure(
            this_year=latest.year,
            this_year_values=monthly_growth(increments, latest.year, reporting=reporting, platform_ids=shown_ids),
            last_year_values=monthly_growth(increments, latest.year - 1, reporting=reporting, platform_ids=shown_ids),
            metric_label=metric_label,
        ),
    }
    shown = next(month for month in reads.entered if month.period == latest)
    cards, groups = with_targets(
        headline_cards(totals, latest, shown_platforms, months.coverage),
        platform_cards(totals, shown_platforms, latest, months.coverage),
        reads.targets,
        shown_ids,
    )
    figures["cumulative"] = cumulative_figure(
        series=lines,
        metric_label=metric_label,
        granularity=granularity,
        scale=chosen["scale"],
        milestones=[MilestoneMark(day=m.date, title=m.display_title) for m in reads.milestones],
        forecasts=line_forecasts(
            lines,
            (reads.history or months).increments,
            shown_platforms,
            latest,
            metric=metric,
            granularity=granularity if by == "platform" else "",
            groups=groups,
        ),
    )
    return {
        "cards": cards,
        "platform_cards": groups,
        "charts": [_chart(name, figure) for name, figure in figures.items()],
        "summary": [summary_sentence(snapshot) for snapshot in reads.summarised],
        "summary_note": "" if shown.complete else summary_partial_note(latest),
        "notices": notices,
        "table": data_table(lines),
        "milestones": reads.milestones,
        "metric_label": metric_label,
        "latest_label": month_short(latest),
    }


def _lines(months, by: str, accounts, platforms, *, metric: str, granularity: str, latest: date):
    """The cumulative chart's lines: per account, or per platform."""
    if by == "account":
        return cumulative_series_by_account(
            months.account_months, accounts, metric=metric, granularity=granularity, latest=latest
        )
    return cumulative_series_by_platform(
        months.totals, platforms, metric=metric, granularity=granularity, latest=latest
    )


def line_forecasts(
    lines, increments, platforms, latest: date, *, metric: str, granularity: str, groups
) -> list[LineForecast]:
    """Each platform's line's year-end forecast from its like-for-like monthly growth over its whole history
    (`forecast.year_end_forecast`: an account joining the line is not growth), and its platform card's target
    total; none in December (the year is over), by quarter or year, or with a line per account."""
    if granularity != "month" or latest.month == 12:
        return []
    targets = {
        group.platform.name: card.target
        for group in groups
        for card in group.cards
        if card.metric == metric and card.target is not None and card.target.progress is not None
    }
    growth: dict[int, dict[date, int | None]] = {}
    illustrative: dict[int, bool] = {}
    for increment in increments:
        # A month whose growth spans an account's missing months is not one month's growth.
        growth.setdefault(increment.group_id, {})[increment.period] = increment.value if not increment.gaps else None
        illustrative[increment.group_id] = illustrative.get(increment.group_id, False) or increment.illustrative
    by_name = {platform.name: platform.pk for platform in platforms}
    found = []
    for line in lines:
        platform_id = by_name.get(line.name)
        if platform_id is None or not line.points or line.points[-1].period != latest:
            continue
        forecast = year_end_forecast(
            growth.get(platform_id, {}),
            origin=latest,
            current=line.points[-1].value,
            cumulative=metric in metrics.CUMULATIVE_METRICS,
        )
        target = targets.get(line.name)
        found.append(
            LineForecast(
                name=line.name,
                color=line.color,
                last=line.points[-1],
                forecast=forecast,
                target=target.progress.aimed_at if target else None,
                illustrative=illustrative.get(platform_id, False)
                or line.points[-1].illustrative
                or bool(target and target.illustrative),
            )
        )
    return found


def _chart(name: str, figure: dict) -> dict:
    """A chart as the page places it: the drawing, and its title, caption and text alternative beside it
    (the figure carries them, so that a printed or exported figure says the same)."""
    meta = figure["layout"]["meta"]
    return {
        "id": f"figure-{name}",
        "figure": figure,
        "title": figure["layout"]["title"]["text"],
        "caption": meta["caption"],
        "description": meta["description"],
    }
