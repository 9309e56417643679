"""Saving and deleting figures and accounts: versioned, audited, validated by the rule set; the month grid's rows
in one transaction.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from outreach.models import Account, MetricSnapshot
from outreach.services.totals import monthly_totals_following


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
    with transaction.atomic(), monthly_totals_following(touched_keys([snapshot])):
        _save_versioned(snapshot, expected_version)
    return snapshot


def touched_keys(snapshots: list[MetricSnapshot]) -> set[tuple[int, date]]:
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
    with transaction.atomic(), monthly_totals_following(touched_keys(snapshots)):
        for snapshot, expected_version in zip(snapshots, expected_versions, strict=True):
            (updated if snapshot.pk else created).append(snapshot)
            _save_versioned(snapshot, expected_version)
    return MonthGridResult(created=created, updated=updated)


class MonthGridRefused(ValidationError):
    """A month grid save refused: `row_errors` maps positions to each snapshot's ValidationError."""

    def __init__(self, row_errors: dict[int, ValidationError]):
        self.row_errors = row_errors
        super().__init__([message for error in row_errors.values() for message in error.messages])
