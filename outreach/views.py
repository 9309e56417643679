"""Pages outside the admin. Thin: parse the parameters, ask selectors for rows, build figures, render."""

import dataclasses
import sys

from django.contrib.auth.decorators import login_required, permission_required
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.http import FileResponse, HttpResponseBadRequest, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from outreach import charts, dashboard, metrics
from outreach.files.columns import INCREMENT_COLUMNS, SNAPSHOT_COLUMNS, SUMMARY_COLUMNS, summary_rows, translated_header
from outreach.files.copy_writer import COPY_LINE, copy_csv_chunks
from outreach.files.csv_writer import csv_chunks, snapshot_cells
from outreach.files.xlsx_writer import xlsx_file
from outreach.forms import DashboardFilterForm, ReportFilterForm
from outreach.language import is_chinese
from outreach.models import Platform
from outreach.months import format_month, month_short
from outreach.selectors.audit import recent_changes
from outreach.selectors.dashboard import (
    any_figures_recorded,
    dashboard_milestones,
    dashboard_months,
    latest_account_snapshots,
    with_pairs,
)
from outreach.selectors.exports import (
    account_year_summaries,
    export_period_range,
    snapshot_export_copy_query,
    snapshot_export_rows,
)
from outreach.selectors.scope import (
    Scope,
    account_count,
    dashboard_accounts,
    scope_account_count,
    scope_accounts,
)


def figures_viewer_required(view):
    """Signed-in people allowed to see figures; others are sent to sign in, or refused (403) if signed in."""
    return login_required(permission_required("outreach.view_metricsnapshot", raise_exception=True)(view))


def _filters(form_class, request, data):
    """The filter form, with the accounts to list while they are few (else a field of account numbers)."""
    platforms = list(Platform.objects.all())
    total = account_count()
    listed = dashboard_accounts() if total <= form_class.LISTED_ACCOUNTS_AT_MOST else None
    form = form_class(data, platforms=platforms, accounts=listed, today=timezone.localdate())
    return form, platforms, total


def _scope(chosen: dict, platforms: list[Platform]) -> Scope:
    return Scope(
        account_ids=tuple(int(pk) for pk in chosen["accounts"]) or None,
        platform_ids=tuple(platform.pk for platform in platforms if platform.slug in chosen["platforms"]) or None,
        start=chosen["start"],
        end=chosen["end"],
    )


def _download_query(scope_query: str, *, translated_headers: bool) -> str:
    """The downloads' query string: the dashboard's scope, and on the Chinese page the columns in Chinese."""
    if not translated_headers:
        return scope_query
    return "&".join(part for part in (scope_query, "headers=translated") if part)


# Past these, a line per account and a sentence per account stop being readable (and cheap).
LINES_PER_ACCOUNT_AT_MOST = 50
SUMMARY_ACCOUNTS_AT_MOST = 20


@require_safe
@figures_viewer_required
def dashboard_view(request):
    """The managers' dashboard: headline cards, growth charts and a written summary, filtered by the URL."""
    filters, platforms, total = _filters(DashboardFilterForm, request, DashboardFilterForm.with_defaults(request.GET))
    context = {"filters": filters, "platforms": platforms, "has_accounts": total > 0}
    if not filters.is_valid():
        return render(request, "outreach/dashboard.html", context, status=400)
    chosen = filters.cleaned_data
    scope = _scope(chosen, platforms)
    accounts = scope_accounts(scope, limit=LINES_PER_ACCOUNT_AT_MOST + 1, platforms=platforms, every_account=total)
    account_total = len(accounts) if len(accounts) <= LINES_PER_ACCOUNT_AT_MOST else scope_account_count(scope)
    # Past so many accounts, lines per account give way to lines per platform (a notice says so).
    by = "platform" if account_total > LINES_PER_ACCOUNT_AT_MOST else chosen["by"]
    months = dashboard_months(scope, metric=chosen["metric"], by=by)
    shown_platforms = dashboard.platforms_of(months.totals, platforms, months.coverage)
    entered = dashboard.month_coverage(months.totals, [platform.pk for platform in shown_platforms], months.coverage)
    latest = dashboard.latest_month(months.totals)
    notices, shown = dashboard.coverage_notices(
        entered,
        latest=latest,
        end_chosen=chosen["end"] is not None,
        link_to=lambda end: _dashboard_link(request, end=end),
    )
    if shown != latest:
        # Later months are still being entered: the page shows the latest complete one (the notices say so).
        months, latest, scope = months.up_to(shown), shown, dataclasses.replace(scope, end=shown)
    scope_title = dashboard.scope_title(chosen, platforms, accounts, account_total)
    translated_headers = is_chinese()
    context.update(
        report_query=_download_query(filters.scope_query(end=scope.end), translated_headers=translated_headers),
        translated_headers=translated_headers,
        latest=latest,
        scope_title=scope_title,
        filters_summary=dashboard.filters_summary(chosen, platforms, account_total, scope=scope_title),
        months_covered=dashboard.months_covered(months.totals),
        printed_by=request.user.get_full_name() or request.user.get_username(),
        printed_at=timezone.localtime(),
        coverage_notices=notices,
    )
    if latest is None:
        context["has_figures"] = any_figures_recorded()
        return render(request, "outreach/dashboard.html", context)
    months = with_pairs(months, latest)
    context.update(_figures(chosen, by, scope, accounts, account_total, shown_platforms, platforms, months, entered))
    return render(request, "outreach/dashboard.html", context)


def _dashboard_link(request, *, end) -> str:
    """This dashboard, with the same filters, ending at another month."""
    query = request.GET.copy()
    query["end"] = format_month(end)
    return f"{reverse('dashboard')}?{query.urlencode()}"


def _figures(chosen, by, scope, accounts, account_total, shown_platforms, platforms, months, entered) -> dict:
    metric, granularity = chosen["metric"], chosen["granularity"]
    totals = months.totals
    latest = dashboard.latest_month(totals)
    notices = []
    if by != chosen["by"]:
        notices.append(
            _("A line per account is drawn for at most %(count)d accounts: choose fewer. Shown per platform.")
            % {"count": LINES_PER_ACCOUNT_AT_MOST}
        )
    summarised = accounts[:SUMMARY_ACCOUNTS_AT_MOST]
    if account_total > len(summarised):
        notices.append(
            _("The summary covers the first %(shown)d of %(total)d accounts: choose accounts to read about others.")
            % {"shown": len(summarised), "total": account_total}
        )
    metric_label = metrics.metric_label(metric, shown_platforms)
    if by == "account":
        lines = dashboard.cumulative_series_by_account(
            months.account_months, accounts, metric=metric, granularity=granularity, latest=latest
        )
    else:
        lines = dashboard.cumulative_series_by_platform(
            totals, shown_platforms, metric=metric, granularity=granularity, latest=latest
        )
    increments = months.increments
    # What the growth covers: per platform, and per account with a bar per account.
    platform_reporting = dashboard.platform_reporting(totals, months.coverage, metric=metric)
    shown_ids = [platform.pk for platform in shown_platforms]
    milestones = dashboard_milestones(scope)
    # Shares from a month every account reported the figure: a partial month's would credit whoever
    # entered first. Per figure, so that an account that stopped counting followers holds back only those.
    views_month, views_whole = dashboard.shares_month(entered, latest, "views")
    followers_month, followers_whole = dashboard.shares_month(entered, latest, "followers")
    figures = {
        "cumulative": charts.cumulative_figure(
            series=lines,
            metric_label=metric_label,
            granularity=granularity,
            scale=chosen["scale"],
            milestones=[charts.MilestoneMark(day=m.date, title=m.display_title) for m in milestones],
        ),
        "increments": charts.increments_figure(
            series=dashboard.increment_series(
                increments,
                shown_platforms if by == "platform" else accounts,
                by=by,
                accounts=accounts,
                granularity=granularity,
                reporting=platform_reporting
                if by == "platform"
                else dashboard.account_reporting(months.account_months, accounts, metric=metric),
                latest=latest,
            ),
            metric_label=metric_label,
            granularity=granularity,
            coverage=dashboard.increment_coverage(
                increments, platform_reporting, shown_ids, granularity=granularity, latest=latest
            ),
        ),
        "shares": charts.shares_figure(
            views=dashboard.shares(totals, views_month, "views", platforms),
            followers=dashboard.shares(totals, followers_month, "followers", platforms),
            month=views_month,
            followers_month=followers_month,
            complete=views_whole and followers_whole,
        ),
        "year_over_year": charts.year_over_year_figure(
            this_year=latest.year,
            this_year_values=dashboard.monthly_growth(
                increments, latest.year, reporting=platform_reporting, platform_ids=shown_ids
            ),
            last_year_values=dashboard.monthly_growth(
                increments, latest.year - 1, reporting=platform_reporting, platform_ids=shown_ids
            ),
            metric_label=metric_label,
        ),
    }
    summary_scope = Scope(account_ids=tuple(account.pk for account in summarised), start=scope.start, end=scope.end)
    shown = next(month for month in entered if month.period == latest)
    return {
        "cards": dashboard.headline_cards(totals, latest, shown_platforms, months.coverage),
        "platform_cards": dashboard.platform_cards(totals, shown_platforms, latest, months.coverage),
        "charts": [
            {
                "id": f"figure-{name}",
                "figure": figure,
                "title": figure["layout"]["title"]["text"],
                "caption": figure["layout"]["meta"]["caption"],
                "description": figure["layout"]["meta"]["description"],
            }
            for name, figure in figures.items()
        ],
        "summary": [dashboard.summary_sentence(s) for s in latest_account_snapshots(summary_scope)],
        "summary_note": "" if shown.complete else dashboard.summary_partial_note(latest),
        "notices": notices,
        "table": dashboard.data_table(lines),
        "milestones": milestones,
        "metric_label": metric_label,
        "latest_label": month_short(latest),
    }


def _report_scope(request) -> tuple[Scope | None, ReportFilterForm]:
    filters, platforms, _total = _filters(ReportFilterForm, request, request.GET)
    if not filters.is_valid():
        return None, filters
    return _scope(filters.cleaned_data, platforms), filters


def _bad_filters(filters: ReportFilterForm) -> HttpResponseBadRequest:
    lines = [f"{filters.fields[name].label}: {error}" for name, errors in filters.errors.items() for error in errors]
    return HttpResponseBadRequest("\n".join(lines), content_type="text/plain; charset=utf-8")


def _download(rows, columns, *, file_name: str, file_format: str, title: str, translated: bool, cells=None, copy=None):
    """The report as XLSX, or as streamed CSV: written by PostgreSQL when `copy` gives its (query, params)."""
    header = translated_header(columns) if translated else columns
    if file_format == "xlsx":
        return FileResponse(xlsx_file(header, rows, title=title), as_attachment=True, filename=f"{file_name}.xlsx")
    chunks = copy_csv_chunks(connection, header, *copy) if copy else csv_chunks(header, rows, cells)
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{file_name}.csv"'
    return response


@require_safe
@figures_viewer_required
def snapshots_report(request, file_format: str):
    """Every snapshot the filters select, streamed: the same columns an import reads."""
    scope, filters = _report_scope(request)
    if scope is None:
        return _bad_filters(filters)
    increments = filters.cleaned_data["increments"]
    first, last = export_period_range(scope)
    first, last = scope.start or first, scope.end or last
    span = f"{format_month(first)}-to-{format_month(last)}" if first and last else "empty"
    columns = (*SNAPSHOT_COLUMNS, *(INCREMENT_COLUMNS if increments else ()))
    # At national scale, PostgreSQL writes the CSV itself: several times faster than row by row.
    by_copy = file_format == "csv" and not increments and connection.vendor == "postgresql"
    return _download(
        None if by_copy else snapshot_export_rows(scope, increments=increments),
        columns,
        file_name=f"outreach-snapshots-{span}",
        file_format=file_format,
        title=_("Snapshots"),
        translated=filters.cleaned_data["headers"] == "translated",
        cells=snapshot_cells,
        copy=snapshot_export_copy_query(scope, COPY_LINE) if by_copy else None,
    )


@require_safe
@figures_viewer_required
def summary_report(request, file_format: str):
    """One row per account: its latest totals and their change over the year, for the annual report."""
    scope, filters = _report_scope(request)
    if scope is None:
        return _bad_filters(filters)
    summaries = account_year_summaries(scope)
    last = max((summary.latest.period for summary in summaries), default=None)
    return _download(
        summary_rows(summaries),
        SUMMARY_COLUMNS,
        file_name=f"outreach-summary-{format_month(last) if last else 'empty'}",
        file_format=file_format,
        title=_("Summary"),
        translated=filters.cleaned_data["headers"] == "translated",
    )


@require_safe
@figures_viewer_required
def recent_changes_view(request):
    """The latest edits of figures, accounts, platforms and milestones: who, when, before and after."""
    return render(request, "outreach/recent_changes.html", {"changes": recent_changes(limit=100)})


def server_error(request):
    """The 500 page; or, when the database cannot be reached, a 503 that says the service is away for now."""
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        return render(request, "503.html", status=503)
    return render(request, "500.html", status=500)


@require_safe
@never_cache
@transaction.non_atomic_requests
def healthz(request):
    """200 when the database answers, 503 when it does not: for load balancers and docker-compose."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
