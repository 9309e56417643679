"""Yearly targets in the admin: administrators enter them per account, figure and year, with their history."""

from django.contrib import admin
from django.utils.translation import gettext_lazy

from outreach import metrics, numbers
from outreach.admin.history import HistoryAdmin
from outreach.forms import TargetForm
from outreach.models import Account, Target
from outreach.services.targets import target_save


@admin.register(Target)
class TargetAdmin(HistoryAdmin):
    form = TargetForm
    list_display = ("year", "account", "figure", "kind", "target", "note")
    list_display_links = ("year", "account")
    list_filter = ("year", "account__platform", "metric", "kind")
    list_select_related = ("account__platform",)
    search_fields = ("account__name", "account__name_zh", "note")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "account":
            kwargs["queryset"] = Account.objects.select_related("platform")  # each choice names its platform
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=gettext_lazy("figure"), ordering="metric")
    def figure(self, target: Target) -> str:
        return metrics.metric_label(target.metric, [target.account.platform])  # 阅读量 or 播放量 for views

    @admin.display(description=gettext_lazy("target"), ordering="value")
    def target(self, target: Target) -> str:
        return numbers.format_count(target.value)

    def save_model(self, request, obj, form, change):
        target_save(obj)
