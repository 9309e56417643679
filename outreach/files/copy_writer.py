"""The snapshot export at national scale: PostgreSQL's COPY writes the CSV lines itself, streamed to the response
as it writes them.
"""

import csv
import io
import queue
import re
import threading
from collections.abc import Iterable, Iterator

from outreach import metrics


def _copy_quoted(column: str, *, neutralized: bool = False) -> str:
    """SQL that writes a text column as one CSV cell, as Python's csv module would (minimal quoting)."""
    value = f"COALESCE({column}, '')"
    if neutralized:
        starts = r"'=', '+', '-', '@', E'\t', E'\r', ''''"
        value = f"(CASE WHEN left({value}, 1) IN ({starts}) THEN '''' || {value} ELSE {value} END)"
    special = r"""E'[",\r\n]'"""
    return f"""(CASE WHEN {value} ~ {special} THEN '"' || replace({value}, '"', '""') || '"' ELSE {value} END)"""


COPY_LINE = " || ',' || ".join(
    [
        _copy_quoted("p.slug"),
        _copy_quoted("a.name", neutralized=True),
        "to_char(s.period, 'YYYY-MM')",
        *(f"COALESCE(s.{metric}::text, '')" for metric in metrics.METRICS),
        "(CASE WHEN s.approximate THEN 'true' ELSE 'false' END)",
        _copy_quoted("s.note", neutralized=True),
        "(CASE WHEN s.is_illustrative THEN 'true' ELSE 'false' END)",
    ]
)


_COPY_ESCAPES = re.compile(rb"\\(.)")


_COPY_UNESCAPED = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"v": b"\v", b"\\": b"\\"}


class _Pipe(io.RawIOBase):
    """What COPY writes, passed on in chunks through a bounded queue: memory stays flat."""

    def __init__(self, chunks: queue.Queue, size: int = 256 * 1024):
        self.chunks, self.size, self.pending, self.length = chunks, size, [], 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.pending.append(bytes(data))
        self.length += len(data)
        if self.length >= self.size:
            self.flush_pending()
        return len(data)

    def flush_pending(self) -> None:
        if self.pending:
            self.chunks.put(b"".join(self.pending))
            self.pending, self.length = [], 0


def copy_csv_chunks(connection, header: Iterable[str], select: str, params: list) -> Iterator[bytes]:
    """The snapshot export written by PostgreSQL's COPY: a BOM, the header, then CRLF-ended rows.

    `select` yields one text column, each row's CSV line. COPY's text format escapes the newlines inside
    a cell, so the only raw newlines are the ends of rows: they become CRLF, then the escapes are undone.
    COPY runs in a thread that hands chunks over a bounded queue, so the response streams as rows are read.
    """
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(header)
    yield ("\ufeff" + buffer.getvalue()).encode("utf-8")
    connection.ensure_connection()
    # The raw connection itself: Django's `connection` is another one in another thread. This thread waits
    # on the queue meanwhile, so the two never use it at once.
    raw = connection.connection
    chunks: queue.Queue = queue.Queue(maxsize=8)
    failure: list[BaseException] = []

    def run() -> None:
        pipe = _Pipe(chunks)
        try:
            # COPY takes no server-side parameters: psycopg binds these into the statement itself.
            with raw.cursor() as cursor, cursor.copy(f"COPY ({select}) TO STDOUT", params) as copy:
                for data in copy:
                    pipe.write(data)
            pipe.flush_pending()
        except BaseException as error:  # handed to the reading thread, which raises it
            failure.append(error)
        finally:
            chunks.put(None)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    while (chunk := chunks.get()) is not None:
        chunk = chunk.replace(b"\n", b"\r\n")
        if b"\\" in chunk:
            chunk = _COPY_ESCAPES.sub(lambda match: _COPY_UNESCAPED.get(match.group(1), match.group(1)), chunk)
        yield chunk
    worker.join()
    if failure:
        raise failure[0]
