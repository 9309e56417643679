"""The columns an import reads: an export's own, by their machine names or their names for people in either
language.
"""

from django.conf import settings
from django.utils import translation

from outreach import metrics
from outreach.files.columns import COLUMN_LABELS, INCREMENT_COLUMNS, SNAPSHOT_COLUMNS

REQUIRED_COLUMNS = ("platform", "account", "period", *metrics.METRICS)


OPTIONAL_COLUMNS = ("approximate", "note", "illustrative")


# What an export with `increments=1` adds: derived, so an import ignores it.
IGNORED_COLUMNS = INCREMENT_COLUMNS


def import_columns_description() -> str:
    """The columns an import reads, machine names with their names in the active language where they differ."""
    described = []
    for column in SNAPSHOT_COLUMNS[:-1]:
        label = str(COLUMN_LABELS[column])
        described.append(column if label.lower() == column else f"{column} ({label})")
    return ", ".join(described)


def column_aliases() -> dict[str, str]:
    aliases = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            aliases.update({str(label).lower(): column for column, label in COLUMN_LABELS.items()})
    return aliases
