"""The data version: a token the database replaces on every write to the figures (`models.DataVersion`)."""

from django.db import connection

from outreach.models import DataVersion

# Read on every dashboard request, so written out: the ORM's query building would cost more than the query.
_TOKEN_SQL = f"SELECT token FROM {DataVersion._meta.db_table} WHERE id = 1"  # noqa: S608 (a table name)


def data_version() -> int | None:
    """The current token, or None where the database keeps none (then nothing may be cached by it)."""
    with connection.cursor() as cursor:
        cursor.execute(_TOKEN_SQL)
        row = cursor.fetchone()
    return row[0] if row else None
