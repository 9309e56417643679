"""Imports of snapshot files, the admin's and the command line's alike: a file is read once, each request
checks it once against the database (the confirmation with its accounts locked), and it is written all or
not at all, by the one service that makes the import record.
"""

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from outreach import metrics
from outreach.imports.plan import ImportPlan, ImportRow, Progress, check_rows, parse_rows
from outreach.imports.tables import WEB_IMPORT_LIMITS, read_table, storable_table
from outreach.models import Account, MetricSnapshot, SnapshotImport
from outreach.selectors.imports import import_accounts, import_context
from outreach.services.totals import monthly_totals_following


class ImportRefused(Exception):
    """An import with refused rows: nothing was written; `plan` says which."""

    def __init__(self, plan):
        self.plan = plan
        super().__init__(f"{len(plan.refused)} rows are refused")


class ImportChanged(Exception):
    """The figures changed since the person checked the file (someone saved some of its months): nothing was
    written; `plan` is what the file would do now."""

    def __init__(self, plan):
        self.plan = plan
        super().__init__("the import's plan changed since it was previewed")


def snapshot_import_upload(*, data: bytes, file_name: str, user) -> SnapshotImport:
    """Read an uploaded file once, within what one web request may read, and keep it as read for its
    preview and its confirmation.

    Raises `imports.tables.ImportFileError` for a file that cannot be read or is too big for the web.
    """
    header, lines = read_table(data, file_name, WEB_IMPORT_LIMITS)
    return _import_record(data=data, file_name=file_name, user=user, table=storable_table(header, lines))


def snapshot_import_plan(source: SnapshotImport, *, progress: Progress | None = None) -> ImportPlan:
    """What importing this upload would do now, row by row, from the lines read at upload (nothing written)."""
    header, rows = _parsed(source)
    return _checked(header, rows, progress)


def snapshot_import_confirm(*, source: SnapshotImport, user, digest: str) -> SnapshotImport:
    """Import an upload as its preview showed it (`digest`), all rows or none.

    Checked once, with its accounts locked: when someone saved some of its months since the preview,
    ImportChanged is raised with the new plan and nothing is written; refused rows raise ImportRefused.
    """
    with transaction.atomic():
        header, rows = _parsed(source)
        plan = _checked(header, _locked(rows))
        if plan.digest != digest:
            raise ImportChanged(plan)
        if not plan.is_valid:
            raise ImportRefused(plan)
        try:
            with transaction.atomic():
                return _apply(plan=plan, source=source, user=user)
        except IntegrityError:
            raise ImportChanged(snapshot_import_plan(source)) from None


def snapshot_import_file(
    *, data: bytes, file_name: str, user=None, dry_run: bool = False, progress: Progress | None = None
) -> tuple[ImportPlan, SnapshotImport | None]:
    """The command line's import, for large backfills: the file read once with no limit, checked once
    with its accounts locked, and written all or none, with its import record; with `dry_run`, only checked.

    Returns the plan and the record (None on a dry run). Raises ImportRefused when any row is refused (nothing
    written) and `imports.tables.ImportFileError` for a file that cannot be read.
    """
    header, lines = read_table(data, file_name)
    with transaction.atomic():
        rows = parse_rows(header, lines, import_accounts(), progress)
        plan = _checked(header, rows if dry_run else _locked(rows), progress)
        if not plan.is_valid:
            raise ImportRefused(plan)
        if dry_run:
            return plan, None
        source = _import_record(data=data, file_name=file_name, user=user)
        return plan, _apply(plan=plan, source=source, user=user)


def _import_record(*, data: bytes, file_name: str, user, table: dict | None = None) -> SnapshotImport:
    """The import record, which the audit trail names as each figure's source: the only place one is made."""
    return SnapshotImport.objects.create(file_name=file_name, content=data, table=table, uploaded_by=user)


def _parsed(source: SnapshotImport) -> tuple[list[str], list[ImportRow]]:
    """An upload's lines, as read at upload, read into rows (no query but the accounts a file may name)."""
    if source.table is None:  # uploaded before files were kept as read
        header, lines = read_table(bytes(source.content), source.file_name, WEB_IMPORT_LIMITS)
    else:
        header, lines = source.table["header"], source.table["lines"]
    return header, parse_rows(header, lines, import_accounts())


def _locked(rows: list[ImportRow]) -> list[ImportRow]:
    """Lock the accounts the rows name (inside a transaction), so that no one writes them until it ends."""
    account_ids = {row.account.pk for row in rows if row.account is not None}
    if connection.features.has_select_for_update:
        list(Account.objects.filter(pk__in=account_ids).order_by("pk").select_for_update().values_list("pk"))
    return rows


def _checked(header: list[str], rows: list[ImportRow], progress: Progress | None = None) -> ImportPlan:
    """The rows checked by the rule set against what is recorded at and around their months, now."""
    if progress is not None:
        progress(len(rows), len(rows))
    keys = {(row.account.pk, row.period) for row in rows if row.account is not None and row.period is not None}
    check_rows(rows, import_context(keys), timezone.localdate())
    return ImportPlan(rows=rows, columns=header)


def _apply(*, plan, source: SnapshotImport, user) -> SnapshotImport:
    """Write every row of an import plan, or none: one transaction; refused when any row has an error."""
    if not plan.is_valid:
        raise ImportRefused(plan)
    now = timezone.now()
    created, updated = [], []
    for row in plan.rows:
        if row.status == "create":
            created.append(
                MetricSnapshot(
                    account=row.account,
                    period=row.period,
                    approximate=bool(row.approximate),
                    note=row.note or "",
                    is_illustrative=bool(row.illustrative),
                    created_by=user,
                    updated_by=user,
                    **row.figures,
                )
            )
        elif row.status == "update":
            snapshot = row.existing
            for metric, value in row.figures.items():
                setattr(snapshot, metric, value)
            if row.approximate is not None:
                snapshot.approximate = row.approximate
            if row.note is not None:
                snapshot.note = row.note
            snapshot.is_illustrative = bool(row.illustrative)
            snapshot.updated_by = user
            snapshot.updated_at = now
            snapshot.version += 1
            updated.append(snapshot)
    # The audit trail says which file each figure came from.
    reason = f"Imported from {source.file_name} (import #{source.pk})"
    keys = {(snapshot.account_id, snapshot.period) for snapshot in [*created, *updated]}
    with transaction.atomic(), monthly_totals_following(keys):
        bulk_create_with_history(
            created, MetricSnapshot, batch_size=2000, default_user=user, default_change_reason=reason
        )
        bulk_update_with_history(
            updated,
            MetricSnapshot,
            [*metrics.METRICS, "approximate", "note", "is_illustrative", "updated_by", "updated_at", "version"],
            batch_size=2000,
            default_user=user,
            default_change_reason=reason,
        )
        source.applied_at = now
        source.created_count = len(created)
        source.updated_count = len(updated)
        source.unchanged_count = plan.count("unchanged")
        source.save()
    return source
