"""The figures: platforms, the museum's accounts on them, their monthly snapshots, milestones, imports,
and what is derived from them (the kept monthly totals, the data version).

Counts are cumulative totals at the end of a month; empty means "not reported" and is never shown
or summed as 0. Rules that compare rows (a total must not go down) live in `outreach.rules`, called
from `MetricSnapshot.clean` and from every other write path; the database holds the one-row
invariants as constraints.
"""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from outreach import metrics, rules
from outreach.fields import MonthField
from outreach.language import is_chinese
from outreach.months import format_month


class Platform(models.Model):
    """A publishing platform (科普中国, WeChat, Douyin, Bilibili), with how it is shown in charts."""

    class Content(models.TextChoices):
        ARTICLES = "articles", _("Articles")
        VIDEOS = "videos", _("Videos")
        BOTH = "both", _("Articles and videos")

    name_en = models.CharField(_("name (English)"), max_length=100)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    display_order = models.PositiveSmallIntegerField(_("display order"), default=0)
    color = models.CharField(
        _("chart colour"),
        max_length=7,
        default="#4c78a8",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #RRGGBB, e.g. #07c160."))],
    )
    content = models.CharField(_("content counted"), max_length=10, choices=Content.choices, default=Content.BOTH)

    history = HistoricalRecords()

    class Meta:
        ordering = ("display_order", "slug")
        verbose_name = _("platform")
        verbose_name_plural = _("platforms")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The platform's name in the active language."""
        return self.name_zh if is_chinese() else self.name_en

    @property
    def counts_articles(self) -> bool:
        return self.content in (self.Content.ARTICLES, self.Content.BOTH)

    @property
    def counts_videos(self) -> bool:
        return self.content in (self.Content.VIDEOS, self.Content.BOTH)

    @property
    def counted_metrics(self) -> tuple[str, ...]:
        """The figures this platform counts, in the usual order: views and followers, and its content."""
        skipped = {"articles": not self.counts_articles, "videos": not self.counts_videos}
        return tuple(metric for metric in metrics.METRICS if not skipped.get(metric))


class AccountQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Account(models.Model):
    """The museum's account on one platform (in the domain, "account" never means a person)."""

    platform = models.ForeignKey(
        Platform, on_delete=models.PROTECT, related_name="accounts", verbose_name=_("platform")
    )
    name = models.CharField(_("name"), max_length=200)
    name_zh = models.CharField(
        _("name on the platform (Chinese)"),
        max_length=200,
        blank=True,
        help_text=_("As it appears on the platform, e.g. 上海科技馆. Imports find the account by either name."),
    )
    handle = models.CharField(_("handle"), max_length=200, blank=True)
    url = models.URLField(_("URL"), blank=True)
    opened_on = models.DateField(
        _("opened on"),
        help_text=_("When the account started; where only the month is known, its first day."),
    )
    is_active = models.BooleanField(_("active"), default=True, help_text=_("Inactive accounts leave the month grid."))

    objects = AccountQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ("platform__display_order", "platform__slug", "name")
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            models.UniqueConstraint(fields=("platform", "name"), name="account_unique_name_per_platform"),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} · {self.platform}"

    @property
    def display_name(self) -> str:
        """The account's name in the active language: 上海科技馆 in Chinese where it has one."""
        return self.name_zh if self.name_zh and is_chinese() else self.name


class MetricSnapshot(models.Model):
    """An account's cumulative totals at the end of one calendar month."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="snapshots", verbose_name=_("account"))
    period = MonthField(_("month"), help_text=_("The month the totals describe, as YYYY-MM."))
    articles = models.PositiveBigIntegerField(_("articles"), null=True, blank=True)
    videos = models.PositiveBigIntegerField(_("videos"), null=True, blank=True)
    views = models.PositiveBigIntegerField(_("views"), null=True, blank=True)
    followers = models.PositiveBigIntegerField(_("followers"), null=True, blank=True)
    approximate = models.BooleanField(
        _("approximate"), default=False, help_text=_("The figures are lower bounds (“more than …”).")
    )
    is_illustrative = models.BooleanField(
        _("illustrative"),
        default=False,
        help_text=_("Made up for the demo, not a real figure."),
    )
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last changed by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed at"), auto_now=True)
    # Raised on every save: an edit made from an older version is refused rather than overwriting.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    # Who and when are the history's own columns; the version is bookkeeping.
    history = HistoricalRecords(excluded_fields=("created_at", "updated_at", "updated_by", "version"))

    class Meta:
        # account_id, not account: ordering by the account would sort by its name, and defeat the index below.
        ordering = ("-period", "account_id")
        verbose_name = _("metric snapshot")
        verbose_name_plural = _("metric snapshots")
        constraints = [
            # Also the access path of every per-account read, so no separate index on account.
            models.UniqueConstraint(fields=("account", "period"), name="snapshot_one_per_account_month"),
            models.CheckConstraint(
                condition=Q(articles__isnull=False)
                | Q(videos__isnull=False)
                | Q(views__isnull=False)
                | Q(followers__isnull=False),
                name="snapshot_has_a_figure",
            ),
            *(
                models.CheckConstraint(condition=Q(**{f"{metric}__gte": 0}), name=f"snapshot_{metric}_not_negative")
                for metric in metrics.METRICS
            ),
            # Bounded so that every monthly total of a platform fits its bigint (see metrics.COUNT_MAX).
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{metric}__lte": metrics.COUNT_MAX}), name=f"snapshot_{metric}_at_most_count_max"
                )
                for metric in metrics.METRICS
            ),
        ]
        # The admin list's order (newest month first): its first page is read straight off this index.
        indexes = [models.Index(fields=("-period", "account"), name="snapshot_newest_first")]

    def __str__(self) -> str:
        return f"{self.account} · {format_month(self.period)}" if self.period else str(self.account)

    def get_absolute_url(self) -> str:
        return reverse("admin:outreach_metricsnapshot_change", args=(self.pk,))

    @property
    def figures(self) -> dict[str, int | None]:
        return {metric: getattr(self, metric) for metric in metrics.METRICS}

    def clean(self) -> None:
        if self.account_id is None:
            return
        history = snapshot_history(account_id=self.account_id, period=self.period, exclude_pk=self.pk)
        errors = rules.snapshot_errors(
            account=self.account, period=self.period, figures=self.figures, history=history, today=timezone.localdate()
        )
        if errors:
            raise ValidationError(errors)

    def validate_constraints(self, exclude=None) -> None:
        # `clean` (the rule set) checks every invariant these constraints hold, the bounds included,
        # worded for staff (and with a link to the month that already exists); Django's generic
        # messages would repeat them.
        return None


def snapshot_history(*, account_id: int, period: date | None, exclude_pk: int | None = None) -> rules.AccountHistory:
    """What is recorded for an account around `period`, for the rule set (one query)."""
    if period is None:
        return rules.AccountHistory()
    rows = MetricSnapshot.objects.filter(account_id=account_id)
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    rows = list(rows.values_list("pk", "period", *metrics.CUMULATIVE_METRICS))
    others = [(row[1], dict(zip(metrics.CUMULATIVE_METRICS, row[2:], strict=True))) for row in rows if row[1] != period]
    history = rules.timeline_histories([*others, (period, {})])[period]
    existing_pk = next((row[0] for row in rows if row[1] == period), None)
    if existing_pk is None:
        return history
    return rules.AccountHistory(
        earlier=history.earlier,
        later=history.later,
        existing=rules.ExistingSnapshot(
            pk=existing_pk, url=reverse("admin:outreach_metricsnapshot_change", args=(existing_pk,))
        ),
    )


class Milestone(models.Model):
    """A dated event shown on the dashboard's time axis: an account's opening, an award."""

    date = models.DateField(_("date"))
    title = models.CharField(_("title (English)"), max_length=200)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200, blank=True)
    account = models.ForeignKey(
        Account,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="milestones",
        verbose_name=_("account"),
        help_text=_("Leave empty for an event of the whole museum; it then shows whatever the filters."),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ("date", "title")
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            models.UniqueConstraint(fields=("date", "title"), name="milestone_unique_title_per_date"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} · {self.display_title}"

    @property
    def display_title(self) -> str:
        """The title in the active language, English where no Chinese title was given."""
        return self.title_zh if self.title_zh and is_chinese() else self.title


STANDARD_FORMAT = "standard"


class SnapshotImport(models.Model):
    """A file of figures staff uploaded (or a backfill from the command line), kept with what it did."""

    file_name = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("content"))
    # The file as read at upload (header and lines): its preview and confirmation do not read it again.
    table = models.JSONField(_("lines read"), null=True, blank=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    # What the file is: the standard file (the export's own columns), or which back-office export
    # (`imports.backoffice`); a back-office file names no account, so the one it was imported to is kept.
    format = models.CharField(_("format"), max_length=40, default=STANDARD_FORMAT)
    account = models.ForeignKey(
        "Account",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("account"),
    )
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    created_count = models.PositiveIntegerField(_("snapshots created"), default=0)
    updated_count = models.PositiveIntegerField(_("snapshots updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("rows unchanged"), default=0)

    class Meta:
        ordering = ("-uploaded_at",)
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.uploaded_at:%Y-%m-%d %H:%M})" if self.uploaded_at else self.file_name


class MonthlyTotal(models.Model):
    """One platform's figure (one metric) in one month, summed over its accounts, with its growth.

    Derived data, never typed: every write path changes it by the difference it makes (see
    `services.totals.monthly_totals_following`), so that the dashboard of every account reads a few thousand
    rows instead of scanning millions of snapshots. `refresh_monthly_totals` rebuilds it from scratch.
    Each column is a sum or a count, so that a change is added to it, whoever else writes at once. They
    are plain integers, not positive ones: should the totals ever drift (a write outside the services),
    a staff member's save must not fail on them; `refresh_monthly_totals` mends them.
    """

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="+", verbose_name=_("platform"))
    period = MonthField(_("month"))
    metric = models.CharField(
        _("figure"), max_length=10, choices=[(m, metrics.METRIC_LABELS[m]) for m in metrics.METRICS]
    )
    total = models.BigIntegerField(_("total"), default=0)
    reporting = models.IntegerField(_("accounts reporting"), default=0)
    approximate = models.IntegerField(_("approximate figures"), default=0)
    illustrative = models.IntegerField(_("illustrative figures"), default=0)
    # Growth: each reporting account's figure minus its previous reported one, where it has one.
    growth = models.BigIntegerField(_("growth"), default=0)
    growth_steps = models.IntegerField(_("accounts with growth"), default=0)
    gaps = models.IntegerField(_("growth over unreported months"), default=0)
    gap_months = models.IntegerField(_("months those span"), default=0)
    growth_approximate = models.IntegerField(_("growth from approximate figures"), default=0)
    growth_illustrative = models.IntegerField(_("growth from illustrative figures"), default=0)
    # Coverage: an account is expected to report a figure from its first report of it on, and an inactive
    # one up to its last (counted here, in the month of that last report).
    stops = models.IntegerField(_("inactive accounts' last reports"), default=0)
    # Like for like: the accounts reporting the figure both this month and the month before, or twelve
    # months before; the earlier month's sum over them, and their growth.
    month_pairs = models.IntegerField(_("accounts reporting the month before too"), default=0)
    month_pair_base = models.BigIntegerField(_("their total the month before"), default=0)
    month_pair_growth = models.BigIntegerField(_("their growth since the month before"), default=0)
    month_pair_approximate = models.IntegerField(_("of those, from approximate figures"), default=0)
    month_pair_illustrative = models.IntegerField(_("of those, from illustrative figures"), default=0)
    year_pairs = models.IntegerField(_("accounts reporting a year before too"), default=0)
    year_pair_base = models.BigIntegerField(_("their total a year before"), default=0)
    year_pair_growth = models.BigIntegerField(_("their growth over the year"), default=0)
    year_pair_approximate = models.IntegerField(_("of those, from approximate figures (year)"), default=0)
    year_pair_illustrative = models.IntegerField(_("of those, from illustrative figures (year)"), default=0)

    class Meta:
        verbose_name = _("monthly total")
        verbose_name_plural = _("monthly totals")
        constraints = [
            models.UniqueConstraint(fields=("platform", "period", "metric"), name="monthly_total_one_per_cell"),
        ]

    def __str__(self) -> str:
        return f"{self.platform} · {format_month(self.period)} · {self.get_metric_display()}"


class DataVersion(models.Model):
    """One row whose `token` changes whenever anything a figures page shows changes, so that a page cached under
    it is never stale.

    Database triggers replace the token on every insert, update, delete (and, on PostgreSQL, truncate) of the
    tables the pages read (`DATA_VERSION_TABLES`, installed by migrations 0012 and 0015): every write path bumps it,
    the admin's, the imports', a bulk load's or a hand-typed SQL statement's alike, in the writer's own
    transaction, so no reader sees the new token before the new figures. It is a random number, not a
    counter: a rolled-back write, or a database emptied and filled again, never brings back a token that
    keys other figures.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    token = models.BigIntegerField(_("data version"))

    class Meta:
        verbose_name = _("data version")
        verbose_name_plural = _("data versions")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="data_version_one_row")]

    def __str__(self) -> str:
        return str(self.token)
