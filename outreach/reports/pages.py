"""The monthly and yearly reports: the dashboard's figures for one period, on a page shaped for A4, with
what is still missing from it; and that page printed as a PDF. Built the same for a person's visit and for
the scheduled e-mail, so that the numbers mailed are the numbers on the page and on the dashboard."""

from datetime import date

from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from outreach.filters import DashboardFilterForm
from outreach.months import format_month, month_label, parse_month
from outreach.organisation import organisation_name
from outreach.printing import pdf_of_page
from outreach.reports.figures import figures_context
from outreach.selectors.entry import accounts_not_reported

TEMPLATE = "outreach/report.html"


def monthly_report(month: str, *, page_path: str) -> tuple[dict, int]:
    """What the report of a month (`2024-02`) places, and its status: 400 for a month that is not one or is
    in the future, 404 for a month with no figures (never another month's). `page_path` is its page's."""
    try:
        period = parse_month(month)
    except ValidationError as error:
        return refused(error.messages[0])
    query = QueryDict(mutable=True)
    query.update({**DashboardFilterForm.DEFAULTS, "end": format_month(period)})
    title = _("Monthly report, %(month)s") % {"month": month_label(period)}
    return _report(query, period=period, title=title, page_path=page_path)


def yearly_report(year: int, *, page_path: str) -> tuple[dict, int]:
    """A year's report: its figures at the year's end (this year's: at its latest complete month), its
    growth year by year."""
    today = timezone.localdate()
    if not 2000 <= year <= today.year:
        return refused(_("There is no report of %(year)s: choose a year up to this one.") % {"year": year})
    query = QueryDict(mutable=True)
    query.update({**DashboardFilterForm.DEFAULTS, "granularity": "year"})
    if year < today.year:
        query["end"] = format_month(date(year, 12, 1))  # the year's last month with figures, up to December
    title = _("Yearly report, %(year)s") % {"year": year}
    return _report(query, period=None, title=title, year=year, page_path=page_path)


def _report(query, *, period, title: str, page_path: str, year: int | None = None) -> tuple[dict, int]:
    context, status = figures_context(query, link_query=QueryDict())
    context.update(organisation_name=organisation_name())
    if status != 200:
        errors = [error for field in context["filters"] for error in field.errors]
        return refused(" ".join(errors) or _("This report cannot be made."))
    shown = context.get("latest")
    if year is not None and shown is not None and shown.year != year:
        shown = None  # the year has no figures (this year's are not entered yet)
    if period is not None and shown != period:
        shown = None  # the month has no figures yet: another month's would not be its report
    context.update(report_title=title, shown=shown, prepared_at=timezone.localtime())
    if shown is None:
        return context, 404
    missing, missing_count = accounts_not_reported(shown)
    context.update(
        not_reported=missing,
        not_reported_count=missing_count,
        pdf_link=f"{page_path.rstrip('/')}.pdf",
        page_path=page_path,
    )
    return context, 200


def refused(message: str) -> tuple[dict, int]:
    return {"report_title": _("Report"), "refused": message, "organisation_name": organisation_name()}, 400


def report_html(context: dict, request=None) -> str:
    """The report's page. Without a request (a scheduled run) it has no one signed in: the header's language
    switch and links are left out (`base.html`), as they are on paper."""
    return render_to_string(TEMPLATE, context, request)


def report_pdf(context: dict, *, site: str, request=None) -> bytes:
    """The report printed by Chromium as an A4 PDF, as though served at `site` + its page's path (so that its
    links lead back to this site). PrintingUnavailable when it cannot be printed now."""
    html = report_html(context, request)
    return pdf_of_page(html, url=site + context["page_path"], language=translation.get_language())
