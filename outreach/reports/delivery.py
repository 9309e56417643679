"""The scheduled run of the monthly report by e-mail (`manage.py send_monthly_reports`): which month is due,
a delivery for each subscriber who has none of it yet, and each delivery due now sent, retried or recorded
as failed. Safe to run as often as wanted, and by two schedulers at once (see `services.deliveries`)."""

import logging
import smtplib
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from outreach.models import ReportDelivery, ReportSubscription
from outreach.models.reports import receiving_problem
from outreach.months import format_month
from outreach.printing import PrintingUnavailable
from outreach.reports.mail import report_message
from outreach.reports.pages import monthly_report, report_pdf
from outreach.selectors.deliveries import deliveries_to_try, report_month_due, subscriptions_not_delivered
from outreach.services import deliveries

logger = logging.getLogger(__name__)


class ReportUnavailable(Exception):
    """The month's report cannot be made (its figures were deleted since it became due)."""


@dataclass
class Run:
    """What one run did."""

    due: date | None = None
    made_due: int = 0
    sent: list[ReportDelivery] = field(default_factory=list)
    failed: list[tuple[ReportDelivery, datetime | None]] = field(default_factory=list)  # and when tried next
    cancelled: list[ReportDelivery] = field(default_factory=list)
    taken_by_another_run: int = 0


def send_due_reports(*, now: datetime | None = None) -> Run:
    """Make the due month's deliveries and send every delivery due at `now` (by default, now)."""
    now = now or timezone.now()
    run = Run(due=report_month_due(timezone.localdate(now), send_day=settings.MONTHLY_REPORT_DAY))
    if run.due is not None:
        run.made_due = deliveries.make_due(run.due, subscriptions_not_delivered(run.due), now=now)
    reports: dict[tuple[date, str], tuple[dict, bytes]] = {}  # each month and language printed once a run
    for delivery in deliveries_to_try(now):
        reason = _why_not_sent(delivery)
        if reason:
            deliveries.cancel_delivery(delivery, reason=reason)
            run.cancelled.append(delivery)
            continue
        if not deliveries.claim_delivery(delivery, now=now):
            run.taken_by_another_run += 1
            continue
        try:
            context, pdf = reports.get((delivery.period, delivery.language)) or _report(delivery)
            reports[delivery.period, delivery.language] = context, pdf
            with translation.override(delivery.language):
                report_message(context, pdf=pdf, user=delivery.user, address=delivery.user.email).send()
        except (PrintingUnavailable, ReportUnavailable, smtplib.SMTPException, OSError) as error:
            retry_at = deliveries.record_failure(delivery, now=now, error=_error_text(error))
            log = logger.warning if retry_at else logger.error
            log("The monthly report of %s to %s failed: %s", format_month(delivery.period), delivery.address, error)
            run.failed.append((delivery, retry_at))
        else:
            deliveries.record_sent(
                delivery,
                now=timezone.now(),
                address=delivery.user.email,
                accounts_not_reported=context["not_reported_count"],
            )
            run.sent.append(delivery)
    return run


def _why_not_sent(delivery: ReportDelivery) -> str | None:
    """Why the delivery is not to be sent after all: unsubscribed since, or no longer able to receive it."""
    if not ReportSubscription.objects.filter(user_id=delivery.user_id).exists():
        return str(_("Unsubscribed before it was sent."))
    return receiving_problem(delivery.user)


def _report(delivery: ReportDelivery) -> tuple[dict, bytes]:
    """The month's report in the delivery's language, and its PDF, as a person opening its page gets them."""
    month = format_month(delivery.period)
    with translation.override(delivery.language):
        context, status = monthly_report(month, page_path=reverse("monthly_report", kwargs={"month": month}))
        if status != 200:
            raise ReportUnavailable(context.get("refused") or f"no figures of {month}")
        return context, report_pdf(context, site=settings.SITE_URL)


def _error_text(error: Exception) -> str:
    """The failure as the admin shows it: the kind of error and what the other side said."""
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) else error.smtp_error
        return f"{type(error).__name__}: {error.smtp_code} {text}"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return f"SMTPRecipientsRefused: {error.recipients}"
    return f"{type(error).__name__}: {error}"
