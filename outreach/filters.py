"""The query-string filters shared by the dashboard, the downloads and (later) the API: which platforms, accounts
and months to read (`ScopeFilterForm.scope`), and each page's own choices. A filtered view is a URL, so it can
be bookmarked and sent.
"""

from datetime import date

from django import forms
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outreach import metrics, rules
from outreach.fields import MonthFormField
from outreach.months import format_month, month_label
from outreach.selectors.scope import Scope, existing_account_ids


class ListCheckboxes(forms.CheckboxSelectMultiple):
    """Boxes for a parameter repeated (`?platforms=a&platforms=b`) or comma-separated (`?platforms=a,b`).

    Split here, so that the boxes of a comma-separated filter are ticked and the next Apply keeps it.
    """

    def value_from_datadict(self, data, files, name):
        values = super().value_from_datadict(data, files, name) or []
        return [part.strip() for value in values for part in str(value).split(",") if part.strip()]


class ListParameterField(forms.MultipleChoiceField):
    """Values from a repeated parameter or a comma-separated one: see ListCheckboxes."""

    widget = ListCheckboxes


class ListInput(forms.TextInput):
    """A text input whose parameter may also be repeated (`?accounts=1&accounts=2`)."""

    def value_from_datadict(self, data, files, name):
        return data.getlist(name) if hasattr(data, "getlist") else data.get(name)

    def format_value(self, value):
        return ",".join(value) if isinstance(value, list | tuple) else value


class AccountNumbersField(forms.Field):
    """Account numbers, comma-separated or repeated: the account filter when there are too many to list."""

    widget = ListInput

    def to_python(self, value):
        values = value if isinstance(value, list | tuple) else [value or ""]
        numbers = [part.strip() for item in values for part in str(item).split(",") if part.strip()]
        wrong = [number for number in numbers if not number.isdigit()]
        if wrong:
            raise forms.ValidationError(_("“%(value)s” is not an account number."), params={"value": ", ".join(wrong)})
        return numbers

    def validate(self, value):
        unknown = sorted(set(value) - {str(pk) for pk in existing_account_ids([int(v) for v in value])})
        if unknown:
            raise forms.ValidationError(
                _("There is no account numbered %(numbers)s."), params={"numbers": ", ".join(unknown)}
            )


class ScopeFilterForm(forms.Form):
    """Which accounts and months to read, from the query string: shared by the dashboard and the reports."""

    platforms = ListParameterField(label=gettext_lazy("Platforms"), required=False)
    accounts = ListParameterField(label=gettext_lazy("Accounts"), required=False)
    start = MonthFormField(label=gettext_lazy("From"), required=False, widget=forms.TextInput(attrs={"type": "month"}))
    end = MonthFormField(label=gettext_lazy("To"), required=False, widget=forms.TextInput(attrs={"type": "month"}))
    DEFAULTS: dict[str, str] = {}

    def __init__(self, data, *, platforms, accounts, today: date):
        """`accounts` to list as choices, or None when there are too many: then a field of account numbers."""
        self.today = today
        self.platforms = platforms
        super().__init__(data)
        self.fields["platforms"].choices = [(platform.slug, platform.name) for platform in platforms]
        if accounts is None:
            self.fields["accounts"] = AccountNumbersField(label=self.fields["accounts"].label, required=False)
        else:
            self.fields["accounts"].choices = [
                (str(account.pk), f"{account.platform} · {account.display_name}") for account in accounts
            ]

    # Past this many accounts, the filter is a text field of account numbers rather than a list of boxes.
    LISTED_ACCOUNTS_AT_MOST = 50

    @property
    def many_accounts(self) -> bool:
        return isinstance(self.fields["accounts"], AccountNumbersField)

    @classmethod
    def with_defaults(cls, query):
        """The query string with a default for every filter it leaves out, so that the form shows them."""
        data = query.copy()
        for name, value in cls.DEFAULTS.items():
            if not data.get(name):
                data[name] = value
        return data

    def clean(self):
        cleaned = super().clean()
        for name in ("start", "end"):
            month = cleaned.get(name)
            future = rules.future_period_error(month, self.today) if month else None
            if future is not None:
                self.add_error(name, future)
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error(
                "end",
                _("The end (%(end)s) is before the start (%(start)s).")
                % {"end": month_label(end), "start": month_label(start)},
            )
        return cleaned

    def scope(self) -> Scope:
        """The accounts and months chosen, as the reads take them (once the form is valid)."""
        chosen = self.cleaned_data
        return Scope(
            account_ids=tuple(int(pk) for pk in chosen["accounts"]) or None,
            platform_ids=tuple(platform.pk for platform in self.platforms if platform.slug in chosen["platforms"])
            or None,
            start=chosen["start"],
            end=chosen["end"],
        )

    def scope_query(self, *, end: date | None = None) -> str:
        """The scope's filters as a query string, for links that carry them (the download buttons); `end`
        in place of the chosen one, where the page shows fewer months than asked (the latest complete)."""
        months = {"start": self.cleaned_data["start"], "end": end or self.cleaned_data["end"]}
        pairs = [("platforms", slug) for slug in self.cleaned_data["platforms"]]
        pairs += [("accounts", pk) for pk in self.cleaned_data["accounts"]]
        pairs += [(name, format_month(month)) for name, month in months.items() if month]
        return urlencode(pairs)


class ReportFilterForm(ScopeFilterForm):
    """The reports' filters: the dashboard's scope, and whether to add monthly increments."""

    increments = forms.BooleanField(label=gettext_lazy("With monthly increments"), required=False)
    headers = forms.ChoiceField(
        label=gettext_lazy("Column names"),
        choices=[("columns", gettext_lazy("Machine-readable")), ("translated", gettext_lazy("In this language"))],
        required=False,
    )


class DashboardFilterForm(ScopeFilterForm):
    """The dashboard's filters, read from the query string so that a view can be bookmarked and sent."""

    METRIC_CHOICES = [(metric, metrics.METRIC_LABELS[metric]) for metric in metrics.METRICS]
    GRANULARITY_CHOICES = [
        ("month", gettext_lazy("Month")),
        ("quarter", gettext_lazy("Quarter")),
        ("year", gettext_lazy("Year")),
    ]
    BY_CHOICES = [("platform", gettext_lazy("Platform")), ("account", gettext_lazy("Account"))]
    SCALE_CHOICES = [("linear", gettext_lazy("Linear")), ("log", gettext_lazy("Logarithmic"))]
    DEFAULTS = {"metric": "views", "granularity": "month", "by": "platform", "scale": "linear"}

    metric = forms.ChoiceField(label=gettext_lazy("Figure"), choices=METRIC_CHOICES, required=False)
    granularity = forms.ChoiceField(label=gettext_lazy("Period"), choices=GRANULARITY_CHOICES, required=False)
    by = forms.ChoiceField(
        label=gettext_lazy("One line per"), choices=BY_CHOICES, required=False, widget=forms.RadioSelect
    )
    scale = forms.ChoiceField(
        label=gettext_lazy("Scale"), choices=SCALE_CHOICES, required=False, widget=forms.RadioSelect
    )
    field_order = ("platforms", "accounts", "metric", "start", "end", "granularity", "by", "scale")
