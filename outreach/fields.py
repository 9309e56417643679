"""Form and model fields for the two kinds of value staff type: months and counts."""

from datetime import date

from django import forms
from django.db import models

from outreach import numbers
from outreach.months import format_month, parse_month


class MonthInput(forms.TextInput):
    """A text input for a month: it takes what people type, which a browser's month picker would not."""

    def __init__(self, attrs=None):
        super().__init__({"placeholder": "YYYY-MM", "size": 10, "autocomplete": "off", **(attrs or {})})


class MonthFormField(forms.CharField):
    """A month typed as `YYYY-MM` (or `2024年3月`), cleaned to the date of its first day."""

    widget = MonthInput

    def prepare_value(self, value):
        return format_month(value) if isinstance(value, date) else value

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        return parse_month(value)


class MonthField(models.DateField):
    """A calendar month, stored as its first day and shown as `YYYY-MM`."""

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": MonthFormField, **kwargs})

    def value_to_string(self, obj):
        value = self.value_from_object(obj)
        return format_month(value) if value else ""


class CountInput(forms.TextInput):
    """A text input for a count: a browser's number input would turn `263万` into 263 and drop `1 030`."""

    def __init__(self, attrs=None):
        super().__init__({"class": "count-input", "autocomplete": "off", "spellcheck": "false", **(attrs or {})})


class CountFormField(forms.CharField):
    """A count as people type it: `1,234,567`, `1 234 567`, full-width digits or `263万`; empty means not reported."""

    widget = CountInput

    def __init__(self, **kwargs):
        # The model field's bounds are what `numbers.parse_count` checks, with staff's wording.
        kwargs.pop("min_value", None)
        kwargs.pop("max_value", None)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        # Shown as staff read it, so that a figure redisplayed shows what was read (2,630,000 for 263万).
        if value is None:
            return ""
        return numbers.format_count(value) if isinstance(value, int) else value

    def to_python(self, value):
        return numbers.parse_count(value)

    def validate(self, value):
        if value is None and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")

    def has_changed(self, initial, data) -> bool:
        """Changed when the number differs: `2,630,000` typed over 2630000 is no change, nor empty over None."""
        try:
            return numbers.parse_count(initial) != numbers.parse_count(data)
        except forms.ValidationError:
            return True
