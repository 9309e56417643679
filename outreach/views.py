"""Pages outside the admin. Thin: parse the parameters, ask selectors for rows, build figures, render."""

import functools
import hashlib
import json
import logging
import sys

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.http import (
    FileResponse,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
    StreamingHttpResponse,
)
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from outreach.files.columns import INCREMENT_COLUMNS, SNAPSHOT_COLUMNS, SUMMARY_COLUMNS, summary_rows, translated_header
from outreach.files.copy_writer import COPY_LINE, copy_csv_chunks
from outreach.files.csv_writer import csv_chunks, snapshot_cells
from outreach.files.xlsx_writer import xlsx_file
from outreach.filters import DashboardFilterForm, ReportFilterForm
from outreach.forms import ReportSubscriptionForm
from outreach.models.reports import why_not_receiving
from outreach.months import format_month
from outreach.printing import PrintingUnavailable
from outreach.reports.figures import figures_context, filter_form
from outreach.reports.links import masked_address, user_id_of_token
from outreach.reports.pages import monthly_report, report_pdf, yearly_report
from outreach.selectors.audit import recent_changes
from outreach.selectors.data_version import data_version
from outreach.selectors.deliveries import deliveries_of, subscriber, subscription_of
from outreach.selectors.exports import (
    account_year_summaries,
    export_period_range,
    snapshot_export_copy_query,
    snapshot_export_rows,
)
from outreach.selectors.scope import (
    Scope,
)
from outreach.services.deliveries import subscribe, unsubscribe

logger = logging.getLogger(__name__)


def figures_viewer_required(view):
    """Signed-in people allowed to see figures; others are sent to sign in, or refused (403) if signed in.
    What they are shown is theirs: no shared cache keeps it, and a browser asks again each time (a figure
    saved a moment ago shows on the next visit)."""
    guarded = login_required(permission_required("outreach.view_metricsnapshot", raise_exception=True)(view))
    return cache_control(private=True, no_cache=True)(guarded)


@require_safe
@figures_viewer_required
# Reads only: no BEGIN and COMMIT around them (two round trips of the few a kept dashboard costs). Each
# read sees what was committed when it ran, as inside a READ COMMITTED transaction; the data version is
# read first, so a page built from newer figures can only be kept under an older version, never the reverse.
@transaction.non_atomic_requests
def dashboard_view(request):
    """The managers' dashboard: headline cards, growth charts and a written summary, filtered by the URL.

    The figures part is built once per data version (and language, day, filters, and what the person may
    add) and kept in the cache: the next person with the same view gets it without a query on the figures,
    and any write makes a new version, so it is never stale. What belongs to the person (their name on the
    printout, the sign-out form) is placed around it on every request.
    """
    figures_key = _dashboard_cache_key(request)
    # Messages are shown once, by the page that renders them: a page with messages waiting is not kept.
    page_key = _dashboard_page_key(request, figures_key) if figures_key and not len(get_messages(request)) else None
    page = cache.get(page_key) if page_key else None
    status = 200
    if page is None:
        figures = cache.get(figures_key) if figures_key else None
        if figures is None:
            figures, status = _dashboard_figures(request)
            if figures_key and status == 200:
                cache.set(figures_key, figures, DASHBOARD_CACHE_SECONDS)
        context = {
            # Rendered by our own template, its values escaped there; the cache gives back the same text.
            "figures": mark_safe(figures),  # noqa: S308
            "printed_by": request.user.get_full_name() or request.user.get_username(),
            # To the minute, as the page shows it (the printout sets its own time when printed).
            "printed_at": timezone.localtime().replace(second=0, microsecond=0),
            "csrf_token": _csrf_placeholder(),
        }
        page = render_to_string("outreach/dashboard.html", context, request)
        if page_key and status == 200:
            cache.set(page_key, page, DASHBOARD_PAGE_SECONDS)
    # A CSRF token masked anew for each response, as Django's own tag gives it (the defence against BREACH).
    return HttpResponse(page.replace(_csrf_placeholder(), get_token(request)), status=status)


@require_safe
@figures_viewer_required
def monthly_report_view(request, month: str, as_pdf: bool = False):
    """A month's report, for the director: the month's figures, as the dashboard has them for that month,
    on a page shaped for A4, with what is still missing from it; as a PDF too."""
    report = monthly_report(month, page_path=reverse("monthly_report", kwargs={"month": month}))
    return _report_response(request, report, pdf_name=f"outreach-{month}.pdf" if as_pdf else None)


@require_safe
@figures_viewer_required
def yearly_report_view(request, year: int, as_pdf: bool = False):
    """A year's report: its figures at the year's end (this year's: at its latest complete month), its
    growth year by year; as a PDF too."""
    report = yearly_report(year, page_path=reverse("yearly_report", kwargs={"year": year}))
    return _report_response(request, report, pdf_name=f"outreach-{year}.pdf" if as_pdf else None)


def _report_response(request, report: tuple[dict, int], *, pdf_name: str | None = None):
    """The report's page, or its PDF: the same page, printed by Chromium (`printing`)."""
    context, status = report
    if pdf_name is None or status != 200:
        return render(request, "outreach/report.html", context, status=status)
    try:
        pdf = report_pdf(context, site=request.build_absolute_uri("/").rstrip("/"), request=request)
    except PrintingUnavailable as error:
        logger.error("The report's PDF could not be made: %s", error)
        unavailable = _("The PDF cannot be made just now; the report below prints the same. Try again later.")
        context.update(pdf_unavailable=unavailable, pdf_link=None)
        response = render(request, "outreach/report.html", context, status=503)
        response["Retry-After"] = "60"
        return response
    return HttpResponse(
        pdf, content_type="application/pdf", headers={"Content-Disposition": f'inline; filename="{pdf_name}"'}
    )


@require_http_methods(["GET", "HEAD", "POST"])
@figures_viewer_required
def report_subscription_view(request):
    """The monthly report by e-mail, for the person signed in: subscribe in a language, change it, stop it;
    and what they have been sent."""
    subscription = subscription_of(request.user)
    sent = deliveries_of(request.user)
    # The language they chose last (subscribed, or before they stopped it), else theirs, else the page's.
    chosen = subscription.language if subscription else sent[0].language if sent else None
    form = ReportSubscriptionForm(initial={"language": chosen or request.user.language or translation.get_language()})
    status = 200
    if request.method == "POST" and "unsubscribe" in request.POST:
        if unsubscribe(request.user):
            messages.success(request, _("You will no longer receive the monthly report."))
        return redirect("report_subscription")
    if request.method == "POST":
        form = ReportSubscriptionForm(request.POST)
        if form.is_valid():
            try:
                subscription = subscribe(request.user, language=form.cleaned_data["language"])
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(
                    request,
                    _("You will receive the monthly report in %(language)s at %(address)s.")
                    % {"language": subscription.get_language_display(), "address": request.user.email},
                )
                return redirect("report_subscription")
        status = 400
    context = {
        "form": form,
        "subscription": subscription,
        "cannot_receive": why_not_receiving(request.user),
        "deliveries": sent,
        "send_day": settings.MONTHLY_REPORT_DAY,
    }
    return render(request, "outreach/report_subscription.html", context, status=status)


# Open without signing in: the signed token in the link is the authority, and a mail program's one-click
# unsubscribe (RFC 8058) posts to it with no session and no CSRF token. A GET changes nothing, so that a
# mail scanner following the link does not unsubscribe anyone.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def report_unsubscribe_view(request, token: str):
    """Stop the monthly report from the link in its e-mail: a page that asks, and the button that stops it."""
    user_id = user_id_of_token(token)
    if user_id is None:
        return render(request, "outreach/report_unsubscribe.html", {"invalid": True}, status=400)
    user, subscription, language = subscriber(user_id)
    if user is None:  # a good link of a person deleted since: nothing is sent to them
        return render(request, "outreach/report_unsubscribe.html", {"gone": True})
    # In the language the person reads the report in, whatever the browser that opened the link says.
    with translation.override(language or user.language or translation.get_language()):
        stopped = request.method == "POST" and unsubscribe(user)
        context = {
            "subscribed": subscription is not None and not stopped,
            "stopped": stopped,
            "address": masked_address(user.email),
        }
        return render(request, "outreach/report_unsubscribe.html", context)


# How long a built dashboard is kept: a new data version replaces it long before; this only bounds memory.
DASHBOARD_CACHE_SECONDS = 3600


def _dashboard_cache_key(request) -> str | None:
    """Everything the figures part depends on; None (nothing cached) where the database keeps no version."""
    version = data_version()
    if version is None:
        return None
    parts = [
        _code_fingerprint(),
        version,
        translation.get_language(),
        timezone.localdate().isoformat(),  # the default months follow the calendar
        sorted(request.GET.lists()),
        request.user.has_perm("outreach.add_account"),  # the empty states offer what the person may do
        request.user.has_perm("outreach.add_metricsnapshot"),
    ]
    return "dashboard:" + hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()


# How long one person's whole page is kept: it shows the minute it was rendered.
DASHBOARD_PAGE_SECONDS = 60


def _dashboard_page_key(request, figures_key: str) -> str:
    """The figures part's key, and what the page around it shows of the person and the moment."""
    parts = [
        figures_key,
        request.get_full_path(),  # where the language switch comes back to
        request.user.pk,
        request.user.get_username(),
        request.user.get_full_name(),
        request.user.has_perm("outreach.view_metricsnapshot"),  # the header's links
        timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
    ]
    return "dashboard-page:" + hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()


@functools.cache
def _csrf_placeholder() -> str:
    """Stands for the CSRF token in a kept page until each response puts its own in. The same in every
    process sharing the cache, and not to be guessed, so that no figure's text can contain it."""
    return salted_hmac("outreach.views.csrf-placeholder", "page").hexdigest()


@functools.cache
def _code_fingerprint() -> str:
    """What this process's code, templates, catalogs and assets are, so that a shared cache (Redis) never
    serves a page built by the release before."""
    digest = hashlib.sha256()
    for folder in ("outreach", "accounts", "templates", "locale", "static"):
        for path in sorted((settings.BASE_DIR / folder).rglob("*")):
            if path.suffix in (".py", ".html", ".mo", ".js", ".css", ".svg") and path.is_file():
                digest.update(str(path.relative_to(settings.BASE_DIR)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _dashboard_figures(request) -> tuple[str, int]:
    """The figures part of the dashboard, rendered, and its status (400 for filters that do not apply)."""
    context, status = figures_context(DashboardFilterForm.with_defaults(request.GET), link_query=request.GET)
    return render_to_string("outreach/dashboard_figures.html", context, request), status


def _report_scope(request) -> tuple[Scope | None, ReportFilterForm]:
    filters, _platforms, _total = filter_form(ReportFilterForm, request.GET)
    if not filters.is_valid():
        return None, filters
    return filters.scope(), filters


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


# When to try again after a 503: the database is usually back within a restart.
RETRY_AFTER_SECONDS = "30"


def server_error(request):
    """The 500 page; or, when the database cannot be reached, a 503 that says the service is away for now."""
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        response = render(request, "503.html", status=503)
        response["Retry-After"] = RETRY_AFTER_SECONDS
        return response
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
        response = JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
        response["Retry-After"] = RETRY_AFTER_SECONDS
        return response
    return JsonResponse({"status": "ok", "database": "ok"})
