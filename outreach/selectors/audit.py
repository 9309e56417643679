"""The audit trail as people read it: the latest changes of figures, accounts, platforms and milestones."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from django.urls import reverse
from django.utils.translation import gettext as _

from outreach import numbers
from outreach.history import is_restore_reason, reason_shown
from outreach.models import Account, MetricSnapshot, Milestone, Platform


@dataclass(frozen=True)
class ChangeRecord:
    """One recorded create, change or delete of a figure, an account, a platform or a milestone."""

    when: datetime
    who: str
    kind: str  # "+" created, "~" changed, "-" deleted
    model: str
    label: str
    differences: list[tuple[str, str, str]]
    reason: str  # as the reader reads it: the app's own reasons (a restore, an import) translated
    history_url: str
    restored: bool = False  # a restore from the history (of a deleted snapshot or of an older version)


def _shown(value) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int):
        return numbers.format_count(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def recent_changes(*, limit: int = 50) -> list[ChangeRecord]:
    """The latest recorded changes across the audited models, newest first (two queries per model)."""

    audited = (
        (MetricSnapshot, ("account__platform",)),
        (Account, ("platform",)),
        (Platform, ()),
        (Milestone, ()),
    )
    changes = []
    for model, related in audited:
        history = model.history.model
        latest = list(history.objects.select_related("history_user", *related).order_by("-history_date")[:limit])
        earlier = history.objects.filter(id__in={record.id for record in latest}).order_by("id", "history_date")
        by_object: dict[int, list] = defaultdict(list)
        for record in earlier.only("history_id", "id", "history_date", *(f.attname for f in history.tracked_fields)):
            by_object[record.id].append(record)
        for record in latest:
            versions = by_object[record.id]
            position = next(i for i, version in enumerate(versions) if version.history_id == record.history_id)
            previous = versions[position - 1] if position else None
            differences = []
            if previous is not None and record.history_type == "~":
                delta = record.diff_against(previous, foreign_keys_are_objs=False)
                differences = [
                    (str(model._meta.get_field(change.field).verbose_name), _shown(change.old), _shown(change.new))
                    for change in delta.changes
                ]
            changes.append(
                ChangeRecord(
                    when=record.history_date,
                    who=record.history_user.get_username() if record.history_user else _("the system"),
                    kind=record.history_type,
                    model=str(model._meta.verbose_name),
                    label=_instance_label(record, related),
                    differences=differences,
                    reason=reason_shown(record.history_change_reason),
                    history_url=reverse(f"admin:outreach_{model._meta.model_name}_history", args=(record.id,)),
                    restored=is_restore_reason(record.history_change_reason),
                )
            )
    changes.sort(key=lambda change: change.when, reverse=True)
    return changes[:limit]


def _instance_label(record, related: tuple[str, ...]) -> str:
    """The object as it was, named as its model names it: built from the record's own fields and the
    relations already read onto it (`record.instance` reads the fields history does not keep from the
    live row, and each name would read its account again: two queries per change)."""
    instance = record.instance_type(
        **{field.attname: getattr(record, field.attname) for field in record.tracked_fields}
    )
    for name in {path.split("__")[0] for path in related}:
        setattr(instance, name, getattr(record, name))
    return str(instance)
