"""Writes: every change to the figures goes through a function here, validated and in a transaction."""

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from outreach import reports, rules, seed, selectors
from outreach.models import Account, MetricSnapshot, Milestone, Platform, SnapshotImport


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
    with transaction.atomic():
        _save_versioned(snapshot, expected_version)
    return snapshot


def _stamp_and_validate(snapshot: MetricSnapshot, user, *, vouched: bool = True) -> None:
    if snapshot.pk is None:
        snapshot.created_by = user
    snapshot.updated_by = user
    if vouched:
        snapshot.is_illustrative = False
    snapshot.full_clean()


def _save_versioned(snapshot: MetricSnapshot, expected_version: int | None) -> None:
    """Save inside the caller's transaction, the row locked, its version raised by one."""
    if snapshot.pk is not None:
        current = MetricSnapshot.objects.select_for_update().filter(pk=snapshot.pk).first()
        if current is not None:
            if expected_version is not None and current.version != expected_version:
                raise ConcurrentEdit(current)
            snapshot.version = current.version + 1
    snapshot.save()


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
    with transaction.atomic():
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
    with transaction.atomic():
        removed, _by_model = MetricSnapshot.objects.filter(is_illustrative=True).delete()
    return removed


class ImportRefused(Exception):
    """An import with refused rows: nothing was written."""


def snapshot_import_apply(*, plan, source: SnapshotImport, user) -> SnapshotImport:
    """Write every row of an import plan, or none: one transaction; refused when any row has an error."""
    if not plan.is_valid:
        raise ImportRefused(f"{len(plan.refused)} rows are refused")
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
    with transaction.atomic():
        bulk_create_with_history(
            created, MetricSnapshot, batch_size=2000, default_user=user, default_change_reason=reason
        )
        bulk_update_with_history(
            updated,
            MetricSnapshot,
            [*rules.METRICS, "approximate", "note", "is_illustrative", "updated_by", "updated_at", "version"],
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
    """What importing this file would do, row by row (nothing written). Raises reports.ImportFileError."""
    return reports.plan_import(
        data,
        file_name=file_name,
        accounts_for=selectors.import_accounts,
        context_for=selectors.import_context,
        today=timezone.localdate(),
        progress=progress,
    )
