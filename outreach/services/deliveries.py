"""Writes of the monthly report by e-mail: subscribing and unsubscribing, making a month's deliveries due,
claiming one to send it, and recording what became of each try.

Exactly one message per person and month: a delivery row is unique per person and month (the database's
constraint), made with "insert, or nothing if it exists"; and a run sends a delivery only after claiming it
with one conditional UPDATE (status waiting → sending), which a single run can win, on PostgreSQL as on
SQLite, however many run at once. A run that stops between claiming and recording leaves the delivery
"being sent"; after `INTERRUPTED_AFTER` the next run tries it again (it was most likely stopped while the PDF
was being printed, before anything was sent).
"""

from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import F, Q

from outreach.models import DeliveryStatus, ReportDelivery, ReportSubscription
from outreach.models.reports import INTERRUPTED_AFTER, receiving_problem, retry_delay


def subscribe(user, *, language: str) -> ReportSubscription:
    """Subscribe a person to the monthly report in `language`, or change the language of their subscription.
    ValidationError when they cannot receive it (no address, no permission to see the figures)."""
    with transaction.atomic():
        subscription = ReportSubscription.objects.select_for_update().filter(user=user).first()
        subscription = subscription or ReportSubscription(user=user)
        subscription.language = language
        subscription.full_clean(validate_unique=False)
        subscription.save()
    return subscription


def unsubscribe(user) -> bool:
    """End a person's subscription; whether they had one. The deliveries already made stay recorded."""
    deleted, _by_model = ReportSubscription.objects.filter(user=user).delete()
    return deleted > 0


def make_due(period: date, subscriptions: list[ReportSubscription], *, now: datetime) -> int:
    """A waiting delivery of `period`'s report for each subscription that has none yet; how many were made.
    A person who already has one (made by another run meanwhile, too) keeps that one and gets no other: the
    one-per-person-and-month constraint refuses the second, here in a savepoint of its own."""
    made = 0
    for subscription in subscriptions:
        try:
            with transaction.atomic():
                ReportDelivery.objects.create(
                    user=subscription.user,
                    period=period,
                    language=subscription.language,
                    address=subscription.user.email,
                    status=DeliveryStatus.PENDING,
                    next_attempt_at=now,
                )
        except IntegrityError:
            continue  # made by another run since this one read who had none
        made += 1
    return made


def claim_delivery(delivery: ReportDelivery, *, now: datetime) -> bool:
    """Take this delivery to send it now; False when another run has taken it (or sent it) meanwhile."""
    claimable = Q(status__in=(DeliveryStatus.PENDING, DeliveryStatus.RETRYING), next_attempt_at__lte=now) | Q(
        status=DeliveryStatus.SENDING, claimed_at__lte=now - INTERRUPTED_AFTER
    )
    claimed = ReportDelivery.objects.filter(claimable, pk=delivery.pk).update(
        status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if claimed:
        delivery.refresh_from_db()
    return claimed == 1


def record_sent(delivery: ReportDelivery, *, now: datetime, address: str, accounts_not_reported: int) -> None:
    """Sent, to `address` (the person's at the time), saying that many active accounts had not reported."""
    delivery.status, delivery.sent_at, delivery.next_attempt_at = DeliveryStatus.SENT, now, None
    delivery.address = address  # an earlier try's error stays: the record says it was tried again
    delivery.complete, delivery.accounts_not_reported = accounts_not_reported == 0, accounts_not_reported
    delivery.save(
        update_fields=(
            "status",
            "sent_at",
            "next_attempt_at",
            "address",
            "last_error",
            "complete",
            "accounts_not_reported",
        )
    )


def record_failure(delivery: ReportDelivery, *, now: datetime, error: str) -> datetime | None:
    """A try that failed: tried again after a wait that grows with each try, or given up after the last one.
    When it is tried next (None: not again)."""
    wait = retry_delay(delivery.attempts)
    delivery.status = DeliveryStatus.RETRYING if wait else DeliveryStatus.FAILED
    delivery.next_attempt_at = now + wait if wait else None
    delivery.last_error = error
    delivery.save(update_fields=("status", "next_attempt_at", "last_error"))
    return delivery.next_attempt_at


def cancel_delivery(delivery: ReportDelivery, *, reason: str) -> None:
    """Not sent, and not to be: the person can no longer receive it (`receiving_problem` says why)."""
    delivery.status, delivery.next_attempt_at, delivery.last_error = DeliveryStatus.CANCELLED, None, reason
    delivery.save(update_fields=("status", "next_attempt_at", "last_error"))


def retry_now(deliveries, *, now: datetime) -> int:
    """Failed and cancelled deliveries, made due again (the admin's "Try again"), with their tries counted anew;
    how many. A sent delivery is never sent again, nor one to a person who cannot receive it now."""
    again = 0
    for delivery in deliveries.filter(
        status__in=(DeliveryStatus.FAILED, DeliveryStatus.RETRYING, DeliveryStatus.CANCELLED)
    ):
        if receiving_problem(delivery.user) or not ReportSubscription.objects.filter(user=delivery.user).exists():
            continue  # it would only be cancelled again
        again += ReportDelivery.objects.filter(pk=delivery.pk, status=delivery.status).update(
            status=DeliveryStatus.RETRYING,
            next_attempt_at=now,
            attempts=0,
            address=delivery.user.email or delivery.address,
        )
    return again
