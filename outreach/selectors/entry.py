"""What staff enter next: the month grid's rows, the months they open on, and what is still to enter."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import F, Max, Min, OuterRef, Q, Subquery
from django.db.models.functions import ExtractMonth, ExtractYear

from outreach import metrics
from outreach.coverage import MissingReports, MonthMissing
from outreach.models import Account, MetricSnapshot
from outreach.months import add_months, first_of_month
from outreach.selectors.scope import ACCOUNTS_PER_QUERY, account_batches


def snapshots_before(
    *, account_id: int, period: date, exclude_pk: int | None = None
) -> tuple[MetricSnapshot | None, MetricSnapshot | None]:
    """An account's two latest snapshots before `period` (latest first), None where there are fewer."""
    earlier = MetricSnapshot.objects.filter(account_id=account_id, period__lt=period).order_by("-period")
    if exclude_pk is not None:
        earlier = earlier.exclude(pk=exclude_pk)
    found = list(earlier[:2])
    return (found + [None, None])[0], (found + [None, None])[1]


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
    """The years from the first figures to the last, newest first, for the admin's year filter.

    Two index lookups rather than a DISTINCT over every snapshot.
    """
    first = MetricSnapshot.objects.order_by("period").values_list("period", flat=True).first()
    last = latest_period()
    return list(range(last.year, first.year - 1, -1)) if first and last else []


def latest_period() -> date | None:
    """The latest month with any figure."""
    return MetricSnapshot.objects.order_by("-period").values_list("period", flat=True).first()


def month_grid_default_period(*, today: date, missing: "MissingReports | None" = None) -> date:
    """The month staff most likely enter next: the earliest month some active account has still to enter
    (as `missing`, from `missing_reports`, says), else the one after the latest figures, at most the month
    just ended."""
    if missing is not None and missing.earliest_to_enter is not None:
        return missing.earliest_to_enter
    last_month = add_months(first_of_month(today), -1)
    latest = latest_period()
    return last_month if latest is None else min(add_months(latest, 1), last_month)


def missing_reports(*, months_at_most: int = 12, accounts_at_most: int = 20) -> MissingReports:
    """Which accounts have not reported which months, and which figures their reports leave empty, as
    `outreach.coverage` defines it, for the newest `months_at_most` incomplete months.

    A handful of queries whatever the number of snapshots: one GROUP BY of the snapshots per account that
    returns only the accounts that may be missing something (every other one reported each of its figures
    every month from its first to the latest); for those, each figure's first and last month, and the
    months themselves of only those whose reports have holes (a few queries per 900 such accounts each);
    then the accounts listed.
    """
    # Imported here rather than at the top, which belongs to the reads above.
    from django.db.models import Count

    from outreach import coverage

    shared = frozenset(
        Account.objects.order_by()
        .values("platform_id")
        .annotate(accounts=Count("pk"))
        .filter(accounts__gt=1)
        .values_list("platform_id", flat=True)
    )
    latest = latest_period()
    if latest is None:
        return MissingReports(months=[], incomplete_months=0, earliest=None, latest=None, shared_platform_ids=shared)

    def month_number(period):
        return ExtractYear(period) * 12 + ExtractMonth(period)

    counts = {f"{metric}_months": Count(metric) for metric in metrics.METRICS}
    # Complete, and answered without another read: a snapshot every month from the first to the latest,
    # each figure in all of them or in none. Only the other accounts come back.
    regular = Q(snapshots=F("span"))
    for metric in metrics.METRICS:
        regular &= Q(**{f"{metric}_months": 0}) | Q(**{f"{metric}_months": F("snapshots")})
    summaries = list(
        MetricSnapshot.objects.order_by()
        .values("account_id")
        .annotate(
            first_period=Min("period"),
            last_period=Max("period"),
            snapshots=Count("pk"),
            span=month_number(Max("period")) - month_number(Min("period")) + 1,
            **counts,
        )
        .exclude(regular & Q(last_period=latest))
    )
    # (pk, active, platform id) of those accounts, in the admin's order. Past a batch of them (a month half
    # entered across the country), one read of every account costs less than a query per 900.
    wanted = {row["account_id"] for row in summaries}
    if len(wanted) > ACCOUNTS_PER_QUERY:
        every = Account.objects.values_list("pk", "is_active", "platform_id")
        accounts = [account for account in every if account[0] in wanted]
    else:
        chosen = Account.objects.filter(pk__in=wanted).values_list("pk", "is_active", "platform_id")
        accounts = list(chosen)
    active = {pk: is_active for pk, is_active, _platform_id in accounts}
    # An account deleted meanwhile (its snapshots with it) has nothing to enter.
    summaries = [row for row in summaries if row["account_id"] in active]

    def account_reports(summary: dict, figures: dict[str, coverage.FigureReports]) -> coverage.AccountReports:
        return coverage.AccountReports(
            account_id=summary["account_id"],
            active=active[summary["account_id"]],
            first=summary["first_period"],
            last=summary["last_period"],
            snapshots=summary["snapshots"],
            figures=figures,
        )

    reports = []
    irregular = []
    for row in summaries:
        if row["snapshots"] == row["span"] and all(row[name] in (0, row["snapshots"]) for name in counts):
            # Every figure it reports, it reports from its first snapshot to its last.
            span = coverage.FigureReports(first=row["first_period"], last=row["last_period"], months=row["snapshots"])
            figures = {metric: span for metric in metrics.METRICS if row[f"{metric}_months"]}
            reports.append(account_reports(row, figures))
        else:
            irregular.append(row["account_id"])
    per_figure = {}
    for metric in metrics.METRICS:
        reported = Q(**{f"{metric}__isnull": False})
        per_figure[f"{metric}_first"] = Min("period", filter=reported)
        per_figure[f"{metric}_last"] = Max("period", filter=reported)
    summary_of = {row["account_id"]: row for row in summaries}
    for batch in account_batches(irregular):
        spans = (
            MetricSnapshot.objects.filter(account_id__in=batch)
            .order_by()
            .values("account_id")
            .annotate(**per_figure, **counts)
        )
        for row in spans:
            figures = {
                metric: coverage.FigureReports(
                    first=row[f"{metric}_first"], last=row[f"{metric}_last"], months=row[f"{metric}_months"]
                )
                for metric in metrics.METRICS
                if row[f"{metric}_months"]
            }
            reports.append(account_reports(summary_of[row["account_id"]], figures))
    with_holes = sorted(account.account_id for account in reports if coverage.needs_months(account))
    months: dict[int, dict[date, list[str]]] = {pk: {} for pk in with_holes}
    for batch in account_batches(with_holes):
        rows = MetricSnapshot.objects.filter(account_id__in=batch).order_by()
        for account_id, period, *figures in rows.values_list("account_id", "period", *metrics.METRICS):
            months[account_id][period] = [
                m for m, value in zip(metrics.METRICS, figures, strict=True) if value is not None
            ]
    gaps = [
        gap
        for account in reports
        for gap in coverage.account_gaps(account, latest=latest, months=months.get(account.account_id))
    ]
    position = {pk: index for index, (pk, _active, _platform_id) in enumerate(accounts)}
    found = coverage.incomplete_months(gaps, months_at_most=months_at_most, account_order=position.__getitem__)
    listed_ids = {
        pk
        for month in found.months
        for pk in (*month.missing[:accounts_at_most], *list(month.figures)[:accounts_at_most])
    }
    listed = Account.objects.select_related("platform").in_bulk(listed_ids) if listed_ids else {}
    # `if pk in listed`: an account deleted since the GROUP BY is no longer named.
    return MissingReports(
        months=[
            MonthMissing(
                period=month.period,
                accounts=[listed[pk] for pk in month.missing[:accounts_at_most] if pk in listed],
                accounts_count=len(month.missing),
                figures=[
                    (listed[pk], figures)
                    for pk, figures in list(month.figures.items())[:accounts_at_most]
                    if pk in listed
                ],
                figures_count=len(month.figures),
            )
            for month in found.months
        ],
        incomplete_months=found.count,
        earliest=found.earliest,
        latest=latest,
        shared_platform_ids=shared,
        earliest_to_enter=min(
            (gap.first for gap in gaps if gap.figure is None and active[gap.account_id]), default=None
        ),
    )


def accounts_not_reported(period: date, *, at_most: int = 20) -> tuple[list[Account], int]:
    """The active accounts open by the end of this month that have no snapshot of it (the first `at_most`
    of them, in the accounts' order), and how many there are: what a month's report says is missing."""
    end = add_months(period, 1) - timedelta(days=1)
    missing = Account.objects.active().filter(opened_on__lte=end).exclude(snapshots__period=period)
    return list(missing.select_related("platform")[:at_most]), missing.count()
