"""The monthly report by e-mail: who subscribes to it, in which language, and each delivery of a month's
report to one person, with its attempts and result.

A delivery is one row per person and month (a constraint of the database): a scheduler that runs twice, or
two that run at once, find the row already there and send nothing more. Sending claims the row first by a
conditional update (`services.deliveries.claim_delivery`), so only one run sends it.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from outreach.fields import MonthField
from outreach.months import format_month

# The report's editions: the site's languages, named as editions of a report (英文版, 简体中文版).
REPORT_LANGUAGES = [
    ("en", pgettext_lazy("edition of a report", "English")),
    ("zh-hans", pgettext_lazy("edition of a report", "Simplified Chinese")),
]

# The permission a person needs to receive the report: the figures it holds are the dashboard's.
REPORT_PERMISSION = "outreach.view_metricsnapshot"


class NotSent(models.TextChoices):
    """Why a delivery was not sent, or a person cannot be subscribed: kept as a code, shown in the reader's
    language."""

    DEACTIVATED = "deactivated", _("This person's account is deactivated.")
    NO_ADDRESS = "no_address", _("This person has no e-mail address: add one to their account first.")
    NO_ACCESS = "no_access", _("This person may not see the figures (the Managers, Staff or Administrators group).")
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed before it was sent.")


def why_not_receiving(user, *, may_see_figures: bool | None = None) -> NotSent | None:
    """Why this person cannot receive the monthly report by e-mail, or None when they can. `may_see_figures`,
    when a list has read it for every row at once (`selectors.deliveries.with_report_access`), saves asking."""
    if not user.is_active:
        return NotSent.DEACTIVATED
    if not user.email:
        return NotSent.NO_ADDRESS
    if not (user.has_perm(REPORT_PERMISSION) if may_see_figures is None else may_see_figures):
        return NotSent.NO_ACCESS
    return None


class ReportSubscription(models.Model):
    """A person who receives the monthly report by e-mail, in one language. One per person: subscribing
    again changes the language; unsubscribing deletes it (the deliveries already made stay recorded)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="report_subscription",
        verbose_name=_("person"),
    )
    language = models.CharField(_("language"), max_length=10, choices=REPORT_LANGUAGES)
    created_at = models.DateTimeField(_("subscribed at"), auto_now_add=True)

    class Meta:
        ordering = ("user__username",)
        verbose_name = _("monthly report subscription")
        verbose_name_plural = _("monthly report subscriptions")
        constraints = [
            models.CheckConstraint(
                condition=Q(language__in=[code for code, _name in REPORT_LANGUAGES]),
                name="report_subscription_language_known",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_language_display()})"

    def clean(self) -> None:
        if self.user_id is not None:
            problem = why_not_receiving(self.user)
            if problem:
                # Not tied to the person's field: the admin's change form shows the person read-only.
                raise ValidationError(problem.label, code=problem.value)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("waiting to be sent")
    SENDING = "sending", _("being sent")
    SENT = "sent", _("sent")
    RETRYING = "retrying", _("failed, to be tried again")
    FAILED = "failed", _("failed, not tried again")
    CANCELLED = "cancelled", _("not sent")


# Tries before a delivery is given up, and the wait before each next one: 5 minutes, then three times longer
# each time, at most 6 hours (about 21 hours from the first try to the last), so that a mail server down
# overnight is waited for and one that refuses the address for good is not asked every few minutes for ever.
DELIVERY_ATTEMPTS = 8
FIRST_RETRY = timedelta(minutes=5)
LONGEST_RETRY = timedelta(hours=6)
# An incomplete month whose figures were changed this recently is still being entered: its report (due by
# the configured day) waits until they have been left alone this long, so that it is not mailed half-typed.
SETTLING = timedelta(hours=1)
# A delivery claimed this long ago and neither sent nor failed was interrupted (its run stopped): tried again.
INTERRUPTED_AFTER = timedelta(minutes=30)


def retry_delay(attempts: int) -> timedelta | None:
    """How long to wait before trying again after `attempts` failed tries; None once they are all spent."""
    if attempts >= DELIVERY_ATTEMPTS:
        return None
    return min(FIRST_RETRY * 3 ** (attempts - 1), LONGEST_RETRY)


class ReportDelivery(models.Model):
    """One month's report for one person: when it was made due, each try, and what happened."""

    # Kept when the person is deleted (the record of what was sent stays): their name at the time says who.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="report_deliveries",
        verbose_name=_("person"),
    )
    username = models.CharField(_("user name"), max_length=150)
    period = MonthField(_("month"))
    language = models.CharField(_("language"), max_length=10, choices=REPORT_LANGUAGES)
    address = models.EmailField(_("sent to"), max_length=254)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("tries"), default=0)
    created_at = models.DateTimeField(_("due since"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(_("next try"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("last try began"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    not_sent = models.CharField(_("why not sent"), max_length=20, choices=NotSent.choices, blank=True)
    # What the mail server, Chromium or the system answered (their own words, not translated).
    last_error = models.TextField(_("last error"), blank=True)
    # What the report said of the month when it went out: whether every active account had reported it.
    complete = models.BooleanField(_("month complete"), null=True, blank=True)
    accounts_not_reported = models.PositiveIntegerField(_("accounts not reported"), null=True, blank=True)

    class Meta:
        ordering = ("-period", "user__username")
        verbose_name = _("monthly report delivery")
        verbose_name_plural = _("monthly report deliveries")
        constraints = [
            models.UniqueConstraint(fields=("user", "period"), name="one_report_delivery_per_person_and_month"),
            models.CheckConstraint(condition=Q(status__in=DeliveryStatus.values), name="report_delivery_status_known"),
            models.CheckConstraint(
                condition=~Q(status=DeliveryStatus.SENT) | Q(sent_at__isnull=False),
                name="report_delivery_sent_has_time",
            ),
        ]
        indexes = [models.Index(fields=("status", "next_attempt_at"), name="report_delivery_due")]

    def __str__(self) -> str:
        return f"{self.username} · {format_month(self.period)}"
