"""Reads of the monthly report by e-mail: which month's report is due, who is still to receive it, what is
left to try, and what a person has received."""

from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db.models import BooleanField, Case, Count, Exists, Max, OuterRef, Q, Subquery, Value, When
from django.utils import timezone

from outreach import coverage
from outreach.models import DeliveryStatus, MetricSnapshot, ReportDelivery, ReportSubscription
from outreach.models.reports import INTERRUPTED_AFTER, REPORT_PERMISSION, SETTLING
from outreach.months import add_months
from outreach.selectors.entry import accounts_not_reported


@dataclass(frozen=True)
class ReportDue:
    """The month whose report is due, and whether it waits: an incomplete month whose figures were changed
    within `SETTLING` is still being entered (a report sent now would stop at the accounts typed so far)."""

    month: date
    waiting: bool = False


def report_due(now: datetime, *, send_day: int) -> ReportDue | None:
    """The month whose report goes out now (`coverage.report_month_due` says which), None if none has figures."""
    today = timezone.localdate(now)
    last_month = add_months(date(today.year, today.month, 1), -1)
    has_figures = MetricSnapshot.objects.filter(period=last_month).exists()
    complete = has_figures and accounts_not_reported(last_month, at_most=0)[1] == 0
    month = coverage.report_month_due(
        today,
        send_day=send_day,
        last_month_has_figures=has_figures,
        last_month_complete=complete,
        latest_earlier=MetricSnapshot.objects.filter(period__lt=last_month).aggregate(latest=Max("period"))["latest"],
    )
    if month is None:
        return None
    if month != last_month:
        complete = accounts_not_reported(month, at_most=0)[1] == 0
    changing = (
        not complete
        and MetricSnapshot.objects.filter(period=month, updated_at__gt=now - SETTLING, updated_at__lte=now).exists()
    )
    return ReportDue(month, waiting=changing)


def subscriptions_not_delivered(period: date) -> list[ReportSubscription]:
    """The subscriptions with no delivery of this month's report yet (the person's, whatever its result)."""
    return list(
        ReportSubscription.objects.select_related("user")
        .exclude(user__report_deliveries__period=period)
        .order_by("user__username")
    )


def deliveries_to_try(now: datetime) -> list[ReportDelivery]:
    """What is to be sent now, oldest month first: new deliveries, failed ones whose wait is over, and ones
    whose try was interrupted (its run stopped before it was sent or failed)."""
    waiting = Q(status__in=(DeliveryStatus.PENDING, DeliveryStatus.RETRYING), next_attempt_at__lte=now)
    interrupted = Q(status=DeliveryStatus.SENDING, claimed_at__lte=now - INTERRUPTED_AFTER)
    return list(
        ReportDelivery.objects.filter(waiting | interrupted).select_related("user").order_by("period", "language", "pk")
    )


def needing_attention(now: datetime) -> Q:
    """Deliveries that failed (to be tried again, or given up), or whose try was interrupted."""
    return Q(status__in=(DeliveryStatus.RETRYING, DeliveryStatus.FAILED)) | Q(
        status=DeliveryStatus.SENDING, claimed_at__lte=now - INTERRUPTED_AFTER
    )


def deliveries_of(user, *, at_most: int = 12) -> list[ReportDelivery]:
    """The latest deliveries of the report to this person, newest month first."""
    return list(ReportDelivery.objects.filter(user=user).order_by("-period")[:at_most])


def subscription_of(user) -> ReportSubscription | None:
    return ReportSubscription.objects.filter(user=user).first()


def subscriber(user_id: int):
    """The person an unsubscribe link names (None if they no longer exist), their subscription if any, and the
    language they read the report in (their subscription's, else the last one sent's; None if neither)."""
    user = get_user_model().objects.filter(pk=user_id).select_related("report_subscription").first()
    if user is None:
        return None, None, None
    subscription = getattr(user, "report_subscription", None)
    if subscription is not None:
        return user, subscription, subscription.language
    last = ReportDelivery.objects.filter(user=user).order_by("-period").values_list("language", flat=True).first()
    return user, None, last


def latest_report_failures(now: datetime) -> tuple[date | None, int]:
    """The latest month with deliveries, and how many of its deliveries failed or were interrupted: what the
    admin's front page says until they are sent (an older month's failures stay in the deliveries' list).
    One query, whatever there is."""
    latest = ReportDelivery.objects.order_by("-period").values("period")[:1]
    found = ReportDelivery.objects.aggregate(
        latest=Max("period"), failures=Count("pk", filter=needing_attention(now) & Q(period=Subquery(latest)))
    )
    return found["latest"], found["failures"]


def with_report_access(subscriptions):
    """The subscriptions, each with `may_see_figures`: whether its person has the report's permission (their
    own, a group's, or as a superuser), read in the same query for a whole list."""
    app_label, codename = REPORT_PERMISSION.split(".")
    permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    own = get_user_model().user_permissions.through.objects.filter(
        user_id=OuterRef("user_id"), permission__in=permission
    )
    by_group = Group.permissions.through.objects.filter(group__user=OuterRef("user_id"), permission__in=permission)
    return subscriptions.annotate(
        may_see_figures=Case(
            When(Q(user__is_superuser=True) | Exists(own) | Exists(by_group), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )
