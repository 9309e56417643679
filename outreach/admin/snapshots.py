"""The admin of figures: the snapshot list (its filters, capped count, export action) and the add and change
forms, saved through the services. The month grid and the import are its extra pages (`month_grid`,
`imports`).
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.views.main import PAGE_VAR
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outreach import metrics, numbers
from outreach.admin.catalogue import CheckedAddressAdmin, digits_error
from outreach.admin.imports import ImportViews
from outreach.admin.month_grid import MISSING_ACCOUNTS_NAMED, MonthGridViews
from outreach.display.entry import MissingReportsShown, missing_reports_shown
from outreach.fields import MonthField, MonthFormField
from outreach.files.columns import SNAPSHOT_COLUMNS
from outreach.files.csv_writer import csv_chunks, snapshot_cells
from outreach.forms import (
    AccountSelect,
    MetricSnapshotForm,
    changed_meanwhile_error,
)
from outreach.history import is_restore
from outreach.models import Account, MetricSnapshot, Platform
from outreach.months import add_months, format_month
from outreach.selectors.entry import missing_reports, month_grid_default_period, snapshot_years
from outreach.selectors.exports import selected_snapshot_rows
from outreach.services.snapshots import (
    ConcurrentEdit,
    snapshot_save,
    snapshots_delete,
)


class PlatformFilter(admin.SimpleListFilter):
    title = gettext_lazy("platform")
    parameter_name = "platform"

    def lookups(self, request, model_admin):
        platforms = list(Platform.objects.all())
        self.platform_ids = {platform.slug: platform.pk for platform in platforms}  # for `queryset`, read after
        return [(platform.slug, str(platform)) for platform in platforms]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        if self.value() not in self.platform_ids:
            return queryset.none()
        # The platform's id, not a join on its slug: PostgreSQL then knows from the accounts' statistics
        # how many rows that platform has, and reads a platform of a few accounts through their own index
        # (1 ms) rather than the newest-first one, looking for 50 of its rows among millions (seconds).
        return queryset.filter(account__platform_id=self.platform_ids[self.value()])


class AccountFilter(admin.SimpleListFilter):
    """Accounts to pick from, while they are few enough to list; beyond that, the search box finds them."""

    title = gettext_lazy("account")
    parameter_name = "account__id__exact"
    LISTED_AT_MOST = 100

    def lookups(self, request, model_admin):
        # The accounts, in their order, only if there is no (LISTED_AT_MOST + 1)th in any order: one query
        # still, but reading the first LISTED_AT_MOST + 1 in order would sort every account (30,000
        # nationally) with its platform, and load a hundred of them, only to find out there are too many.
        too_many = Exists(Account.objects.order_by().values("pk")[self.LISTED_AT_MOST : self.LISTED_AT_MOST + 1])
        return [
            (str(account.pk), str(account)) for account in Account.objects.select_related("platform").filter(~too_many)
        ]

    def queryset(self, request, queryset):
        return queryset.filter(account_id=int(self.value())) if self.value() else queryset


class CappedCountPaginator(Paginator):
    """Counts exactly up to `CAP` rows past the start of the page asked for, and beyond that says "more than":
    a first page of millions of snapshots must not wait for COUNT(*) over all of them.

    The last page is then not known: the page links end with "…" after a few pages past this one, and
    each page counts further on, so that one can page on as far as the list goes.
    """

    CAP = 2_000
    # A page number typed so large that its LIMIT would overflow the database's integers: counted exactly
    # instead, whatever it costs, and the page is then found not to exist.
    COUNTED_AT_MOST = 10**15

    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True, *, page_number: int = 1):
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        self.counted_to = (max(page_number, 1) - 1) * int(per_page) + self.CAP
        if self.counted_to > self.COUNTED_AT_MOST:
            self.counted_to = None

    @cached_property
    def count(self) -> int:
        if self.counted_to is None:
            return self.object_list.count()
        # Counted in the accounts' order, neither in the list's nor in none. In the list's, PostgreSQL walks
        # the newest-first index, joining each row to its account, until it has found enough (nationally,
        # 0.1 to 0.2 s for WeChat, a minute for a platform of four accounts); in none, it may read the table
        # from wherever another scan stands until it meets enough (1 to 3 s for a platform whose rows lie
        # together). In the accounts' order it reads them account by account off the account index and
        # stops after the few accounts that make up the count: 1 to 8 ms for any platform.
        return self.object_list.order_by("account_id")[: self.counted_to + 1].count()

    @property
    def capped(self) -> bool:
        """Whether the list has more rows than were counted: the page says "more than" `counted_to`."""
        return self.counted_to is not None and self.count > self.counted_to

    @property
    def count_shown(self) -> str:
        """How many rows the list has, as the page says it."""
        if self.capped:
            return _("more than %(count)s") % {"count": numbers.format_count(self.counted_to)}
        return numbers.format_count(self.count)

    def get_elided_page_range(self, number=1, *, on_each_side=3, on_ends=2):
        if not self.capped:
            yield from super().get_elided_page_range(number, on_each_side=on_each_side, on_ends=on_ends)
            return
        # The pages past those counted are not known: no last page to link to, an ellipsis instead.
        number = self.validate_number(number)
        if number > (1 + on_each_side + on_ends) + 1:
            yield from range(1, on_ends + 1)
            yield self.ELLIPSIS
            yield from range(number - on_each_side, number + 1)
        else:
            yield from range(1, number + 1)
        yield from range(number + 1, min(number + on_each_side, self.num_pages) + 1)
        yield self.ELLIPSIS


class YearFilter(admin.SimpleListFilter):
    title = gettext_lazy("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        return [(str(year), str(year)) for year in snapshot_years()]

    def queryset(self, request, queryset):
        return queryset.filter(period__year=int(self.value())) if self.value() else queryset


def _count_column(metric: str):
    @admin.display(description=metrics.METRIC_LABELS[metric], ordering=metric)
    def column(self, snapshot: MetricSnapshot):
        value = getattr(snapshot, metric)
        # None shows as the admin's dash: not reported is never 0.
        return None if value is None else numbers.format_count(value)

    return column


@admin.register(MetricSnapshot)
class MetricSnapshotAdmin(MonthGridViews, ImportViews, CheckedAddressAdmin):
    form = MetricSnapshotForm
    address_checks = {
        AccountFilter.parameter_name: digits_error(gettext_lazy("an account number"), r"[0-9]{1,18}", 1, 10**18),
        YearFilter.parameter_name: digits_error(gettext_lazy("a year"), r"[0-9]{4}", 1, 9999),
    }
    list_display = (
        "month",
        "account_name",
        "platform",
        "articles_column",
        "videos_column",
        "views_column",
        "followers_column",
        "approximate",
        "is_illustrative",
        "updated_by",
        "updated_at",
    )
    list_display_links = ("month", "account_name")
    list_filter = (PlatformFilter, AccountFilter, YearFilter, "is_illustrative", "approximate")
    list_select_related = ("account__platform", "updated_by")
    search_fields = ("account__name", "account__name_zh")
    search_help_text = gettext_lazy("Search by account name, in English or Chinese.")
    readonly_fields = ("is_illustrative", "created_by", "created_at", "updated_by", "updated_at")
    fieldsets = (
        (None, {"fields": ("account", "period", "loaded_version")}),
        (gettext_lazy("Totals at the end of the month"), {"fields": (*metrics.METRICS, "approximate", "note")}),
        (gettext_lazy("Record"), {"fields": readonly_fields}),
    )
    empty_value_display = "–"
    list_per_page = 50
    paginator = CappedCountPaginator
    # The "N total" link would count every snapshot again.
    show_full_result_count = False
    # No "Show counts" beside the filters: it counts every snapshot once per filter choice, minutes of the
    # database's time at national scale (a person who gives up leaves the counts running).
    show_facets = admin.ShowFacets.NEVER
    # A month, not a day: the admin's date picker would offer "Today".
    formfield_overrides = {MonthField: {"widget": MonthFormField.widget}}

    articles_column = _count_column("articles")
    videos_column = _count_column("videos")
    views_column = _count_column("views")
    followers_column = _count_column("followers")

    @admin.display(description=gettext_lazy("month"), ordering="period")
    def month(self, snapshot: MetricSnapshot) -> str:
        if snapshot.is_illustrative:
            return format_html(
                '{} <span class="outreach-illustrative" title="{}">{}</span>',
                format_month(snapshot.period),
                _("Made up for the demo, not a real figure"),
                _("illustrative"),
            )
        return format_month(snapshot.period)

    @admin.display(description=gettext_lazy("account"), ordering="account__name")
    def account_name(self, snapshot: MetricSnapshot) -> str:
        return snapshot.account.name

    @admin.display(description=gettext_lazy("platform"), ordering="account__platform__display_order")
    def platform(self, snapshot: MetricSnapshot) -> str:
        return str(snapshot.account.platform)

    def action_checkbox(self, snapshot: MetricSnapshot) -> str:
        # Django's box, the same markup written directly: its widget renders a template for each row, a
        # tenth of the list's time.
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            snapshot.pk,
            format_html(_("Select this object for an action - {}"), str(snapshot)),
        )

    class Media:
        js = ("outreach/snapshot_form.js",)

    def get_fieldsets(self, request, obj=None):
        """The figures the account's platform counts, once the account is known; a new snapshot has no record."""
        fieldsets = self.fieldsets if obj is not None else self.fieldsets[:-1]
        account = self._account_chosen(request) or (obj.account if obj is not None else None)
        if account is None:
            return fieldsets  # the page's script shows the chosen account's figures
        counted = account.platform.counted_metrics
        totals_label, totals = fieldsets[1]
        figures = [name for name in totals["fields"] if name not in metrics.METRICS or name in counted]
        return (fieldsets[0], (totals_label, {**totals, "fields": tuple(figures)}), *fieldsets[2:])

    @staticmethod
    def _account_chosen(request) -> Account | None:
        """The account the add form was opened for (`?account=`), if it names one.

        Not the posted account: a figure typed into a field the page showed must be refused, not dropped.
        """
        value = request.GET.get("account") or ""
        if not (value.isascii() and value.isdigit()):
            return None
        return Account.objects.select_related("platform").filter(pk=int(value)).first()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "account":
            kwargs["queryset"] = Account.objects.select_related("platform")
            kwargs["widget"] = AccountSelect
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    actions = ("export_csv",)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("month-grid/", view(self.month_grid_view), name="outreach_month_grid"),
            path("import/", view(self.import_view), name="outreach_import"),
            path("import/<int:pk>/", view(self.import_preview_view), name="outreach_import_preview"),
            *super().get_urls(),
        ]

    @admin.action(description=gettext_lazy("Export the selected snapshots as CSV"), permissions=("view",))
    def export_csv(self, request, queryset):
        rows = selected_snapshot_rows(queryset)
        response = StreamingHttpResponse(
            csv_chunks(SNAPSHOT_COLUMNS, rows, snapshot_cells),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = 'attachment; filename="outreach-snapshots-selected.csv"'
        return response

    def missing_reports_shown(self, *, months_at_most: int) -> MissingReportsShown:
        """What staff have still to enter, the newest `months_at_most` months of it (the admin's front page)."""
        return missing_reports_shown(
            missing_reports(months_at_most=months_at_most, accounts_at_most=MISSING_ACCOUNTS_NAMED)
        )

    def may_enter_figures(self, request) -> bool:
        """Whether this person may use the month grid and the import: they both create and correct."""
        return self.has_add_permission(request) and self.has_change_permission(request)

    def _check_may_enter_figures(self, request) -> None:
        if not self.may_enter_figures(request):
            raise PermissionDenied

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        try:  # as the changelist reads it
            page_number = int(request.GET.get(PAGE_VAR, 1))
        except ValueError:
            page_number = 1
        return self.paginator(queryset, per_page, orphans, allow_empty_first_page, page_number=page_number)

    def changelist_view(self, request, extra_context=None):
        # Django passes the template no change permission: the links to the grid and the import need it.
        extra_context = {"may_enter_figures": self.may_enter_figures(request), **(extra_context or {})}
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None) or {}
        if "cl" in context and context["cl"].paginator.capped:
            # Not "All 2000 selected": across pages, the action takes every snapshot listed, however many.
            context["selection_note_all"] = _("All the snapshots listed are selected (%(count)s)") % {
                "count": context["cl"].paginator.count_shown
            }
        return response

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if "period" not in initial:
            initial["period"] = format_month(month_grid_default_period(today=timezone.localdate()))
        return initial

    def save_model(self, request, obj, form, change):
        # A change of a snapshot that no longer exists is a restore from its history: kept as it was.
        restoring = change and (is_restore(obj) or not MetricSnapshot.objects.filter(pk=obj.pk).exists())
        if change and not restoring and not (set(form.changed_data) - {"loaded_version", "confirm_warnings"}):
            return  # nothing a person changed or confirmed: nothing is written, illustrative figures stay so
        snapshot_save(
            snapshot=obj,
            user=request.user,
            expected_version=None if restoring else form.cleaned_data.get("loaded_version"),
            vouched=not restoring,
        )
        for reading in form.readings():
            messages.info(request, reading)

    def delete_model(self, request, obj):
        snapshots_delete(MetricSnapshot.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        snapshots_delete(queryset)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ConcurrentEdit as conflict:
            # Saved by someone else between the form's check and the save (nothing of this save was
            # written): the form, checked again, now shows their figures beside what was typed.
            typed = {metric: numbers.parse_count_or_none(request.POST.get(metric)) for metric in metrics.METRICS}
            messages.error(request, changed_meanwhile_error(conflict.current, typed).messages[0])
            try:
                return super().changeform_view(request, object_id, form_url, extra_context)
            except ConcurrentEdit:
                return HttpResponseRedirect(request.path)

    def response_add(self, request, obj, post_url_continue=None):
        response = super().response_add(request, obj, post_url_continue)
        if "_addanother" in request.POST:
            # The staff's next entry is most often the same account's next month.
            next_entry = urlencode({"account": obj.account_id, "period": format_month(add_months(obj.period, 1))})
            return HttpResponseRedirect(f"{response.url}?{next_entry}")
        return response
