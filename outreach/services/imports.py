"""Imports of snapshot files, the admin's and the command line's alike: a file is read once, each request
checks it once against the database (the confirmation with its accounts locked), and it is written all or
not at all, by the one service that makes the import record.

A file is the standard file (the export's own columns) or a platform's back-office export
(`imports.backoffice`), told apart by its content; a back-office file names no account, so it is imported to
the one the person chose, of the format's platform. Its increases are added to that account's totals of the
month before, and the figures it does not give are left as they are.
"""

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from outreach import metrics
from outreach.imports.backoffice.formats import known_formats_sentence, read_backoffice, reading_from_storable
from outreach.imports.backoffice.reading import Format, Reading
from outreach.imports.backoffice.rows import backoffice_rows, months_needed, skipped_explained
from outreach.imports.plan import ImportPlan, ImportRow, Progress, check_rows, parse_rows
from outreach.imports.tables import (
    WEB_IMPORT_LIMITS,
    ImportFileError,
    UnknownColumns,
    read_lines,
    split_header,
    storable_table,
)
from outreach.models import STANDARD_FORMAT, Account, MetricSnapshot, Platform, SnapshotImport
from outreach.selectors.imports import import_accounts, import_context, recorded_months
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


class AccountNeeded(ImportFileError):
    """A back-office file, which names no account: the upload must say which account of `format.platform`
    it is (the upload page then lists only those)."""

    def __init__(self, format: Format, message: str):
        self.format = format
        super().__init__(message)


def snapshot_import_upload(*, data: bytes, file_name: str, user, account: Account | None = None) -> SnapshotImport:
    """Read an uploaded file once, within what one web request may read, and keep it as read for its
    preview and its confirmation. `account`: the account a back-office file is of.

    Raises `imports.tables.ImportFileError` for a file that cannot be read or is too big for the web, and
    AccountNeeded for a back-office file with no account (or one of another platform) chosen.
    """
    lines = read_lines(data, file_name, WEB_IMPORT_LIMITS)
    reading = read_backoffice(lines, timezone.localdate())
    if reading is None:
        header, lines = _standard_header(lines)
        return _import_record(data=data, file_name=file_name, user=user, table=storable_table(header, lines))
    try:
        chosen = backoffice_account(reading, account)
    except AccountNeeded:
        if account is not None:
            raise
        chosen = None  # asked for next (`snapshot_import_choose_account`)
    return _import_record(
        data=data,
        file_name=file_name,
        user=user,
        table={"backoffice": reading.storable()},
        format=reading.format.slug,
        account=chosen,
    )


def snapshot_import_reading(source: SnapshotImport) -> Reading | None:
    """What a back-office upload gives (None for a standard file)."""
    return None if source.format == STANDARD_FORMAT else reading_from_storable(source.table["backoffice"])


def snapshot_import_choose_account(*, source: SnapshotImport, account: Account) -> SnapshotImport:
    """Say which account a back-office upload is of (refused, AccountNeeded, for another platform's)."""
    source.account = backoffice_account(snapshot_import_reading(source), account)
    source.save(update_fields=["account"])
    return source


def _standard_header(lines):
    """The standard file's header; a file that is neither it nor a known export is told which are known."""
    try:
        return split_header(lines)
    except UnknownColumns as error:
        raise UnknownColumns(f"{error} {known_formats_sentence()}") from None


def backoffice_platform(reading: Reading) -> Platform:
    """The platform a back-office format is of (its slug as the seed made it)."""
    try:
        return Platform.objects.get(slug=reading.format.platform)
    except Platform.DoesNotExist:
        raise ImportFileError(
            _(
                "This is a %(format)s export, but no platform has the short name “%(slug)s” it is of: an "
                "administrator can set it on the platform."
            )
            % {"format": reading.format.name, "slug": reading.format.platform}
        ) from None


def backoffice_account(reading: Reading, account: Account | list[Account] | None) -> Account:
    """The account a back-office file is imported to: the one chosen, if it is of the format's platform
    (of several chosen by one name, the one on that platform), else the one of that platform the file names."""
    platform = backoffice_platform(reading)
    if isinstance(account, list):
        account = next((one for one in account if one.platform_id == platform.pk), account[0] if account else None)
    if account is None and reading.titles:
        named = [
            one
            for one in Account.objects.filter(platform=platform).select_related("platform")
            if any(name and name in title for title in reading.titles for name in (one.name, one.name_zh))
        ]
        if len(named) == 1:
            return named[0]
    if account is None:
        raise AccountNeeded(
            reading.format,
            _("This is a %(format)s export, which names no account: choose the account on %(platform)s it is of.")
            % {"format": reading.format.name, "platform": platform},
        )
    if account.platform_id != platform.pk:
        raise AccountNeeded(
            reading.format,
            _(
                "This file is a %(format)s export (%(platform)s); %(account)s is on %(other)s. Choose the "
                "account on %(platform)s it is of, or upload that account's own export. %(known)s"
            )
            % {
                "format": reading.format.name,
                "platform": platform,
                "account": account.name,
                "other": account.platform,
                "known": known_formats_sentence(),
            },
        )
    return account


def snapshot_import_plan(source: SnapshotImport, *, progress: Progress | None = None) -> ImportPlan:
    """What importing this upload would do now, row by row, from the lines read at upload (nothing written)."""
    return _checked(*_parsed(source), progress=progress)


def snapshot_import_confirm(*, source: SnapshotImport, user, digest: str) -> SnapshotImport:
    """Import an upload as its preview showed it (`digest`), all rows or none.

    Checked once, with its accounts locked: when someone saved some of its months since the preview,
    ImportChanged is raised with the new plan and nothing is written; refused rows raise ImportRefused.
    """
    with transaction.atomic():
        if source.account_id is not None:
            _lock_accounts({source.account_id})  # before its months before are read, for its increases
        plan = _checked(*_locked(*_parsed(source)))
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
    *,
    data: bytes,
    file_name: str,
    user=None,
    dry_run: bool = False,
    progress: Progress | None = None,
    account: Account | list[Account] | None = None,
) -> tuple[ImportPlan, SnapshotImport | None]:
    """The command line's import, for large backfills: the file read once with no limit, checked once
    with its accounts locked, and written all or none, with its import record; with `dry_run`, only checked.
    `account`: the account a back-office file is of.

    Returns the plan and the record (None on a dry run). Raises ImportRefused when any row is refused (nothing
    written), `imports.tables.ImportFileError` for a file that cannot be read and AccountNeeded as the upload.
    """
    lines = read_lines(data, file_name)
    reading = read_backoffice(lines, timezone.localdate())
    with transaction.atomic():
        if reading is None:
            header, lines = _standard_header(lines)
            rows = parse_rows(header, lines, import_accounts(), progress)
            parsed = (header, rows if dry_run else _locked(header, rows)[1], [], "")
        else:
            account = backoffice_account(reading, account)
            if not dry_run:
                _lock_accounts({account.pk})
            parsed = _backoffice_parsed(reading, account)
        plan = _checked(*parsed, progress=progress)
        if not plan.rows:
            raise ImportFileError(
                " ".join([_("This file gives no figure that can be imported: nothing would be written."), *plan.notes])
            )
        if not plan.is_valid:
            raise ImportRefused(plan)
        if dry_run:
            return plan, None
        source = _import_record(
            data=data,
            file_name=file_name,
            user=user,
            format=reading.format.slug if reading else STANDARD_FORMAT,
            account=account if reading else None,
        )
        return plan, _apply(plan=plan, source=source, user=user)


def _import_record(
    *, data: bytes, file_name: str, user, table: dict | None = None, format: str = STANDARD_FORMAT, account=None
) -> SnapshotImport:
    """The import record, which the audit trail names as each figure's source: the only place one is made."""
    return SnapshotImport.objects.create(
        file_name=file_name, content=data, table=table, uploaded_by=user, format=format, account=account
    )


def _parsed(source: SnapshotImport) -> tuple[list[str], list[ImportRow], list[str], str]:
    """An upload's lines, as read at upload, read into rows (no query but the accounts a file may name, or
    for a back-office file its account's months before), with the notes and the name of its format."""
    if source.format != STANDARD_FORMAT:
        if source.account is None:
            raise ImportFileError(_("The account this file was uploaded for no longer exists: upload it again."))
        return _backoffice_parsed(reading_from_storable(source.table["backoffice"]), source.account)
    if source.table is None:  # uploaded before files were kept as read
        header, lines = split_header(read_lines(bytes(source.content), source.file_name, WEB_IMPORT_LIMITS))
    else:
        header, lines = source.table["header"], source.table["lines"]
    return header, parse_rows(header, lines, import_accounts()), [], ""


def _backoffice_parsed(reading: Reading, account: Account) -> tuple[list[str], list[ImportRow], list[str], str]:
    rows = backoffice_rows(reading, account, recorded_months(account, months_needed(reading)))
    notes = [skipped_explained(skip, account.platform) for skip in reading.skipped]
    notes += [str(reading.format.notes[code]) for code in reading.notes]
    return [], rows, notes, str(reading.format.name)


def _locked(header, rows: list[ImportRow], *rest):
    """Lock the accounts the rows name (inside a transaction), so that no one writes them until it ends."""
    _lock_accounts({row.account.pk for row in rows if row.account is not None})
    return (header, rows, *rest)


def _lock_accounts(account_ids: set[int]) -> None:
    if connection.features.has_select_for_update:
        list(Account.objects.filter(pk__in=account_ids).order_by("pk").select_for_update().values_list("pk"))


def _checked(
    header: list[str],
    rows: list[ImportRow],
    notes: list[str] = (),
    format_name: str = "",
    *,
    progress: Progress | None = None,
) -> ImportPlan:
    """The rows checked by the rule set against what is recorded at and around their months, now."""
    if progress is not None:
        progress(len(rows), len(rows))
    keys = {(row.account.pk, row.period) for row in rows if row.account is not None and row.period is not None}
    check_rows(rows, import_context(keys), timezone.localdate())
    return ImportPlan(rows=rows, columns=header, notes=list(notes), format_name=format_name)


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
    # The audit trail says which file each figure came from, and what kind of file it was.
    kind = "" if source.format == STANDARD_FORMAT else f", {source.format}"
    reason = f"Imported from {source.file_name} (import #{source.pk}{kind})"
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
