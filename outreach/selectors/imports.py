"""What an import is checked against: the accounts a file may name, and the snapshots at and around its months."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import OuterRef, Subquery

from outreach import metrics
from outreach.imports.backoffice.rows import Recorded
from outreach.models import Account, MetricSnapshot
from outreach.selectors.scope import ACCOUNTS_PER_QUERY


def import_accounts() -> list[Account]:
    """Every account with its platform: what an imported file may name."""
    return list(Account.objects.select_related("platform"))


@dataclass
class ImportContext:
    """What an import is checked against: the snapshots at the file's months, and around them.

    `existing` maps (account id, month) to the snapshot recorded there; `timelines` maps each account to
    the figures of its months that the rule set compares with: every month within the file's range, and
    for each cumulative figure the nearest reported month before and after it.
    """

    existing: dict[tuple[int, date], MetricSnapshot]
    timelines: dict[int, dict[date, dict[str, int | None]]]


def import_context(keys: set[tuple[int, date]]) -> ImportContext:
    """The snapshots an import of these (account id, month) keys is checked against (a few queries per
    900 accounts), without reading every month of every account."""
    context = ImportContext(existing={}, timelines=defaultdict(dict))
    if not keys:
        return context
    first, last = min(period for _account, period in keys), max(period for _account, period in keys)
    account_ids = sorted({account_id for account_id, _period in keys})
    for start in range(0, len(account_ids), ACCOUNTS_PER_QUERY):
        batch = account_ids[start : start + ACCOUNTS_PER_QUERY]
        in_range = MetricSnapshot.objects.filter(account_id__in=batch, period__range=(first, last))
        wanted_pks = []
        for pk, account_id, period, *figures in in_range.values_list("pk", "account_id", "period", *metrics.METRICS):
            context.timelines[account_id][period] = dict(zip(metrics.METRICS, figures, strict=True))
            if (account_id, period) in keys:
                wanted_pks.append(pk)
        for snapshot in MetricSnapshot.objects.filter(pk__in=wanted_pks):
            context.existing[(snapshot.account_id, snapshot.period)] = snapshot
        around = {}
        for metric in metrics.CUMULATIVE_METRICS:
            reported = MetricSnapshot.objects.filter(account=OuterRef("pk"), **{f"{metric}__isnull": False})
            before = reported.filter(period__lt=first).order_by("-period")
            after = reported.filter(period__gt=last).order_by("period")
            around[f"before_{metric}_period"] = Subquery(before.values("period")[:1])
            around[f"before_{metric}"] = Subquery(before.values(metric)[:1])
            around[f"after_{metric}_period"] = Subquery(after.values("period")[:1])
            around[f"after_{metric}"] = Subquery(after.values(metric)[:1])
        for row in Account.objects.filter(pk__in=batch).annotate(**around).values("pk", *around):
            timeline = context.timelines[row["pk"]]
            for metric in metrics.CUMULATIVE_METRICS:
                for side in ("before", "after"):
                    period = row[f"{side}_{metric}_period"]
                    if period is not None:
                        timeline.setdefault(period, {})[metric] = row[f"{side}_{metric}"]
    return context


def recorded_months(account: Account, months: set[date]) -> dict[date, Recorded]:
    """An account's recorded figures at these months (a back-office file's increases are added to them)."""
    snapshots = MetricSnapshot.objects.filter(account=account, period__in=months)
    fields = ("period", "is_illustrative", "approximate", *metrics.METRICS)
    return {
        period: Recorded(
            figures=dict(zip(metrics.METRICS, figures, strict=True)), illustrative=illustrative, approximate=approximate
        )
        for period, illustrative, approximate, *figures in snapshots.values_list(*fields)
    }
