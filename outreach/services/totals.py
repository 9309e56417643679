"""The kept monthly totals: every write adds to `MonthlyTotal` the difference it makes; a rebuild computes them
whole.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date

from django.db import connection, transaction

from outreach import monthly_totals
from outreach.models import Account, MetricSnapshot, MonthlyTotal
from outreach.selectors.totals import account_timelines, monthly_totals_rebuild_queries


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
