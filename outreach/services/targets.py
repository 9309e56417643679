"""Saving and deleting yearly targets: validated by the rule set (`Target.clean`, `rules.target_errors`) and the
database's constraints, versioned by their history."""

from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from outreach.history import targets_imported_reason
from outreach.imports.tables import read_lines
from outreach.imports.targets import TargetRow, target_header, target_rows
from outreach.models import Account, Target


def target_save(target: Target) -> Target:
    """Validate a target with the rule set and save it (its history records who, from the request)."""
    target.full_clean()
    with transaction.atomic():
        target.save()
    return target


class TargetImportRefused(Exception):
    """Some lines of a file of targets break a rule: nothing was written. `rows` holds every line, with its errors."""

    def __init__(self, rows: list[TargetRow]):
        self.rows = rows
        super().__init__(f"{sum(1 for row in rows if row.errors)} line(s) refused")


@dataclass(frozen=True)
class TargetImport:
    """What importing a file of targets did (or, with dry_run, would do)."""

    created: int
    updated: int
    unchanged: int


def targets_import(data: bytes, *, file_name: str, dry_run: bool = False) -> TargetImport:
    """Read a file of targets (CSV or XLSX, `imports.targets`), check every line with the rule set against the
    targets recorded and the file's other lines, and write them all in one transaction, or none: a refused line
    raises TargetImportRefused (and ImportFileError for a file that cannot be read at all). A line for a target
    that exists already (the same account, figure and year) replaces it; one that changes nothing is left alone."""
    header, lines = target_header(read_lines(data, file_name))
    rows = target_rows(header, lines, list(Account.objects.select_related("platform")))
    existing = {
        (target.account_id, target.metric, target.year): target
        for target in Target.objects.filter(account__in={row.account for row in rows if row.account})
    }
    seen: dict[tuple, int] = {}
    planned: list[tuple[Target, str]] = []
    for row in rows:
        if row.errors:
            continue
        key = (row.account.pk, row.metric, row.year)
        if key in seen:
            row.add_error("", _("Line %(line)s gives the same account, figure and year.") % {"line": seen[key]})
            continue
        seen[key] = row.line
        target = existing.get(key) or Target(account=row.account, metric=row.metric, year=row.year)
        before = (target.kind, target.value, target.note) if target.pk else None
        target.kind, target.value, target.note = row.kind, row.value, row.note
        try:
            target.full_clean(validate_unique=False)
        except ValidationError as error:
            for column, messages in error.message_dict.items():
                for message in messages:
                    row.add_error("" if column == NON_FIELD_ERRORS else column, message)
            continue
        change = "create" if before is None else "unchanged" if before == (row.kind, row.value, row.note) else "update"
        planned.append((target, change))
    if any(row.errors for row in rows):
        raise TargetImportRefused(rows)
    counts = {
        change: sum(1 for _target, done in planned if done == change) for change in ("create", "update", "unchanged")
    }
    if not dry_run:
        with transaction.atomic():
            for target, change in planned:
                if change != "unchanged":
                    target._change_reason = targets_imported_reason(file_name)
                    target.save()
    return TargetImport(created=counts["create"], updated=counts["update"], unchanged=counts["unchanged"])
