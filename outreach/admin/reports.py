"""The monthly report by e-mail in the admin: administrators subscribe others (in a language), and read every
delivery, with its tries and errors; a failed one can be tried again."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from outreach.models import DeliveryStatus, ReportDelivery, ReportSubscription
from outreach.models.reports import why_not_receiving
from outreach.months import format_month, month_label, parse_month
from outreach.selectors.deliveries import needing_attention, with_report_access
from outreach.services import deliveries


@admin.register(ReportSubscription)
class ReportSubscriptionAdmin(admin.ModelAdmin):
    """Who receives the monthly report, and in which language. Only a person who may see the figures and has an
    e-mail address can be subscribed (the model's `clean` says why not)."""

    list_display = ("user", "address", "language", "created_at", "receiving")
    list_select_related = ("user",)
    list_filter = ("language",)
    search_fields = ("user__username", "user__email", "user__first_name", "user__last_name")
    fields = ("user", "language")

    def get_readonly_fields(self, request, obj=None):
        return ("user",) if obj else ()  # another person is another subscription

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = db_field.related_model.objects.filter(is_active=True).order_by("username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=gettext_lazy("e-mail address"), ordering="user__email")
    def address(self, subscription: ReportSubscription) -> str:
        return subscription.user.email

    @admin.display(description=gettext_lazy("receives it"))
    def receiving(self, subscription: ReportSubscription) -> str:
        """Whether the person can receive the report now, or why not (an address removed, a role taken away)."""
        problem = why_not_receiving(subscription.user, may_see_figures=subscription.may_see_figures)
        return problem.label if problem else _("yes")

    def get_queryset(self, request):
        return with_report_access(super().get_queryset(request))

    def save_model(self, request, obj, form, change):
        obj.pk = deliveries.subscribe(obj.user, language=obj.language).pk  # the admin's log and message link it

    def delete_model(self, request, obj):
        deliveries.unsubscribe(obj.user)

    def delete_queryset(self, request, queryset):
        for subscription in queryset.select_related("user"):
            deliveries.unsubscribe(subscription.user)


class AttentionFilter(admin.SimpleListFilter):
    """The deliveries that need someone: failed (to be tried again, or given up), interrupted, or not sent."""

    title = gettext_lazy("needs attention")
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [("yes", gettext_lazy("failed or not sent"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(needing_attention(timezone.now()) | Q(status=DeliveryStatus.CANCELLED))
        return queryset


class MonthFilter(admin.SimpleListFilter):
    """The months that have deliveries, newest first (a date filter's "this year" means nothing here)."""

    title = gettext_lazy("month")
    parameter_name = "month"

    def lookups(self, request, model_admin):
        months = ReportDelivery.objects.order_by("-period").values_list("period", flat=True).distinct()[:24]
        return [(format_month(month), month_label(month)) for month in months]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        try:
            return queryset.filter(period=parse_month(self.value()))
        except ValidationError:
            return queryset.none()  # a month typed into the address that is not one: nothing matches


@admin.register(ReportDelivery)
class ReportDeliveryAdmin(admin.ModelAdmin):
    """Every delivery of the monthly report: who, which month, when, the result. Written by the scheduled run
    alone, so read-only here; "Try again" makes a failed one due at the next run."""

    list_display = (
        "period_label",
        "username",
        "address",
        "language",
        "status",
        "attempts",
        "sent_at",
        "next_attempt_at",
        "why",
    )
    list_display_links = ("period_label", "username")
    list_filter = (AttentionFilter, "status", "language", MonthFilter)
    search_fields = ("username", "address")
    readonly_fields = (
        "username",
        "user",
        "period_label",
        "language",
        "address",
        "status",
        "attempts",
        "created_at",
        "claimed_at",
        "next_attempt_at",
        "sent_at",
        "complete",
        "accounts_not_reported",
        "not_sent",
        "last_error",
    )
    exclude = ("period",)
    actions = ("try_again",)

    @admin.display(description=gettext_lazy("why"))
    def why(self, delivery: ReportDelivery) -> str:
        """Why it was not sent, in the reader's language; or what the other side answered to the last try
        (cut short here; whole on the delivery's page). Nothing once it was sent."""
        if delivery.status == DeliveryStatus.SENT:
            return ""
        return delivery.get_not_sent_display() or Truncator(delivery.last_error).chars(80)

    @admin.display(description=gettext_lazy("month"), ordering="period")
    def period_label(self, delivery: ReportDelivery) -> str:
        return month_label(delivery.period)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the record of what was sent, kept

    def has_retry_permission(self, request) -> bool:
        return request.user.has_perm("outreach.change_reportdelivery")

    @admin.action(description=gettext_lazy("Try the selected deliveries again"), permissions=["retry"])
    def try_again(self, request, queryset):
        count = deliveries.retry_now(queryset, now=timezone.now())
        if count:
            self.message_user(
                request,
                ngettext(
                    "%(count)d delivery will be tried again on the scheduler's next run.",
                    "%(count)d deliveries will be tried again on the scheduler's next run.",
                    count,
                )
                % {"count": count},
                messages.SUCCESS,
            )
        else:
            self.message_user(
                request,
                _(
                    "None of them can be tried again: a sent delivery is never sent twice, and one to a person who "
                    "cannot receive the report now (no address, no access, unsubscribed) would not be sent."
                ),
                messages.WARNING,
            )
