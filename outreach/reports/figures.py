"""What a page of figures places for its filters, the dashboard's or a report's: the filter form, the reads
of one call (`selectors.dashboard.dashboard_reads`) and the page the display builders make of them."""

from collections.abc import Callable
from datetime import date

from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from outreach.display.dashboard import dashboard_page
from outreach.filters import DashboardFilterForm
from outreach.language import is_chinese
from outreach.models import Platform
from outreach.months import format_month
from outreach.selectors.dashboard import dashboard_reads
from outreach.selectors.scope import account_count, dashboard_accounts


def filter_form(form_class, data):
    """The filter form, with the accounts to list while they are few (else a field of account numbers); the
    platforms, and how many accounts there are."""
    platforms = list(Platform.objects.all())
    total = account_count()
    listed = dashboard_accounts() if total <= form_class.LISTED_ACCOUNTS_AT_MOST else None
    form = form_class(data, platforms=platforms, accounts=listed, today=timezone.localdate())
    return form, platforms, total


def dashboard_link(query: QueryDict) -> Callable[[date], str]:
    """The dashboard with these filters, ending at another month."""

    def link(end: date) -> str:
        moved = query.copy()
        moved["end"] = format_month(end)
        return f"{reverse('dashboard')}?{moved.urlencode()}"

    return link


def figures_context(query, *, link_query: QueryDict) -> tuple[dict, int]:
    """What a page of figures places for these filters, and its status (400 for filters that do not apply).
    Its links to other months keep `link_query` (the dashboard's own query string)."""
    filters, platforms, total = filter_form(DashboardFilterForm, query)
    context = {"filters": filters, "platforms": platforms, "has_accounts": total > 0}
    if not filters.is_valid():
        return context, 400
    chosen = filters.cleaned_data
    reads = dashboard_reads(
        filters.scope(),
        metric=chosen["metric"],
        by=chosen["by"],
        platforms=platforms,
        every_account=total,
        end_chosen=chosen["end"] is not None,
        monthly=chosen["granularity"] == "month",
    )
    page = dashboard_page(reads, chosen=chosen, platforms=platforms, link_to=dashboard_link(link_query))
    translated_headers = is_chinese()
    context.update(
        page,
        report_query=download_query(filters.scope_query(end=reads.scope.end), translated_headers=translated_headers),
        translated_headers=translated_headers,
    )
    return context, 200


def download_query(scope_query: str, *, translated_headers: bool) -> str:
    """The downloads' query string: the page's scope, and on the Chinese page the columns in Chinese."""
    if not translated_headers:
        return scope_query
    return "&".join(part for part in (scope_query, "headers=translated") if part)
