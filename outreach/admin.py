"""The admin: platforms and accounts for administrators, figures for staff, and the month grid."""

import re
from dataclasses import dataclass
from datetime import date

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import conditional_escape, format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from outreach import metrics, numbers
from outreach.admin_history import HistoryAdmin
from outreach.coverage import MissingReports
from outreach.fields import MonthField, MonthFormField
from outreach.files.columns import SNAPSHOT_COLUMNS
from outreach.files.csv_writer import csv_chunks, snapshot_cells
from outreach.forms import (
    AccountSelect,
    MetricSnapshotForm,
    MonthGrid,
    MonthPickerForm,
    SnapshotImportForm,
    changed_meanwhile_error,
)
from outreach.history import is_restore
from outreach.imports.headers import import_columns_description
from outreach.imports.tables import WEB_IMPORT_LIMITS, ImportFileError
from outreach.models import Account, MetricSnapshot, Milestone, Platform, SnapshotImport
from outreach.months import add_months, format_month, month_label
from outreach.numbers import names_listed
from outreach.selectors.entry import missing_reports, month_grid_default_period, month_grid_rows, snapshot_years
from outreach.selectors.exports import selected_snapshot_rows
from outreach.services.imports import (
    ImportChanged,
    ImportRefused,
    snapshot_import_confirm,
    snapshot_import_plan,
    snapshot_import_upload,
)
from outreach.services.snapshots import (
    ConcurrentEdit,
    MonthGridRefused,
    MonthGridResult,
    account_save,
    month_grid_save,
    snapshot_save,
    snapshots_delete,
)

# Past this many rows, the import preview lists only the refused ones, a page of them at most (and
# counts the rest): a page of thousands of rows is more than a browser, or a person, reads.
PREVIEW_ROWS = 200
PREVIEW_REFUSED_ROWS = 100

# What is still missing, as the month grid lists it: the newest months, a few accounts named in each
# (the rest counted), so that a national backlog stays a short box above the grid.
GRID_MISSING_MONTHS = 3
MISSING_ACCOUNTS_NAMED = 8


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


def _digits_error(what: str, pattern: str, low: int, high: int):
    """A check of a number typed into the list's address: None when it is one, else the message."""

    def error(value: str) -> str | None:
        if re.fullmatch(pattern, value) and low <= int(value) <= high:
            return None
        return _("“%(value)s” is not %(what)s: that filter was left out.") % {"value": value[:40], "what": what}

    return error


class CheckedAddressAdmin(HistoryAdmin):
    """A list whose filters typed into the address are checked: a wrong one is left out, said, and a 400.

    `address_checks` maps a parameter to a function giving the message for a wrong value (None if right).
    """

    address_checks: dict = {}

    def changelist_view(self, request, extra_context=None):
        wrong = {
            name: check(request.GET[name])
            for name, check in self.address_checks.items()
            if request.GET.get(name) and check(request.GET[name])
        }
        if not wrong:
            return super().changelist_view(request, extra_context)
        for message in wrong.values():
            messages.error(request, message)
        request.GET = request.GET.copy()
        for name in wrong:
            del request.GET[name]
        response = super().changelist_view(request, extra_context)
        response.status_code = 400
        return response


@admin.register(Platform)
class PlatformAdmin(HistoryAdmin):
    list_display = ("name_en", "name_zh", "slug", "content", "display_order", "colour_swatch")
    list_editable = ("display_order",)
    prepopulated_fields = {"slug": ("name_en",)}
    ordering = ("display_order", "slug")

    @admin.display(description=gettext_lazy("chart colour"))
    def colour_swatch(self, platform: Platform) -> str:
        return format_html(
            '<span style="display:inline-block;width:1em;height:1em;background:{};vertical-align:middle" '
            'aria-hidden="true"></span> {}',
            platform.color,
            platform.color,
        )


@admin.register(Account)
class AccountAdmin(HistoryAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("name", "name_zh", "platform", "handle", "opened_on", "is_active")
    list_filter = ("platform", "is_active")
    list_select_related = ("platform",)
    search_fields = ("name", "name_zh", "handle")

    def save_model(self, request, obj, form, change):
        account_save(account=obj)


class PlatformFilter(admin.SimpleListFilter):
    title = gettext_lazy("platform")
    parameter_name = "platform"

    def lookups(self, request, model_admin):
        return [(platform.slug, str(platform)) for platform in Platform.objects.all()]

    def queryset(self, request, queryset):
        return queryset.filter(account__platform__slug=self.value()) if self.value() else queryset


class AccountFilter(admin.SimpleListFilter):
    """Accounts to pick from, while they are few enough to list; beyond that, the search box finds them."""

    title = gettext_lazy("account")
    parameter_name = "account__id__exact"
    LISTED_AT_MOST = 100

    def lookups(self, request, model_admin):
        accounts = list(Account.objects.select_related("platform")[: self.LISTED_AT_MOST + 1])
        if len(accounts) > self.LISTED_AT_MOST:
            return []
        return [(str(account.pk), str(account)) for account in accounts]

    def queryset(self, request, queryset):
        return queryset.filter(account_id=int(self.value())) if self.value() else queryset


class CappedCountPaginator(Paginator):
    """Counts up to a cap: a first page of millions of snapshots must not wait for COUNT(*) over all of them."""

    CAP = 2_000

    @cached_property
    def count(self) -> int:
        return self.object_list[: self.CAP].count()


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
class MetricSnapshotAdmin(CheckedAddressAdmin):
    form = MetricSnapshotForm
    address_checks = {
        AccountFilter.parameter_name: _digits_error(gettext_lazy("an account number"), r"[0-9]{1,18}", 1, 10**18),
        YearFilter.parameter_name: _digits_error(gettext_lazy("a year"), r"[0-9]{4}", 1, 9999),
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

    def changelist_view(self, request, extra_context=None):
        # Django passes the template no change permission: the links to the grid and the import need it.
        extra_context = {"may_enter_figures": self.may_enter_figures(request), **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def import_view(self, request):
        """Upload a file of figures; it is read once, checked and previewed before anything is written."""
        self._check_may_enter_figures(request)
        form = SnapshotImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                source = snapshot_import_upload(data=upload.read(), file_name=upload.name, user=request.user)
            except ImportFileError as error:
                form.add_error("file", str(error))
            else:
                return HttpResponseRedirect(reverse("admin:outreach_import_preview", args=(source.pk,)))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import figures"),
            "form": form,
            "columns": import_columns_description(),
            "row_limit": WEB_IMPORT_LIMITS.rows,
        }
        return TemplateResponse(request, "admin/outreach/metricsnapshot/import_upload.html", context)

    def import_preview_view(self, request, pk: int):
        """What the uploaded file would do, row by row; confirming writes all of its rows or none."""
        self._check_may_enter_figures(request)
        source = get_object_or_404(SnapshotImport, pk=pk, uploaded_by=request.user, applied_at__isnull=True)
        try:
            if request.method != "POST":
                plan = snapshot_import_plan(source)
            elif not request.POST.get("digest"):
                plan = snapshot_import_plan(source)
                messages.error(request, _("Nothing was imported: confirm the import with the button below."))
            else:
                snapshot_import_confirm(source=source, user=request.user, digest=request.POST["digest"])
                messages.success(
                    request,
                    _("Imported %(file)s: %(created)d snapshots created, %(updated)d updated, %(unchanged)d unchanged.")
                    % {
                        "file": source.file_name,
                        "created": source.created_count,
                        "updated": source.updated_count,
                        "unchanged": source.unchanged_count,
                    },
                )
                return HttpResponseRedirect(reverse("admin:outreach_metricsnapshot_changelist"))
        except ImportFileError as error:
            messages.error(request, str(error))
            return HttpResponseRedirect(reverse("admin:outreach_import"))
        except ImportChanged as changed:
            plan = changed.plan
            messages.warning(
                request,
                _(
                    "Nothing was imported: some of these figures changed since you checked the file "
                    "(someone saved them meanwhile). Check the rows again, then import."
                ),
            )
        except ImportRefused as refused:
            plan = refused.plan
            messages.error(request, _("Nothing was imported: the file has refused rows."))
        refused = plan.refused
        listed = plan.rows if len(plan.rows) <= PREVIEW_ROWS else refused[:PREVIEW_REFUSED_ROWS]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Check the import of %(file)s") % {"file": source.file_name},
            "source": source,
            "plan": plan,
            "counts": {status: plan.count(status) for status in ("create", "update", "unchanged", "error")},
            "rows": listed,
            "all_rows_shown": len(listed) == len(plan.rows),
            "refused_not_listed": len(refused) - sum(1 for row in listed if row.errors),
            "metrics": [metrics.METRIC_LABELS[metric] for metric in metrics.METRICS],
        }
        return TemplateResponse(request, "admin/outreach/metricsnapshot/import_preview.html", context)

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

    def month_grid_view(self, request):
        """Every active account's figures for one month, entered at once and saved all or nothing."""
        self._check_may_enter_figures(request)
        today = timezone.localdate()
        missing = missing_reports(months_at_most=GRID_MISSING_MONTHS, accounts_at_most=MISSING_ACCOUNTS_NAMED)
        # Opens on the earliest month not fully entered: the one a backlog is cleared from.
        default = {"period": format_month(month_grid_default_period(today=today, missing=missing))}
        picker = MonthPickerForm(request.GET if "period" in request.GET else default, today=today)
        period = picker.cleaned_data["period"] if picker.is_valid() else None
        rows = month_grid_rows(period=period) if period else []
        grid = MonthGrid(period=period, rows=rows, data=request.POST if request.method == "POST" else None)
        warnings: list[str] = []
        if request.method == "POST" and period is not None:
            changed = grid.check()
            warnings = grid.warnings(changed) if changed else []
            if changed is None:
                messages.error(request, _("Nothing was saved. Correct the figures marked below."))
            elif not changed:
                messages.warning(request, _("Nothing to save: type the figures of at least one account."))
            elif warnings and not request.POST.get("confirm_warnings"):
                messages.warning(request, _("Nothing was saved yet. Check the figures flagged below, then confirm."))
            else:
                try:
                    result = month_grid_save(
                        period=period,
                        snapshots=[snapshot for _form, snapshot in changed],
                        user=request.user,
                        expected_versions=[form.cleaned_data.get("loaded_version") for form, _snapshot in changed],
                    )
                except ConcurrentEdit:
                    # Someone saved this month between the check and the save; nothing of this one was
                    # written. Checked again against what they saved, each row shows their figures.
                    grid = MonthGrid(period=period, rows=month_grid_rows(period=period), data=request.POST)
                    grid.check()
                    messages.error(request, _("Nothing was saved: someone saved figures of this month meanwhile."))
                except MonthGridRefused as refused:
                    for position, error in refused.row_errors.items():
                        grid.show_errors(changed[position][0], error)
                    messages.error(request, _("Nothing was saved. Correct the figures marked below."))
                else:
                    return self._month_grid_saved(request, period, result, changed)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Month grid"),
            "picker": picker,
            "period": period,
            "period_label": month_label(period) if period else "",
            "previous_month": format_month(add_months(period, -1)) if period else "",
            "next_month": format_month(add_months(period, 1)) if period and add_months(period, 1) <= today else "",
            "grid": grid,
            # Views of the grid's platforms together: 浏览量 where articles and videos are both listed.
            "metric_labels": [metrics.metric_label(m, {row.account.platform for row in rows}) for m in metrics.METRICS],
            "warnings": warnings,
            "missing_reports": missing_reports_shown(missing),
        }
        return TemplateResponse(request, "admin/outreach/metricsnapshot/month_grid.html", context)

    def _month_grid_saved(self, request, period, result: MonthGridResult, changed):
        for form, _snapshot in changed:
            for reading in form.readings():
                messages.info(request, f"{form.row.account}: {reading}")
        saved = len(result.created) + len(result.updated)
        messages.success(
            request,
            format_html(
                '{} <a href="{}">{}</a>',
                ngettext(
                    "Saved the figures of %(count)d account for %(month)s (%(created)d new, %(updated)d corrected).",
                    "Saved the figures of %(count)d accounts for %(month)s (%(created)d new, %(updated)d corrected).",
                    saved,
                )
                % {
                    "count": saved,
                    "month": month_label(period),
                    "created": len(result.created),
                    "updated": len(result.updated),
                },
                reverse("admin:outreach_month_grid") + "?" + urlencode({"period": format_month(period)}),
                _("Back to the month grid"),
            ),
        )
        changelist = reverse("admin:outreach_metricsnapshot_changelist")
        return HttpResponseRedirect(f"{changelist}?{urlencode({'year': period.year})}")


@admin.register(Milestone)
class MilestoneAdmin(CheckedAddressAdmin):
    address_checks = {
        "date__year": _digits_error(gettext_lazy("a year"), r"[0-9]{4}", 1, 9999),
        "date__month": _digits_error(gettext_lazy("a month"), r"[0-9]{1,2}", 1, 12),
        "date__day": _digits_error(gettext_lazy("a day of the month"), r"[0-9]{1,2}", 1, 31),
    }
    list_display = ("date", "title", "title_zh", "account")
    list_filter = ("account__platform",)
    list_select_related = ("account__platform",)
    search_fields = ("title", "title_zh")
    date_hierarchy = "date"


@admin.register(SnapshotImport)
class SnapshotImportAdmin(admin.ModelAdmin):
    """Imported files, kept with what they did: where a figure came from."""

    list_display = ("file_name", "uploaded_by", "uploaded_at", "applied_at", "created_count", "updated_count")
    list_select_related = ("uploaded_by",)
    readonly_fields = (
        "file_name",
        "uploaded_by",
        "uploaded_at",
        "applied_at",
        "created_count",
        "updated_count",
        "unchanged_count",
    )
    exclude = ("content",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
