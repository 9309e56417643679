"""Reads: every query the admin, the month grid and (later) the dashboard and reports need.

Plain functions that return rows or small value objects; no writes.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse

from outreach import rules
from outreach.models import Account, MetricSnapshot
from outreach.months import add_months, first_of_month


def snapshot_history(*, account_id: int, period: date | None, exclude_pk: int | None = None) -> rules.AccountHistory:
    """What is recorded for an account around `period`, for the rule set (one query)."""
    rows = MetricSnapshot.objects.filter(account_id=account_id)
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    rows = list(rows.values_list("pk", "period", *rules.CUMULATIVE_METRICS))
    if period is None:
        return rules.AccountHistory()
    history = rules.history_from_rows(
        ((row[1], dict(zip(rules.CUMULATIVE_METRICS, row[2:], strict=True))) for row in rows), period
    )
    existing_pk = next((row[0] for row in rows if row[1] == period), None)
    if existing_pk is None:
        return history
    return rules.AccountHistory(
        earlier=history.earlier,
        later=history.later,
        existing=rules.ExistingSnapshot(
            pk=existing_pk, url=reverse("admin:outreach_metricsnapshot_change", args=(existing_pk,))
        ),
    )


@dataclass(frozen=True)
class MonthGridRow:
    """One active account in the month grid: its snapshot for the month (if any) and the two latest before it."""

    account: Account
    snapshot: MetricSnapshot | None
    previous: MetricSnapshot | None
    before_previous: MetricSnapshot | None


def month_grid_rows(*, period: date) -> list[MonthGridRow]:
    """The active accounts open by `period`, each with that month's snapshot and the latest earlier one.

    Three queries, whatever the number of accounts.
    """
    earlier = MetricSnapshot.objects.filter(account=OuterRef("pk"), period__lt=period).order_by("-period").values("pk")
    accounts = list(
        Account.objects.active()
        .filter(opened_on__lt=add_months(first_of_month(period), 1))
        .select_related("platform")
        .annotate(previous_pk=Subquery(earlier[:1]), before_previous_pk=Subquery(earlier[1:2]))
    )
    earlier_pks = [pk for a in accounts for pk in (a.previous_pk, a.before_previous_pk) if pk]
    by_pk = {
        s.pk: s for s in MetricSnapshot.objects.filter(Q(account__in=accounts, period=period) | Q(pk__in=earlier_pks))
    }
    this_month = {s.account_id: s for s in by_pk.values() if s.period == period}
    return [
        MonthGridRow(
            account=account,
            snapshot=this_month.get(account.pk),
            previous=by_pk.get(account.previous_pk),
            before_previous=by_pk.get(account.before_previous_pk),
        )
        for account in accounts
    ]


def snapshot_years() -> list[int]:
    """The years that have figures, newest first, for the admin's year filter."""
    return [day.year for day in MetricSnapshot.objects.dates("period", "year", order="DESC")]


def latest_period() -> date | None:
    """The latest month with any figure."""
    return MetricSnapshot.objects.order_by("-period").values_list("period", flat=True).first()


def month_grid_default_period(*, today: date) -> date:
    """The month staff most likely enter next: the one after the latest figures, at most the month just ended."""
    last_month = add_months(first_of_month(today), -1)
    latest = latest_period()
    return last_month if latest is None else min(add_months(latest, 1), last_month)
