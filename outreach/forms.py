"""Forms people type into: the admin's snapshot form, the month grid, the import's upload, and the monthly
report's subscription."""

from datetime import date

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outreach import metrics, numbers, rules
from outreach.fields import CountFormField, CountInput, MonthFormField
from outreach.models import MetricSnapshot, Target
from outreach.models.reports import REPORT_LANGUAGES
from outreach.selectors.entry import MonthGridRow, snapshots_before


def changed_meanwhile_error(current: MetricSnapshot, typed: dict) -> forms.ValidationError:
    """The message for an edit made from an older version: who saved what meanwhile, beside what was typed."""
    differences = [
        _("%(metric)s is now %(saved)s; you typed %(typed)s")
        % {
            "metric": metrics.metric_label(metric, [current.account.platform]),
            "saved": numbers.format_count(current.figures[metric]) if current.figures[metric] is not None else "–",
            "typed": numbers.format_count(typed[metric]) if typed.get(metric) is not None else "–",
        }
        for metric in metrics.METRICS
        if current.figures[metric] != typed.get(metric)
    ]
    return forms.ValidationError(
        _(
            "%(who)s saved these figures at %(when)s, while you were editing them. %(differences)s. "
            "Check them; saving again keeps what you typed."
        ),
        code="changed_meanwhile",
        params={
            "who": current.updated_by or _("Someone"),
            "when": formats.date_format(timezone.localtime(current.updated_at), "DATETIME_FORMAT"),
            "differences": "; ".join(differences) or _("The figures are the same, the approximate flag or note differ"),
        },
    )


class CountFormMixin:
    """What a form of counts tells the person who typed them: how a `263万` was read, which figures look wrong.

    `loaded_version` is the version of the snapshot the page showed (rendered as a hidden input): a
    snapshot saved by someone else since is not overwritten; both values are shown instead, and the
    form then carries the newer version, so that saving again is a deliberate overwrite.
    """

    def check_version(self, snapshot: MetricSnapshot | None, typed: dict) -> None:
        if self.add_prefix("loaded_version") not in self.data:
            return  # not posted by one of our pages (a script): nothing to compare
        loaded = self.cleaned_data.get("loaded_version")
        current = (
            MetricSnapshot.objects.select_related("updated_by", "account__platform").filter(pk=snapshot.pk).first()
            if snapshot
            else None
        )
        if current is None or loaded == current.version:
            return
        self.add_error(None, changed_meanwhile_error(current, typed))
        self.data = self.data.copy()
        self.data[self.add_prefix("loaded_version")] = current.version

    def readings(self) -> list[str]:
        """How each count typed with a Chinese unit was read: “Followers: “263万” read as 2,630,000”."""
        readings = []
        for metric in metrics.METRICS:
            if metric in self.fields and self.cleaned_data.get(metric) is not None:
                reading = numbers.count_reading(self.data.get(self.add_prefix(metric)), self.cleaned_data[metric])
                if reading:
                    readings.append(f"{metrics.metric_label(metric, self.platforms_typed_for())}: {reading}")
        return readings

    def platforms_typed_for(self) -> list:
        """The platform whose figures the form holds (the grid row's, or the account chosen), for their names."""
        row = getattr(self, "row", None)
        account = row.account if row is not None else self.cleaned_data.get("account")
        return [account.platform] if account is not None else []

    def changed_figures(self) -> dict[str, int | None]:
        """The figures this form changes (every figure typed, for a new snapshot)."""
        return {metric: self.cleaned_data.get(metric) for metric in metrics.METRICS if metric in self.changed_data}


class AccountSelect(forms.Select):
    """The account to pick, each option saying what its platform counts, so that the form shows only that."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        account = getattr(value, "instance", None)
        if account is not None:
            option["attrs"]["data-counts"] = " ".join(account.platform.counted_metrics)
        return option


class MetricSnapshotForm(CountFormMixin, forms.ModelForm):
    """The admin's form for one snapshot: counts read as people type them, warnings confirmed before saving."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    confirm_warnings = forms.BooleanField(
        label=gettext_lazy("I have checked the flagged figures: they are right."), required=False
    )
    # Shown for illustrative figures only: saving them unchanged keeps them illustrative, unless confirmed.
    confirm_real = forms.BooleanField(
        label=gettext_lazy("These are the real figures: checked against the platform"), required=False
    )

    class Meta:
        model = MetricSnapshot
        fields = ("account", "period", *metrics.METRICS, "approximate", "note")
        field_classes = dict.fromkeys(metrics.METRICS, CountFormField)
        # The admin would give a count a number input, which reads `263万` as 263.
        widgets = {"note": forms.Textarea(attrs={"rows": 3}), **dict.fromkeys(metrics.METRICS, CountInput)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.warnings: list[str] = []
        if self.instance.pk is not None:
            # The version in the database now: a form for an old version (a revert) edits the current one.
            current = MetricSnapshot.objects.filter(pk=self.instance.pk).values_list("version", flat=True).first()
            self.fields["loaded_version"].initial = current

    def clean(self):
        cleaned = super().clean()
        account, period = cleaned.get("account"), cleaned.get("period")
        if account is not None:
            # A figure the platform does not count, and so not on the form, is not kept either.
            for metric in set(metrics.METRICS) - set(account.platform.counted_metrics) - set(self.fields):
                setattr(self.instance, metric, None)
        if self.instance.pk is not None:
            self.check_version(self.instance, {metric: cleaned.get(metric) for metric in metrics.METRICS})
        if account is not None and period is not None and not self.errors:
            previous, before_previous = snapshots_before(
                account_id=account.pk, period=period, exclude_pk=self.instance.pk
            )
            self.warnings = rules.suspicious_changes(
                account=account, figures=self.changed_figures(), previous=previous, before_previous=before_previous
            )
            if self.warnings and not cleaned.get("confirm_warnings"):
                for warning in self.warnings:
                    self.add_error(None, forms.ValidationError(warning, code="suspicious"))
        return cleaned


class MonthPickerForm(forms.Form):
    """The month the grid shows, from the query string."""

    period = MonthFormField(label=gettext_lazy("Month"), widget=forms.TextInput(attrs={"type": "month"}))

    def __init__(self, *args, today: date, **kwargs):
        self.today = today
        super().__init__(*args, **kwargs)

    def clean_period(self):
        period = self.cleaned_data["period"]
        future = rules.future_period_error(period, self.today)
        if future is not None:
            raise future
        return period


class MonthGridRowForm(CountFormMixin, forms.Form):
    """One account's figures for the grid's month. Fields for content its platform does not count are left out."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    articles = CountFormField(label=gettext_lazy("Articles"), required=False)
    videos = CountFormField(label=gettext_lazy("Videos"), required=False)
    views = CountFormField(label=gettext_lazy("Views"), required=False)
    followers = CountFormField(label=gettext_lazy("Followers"), required=False)
    approximate = forms.BooleanField(label=gettext_lazy("Approximate"), required=False)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, widget=forms.TextInput())

    def __init__(self, *args, row: MonthGridRow, **kwargs):
        self.row = row
        snapshot = row.snapshot
        if snapshot is not None:
            kwargs.setdefault(
                "initial",
                {
                    **snapshot.figures,
                    "approximate": snapshot.approximate,
                    "note": snapshot.note,
                    "loaded_version": snapshot.version,
                },
            )
        super().__init__(*args, prefix=f"account-{row.account.pk}", **kwargs)
        for metric in set(metrics.METRICS) - set(row.account.platform.counted_metrics):
            del self.fields[metric]
        labels = {metric: metrics.metric_label(metric, [row.account.platform]) for metric in metrics.METRICS}
        for name in (*metrics.METRICS, "approximate", "note"):
            if name in self.fields:
                self.fields[name].widget.attrs["aria-label"] = _("%(metric)s, %(account)s") % {
                    "metric": labels.get(name, self.fields[name].label),
                    "account": row.account,
                }

    def clean(self):
        cleaned = super().clean()
        if self.row.snapshot is not None and self.has_changed():
            self.check_version(self.row.snapshot, {metric: cleaned.get(metric) for metric in metrics.METRICS})
        return cleaned

    @property
    def metric_fields(self) -> list:
        """The count cells in column order; None where the platform does not count that content."""
        return [self[metric] if metric in self.fields else None for metric in metrics.METRICS]

    @property
    def previous_figures(self) -> list[str]:
        """The latest earlier totals, formatted for the cell beside each input."""
        previous = self.row.previous
        return [
            numbers.format_count(previous.figures[m]) if previous and previous.figures[m] is not None else "–"
            for m in metrics.METRICS
        ]

    def is_blank(self) -> bool:
        """True when nothing was typed into a row that has no snapshot yet: the account is skipped."""
        return (
            self.row.snapshot is None
            and all(self.cleaned_data.get(metric) is None for metric in metrics.METRICS)
            and not self.cleaned_data.get("note")
        )

    def snapshot_to_save(self, period: date) -> MetricSnapshot | None:
        """The snapshot this row writes, unsaved, or None when the row is blank or unchanged."""
        if self.is_blank() or (self.row.snapshot is not None and not self.has_changed()):
            return None
        snapshot = self.row.snapshot or MetricSnapshot(account=self.row.account, period=period)
        for metric in metrics.METRICS:
            if metric in self.fields:
                setattr(snapshot, metric, self.cleaned_data[metric])
        snapshot.approximate = self.cleaned_data["approximate"]
        snapshot.note = self.cleaned_data["note"]
        return snapshot

    def check_what_was_read(self, period: date) -> None:
        """For a row with mistyped figures, the rule set on the figures that were read, beside their fields."""
        snapshot = self.row.snapshot
        readable = MetricSnapshot(
            pk=snapshot.pk if snapshot else None,
            account=self.row.account,
            period=period,
            **{metric: self.cleaned_data.get(metric) for metric in metrics.METRICS if metric in self.fields},
        )
        try:
            readable.full_clean()
        except forms.ValidationError as error:
            for field, errors in error.update_error_dict({}).items():
                if field in metrics.METRICS and field in self.fields and field not in self.errors:
                    self.add_error(field, errors)

    def suspicious_changes(self) -> list[str]:
        """Warnings for the figures this row changes that moved far more than the account's usually do."""
        if not self.is_valid():
            return []
        return rules.suspicious_changes(
            account=self.row.account,
            figures=self.changed_figures(),
            previous=self.row.previous,
            before_previous=self.row.before_previous,
        )


class MonthGrid:
    """The month grid: a row form per active account for one month, validated and saved together."""

    def __init__(self, *, period: date, rows: list[MonthGridRow], data=None):
        self.period = period
        self.forms = [MonthGridRowForm(data, row=row) for row in rows]

    def check(self) -> list[tuple["MonthGridRowForm", MetricSnapshot]] | None:
        """Check every row at once, how it is typed and the rule set: the rows to save, or None if any is wrong.

        One round: a row's "can't go down" shows beside another row's mistyped figure, not after it is mended.
        """
        typed_right = all([form.is_valid() for form in self.forms])
        changed = [
            (form, snapshot)
            for form, snapshot in ((form, form.snapshot_to_save(self.period)) for form in self.forms if form.is_valid())
            if snapshot is not None
        ]
        refused = False
        for form, snapshot in changed:
            try:
                snapshot.full_clean()
            except forms.ValidationError as error:
                self.show_errors(form, error)
                refused = True
        for form in self.forms:
            if not form.is_valid():
                form.check_what_was_read(self.period)
        return changed if typed_right and not refused else None

    @staticmethod
    def warnings(changed_rows: list[tuple[MonthGridRowForm, MetricSnapshot]]) -> list[str]:
        """What staff should confirm before the changed rows are saved."""
        return [warning for form, _snapshot in changed_rows for warning in form.suspicious_changes()]

    @staticmethod
    def show_errors(form: MonthGridRowForm, error: forms.ValidationError) -> None:
        """Put a refused snapshot's errors beside the inputs they concern, the rest at the row's top."""
        for field, errors in error.update_error_dict({}).items():
            form.add_error(field if field in form.fields else None, errors)


class SnapshotImportForm(forms.Form):
    """The file staff upload to import figures."""

    # Larger backfills go through `manage.py import_snapshots`, which has no limit.
    MAX_BYTES = 10 * 1024 * 1024

    file = forms.FileField(
        label=gettext_lazy("CSV or Excel file"),
        help_text=gettext_lazy(
            "A CSV file (UTF-8 or GBK, as Excel and WPS save it) or an Excel workbook, with the export's columns; "
            "or a file as WeChat's or Douyin's back office exports it. At most 10 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.xls,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(
                _(
                    "The file is %(size)s MB; at most %(limit)s MB can be uploaded. Split it, or ask an "
                    "administrator to import it with the command line."
                ),
                params={"size": f"{upload.size / 1024 / 1024:.1f}", "limit": self.MAX_BYTES // 1024 // 1024},
            )
        return upload


class BackofficeAccountForm(forms.Form):
    """Which account a back-office export is of: it names none. Only the accounts of its platform are offered."""

    account = forms.ModelChoiceField(
        label=gettext_lazy("Account"),
        queryset=None,
        empty_label=None,
        help_text=gettext_lazy("The account whose back office the file was downloaded from."),
    )

    def __init__(self, *args, platform, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = platform.accounts.active().select_related("platform").order_by("name")


class ReportSubscriptionForm(forms.Form):
    """The language a person receives the monthly report in."""

    language = forms.ChoiceField(
        label=gettext_lazy("Language of the report"),
        choices=REPORT_LANGUAGES,
        widget=forms.RadioSelect,
    )


class TargetForm(forms.ModelForm):
    """The admin's form for a yearly target: the target typed as people write counts (290万)."""

    class Meta:
        model = Target
        fields = ("account", "year", "metric", "kind", "value", "note")
        field_classes = {"value": CountFormField}
        widgets = {"value": CountInput}
