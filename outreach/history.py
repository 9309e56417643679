"""The audit trail's reasons: what the app records (in English, as the trail keeps them) and how they read.

Read by the history pages (`admin.history`) and the recent changes (`selectors.audit.recent_changes`).
"""

import re

from django.utils import timezone
from django.utils.translation import gettext as _

# The reasons the app records (in English, as the audit trail keeps them), and how they read on the page.
RESTORED = "Restored from the version of {date}"
_RESTORED = re.compile(r"^Restored from the version of (?P<date>.+)$")
_IMPORTED = re.compile(r"^Imported from (?P<file>.+) \(import #(?P<number>\d+)\)$", re.S)
TARGETS_IMPORTED = "Imported from the file of targets {file}"
_TARGETS_IMPORTED = re.compile(r"^Imported from the file of targets (?P<file>.+)$", re.S)


def restored_reason(version_date) -> str:
    """The history's change reason of a restore to the version saved at `version_date`."""
    return RESTORED.format(date=timezone.localtime(version_date).strftime("%Y-%m-%d %H:%M"))


def targets_imported_reason(file_name: str) -> str:
    """The history's change reason of a target written by importing a file of targets."""
    return TARGETS_IMPORTED.format(file=file_name)


def is_restore(instance) -> bool:
    """Whether this instance is being saved by a restore from its history (`HistoryAdmin`'s revert)."""
    return getattr(instance, "_restored_from_history", False)


def is_restore_reason(reason: str | None) -> bool:
    """Whether a history record's reason says it is a restore from the history."""
    return bool(reason and _RESTORED.match(reason))


def reason_shown(reason: str | None) -> str:
    """A change reason as the page shows it: empty when there is none; the app's own reasons translated."""
    if not reason:
        return ""
    if restored := _RESTORED.match(reason):
        return _("Restored from the version of %(date)s") % {"date": restored["date"]}
    if imported := _IMPORTED.match(reason):
        return _("Imported from %(file)s (import #%(number)s)") % {
            "file": imported["file"],
            "number": imported["number"],
        }
    if imported := _TARGETS_IMPORTED.match(reason):
        return _("Imported from the file of targets %(file)s") % {"file": imported["file"]}
    return reason
