"""The month grid: every active account's figures for one month, entered at once and saved all or nothing
(an extra page of the snapshots' admin)."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from outreach import metrics
from outreach.display.entry import missing_reports_shown
from outreach.forms import (
    MonthGrid,
    MonthPickerForm,
)
from outreach.months import add_months, format_month, month_label
from outreach.selectors.entry import missing_reports, month_grid_default_period, month_grid_rows
from outreach.services.snapshots import (
    ConcurrentEdit,
    MonthGridRefused,
    MonthGridResult,
    month_grid_save,
)

# Past this many rows, the import preview lists only the refused ones, a page of them at most (and
# counts the rest): a page of thousands of rows is more than a browser, or a person, reads.
PREVIEW_ROWS = 200


# What is still missing, as the month grid lists it: the newest months, a few accounts named in each
# (the rest counted), so that a national backlog stays a short box above the grid.
GRID_MISSING_MONTHS = 3
MISSING_ACCOUNTS_NAMED = 8


class MonthGridViews:
    """The month grid's page, for `MetricSnapshotAdmin` (whose permissions and site it uses)."""

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
