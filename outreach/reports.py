"""Reports: the CSV and XLSX writers, and the importer that reads the same columns back.

An export opens cleanly in Excel (UTF-8 with a byte-order mark, CRLF, no `sep=` line) and can be
imported again unchanged. Text that a spreadsheet would run as a formula is neutralized on the way
out and restored on the way in. The importer reads what spreadsheets write (UTF-8 with or without
BOM, GB18030/GBK, thousands separators, blank lines, Chinese months) and checks every row with the
same rule set as the entry forms, against the database and the rest of the file.
"""

import csv
import hashlib
import io
import queue
import re
import tempfile
import threading
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

import openpyxl
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.cell import WriteOnlyCell

from outreach import metrics, numbers, rules
from outreach.months import format_month, parse_month

# The columns of a snapshot export, in order; an import reads the same.
SNAPSHOT_COLUMNS = (
    "platform",
    "account",
    "period",
    *metrics.METRICS,
    "approximate",
    "note",
    "illustrative",
)
# `increments_illustrative`: the growth is computed from an illustrative figure (this month's or the
# previous report's), so it carries the mark as every illustrative figure does.
INCREMENT_COLUMNS = (
    *(f"{metric}_increment" for metric in metrics.METRICS),
    "months_since_previous",
    "increments_illustrative",
)
REQUIRED_COLUMNS = ("platform", "account", "period", *metrics.METRICS)
OPTIONAL_COLUMNS = ("approximate", "note", "illustrative")
# What an export with `increments=1` adds: derived, so an import ignores it.
IGNORED_COLUMNS = INCREMENT_COLUMNS

# The columns' names for people, offered as an export's header on request (`headers=translated`); an
# import reads them too, in either language. The machine-readable names above never change.
COLUMN_LABELS = {
    "platform": gettext_lazy("Platform"),
    "account": gettext_lazy("Account"),
    "period": gettext_lazy("Month"),
    "articles": gettext_lazy("Articles"),
    "videos": gettext_lazy("Videos"),
    "views": gettext_lazy("Views"),
    "followers": gettext_lazy("Followers"),
    "approximate": gettext_lazy("Approximate"),
    "note": gettext_lazy("Note"),
    "illustrative": gettext_lazy("Illustrative"),
    "articles_increment": gettext_lazy("New articles"),
    "videos_increment": gettext_lazy("New videos"),
    "views_increment": gettext_lazy("New views"),
    "followers_increment": gettext_lazy("New followers"),
    "months_since_previous": gettext_lazy("Months since the previous report"),
    "increments_illustrative": gettext_lazy("Increments illustrative"),
    "year_before": gettext_lazy("A year before"),
    "articles_change": gettext_lazy("Change in articles"),
    "videos_change": gettext_lazy("Change in videos"),
    "views_change": gettext_lazy("Change in views"),
    "followers_change": gettext_lazy("Change in followers"),
    "changes_illustrative": gettext_lazy("Changes illustrative"),
}


def import_columns_description() -> str:
    """The columns an import reads, machine names with their names in the active language where they differ."""
    described = []
    for column in SNAPSHOT_COLUMNS[:-1]:
        label = str(COLUMN_LABELS[column])
        described.append(column if label.lower() == column else f"{column} ({label})")
    return ", ".join(described)


def translated_header(columns) -> list[str]:
    """The header in the active language."""
    return [str(COLUMN_LABELS[column]) for column in columns]


def _column_aliases() -> dict[str, str]:
    aliases = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            aliases.update({str(label).lower(): column for column, label in COLUMN_LABELS.items()})
    return aliases


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


# --- PostgreSQL's COPY, for the snapshot export at national scale ---------------------------------------


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
    with raw.cursor() as cursor:
        sql_text = cursor.mogrify(select, params).decode()
    chunks: queue.Queue = queue.Queue(maxsize=8)
    failure: list[BaseException] = []

    def run() -> None:
        pipe = _Pipe(chunks)
        try:
            with raw.cursor() as cursor:
                cursor.copy_expert(f"COPY ({sql_text}) TO STDOUT", pipe)
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


def _write_batch(batch: list[list]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(batch)
    return buffer.getvalue()


def xlsx_file(header: Iterable[str], rows: Iterable[tuple], *, title: str):
    """An XLSX workbook in a temporary file, written row by row (openpyxl's write-only mode)."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(list(header))
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    output = tempfile.TemporaryFile()  # noqa: SIM115 (the response that sends it closes it)
    workbook.save(output)
    output.seek(0)
    return output


def _xlsx_cell(sheet, value):
    if value is None or isinstance(value, int | float) and not isinstance(value, bool):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return format_month(value)
    # A string cell, always: openpyxl would otherwise store text that begins with "=" as a formula.
    cell = WriteOnlyCell(sheet, value=str(value))
    cell.data_type = "s"
    return cell


SUMMARY_COLUMNS = (
    "platform",
    "account",
    "period",
    *metrics.METRICS,
    "approximate",
    "illustrative",
    "year_before",
    *(f"{metric}_change" for metric in metrics.METRICS),
    "changes_illustrative",
)


def summary_rows(summaries) -> Iterator[tuple]:
    """The summary report's rows: each account's latest totals, and their change since twelve months before
    (over the figures it reported both months; marked illustrative where either month is)."""
    for summary in summaries:
        latest, before = summary.latest, summary.year_before
        changes = tuple(
            latest.figures[metric] - before.figures[metric]
            if before is not None and latest.figures[metric] is not None and before.figures[metric] is not None
            else None
            for metric in metrics.METRICS
        )
        any_change = any(change is not None for change in changes)
        yield (
            latest.account.platform.slug,
            latest.account.name,
            latest.period,
            *(latest.figures[metric] for metric in metrics.METRICS),
            latest.approximate,
            latest.is_illustrative,
            before.period if before is not None else None,
            *changes,
            (latest.is_illustrative or before.is_illustrative) if any_change else None,
        )


# --- Import ----------------------------------------------------------------------------------------


class ImportFileError(Exception):
    """The file as a whole cannot be read: its encoding, its header, its quoting."""


@dataclass
class ImportRow:
    """One line of an imported file: what it says, what it would do, and what is wrong with it."""

    line: int
    cells: dict[str, object]
    account: object = None
    period: date | None = None
    figures: dict[str, int | None] = field(default_factory=dict)
    approximate: bool | None = None
    note: str | None = None
    illustrative: bool | None = None
    errors: list[tuple[str, str]] = field(default_factory=list)
    existing: object = None
    status: str = ""

    @property
    def display_figures(self) -> list[str]:
        """The row's counts as staff read them, or what the cell held when it could not be read."""
        return [
            numbers.format_count(self.figures[metric])
            if self.figures.get(metric) is not None
            else str(self.cells.get(metric) or "")
            for metric in metrics.METRICS
        ]

    def add_error(self, column: str, error: ValidationError | str) -> None:
        messages = error.messages if isinstance(error, ValidationError) else [error]
        self.errors.extend((column, message) for message in messages)

    @property
    def labelled_errors(self) -> list[tuple[str, str]]:
        """The errors with their column named for people, in the active language (播放量 for a video's views)."""
        platforms = [self.account.platform] if self.account is not None else []

        def label(column: str) -> str:
            if column in metrics.METRICS and platforms:
                return metrics.metric_label(column, platforms)
            return str(COLUMN_LABELS.get(column, column)) if column else ""

        return [(label(column), message) for column, message in self.errors]


@dataclass
class ImportPlan:
    """What importing a file would do, row by row."""

    rows: list[ImportRow]
    columns: list[str]

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def refused(self) -> list[ImportRow]:
        return [row for row in self.rows if row.errors]

    @property
    def is_valid(self) -> bool:
        return not self.refused

    @property
    def digest(self) -> str:
        """What the plan would do, line by line, as a short fingerprint: a confirmation is for this plan only."""
        steps = "\n".join(
            f"{row.line}:{row.status}:{row.existing.version if row.existing else ''}" for row in self.rows
        )
        return hashlib.sha256(steps.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class ReadLimits:
    """How much of a file one web request reads: past it, the file goes to the command line instead."""

    rows: int
    # What a workbook's parts may take once unzipped: a small .xlsx can inflate to gigabytes.
    inflated_bytes: int


WEB_IMPORT_LIMITS = ReadLimits(rows=20_000, inflated_bytes=100 * 1024 * 1024)
# Cells read per row of a workbook: an export has eleven columns; a sheet claiming 16,384 is not read so wide.
_XLSX_COLUMNS_READ = 40


def _too_big(reason: str) -> ImportFileError:
    return ImportFileError(
        _(
            "%(reason)s That is more than one upload checks at once: split the file, or ask an administrator "
            "to import it with the command line (manage.py import_snapshots FILE), which has no limit."
        )
        % {"reason": reason}
    )


def read_table(
    data: bytes, file_name: str = "", limits: ReadLimits | None = None
) -> tuple[list[str], list[tuple[int, list]]]:
    """The header and the (line number, cells) of every non-blank row of a CSV or XLSX file.

    With `limits`, a file with more rows (or a workbook that unzips larger) is refused as soon as that is known.
    """
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    if data.startswith(b"PK\x03\x04") or file_name.lower().endswith(".xlsx"):
        return _read_xlsx(data, limits)
    return _read_csv(data, limits)


def _read_xlsx(data: bytes, limits: ReadLimits | None) -> tuple[list[str], list[tuple[int, list]]]:
    if limits is not None:
        try:
            inflated = sum(part.file_size for part in zipfile.ZipFile(io.BytesIO(data)).infolist())
        except (zipfile.BadZipFile, ValueError):
            inflated = 0  # not a workbook: openpyxl says so below
        if inflated > limits.inflated_bytes:
            raise _too_big(
                _("This workbook unzips to %(size)s MB (at most %(limit)s MB).")
                % {"size": f"{inflated / 1024 / 1024:,.0f}", "limit": limits.inflated_bytes // 1024 // 1024}
            )
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise ImportFileError(
            _("This file is not an Excel workbook (.xlsx) that can be read: %(error)s") % {"error": error}
        ) from None
    sheet = workbook.worksheets[0]
    lines = []
    rows = sheet.iter_rows(values_only=True, max_col=_XLSX_COLUMNS_READ)
    number = 0
    try:
        for number, row in enumerate(rows, start=1):
            _keep_line(lines, number, list(row), limits)
    except ImportFileError:
        raise
    except Exception as error:  # a cell openpyxl cannot read (a number of thousands of digits, broken XML)
        raise ImportFileError(
            _("Line %(line)s of the sheet cannot be read (%(error)s). Save the sheet as CSV and upload that.")
            % {"line": number + 1, "error": str(error)[:80]}
        ) from None
    finally:
        workbook.close()
    return _split_header(lines)


# Blank lines read past this many per allowed row: a file of nothing but empty lines is refused too.
_BLANK_LINES_PER_ROW = 4


def _keep_line(lines: list, number: int, cells: list, limits: ReadLimits | None) -> None:
    """Keep a non-blank line; refuse the file once it has more rows than the limits allow."""
    if not _blank(cells):
        lines.append((number, cells))
    if limits is not None and (len(lines) > limits.rows + 1 or number > limits.rows * _BLANK_LINES_PER_ROW):
        raise _too_big(_("The file has more than %(limit)s rows.") % {"limit": f"{limits.rows:,}"})


def _decode(data: bytes) -> str:
    if b"\x00" in data[:65536]:
        raise ImportFileError(
            _("This is not a CSV text file (it holds binary data). Save the sheet as “CSV (comma delimited)”.")
        )
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(_("The file's encoding could not be read: save it as CSV in UTF-8 or GBK."))


def _read_csv(data: bytes, limits: ReadLimits | None) -> tuple[list[str], list[tuple[int, list]]]:
    reader = csv.reader(io.StringIO(_decode(data), newline=""), strict=True)
    lines = []
    line = 1
    try:
        for cells in reader:
            _keep_line(lines, line, cells, limits)
            line = reader.line_num + 1
    except csv.Error as error:
        raise ImportFileError(
            _("Line %(line)s: the quoting is broken (%(error)s). Each quote inside a quoted cell must be doubled.")
            % {"line": line, "error": error}
        ) from None
    return _split_header(lines)


def _blank(cells: list) -> bool:
    return all(cell is None or str(cell).strip() == "" for cell in cells)


def _split_header(lines: list[tuple[int, list]]) -> tuple[list[str], list[tuple[int, list]]]:
    lines = [(number, cells) for number, cells in lines if not _blank(cells)]
    if not lines:
        raise ImportFileError(_("The file is empty."))
    aliases = _column_aliases()
    header = [str(cell or "").strip().lstrip("\ufeff").lower() for cell in lines[0][1]]
    header = [aliases.get(cell, cell) for cell in header]
    expected = ", ".join(SNAPSHOT_COLUMNS[:-1])
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    unknown = [c for c in header if c and c not in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS, *IGNORED_COLUMNS)]
    if missing or unknown:
        problems = []
        if missing:
            problems.append(_("missing: %(columns)s") % {"columns": ", ".join(missing)})
        if unknown:
            problems.append(_("not known: %(columns)s") % {"columns": ", ".join(unknown)})
        raise ImportFileError(
            _("The first line must name the columns %(expected)s (approximate and note may be left out); %(problems)s.")
            % {"expected": expected, "problems": "; ".join(problems)}
        )
    if len(set(header) - {""}) != len([c for c in header if c]):
        raise ImportFileError(_("The first line names a column twice."))
    return header, lines[1:]


_TRUE = {"true", "yes", "1", "是", "y", "t"}
_FALSE = {"false", "no", "0", "否", "n", "f", ""}


def parse_flag(value) -> bool:
    """Read `true`/`false`, `yes`/`no`, `1`/`0`, `是`/`否` or empty (false)."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValidationError(
        _("“%(value)s” is not yes or no: write true or false (also yes/no, 1/0, 是/否)."), params={"value": value}
    )


def _count(value):
    if isinstance(value, float):
        if not value.is_integer():
            raise ValidationError(_("“%(value)s” is not a whole number."), params={"value": value})
        value = int(value)
    return numbers.parse_count(value)


def _month(value) -> date:
    if isinstance(value, datetime | date):
        return date(value.year, value.month, 1)
    return parse_month(str(value))


Progress = Callable[[int, int], None]


def parse_rows(
    header: list[str], lines: list[tuple[int, list]], accounts: list, progress: Progress | None = None
) -> list[ImportRow]:
    """Each line read into an ImportRow, with errors for cells that cannot be read."""
    by_platform: dict[str, object] = {}
    by_name: dict[tuple[int, str], object] = {}
    for account in accounts:
        platform = account.platform
        for key in (platform.slug, platform.name_en, platform.name_zh):
            by_platform[key.lower()] = platform
        for name in (account.name, account.name_zh):
            if name:
                by_name[(platform.pk, name.strip().lower())] = account
    platform_choices = ", ".join(sorted({p.slug for p in by_platform.values()}))
    rows = []
    for position, (number, cells) in enumerate(lines, start=1):
        if progress is not None and position % 1000 == 0:
            progress(position, len(lines))
        if len(cells) > len(header) and not _blank(cells[len(header) :]):
            row = ImportRow(line=number, cells={})
            row.add_error("", _("This line has more cells than the header names columns."))
            rows.append(row)
            continue
        values = {column: (cells[index] if index < len(cells) else None) for index, column in enumerate(header)}
        row = ImportRow(line=number, cells=values)
        rows.append(row)
        text = {column: restore(str(value).strip()) if value is not None else "" for column, value in values.items()}
        platform = by_platform.get(text["platform"].lower())
        if platform is None:
            row.add_error(
                "platform",
                _("“%(value)s” is not a platform: use one of %(choices)s.")
                % {"value": text["platform"], "choices": platform_choices},
            )
        else:
            row.account = by_name.get((platform.pk, text["account"].lower()))
            if row.account is None:
                row.add_error(
                    "account",
                    _("%(platform)s has no account named “%(name)s”: add it in the admin first.")
                    % {"platform": platform, "name": text["account"]},
                )
        try:
            row.period = _month(values["period"]) if text["period"] else None
            if row.period is None:
                row.add_error("period", _("The month is missing: write it as YYYY-MM, e.g. 2024-03."))
        except ValidationError as error:
            row.add_error("period", error)
        for metric in metrics.METRICS:
            try:
                row.figures[metric] = _count(values[metric])
            except ValidationError as error:
                row.figures[metric] = None
                row.add_error(metric, error)
        for column in ("approximate", "illustrative"):
            if column in values:
                try:
                    setattr(row, column, parse_flag(values[column]))
                except ValidationError as error:
                    row.add_error(column, error)
        if "note" in values:
            row.note = text["note"]
    return rows


def check_rows(rows: list[ImportRow], context, today: date) -> None:
    """Apply the rule set to every readable row, against the database and the file's other rows; set statuses.

    `context` (a `selectors.ImportContext`) holds the snapshots recorded at the file's months and around them.
    """
    existing = context.existing
    seen: dict[tuple[int, date], ImportRow] = {}
    for row in rows:
        if row.account is None or row.period is None:
            continue
        key = (row.account.pk, row.period)
        if key in seen:
            row.add_error(
                "period",
                _("Line %(line)s already gives %(account)s for this month.")
                % {"line": seen[key].line, "account": row.account},
            )
            continue
        seen[key] = row
        row.existing = existing.get(key)
    timelines = {account_id: dict(timeline) for account_id, timeline in context.timelines.items()}
    for (account_id, period), row in seen.items():
        # A row that cannot be written anyway must not make its neighbours look wrong.
        unwritable = (
            row.errors or rules.future_period_error(period, today) or period < row.account.opened_on.replace(day=1)
        )
        timeline = timelines.setdefault(account_id, {})
        if not unwritable:
            timeline[period] = row.figures
        elif period not in timeline:
            timeline[period] = {}
    histories = {
        account_id: rules.timeline_histories(list(timeline.items())) for account_id, timeline in timelines.items()
    }
    for (account_id, period), row in seen.items():
        errors = rules.snapshot_errors(
            account=row.account,
            period=period,
            figures=row.figures,
            history=histories[account_id][period],
            today=today,
        )
        for column, messages in errors.items():
            for error in messages:
                row.add_error("" if column == "__all__" else column, error)
    for row in rows:
        row.status = "error" if row.errors else _status(row)


def _status(row: ImportRow) -> str:
    snapshot = row.existing
    if snapshot is None:
        return "create"
    same = (
        snapshot.figures == row.figures
        and (row.approximate is None or snapshot.approximate == row.approximate)
        and (row.note is None or snapshot.note == row.note)
        and snapshot.is_illustrative == bool(row.illustrative)
    )
    return "unchanged" if same else "update"


def storable_table(header: list[str], lines: list[tuple[int, list]]) -> dict:
    """A file's header and lines as JSON keeps them, so that a file is read once: dates as their month."""

    def storable(cell):
        if isinstance(cell, datetime | date):
            return format_month(date(cell.year, cell.month, 1))
        return cell if cell is None or isinstance(cell, str | int | float | bool) else str(cell)

    return {"header": header, "lines": [[number, [storable(cell) for cell in cells]] for number, cells in lines]}


def plan_table(
    header: list[str],
    lines: list,
    *,
    accounts_for: Callable[[], list],
    context_for: Callable[[set], object],
    today: date,
    progress: Progress | None = None,
) -> ImportPlan:
    """What importing a file's lines (read by `read_table`) would do, row by row. Nothing is written.

    `accounts_for()` returns the accounts a file may name; `context_for(keys)` what is recorded at and
    around the file's (account id, month) keys.
    """
    rows = parse_rows(header, lines, accounts_for(), progress)
    if progress is not None:
        progress(len(lines), len(lines))
    keys = {(row.account.pk, row.period) for row in rows if row.account is not None and row.period is not None}
    check_rows(rows, context_for(keys), today)
    return ImportPlan(rows=rows, columns=header)
