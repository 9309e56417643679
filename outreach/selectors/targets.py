"""Reads of the yearly targets a page of figures shows beside its cards: the targets of the shown month's year
for the accounts in scope, each with its account's figure at the year's start and at the month, and per
platform and figure the monthly sums of those accounts' past years (their seasons' pace). A few queries,
each bounded by the accounts that have targets."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, Sum

from outreach.models import MetricSnapshot, Target
from outreach.selectors.scope import Scope, accounts_in

# How many past years the seasons' pace looks back on.
SEASON_YEARS = 3


@dataclass(frozen=True)
class AccountTarget:
    """One account's target for the year, with its figure at the year's start and at the month shown (None
    where the account did not report it; its start is 0 when it opened during the year)."""

    account_id: int
    platform_id: int
    metric: str
    kind: str
    value: int
    start: int | None
    current: int | None
    illustrative: bool = False  # the figure at the start or at the month is illustrative


@dataclass(frozen=True)
class TargetReads:
    year: int
    month: date
    targets: list[AccountTarget] = field(default_factory=list)
    # (platform, figure) → month → (the sum over the accounts with a target, how many of them reported it,
    # how many of those figures are illustrative)
    seasons: dict[tuple[int, str], dict[date, tuple[int, int, int]]] = field(default_factory=dict)


def target_reads(scope: Scope, shown: date) -> TargetReads:
    """The targets of `shown`'s year for the accounts in `scope`, and what their progress needs."""
    year = shown.year
    targets = list(
        Target.objects.filter(year=year, account__in=accounts_in(scope))
        .select_related("account")
        .order_by("account_id", "metric")
    )
    if not targets:
        return TargetReads(year=year, month=shown)
    # The accounts with targets as a subquery, never a list of their ids: at national scale a list of
    # thousands of ids would be a statement megabytes long (and past SQLite's limit of variables).
    with_targets = Target.objects.filter(year=year, account__in=accounts_in(scope)).values("account_id")
    start_month, first_season = date(year - 1, 12, 1), date(year - SEASON_YEARS - 1, 12, 1)
    figures = {
        (row["account_id"], row["period"]): row
        for row in MetricSnapshot.objects.filter(account_id__in=with_targets, period__in=(start_month, shown)).values(
            "account_id", "period", "articles", "videos", "views", "followers", "is_illustrative"
        )
    }
    reads = []
    for target in targets:
        opened_in_year = target.account.opened_on >= date(year, 1, 1)
        at_start = figures.get((target.account_id, start_month), {}).get(target.metric)
        ends = [figures.get((target.account_id, month), {}) for month in (start_month, shown)]
        reads.append(
            AccountTarget(
                account_id=target.account_id,
                platform_id=target.account.platform_id,
                metric=target.metric,
                kind=target.kind,
                value=target.value,
                start=0 if at_start is None and opened_in_year else at_start,
                current=figures.get((target.account_id, shown), {}).get(target.metric),
                illustrative=any(end.get("is_illustrative") for end in ends),
            )
        )
    seasons: dict[tuple[int, str], dict[date, tuple[int, int, int]]] = defaultdict(dict)
    targeted = sorted({target.metric for target in targets})
    # One query for every figure with targets: each summed over its own accounts only.
    sums = {}
    for metric in targeted:
        ids = with_targets.filter(metric=metric)
        sums[f"{metric}_total"] = Sum(metric, filter=Q(account_id__in=ids))
        sums[f"{metric}_reporting"] = Count(metric, filter=Q(account_id__in=ids))
        sums[f"{metric}_illustrative"] = Count(metric, filter=Q(account_id__in=ids, is_illustrative=True))
    rows = (
        MetricSnapshot.objects.filter(
            account_id__in=with_targets, period__gte=first_season, period__lt=date(year, 1, 1)
        )
        .values("account__platform_id", "period")
        .annotate(**sums)
    )
    for row in rows:
        for metric in targeted:
            if row[f"{metric}_total"] is not None:
                seasons[row["account__platform_id"], metric][row["period"]] = (
                    row[f"{metric}_total"],
                    row[f"{metric}_reporting"],
                    row[f"{metric}_illustrative"],
                )
    return TargetReads(year=year, month=shown, targets=reads, seasons=dict(seasons))
