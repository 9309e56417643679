"""The import's pages (upload, preview, confirm) and the list of imported files."""

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from outreach import metrics
from outreach.forms import (
    BackofficeAccountForm,
    SnapshotImportForm,
)
from outreach.imports.backoffice.formats import format_named
from outreach.imports.backoffice.formats import formats as backoffice_formats
from outreach.imports.headers import import_columns_description
from outreach.imports.tables import WEB_IMPORT_LIMITS, ImportFileError
from outreach.models import STANDARD_FORMAT, SnapshotImport
from outreach.services.imports import (
    AccountNeeded,
    ImportChanged,
    ImportRefused,
    backoffice_platform,
    snapshot_import_choose_account,
    snapshot_import_confirm,
    snapshot_import_plan,
    snapshot_import_reading,
    snapshot_import_upload,
)

# Past this many rows, the import preview lists only the refused ones, a page of them at most (and
# counts the rest): a page of thousands of rows is more than a browser, or a person, reads.
PREVIEW_ROWS = 200
PREVIEW_REFUSED_ROWS = 100


def _import_done(source: SnapshotImport) -> str:
    """What a confirmed import did, its counts worded as each number needs."""
    if not source.created_count and not source.updated_count:
        return _("Nothing to write from %(file)s: its figures were recorded already.") % {"file": source.file_name}
    done = [
        ngettext("%(count)d snapshot created", "%(count)d snapshots created", source.created_count),
        ngettext("%(count)d updated", "%(count)d updated", source.updated_count),
        ngettext("%(count)d unchanged", "%(count)d unchanged", source.unchanged_count),
    ]
    counts = (source.created_count, source.updated_count, source.unchanged_count)
    return _("Imported %(file)s: %(done)s.") % {
        "file": source.file_name,
        "done": ", ".join(part % {"count": count} for part, count in zip(done, counts, strict=True)),
    }


def platforms_of(plan) -> list:
    """The platforms a plan's rows are of, which name its views (阅读量, 播放量, or 浏览量 for both)."""
    return list({row.account.platform_id: row.account.platform for row in plan.rows if row.account}.values())


class ImportViews:
    """The import's pages, for `MetricSnapshotAdmin` (whose permissions and site it uses): the file is read
    once at upload (`services.imports`), previewed row by row, and written all or none on confirmation."""

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
            "backoffice_formats": backoffice_formats(),
        }
        return TemplateResponse(request, "admin/outreach/metricsnapshot/import_upload.html", context)

    def import_preview_view(self, request, pk: int):
        """What the uploaded file would do, row by row; confirming writes all of its rows or none."""
        self._check_may_enter_figures(request)
        source = get_object_or_404(SnapshotImport, pk=pk, uploaded_by=request.user)
        if source.applied_at is not None:  # back to a preview already confirmed
            messages.info(
                request,
                _("The file %(file)s was imported already, on %(when)s: its figures are below.")
                % {
                    "file": source.file_name,
                    "when": formats.date_format(timezone.localtime(source.applied_at), "DATETIME_FORMAT"),
                },
            )
            return HttpResponseRedirect(reverse("admin:outreach_metricsnapshot_changelist"))
        try:
            reading = snapshot_import_reading(source)
            platform = backoffice_platform(reading) if reading is not None else None
        except ImportFileError as error:
            messages.error(request, str(error))
            return HttpResponseRedirect(reverse("admin:outreach_import"))
        choosing = request.GET.get("choose") == "account" or "account" in request.POST
        if reading is not None and (source.account is None or choosing):
            return self._import_account_view(request, source, reading, platform)
        try:
            if request.method != "POST":
                plan = snapshot_import_plan(source)
            elif not request.POST.get("digest"):
                plan = snapshot_import_plan(source)
                messages.error(request, _("Nothing was imported: confirm the import with the button below."))
            else:
                snapshot_import_confirm(source=source, user=request.user, digest=request.POST["digest"])
                messages.success(request, _import_done(source))
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
            "metrics": [metrics.metric_label(metric, platforms_of(plan)) for metric in metrics.METRICS],
            "reading": reading,
        }
        return TemplateResponse(request, "admin/outreach/metricsnapshot/import_preview.html", context)

    def _import_account_view(self, request, source, reading, platform):
        """A back-office file names no account: which of its platform's accounts is it of?"""
        form = BackofficeAccountForm(request.POST or None, platform=platform, initial={"account": source.account})
        if request.method == "POST" and form.is_valid():
            try:
                snapshot_import_choose_account(source=source, account=form.cleaned_data["account"])
            except AccountNeeded as error:
                form.add_error("account", str(error))
            else:
                return HttpResponseRedirect(reverse("admin:outreach_import_preview", args=(source.pk,)))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Which account is %(file)s of?") % {"file": source.file_name},
            "source": source,
            "format": reading.format,
            "platform": platform,
            "form": form,
            "has_accounts": form.fields["account"].queryset.exists(),
        }
        return TemplateResponse(request, "admin/outreach/metricsnapshot/import_account.html", context)


def format_label(slug: str) -> str:
    """A kept import's format as people call it."""
    if slug == STANDARD_FORMAT:
        return _("Standard file")
    try:
        return str(format_named(slug).name)
    except ImportFileError:
        return slug


class FormatFilter(admin.SimpleListFilter):
    title = _lazy("format")
    parameter_name = "format"

    def lookups(self, request, model_admin):
        return [(STANDARD_FORMAT, _("Standard file"))] + [(known.slug, known.name) for known in backoffice_formats()]

    def queryset(self, request, queryset):
        return queryset.filter(format=self.value()) if self.value() else queryset


@admin.register(SnapshotImport)
class SnapshotImportAdmin(admin.ModelAdmin):
    """Imported files, kept with what they did: where a figure came from."""

    list_display = (
        "file_name",
        "format_name",
        "account",
        "uploaded_by",
        "uploaded_at",
        "applied_at",
        "created_count",
        "updated_count",
    )
    list_select_related = ("uploaded_by", "account__platform")
    list_filter = (FormatFilter,)
    readonly_fields = (*list_display, "unchanged_count")
    exclude = ("content",)

    def has_add_permission(self, request):
        return False

    @admin.display(description=_lazy("format"), ordering="format")
    def format_name(self, source: SnapshotImport) -> str:
        return format_label(source.format)

    def has_change_permission(self, request, obj=None):
        return False
