"""Writes of the monthly report by e-mail: subscribing and unsubscribing, making a month's deliveries due,
claiming one to send it, and recording what became of each try.

Exactly one message per person and month: a delivery row is unique per person and month (the database's
constraint), each made in a savepoint of its own that the constraint may refuse; and a run sends a delivery
only after claiming it with one conditional UPDATE (waiting → being sent, stamped with the moment of the
claim), which a single run can win, on PostgreSQL as on SQLite, however many run at once. Each result is
written only while the claim is still the run's own (the same status and stamp), so nothing a run learnt
before another took over is written over the other's. A run that stops between claiming and recording
leaves the delivery "being sent"; after `INTERRUPTED_AFTER` the next run tries it again (it was most likely
stopped while the PDF was being printed, before anything was sent), until its tries are spent.
"""

from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import F, Q

from outreach.models import DeliveryStatus, ReportDelivery, ReportSubscription
from outreach.models.reports import DELIVERY_ATTEMPTS, INTERRUPTED_AFTER, NotSent, retry_delay, why_not_receiving


def subscribe(user, *, language: str) -> ReportSubscription:
    """Subscribe a person to the monthly report in `language`, or change the language of their subscription.
    ValidationError when they cannot receive it (no address, no permission to see the figures)."""
    ReportSubscription(user=user, language=language).full_clean(validate_unique=False)
    # Two submissions at once: one inserts, the other finds its row and updates it (no IntegrityError).
    subscription, _created = ReportSubscription.objects.update_or_create(user=user, defaults={"language": language})
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
                    username=subscription.user.get_username(),
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


def _claimable(now: datetime) -> Q:
    """Waiting and due, or interrupted (claimed long ago, never recorded) with tries left."""
    waiting = Q(status__in=(DeliveryStatus.PENDING, DeliveryStatus.RETRYING), next_attempt_at__lte=now)
    interrupted = Q(
        status=DeliveryStatus.SENDING, claimed_at__lte=now - INTERRUPTED_AFTER, attempts__lt=DELIVERY_ATTEMPTS
    )
    return waiting | interrupted


def claim_delivery(delivery: ReportDelivery, *, now: datetime) -> bool:
    """Take this delivery to send it now (`now`: the moment of the claim); False when another run has taken it
    (or sent it) meanwhile. On success `delivery` holds the claim: its status, stamp and tries."""
    claimed = ReportDelivery.objects.filter(_claimable(now), pk=delivery.pk).update(
        status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if claimed:
        delivery.refresh_from_db()
    return claimed == 1


def _while_claimed(delivery: ReportDelivery, **changes) -> bool:
    """Write `changes` only if the delivery is still under this run's claim; whether it was."""
    for name, value in changes.items():
        setattr(delivery, name, value)
    return bool(
        ReportDelivery.objects.filter(
            pk=delivery.pk, status=DeliveryStatus.SENDING, claimed_at=delivery.claimed_at
        ).update(**changes)
    )


def record_sent(delivery: ReportDelivery, *, now: datetime, address: str, accounts_not_reported: int) -> bool:
    """Sent, to `address` (the person's at the time), saying that many active accounts had not reported. An
    earlier try's error stays: the record says it was tried again. False if the claim was lost meanwhile."""
    return _while_claimed(
        delivery,
        status=DeliveryStatus.SENT,
        sent_at=now,
        next_attempt_at=None,
        address=address,
        complete=accounts_not_reported == 0,
        accounts_not_reported=accounts_not_reported,
    )


def record_failure(delivery: ReportDelivery, *, now: datetime, error: str) -> datetime | None:
    """A try that failed: tried again after a wait that grows with each try, or given up after the last one.
    When it is tried next (None: not again, or the claim was lost meanwhile)."""
    wait = retry_delay(delivery.attempts)
    status = DeliveryStatus.RETRYING if wait else DeliveryStatus.FAILED
    recorded = _while_claimed(delivery, status=status, next_attempt_at=now + wait if wait else None, last_error=error)
    return delivery.next_attempt_at if recorded else None


def cancel_delivery(delivery: ReportDelivery, *, reason: NotSent) -> bool:
    """Not sent, and not to be (its claim, taken to look, ends here): the person can no longer receive it."""
    return _while_claimed(delivery, status=DeliveryStatus.CANCELLED, next_attempt_at=None, not_sent=reason)


def give_up_interrupted(now: datetime) -> int:
    """Deliveries interrupted on their last try: failed, not tried again (shown as such in the admin)."""
    return ReportDelivery.objects.filter(
        status=DeliveryStatus.SENDING, claimed_at__lte=now - INTERRUPTED_AFTER, attempts__gte=DELIVERY_ATTEMPTS
    ).update(status=DeliveryStatus.FAILED, next_attempt_at=None, last_error="Interrupted while being sent.")


def retry_now(deliveries, *, now: datetime) -> int:
    """Failed and cancelled deliveries, made due again now (the admin's "Try again"); how many. A sent delivery
    is never sent again, nor one to a person who cannot receive it now."""
    again = 0
    failed = (DeliveryStatus.FAILED, DeliveryStatus.RETRYING, DeliveryStatus.CANCELLED)
    for delivery in deliveries.filter(status__in=failed).select_related("user"):
        if delivery.user is None or why_not_receiving(delivery.user):
            continue  # it would only be cancelled again
        if not ReportSubscription.objects.filter(user=delivery.user).exists():
            continue
        # Its tries so far stay counted: one more, and a failure then gives it up again (until tried again).
        again += ReportDelivery.objects.filter(pk=delivery.pk, status=delivery.status).update(
            status=DeliveryStatus.RETRYING, next_attempt_at=now, not_sent="", address=delivery.user.email
        )
    return again
