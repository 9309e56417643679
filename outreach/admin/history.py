"""The admin's history pages (django-simple-history), as staff read them, in English and Chinese.

Counts are shown with thousands separators and months as months; a record's reason is shown only when it
has one, in the reader's language when the app wrote it (an import, a restore); and a restore from the
history ("Revert" to an old version) is recorded with its reason and listed as a restore, not a change.
"""

from datetime import date

from django.db import models
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from outreach import numbers
from outreach.fields import MonthField
from outreach.history import is_restore_reason, reason_shown, restored_reason
from outreach.months import month_label


class HistoryRecordDisplay(HistoricalRecordContextHelper):
    """The values of a history record's changes as the admin shows them elsewhere."""

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if value is None and not field.is_relation:
            return "–"  # not reported, as the snapshot list shows it
        if isinstance(field, MonthField) and isinstance(value, date):
            return month_label(value)
        if isinstance(field, models.IntegerField) and not isinstance(value, bool) and isinstance(value, int):
            return numbers.format_count(value)
        return super().prepare_delta_change_value(change, value)


class HistoryAdmin(SimpleHistoryAdmin):
    """SimpleHistoryAdmin whose history pages read as the rest of the admin, and whose reverts are restores."""

    def get_historical_record_context_helper(self, request, historical_record):
        return HistoryRecordDisplay(self.model, historical_record)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # Remembered for save_form, which the revert calls before save_model.
        request.outreach_restored_version = version_id
        return super().history_form_view(request, object_id, version_id, extra_context)

    def save_form(self, request, form, change):
        instance = super().save_form(request, form, change)
        version_id = getattr(request, "outreach_restored_version", None)
        if version_id is not None and request.method == "POST":
            version = self.model.history.filter(history_id=version_id).values_list("history_date", flat=True).first()
            if version is not None:
                instance._change_reason = restored_reason(version)
                instance._restored_from_history = True
        return instance

    def render_history_view(self, request, template, context, **kwargs):
        page = context.get("page_obj")
        for record in page or ():
            reason = record.history_change_reason
            record.shown_reason = reason_shown(reason)
            restored = is_restore_reason(reason)
            record.shown_type = _("Restored") if restored else record.get_history_type_display()
        return super().render_history_view(request, template, context, **kwargs)
