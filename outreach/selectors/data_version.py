"""The data version: a token the database replaces on every write to the figures (`models.DataVersion`)."""

from outreach.models import DataVersion


def data_version() -> int | None:
    """The current token, or None where the database keeps none (then nothing may be cached by it)."""
    return DataVersion.objects.filter(pk=1).values_list("token", flat=True).first()
