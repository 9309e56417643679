"""Which accounts and months a page, a download or a future API reads: the one `Scope` type and the only
implementation of scope filtering, as ORM conditions and as SQL.

A scope is a few conditions (accounts, platforms, months), never a list of every account, so that it
stays small at national scale. Each query says where it keeps those dimensions (`Columns`); the
conditions are written once, in `Scope.conditions`, and rendered for the ORM (`Scope.q`) or for SQL
(`Scope.sql`). A new dimension (institutions) is added here and nowhere else.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from outreach.models import Account, MetricSnapshot, Milestone, MonthlyTotal, Platform
from outreach.months import add_months


@dataclass(frozen=True)
class Columns:
    """Where a query finds the scope's dimensions: ORM lookups, or SQL columns; None where it has none.
    `day` is a date column (a milestone's day) rather than a month: the last month shown includes its
    every day."""

    account: str | None
    platform: str | None
    month: str | None = None
    day: str | None = None


SNAPSHOTS = Columns(account="account_id", platform="account__platform_id", month="period")
ACCOUNTS = Columns(account="pk", platform="platform_id")
MONTHLY_TOTALS = Columns(account=None, platform="platform_id", month="period")
MILESTONE_ACCOUNTS = Columns(account="account_id", platform="account__platform_id")
MILESTONE_DAYS = Columns(account=None, platform=None, day="date")
# The snapshot export's SELECT for PostgreSQL's COPY (`exports.snapshot_export_copy_query`).
SNAPSHOTS_SQL = Columns(account="s.account_id", platform="a.platform_id", month="s.period")

_SQL_OPERATORS = {"in": "= ANY(%s)", "gte": ">= %s", "lte": "<= %s", "lt": "< %s"}


@dataclass(frozen=True)
class Scope:
    """Which accounts and months the dashboard, the downloads and the reports read.

    None means no restriction: every account (of the chosen platforms), every platform, every month.
    """

    account_ids: tuple[int, ...] | None = None
    platform_ids: tuple[int, ...] | None = None
    start: date | None = None
    end: date | None = None

    def conditions(self, columns: Columns, *, from_start: bool = True) -> list[tuple[str, str, object]]:
        """The scope as (column, operator, value) conditions on `columns`. Without `from_start`, the months
        before `start` are kept too (an increment at `start` needs the month before it)."""
        found: list[tuple[str, str, object]] = []
        if self.account_ids is not None:
            if columns.account is None:
                raise ValueError("these rows are per platform: a scope of accounts cannot select them")
            found.append((columns.account, "in", list(self.account_ids)))
        if self.platform_ids is not None:
            found.append((columns.platform, "in", list(self.platform_ids)))
        months = columns.month or columns.day
        if months is not None:
            if self.start and from_start:
                found.append((months, "gte", self.start))
            if self.end and columns.day:
                found.append((months, "lt", add_months(self.end, 1)))
            elif self.end:
                found.append((months, "lte", self.end))
        return found

    def months(self) -> "Scope":
        """The same months, of every account."""
        return Scope(start=self.start, end=self.end)

    def includes_month(self, period: date) -> bool:
        """Whether a month read (or computed) lies in the scope's months: for rows read from before `start`."""
        return (self.start is None or period >= self.start) and (self.end is None or period <= self.end)

    def includes_platform(self, platform_id: int) -> bool:
        return self.platform_ids is None or platform_id in self.platform_ids

    def q(self, columns: Columns, *, from_start: bool = True) -> Q:
        """The conditions for the ORM."""
        return Q(
            *(
                (f"{column}__{operator}", value)
                for column, operator, value in self.conditions(columns, from_start=from_start)
            )
        )

    def sql(self, columns: Columns) -> tuple[str, list]:
        """The conditions as a WHERE clause and its parameters (PostgreSQL: `= ANY` takes a list)."""
        found = self.conditions(columns)
        where = " AND ".join(f"{column} {_SQL_OPERATORS[operator]}" for column, operator, _value in found)
        return where or "TRUE", [value for _column, _operator, value in found]


def accounts_in(scope: Scope):
    return Account.objects.filter(scope.q(ACCOUNTS))


def snapshots_in(scope: Scope, *, from_start: bool = True):
    """The snapshots in scope; without `from_start`, those before `start` too."""
    return MetricSnapshot.objects.filter(scope.q(SNAPSHOTS, from_start=from_start))


def monthly_totals_in(scope: Scope):
    """The kept monthly totals in scope (for scopes that do not name accounts)."""
    return MonthlyTotal.objects.filter(scope.q(MONTHLY_TOTALS))


def milestones_in(scope: Scope):
    """Milestones of the accounts in scope, and the museum's own, within the months shown."""
    of_accounts = Q(account__isnull=False) & scope.q(MILESTONE_ACCOUNTS)
    return Milestone.objects.filter(Q(account__isnull=True) | of_accounts).filter(scope.months().q(MILESTONE_DAYS))


def dashboard_accounts() -> list[Account]:
    """Every account, with its platform: the filters' choices (while there are few)."""
    return list(Account.objects.select_related("platform"))


def account_count() -> int:
    return Account.objects.count()


def scope_accounts(scope: Scope, *, limit: int, platforms: list[Platform], every_account: int) -> list[Account]:
    """The first `limit` accounts in scope, in the order of `platforms` (every platform, in order), with
    their platforms. `every_account` is how many accounts there are in all."""
    if scope.account_ids is not None or every_account <= limit:
        return list(accounts_in(scope).select_related("platform")[:limit])
    # Many accounts: read platform by platform off the (platform, name) index, so that the first page
    # of 30,000 accounts is not joined and sorted whole. A query per platform until the page is full.
    accounts: list[Account] = []
    for platform in platforms:
        if not scope.includes_platform(platform.pk):
            continue
        found = list(Account.objects.filter(platform=platform).order_by("name")[: limit - len(accounts)])
        for account in found:
            account.platform = platform
        accounts += found
        if len(accounts) >= limit:
            break
    return accounts


def scope_account_count(scope: Scope) -> int:
    return accounts_in(scope).count()


def existing_account_ids(account_ids: list[int]) -> set[int]:
    """Which of these account numbers exist."""
    return set(Account.objects.filter(pk__in=account_ids).order_by().values_list("pk", flat=True))


# SQLite refuses more than a few thousand parameters in one query.
ACCOUNTS_PER_QUERY = 900


def account_batches(account_ids: list[int]):
    """The accounts in groups small enough for one query's parameters."""
    for start in range(0, len(account_ids), ACCOUNTS_PER_QUERY):
        yield account_ids[start : start + ACCOUNTS_PER_QUERY]
