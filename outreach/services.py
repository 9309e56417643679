"""Writes: every change to the figures goes through a function here, validated and in a transaction."""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from outreach import metrics, monthly_totals, reports, seed
from outreach.models import Account, MetricSnapshot, Milestone, MonthlyTotal, Platform, SnapshotImport
from outreach.selectors.imports import import_accounts, import_context
from outreach.selectors.totals import account_timelines, monthly_totals_rebuild_queries

# --- The kept monthly totals ------------------------------------------------------------------------


@contextmanager
def monthly_totals_following(keys: Iterable[tuple[int, date | None]]) -> Iterator[None]:
    """Keep `MonthlyTotal` true through the writes made inside: every write path wraps its writes in it.

    `keys` are the (account id, month) pairs the writes touch, before and after; a month of None
    means all of the account's months (an account moving to another platform). The accounts are
    locked first, so that no one else changes their timelines between the two readings; the totals
    then change by what the accounts' timelines add after the writes minus what they added before.
    """
    keys = list(keys)
    account_ids = {account_id for account_id, _period in keys}
    periods = [period for _account_id, period in keys]
    if None in periods or not periods:
        first = last = None
    else:
        first, last = min(periods), max(periods)
    with transaction.atomic():
        if connection.features.has_select_for_update:  # SQLite has one writer at a time anyway
            # In the accounts' order, so that two writers never wait for each other's locks.
            list(Account.objects.filter(pk__in=account_ids).order_by("pk").select_for_update().values_list("pk"))
        before = _contributions(account_ids, first, last)
        yield
        after = _contributions(account_ids, first, last)
        _monthly_totals_add(monthly_totals.difference(before, after))


def _contributions(account_ids: set[int], first: date | None, last: date | None) -> dict:
    return monthly_totals.timelines_contributions(account_timelines(account_ids, first=first, last=last))


_UPSERT_ROWS_AT_ONCE = 500


def _monthly_totals_add(changes: dict[monthly_totals.Key, list[int]]) -> None:
    """Add these differences to the stored totals (one statement per 500 cells), then drop emptied cells."""
    if not changes:
        return
    table = MonthlyTotal._meta.db_table
    columns = monthly_totals.COLUMNS
    keys = sorted(changes)  # one order for every writer: no deadlock between two
    added = ", ".join(f"{column} = {table}.{column} + excluded.{column}" for column in columns)
    with connection.cursor() as cursor:
        for start in range(0, len(keys), _UPSERT_ROWS_AT_ONCE):
            batch = keys[start : start + _UPSERT_ROWS_AT_ONCE]
            placeholders = ", ".join(["(" + ", ".join(["%s"] * (3 + len(columns))) + ")"] * len(batch))
            params = [value for key in batch for value in (*key, *changes[key])]
            cursor.execute(
                f"INSERT INTO {table} (platform_id, period, metric, {', '.join(columns)}) VALUES {placeholders} "  # noqa: S608
                f"ON CONFLICT (platform_id, period, metric) DO UPDATE SET {added}",
                params,
            )
    MonthlyTotal.objects.filter(reporting__lte=0, period__in={period for _platform, period, _metric in keys}).delete()


def monthly_totals_rebuild() -> int:
    """Compute every monthly total from the snapshots again (after a bulk load, or to mend a drift).

    Returns how many cells there are. One transaction: the dashboard never sees them half written.
    """
    table = MonthlyTotal._meta.db_table
    columns = ", ".join(monthly_totals.COLUMNS)
    with transaction.atomic(), connection.cursor() as cursor:
        MonthlyTotal.objects.all().delete()
        for query, params in monthly_totals_rebuild_queries():
            cursor.execute(f"INSERT INTO {table} (platform_id, period, metric, {columns}) {query}", params)  # noqa: S608
    return MonthlyTotal.objects.count()


def monthly_totals_rebuild_in_migration(schema_editor) -> None:
    """`monthly_totals_rebuild` from a migration, once the tables it reads and writes have every column
    of today's models: it runs today's code, so an earlier migration (a later one changes those tables
    again) leaves the rebuild to the last migration that does, which calls this too."""
    tables = [model._meta for model in (MonthlyTotal, MetricSnapshot, Account)]
    with schema_editor.connection.cursor() as cursor:
        for meta in tables:
            present = {
                column.name
                for column in schema_editor.connection.introspection.get_table_description(cursor, meta.db_table)
            }
            if not {field.column for field in meta.concrete_fields} <= present:
                return
    monthly_totals_rebuild()


# --- Snapshots -------------------------------------------------------------------------------------


class ConcurrentEdit(Exception):
    """Someone saved the snapshot after the editor loaded it: saving would overwrite their figures."""

    def __init__(self, current: MetricSnapshot):
        self.current = current
        super().__init__(f"{current} changed meanwhile (version {current.version})")


def snapshot_save(
    *, snapshot: MetricSnapshot, user, expected_version: int | None = None, vouched: bool = True
) -> MetricSnapshot:
    """Validate a snapshot with the one rule set and save it, recording who wrote it.

    A snapshot a person vouches for (types or corrects) is no longer illustrative; a restored one keeps
    its flag. With `expected_version`, a snapshot changed since that version is not overwritten:
    ConcurrentEdit is raised instead.
    """
    _stamp_and_validate(snapshot, user, vouched=vouched)
    with transaction.atomic(), monthly_totals_following(_touched_keys([snapshot])):
        _save_versioned(snapshot, expected_version)
    return snapshot


def _touched_keys(snapshots: list[MetricSnapshot]) -> set[tuple[int, date]]:
    """The (account, month) pairs saving these snapshots touches: where they are, and where they were."""
    keys = {(snapshot.account_id, snapshot.period) for snapshot in snapshots}
    stored = [snapshot.pk for snapshot in snapshots if snapshot.pk is not None]
    keys.update(MetricSnapshot.objects.filter(pk__in=stored).values_list("account_id", "period"))
    return keys


def snapshots_delete(snapshots) -> int:
    """Delete these snapshots (a queryset), keeping the monthly totals true; returns how many."""
    with transaction.atomic():
        keys = set(snapshots.values_list("account_id", "period"))
        with monthly_totals_following(keys):
            removed, _by_model = snapshots.delete()
    return removed


def account_save(*, account: Account) -> Account:
    """Save an account; one moved to another platform takes its figures to that platform's totals, and
    one made inactive (or active again) changes the months it is expected to report in."""
    with transaction.atomic():
        regrouped = (
            account.pk is not None
            and Account.objects.filter(pk=account.pk)
            .exclude(platform_id=account.platform_id, is_active=account.is_active)
            .exists()
        )
        if not regrouped:
            account.save()
            return account
        with monthly_totals_following([(account.pk, None)]):
            account.save()
    return account


def _stamp_and_validate(snapshot: MetricSnapshot, user, *, vouched: bool = True) -> None:
    if snapshot.pk is None:
        snapshot.created_by = user
    snapshot.updated_by = user
    if vouched:
        snapshot.is_illustrative = False
    snapshot.full_clean()


def _save_versioned(snapshot: MetricSnapshot, expected_version: int | None) -> None:
    """Save inside the caller's transaction, the row locked, its version raised by one.

    A month that someone else created meanwhile (the one-per-month constraint) is a ConcurrentEdit too.
    """
    if snapshot.pk is not None:
        current = MetricSnapshot.objects.select_for_update().filter(pk=snapshot.pk).first()
        if current is not None:
            if expected_version is not None and current.version != expected_version:
                raise ConcurrentEdit(current)
            snapshot.version = current.version + 1
    try:
        with transaction.atomic():
            snapshot.save()
    except IntegrityError:
        created_meanwhile = _snapshot_created_meanwhile(snapshot)
        if created_meanwhile is None:
            raise
        raise ConcurrentEdit(created_meanwhile) from None


def _snapshot_created_meanwhile(snapshot: MetricSnapshot) -> MetricSnapshot | None:
    """The snapshot of the same account and month that another writer saved, if that is what refused this one."""
    return (
        MetricSnapshot.objects.select_related("updated_by", "account__platform")
        .filter(account_id=snapshot.account_id, period=snapshot.period)
        .exclude(pk=snapshot.pk)
        .first()
    )


@dataclass(frozen=True)
class MonthGridResult:
    """What a month grid save did: snapshots created and changed."""

    created: list[MetricSnapshot]
    updated: list[MetricSnapshot]


def month_grid_save(
    *, period: date, snapshots: list[MetricSnapshot], user, expected_versions: list[int | None] | None = None
) -> MonthGridResult:
    """Save the month grid's snapshots all or nothing.

    Each snapshot is validated first; if any is refused, MonthGridRefused maps each refused snapshot's
    position in `snapshots` to its errors, and nothing is written. A snapshot changed since the version
    the grid was loaded with raises ConcurrentEdit, and nothing is written either.
    """
    expected_versions = expected_versions or [None] * len(snapshots)
    errors: dict[int, ValidationError] = {}
    for position, snapshot in enumerate(snapshots):
        if snapshot.period != period:
            raise ValueError("every snapshot of a month grid belongs to its month")
        try:
            _stamp_and_validate(snapshot, user)
        except ValidationError as error:
            errors[position] = error
    if errors:
        raise MonthGridRefused(errors)
    created, updated = [], []
    with transaction.atomic(), monthly_totals_following(_touched_keys(snapshots)):
        for snapshot, expected_version in zip(snapshots, expected_versions, strict=True):
            (updated if snapshot.pk else created).append(snapshot)
            _save_versioned(snapshot, expected_version)
    return MonthGridResult(created=created, updated=updated)


class MonthGridRefused(ValidationError):
    """A month grid save refused: `row_errors` maps positions to each snapshot's ValidationError."""

    def __init__(self, row_errors: dict[int, ValidationError]):
        self.row_errors = row_errors
        super().__init__([message for error in row_errors.values() for message in error.messages])


@dataclass
class SeedResult:
    """What loading the seed did."""

    accounts_created: int = 0
    real_created: int = 0
    illustrative_created: int = 0
    kept: int = 0
    milestones_created: int = 0
    refused: list[str] = field(default_factory=list)


def seed_figures_load(*, illustrative_history: bool) -> SeedResult:
    """Create the seed's accounts and real snapshots (and optionally an illustrative history); idempotent.

    Every snapshot goes through the rule set; an existing one (perhaps corrected by staff) is kept as it is.
    """
    result = SeedResult()
    milestones = []
    with transaction.atomic():
        for fact in seed.seed_facts():
            platform = Platform.objects.get(slug=fact.platform_slug)
            account, created = Account.objects.get_or_create(
                platform=platform,
                name=fact.account_name,
                defaults={"name_zh": fact.account_name_zh, "opened_on": fact.opened_on},
            )
            result.accounts_created += created
            snapshots = [fact.snapshot(account)]
            if illustrative_history:
                snapshots = seed.illustrative_history(fact, account) + snapshots
            milestones.append((account, seed.opening_milestone(account)))
            existing = set(MetricSnapshot.objects.filter(account=account).values_list("period", flat=True))
            with monthly_totals_following(_touched_keys(snapshots)):
                for snapshot in snapshots:
                    if snapshot.period in existing:
                        result.kept += 1
                        continue
                    try:
                        snapshot.full_clean()
                    except ValidationError as error:
                        result.refused.append(f"{snapshot}: {'; '.join(error.messages)}")
                        continue
                    snapshot.save()
                    if snapshot.is_illustrative:
                        result.illustrative_created += 1
                    else:
                        result.real_created += 1
        accounts = {account.platform.slug: account for account, _milestone in milestones}
        milestones += [(accounts.get(event.platform_slug), event) for event in seed.seed_events()]
        for account, milestone in milestones:
            _created_milestone, created = Milestone.objects.get_or_create(
                date=milestone.date,
                title=milestone.title,
                defaults={"title_zh": milestone.title_zh, "account": account},
            )
            result.milestones_created += created
    return result


def illustrative_snapshots_remove() -> int:
    """Delete every illustrative snapshot; returns how many."""
    return snapshots_delete(MetricSnapshot.objects.filter(is_illustrative=True))


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
    """Read an uploaded file once, within what one web request may read, and keep it for its preview.

    Raises reports.ImportFileError for a file that cannot be read or is too big for the web.
    """
    header, lines = reports.read_table(data, file_name, reports.WEB_IMPORT_LIMITS)
    return SnapshotImport.objects.create(
        file_name=file_name, content=data, table=reports.storable_table(header, lines), uploaded_by=user
    )


def snapshot_import_plan(source: SnapshotImport):
    """What importing this upload would do now, row by row, from the lines read at upload (nothing written)."""
    if source.table is None:  # uploaded before files were kept as read
        header, lines = reports.read_table(bytes(source.content), source.file_name, reports.WEB_IMPORT_LIMITS)
    else:
        header, lines = source.table["header"], source.table["lines"]
    return _import_plan(header, lines)


def snapshot_import_confirm(*, source: SnapshotImport, user, digest: str) -> SnapshotImport:
    """Import an upload as its preview showed it (`digest`), all rows or none.

    Checked again with its accounts locked: when someone saved some of its months since the preview,
    ImportChanged is raised with the new plan and nothing is written; refused rows raise ImportRefused.
    """
    with transaction.atomic():
        plan = snapshot_import_plan(source)
        account_ids = {row.account.pk for row in plan.rows if row.account is not None}
        if connection.features.has_select_for_update:
            list(Account.objects.filter(pk__in=account_ids).order_by("pk").select_for_update().values_list("pk"))
            plan = snapshot_import_plan(source)  # as it stands now that no one else can write these accounts
        if plan.digest != digest:
            raise ImportChanged(plan)
        if not plan.is_valid:
            raise ImportRefused(plan)
        try:
            with transaction.atomic():
                return snapshot_import_apply(plan=plan, source=source, user=user)
        except IntegrityError:
            raise ImportChanged(snapshot_import_plan(source)) from None


def snapshot_import_apply(*, plan, source: SnapshotImport, user) -> SnapshotImport:
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


def snapshot_import_check(*, data: bytes, file_name: str, progress=None):
    """What importing this file would do, row by row (nothing written), with no limit: the command line's.

    Raises reports.ImportFileError.
    """
    header, lines = reports.read_table(data, file_name)
    return _import_plan(header, lines, progress=progress)


def _import_plan(header: list[str], lines: list, progress=None):
    """What a file's lines (as `reports.read_table` reads them) would do now, against the database."""
    return reports.plan_table(
        header,
        lines,
        accounts_for=import_accounts,
        context_for=import_context,
        today=timezone.localdate(),
        progress=progress,
    )
