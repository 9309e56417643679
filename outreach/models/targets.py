"""Yearly targets: what an account is to reach in a figure by a year's end, or to add to it over the year.

One per account, figure and year (the database's constraint); a count, not negative, at most `COUNT_MAX`;
of a figure the account's platform counts (the rule set's check, `rules.target_errors`).
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from outreach import metrics, rules

# The years a target may be for: those the figures may be of (none before 2000), and a few ahead.
FIRST_YEAR, LAST_YEAR = 2000, 2100


class Target(models.Model):
    """An account's target for one figure in one year."""

    class Kind(models.TextChoices):
        YEAR_END = "year_end", _("total at the year's end")
        GROWTH = "growth", _("growth over the year")

    account = models.ForeignKey(
        "outreach.Account", on_delete=models.CASCADE, related_name="targets", verbose_name=_("account")
    )
    metric = models.CharField(
        _("figure"), max_length=10, choices=[(metric, metrics.METRIC_LABELS[metric]) for metric in metrics.METRICS]
    )
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.YEAR_END)
    value = models.BigIntegerField(_("target"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ("-year", "account__platform__display_order", "account__name", "metric")
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(fields=("account", "metric", "year"), name="target_one_per_account_figure_year"),
            models.CheckConstraint(
                condition=Q(value__gte=0) & Q(value__lte=metrics.COUNT_MAX), name="target_value_a_count"
            ),
            models.CheckConstraint(condition=Q(metric__in=metrics.METRICS), name="target_metric_known"),
            models.CheckConstraint(condition=Q(kind__in=("year_end", "growth")), name="target_kind_known"),
            models.CheckConstraint(
                condition=Q(year__gte=FIRST_YEAR) & Q(year__lte=LAST_YEAR), name="target_year_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} · {self.year} · {self.get_metric_display()}"

    def clean(self) -> None:
        platform = self.account.platform if self.account_id else None
        errors = rules.target_errors(
            metric=self.metric,
            value=self.value,
            year=self.year,
            counted=platform.counted_metrics if platform else None,
            platform_name=str(platform) if platform else "",
        )
        if errors:
            raise ValidationError(errors)
