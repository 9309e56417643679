"""The scheduled run of the monthly report by e-mail (`manage.py send_monthly_reports`): which month is due,
a delivery for each subscriber who has none of it yet, and each delivery due now sent, retried or recorded
as failed. Safe to run as often as wanted, and by two schedulers at once (see `services.deliveries`)."""

import logging
import smtplib
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from outreach.models import ReportDelivery, ReportSubscription
from outreach.models.reports import NotSent, why_not_receiving
from outreach.months import format_month
from outreach.printing import PrintingUnavailable
from outreach.reports.mail import report_message
from outreach.reports.pages import monthly_report, report_pdf
from outreach.selectors.deliveries import deliveries_to_try, report_due, subscriptions_not_delivered
from outreach.services import deliveries

logger = logging.getLogger(__name__)


class ReportUnavailable(Exception):
    """The month's report cannot be made (its figures were deleted since it became due)."""


@dataclass
class Run:
    """What one run did."""

    due: date | None = None
    waiting: bool = False  # the due month is incomplete and still being entered: its report waits
    made_due: int = 0
    sent: list[ReportDelivery] = field(default_factory=list)
    failed: list[tuple[ReportDelivery, datetime | None]] = field(default_factory=list)  # and when tried next
    cancelled: list[ReportDelivery] = field(default_factory=list)
    taken_by_another_run: int = 0


def send_due_reports(*, now: datetime | None = None, stop: threading.Event | None = None) -> Run:
    """Make the due month's deliveries and send every delivery due, as of `now` (by default, now; a test's
    `now` runs on at the clock's pace, so each claim is stamped with its own moment). Stops between two
    deliveries once `stop` is set (the scheduler told to stop)."""
    offset = (now - timezone.now()) if now else timedelta(0)

    def clock() -> datetime:
        return timezone.now() + offset

    started = clock()
    due = report_due(started, send_day=settings.MONTHLY_REPORT_DAY)
    run = Run(due=due.month if due else None, waiting=bool(due and due.waiting))
    if due is not None and not due.waiting:
        run.made_due = deliveries.make_due(due.month, subscriptions_not_delivered(due.month), now=started)
    deliveries.give_up_interrupted(started)
    reports: dict[tuple[date, str], tuple[dict, bytes]] = {}  # each month and language printed once a run
    for delivery in deliveries_to_try(started):
        if stop is not None and stop.is_set():
            break
        if not deliveries.claim_delivery(delivery, now=clock()):
            run.taken_by_another_run += 1
            continue
        reason = _why_not_sent(delivery)
        if reason:
            deliveries.cancel_delivery(delivery, reason=reason)
            run.cancelled.append(delivery)
            continue
        try:
            context, pdf = reports.get((delivery.period, delivery.language)) or _report(delivery)
            reports[delivery.period, delivery.language] = context, pdf
            with translation.override(delivery.language):
                report_message(context, pdf=pdf, user=delivery.user, address=delivery.user.email).send()
        except Exception as error:  # noqa: BLE001 (one delivery's failure, whatever it is, is recorded, not the run's end)
            retry_at = deliveries.record_failure(delivery, now=clock(), error=_error_text(error))
            if isinstance(error, _EXPECTED):
                log = logger.warning if retry_at else logger.error
                log("The monthly report of %s to %s failed: %s", format_month(delivery.period), delivery.address, error)
            else:
                logger.exception(
                    "The monthly report of %s to %s failed", format_month(delivery.period), delivery.address
                )
            run.failed.append((delivery, retry_at))
            continue
        if not deliveries.record_sent(
            delivery, now=clock(), address=delivery.user.email, accounts_not_reported=context["not_reported_count"]
        ):
            logger.error(
                "The monthly report of %s to %s was sent, but another run had taken it over meanwhile",
                format_month(delivery.period),
                delivery.address,
            )
        run.sent.append(delivery)
    return run


# What a delivery's try meets in the ordinary course: no Chromium, no figures any more, the mail server.
_EXPECTED = (PrintingUnavailable, ReportUnavailable, smtplib.SMTPException, OSError)


def _why_not_sent(delivery: ReportDelivery) -> NotSent | None:
    """Why the delivery is not to be sent after all: unsubscribed since, or no longer able to receive it."""
    if delivery.user is None or not ReportSubscription.objects.filter(user_id=delivery.user_id).exists():
        return NotSent.UNSUBSCRIBED
    return why_not_receiving(delivery.user)


def _report(delivery: ReportDelivery) -> tuple[dict, bytes]:
    """The month's report in the delivery's language, and its PDF, as a person opening its page gets them."""
    month = format_month(delivery.period)
    with translation.override(delivery.language):
        context, status = monthly_report(month, page_path=reverse("monthly_report", kwargs={"month": month}))
        if status != 200:
            raise ReportUnavailable(f"no figures of {month} any more")
        return context, report_pdf(context, site=settings.SITE_URL)


def _error_text(error: Exception) -> str:
    """The failure as the admin shows it: the kind of error and what the other side said."""
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) else error.smtp_error
        return f"{type(error).__name__}: {error.smtp_code} {text}"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return f"SMTPRecipientsRefused: {error.recipients}"
    return f"{type(error).__name__}: {error}"
