"""CSV as Excel opens it cleanly: UTF-8 with a byte-order mark, CRLF, no `sep=` line, streamed a batch of rows at
a time. Text a spreadsheet would run as a formula is neutralized on the way out and restored on the way in
(`restore`).
"""

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from datetime import date

from outreach.months import format_month

# OWASP: a cell that begins with one of these is run as a formula by spreadsheets. A leading
# apostrophe is escaped too, so that restoring on import is exact.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")


CSV_BATCH_ROWS = 5000


def neutralize(text: str) -> str:
    """Text that cannot run as a formula: a leading `'` before what a spreadsheet would evaluate."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def restore(text: str) -> str:
    """Undo `neutralize`."""
    return text[1:] if len(text) > 1 and text[0] == "'" and text[1:].startswith(FORMULA_STARTS) else text


def _csv_cell(value) -> str | int:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return value
    if isinstance(value, date):
        return format_month(value)
    return neutralize(str(value))


def snapshot_cells(row: tuple) -> tuple:
    """A snapshot export row's cells: the general `_csv_cell` unrolled for its known columns, as an export
    of millions of rows spends most of its time here."""
    slug, name, period, articles, videos, views, followers, approximate, note, illustrative, *increments = row
    return (
        slug,
        "'" + name if name.startswith(FORMULA_STARTS) else name,
        f"{period.year:04d}-{period.month:02d}",
        "" if articles is None else articles,
        "" if videos is None else videos,
        "" if views is None else views,
        "" if followers is None else followers,
        "true" if approximate else "false",
        "'" + note if note.startswith(FORMULA_STARTS) else note,
        "true" if illustrative else "false",
        *("" if value is None else value for value in increments[:-1]),
        *(_csv_cell(value) for value in increments[-1:]),
    )


def csv_chunks(header: Iterable[str], rows: Iterable[tuple], cells: Callable | None = None) -> Iterator[str]:
    """The CSV text, a batch of rows at a time: a BOM, the header, then CRLF-ended rows.

    Rows are read lazily, so a response streaming these chunks holds one batch at a time. `cells` turns a
    row into its cells (by default, each value by its type).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    yield "\ufeff" + buffer.getvalue()
    to_cells = cells or (lambda row: [_csv_cell(value) for value in row])
    batch: list = []
    for row in rows:
        batch.append(to_cells(row))
        if len(batch) == CSV_BATCH_ROWS:
            yield _write_batch(batch)
            batch = []
    if batch:
        yield _write_batch(batch)


def _write_batch(batch: list[list]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(batch)
    return buffer.getvalue()
