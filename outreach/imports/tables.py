"""A file read into lines of cells, whatever holds them: CSV in UTF-8 (with or without BOM) or GB18030/GBK, an
XLSX workbook, a binary Excel 97 workbook (BIFF8, as WeChat exports), or an HTML table saved under an .xls
name (as WeChat exports too); blank lines skipped; within the limits one web request may read. Then, for the
standard file, its header checked against the export's columns.
"""

import csv
import html.parser
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

import openpyxl
import xlrd
from django.utils.translation import gettext as _

from outreach.files.columns import SNAPSHOT_COLUMNS
from outreach.imports.headers import IGNORED_COLUMNS, OPTIONAL_COLUMNS, REQUIRED_COLUMNS, column_aliases
from outreach.months import format_month


class ImportFileError(Exception):
    """The file as a whole cannot be read: its encoding, its header, its quoting."""


class UnknownColumns(ImportFileError):
    """The file's first line is not the standard file's header (it may be another kind of file)."""


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
    """The header and the (line number, cells) of every non-blank row of a file with the export's columns.

    With `limits`, a file with more rows (or a workbook that unzips larger) is refused as soon as that is known.
    """
    return split_header(read_lines(data, file_name, limits))


# What a binary Excel 97 workbook (an OLE2 compound file) begins with.
_OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def read_lines(data: bytes, file_name: str = "", limits: ReadLimits | None = None) -> list[tuple[int, list]]:
    """The (line number, cells) of every non-blank line of a file, told apart by its content, not its name:
    an .xls may be a workbook or an HTML page."""
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data, limits)
    if data.startswith(_OLE2_SIGNATURE):
        return _read_biff(data, limits)
    start = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in data[:4096]:
        raise ImportFileError(
            _("This is an Excel 2003 XML spreadsheet, which cannot be read: save it as .xlsx or CSV and upload that.")
        )
    if _is_html(start):
        return _read_html(data, limits)
    if file_name.lower().endswith(".xlsx"):
        return _read_xlsx(data, limits)  # a name that says workbook, and content that is none: openpyxl says so
    return _read_csv(data, limits)


def _read_xlsx(data: bytes, limits: ReadLimits | None) -> list[tuple[int, list]]:
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
    return lines


def _read_biff(data: bytes, limits: ReadLimits | None) -> list[tuple[int, list]]:
    """The first sheet of an Excel 97 workbook, dates as dates (BIFF keeps them as numbers with a format)."""
    try:
        workbook = xlrd.open_workbook(file_contents=data, on_demand=True, logfile=io.StringIO())
        sheet = workbook.sheet_by_index(0)
    except Exception as error:  # xlrd raises many kinds for a damaged workbook
        raise ImportFileError(
            _("This file is not an Excel workbook (.xls) that can be read: %(error)s") % {"error": str(error)[:80]}
        ) from None
    lines = []
    for index in range(sheet.nrows):
        cells = []
        for cell in sheet.row(index)[:_XLSX_COLUMNS_READ]:
            if cell.ctype == xlrd.XL_CELL_ERROR:
                cells.append(xlrd.error_text_from_code.get(cell.value, "#ERROR"))  # #N/A: refused as a count
            elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                cells.append(bool(cell.value))
            elif cell.ctype == xlrd.XL_CELL_DATE:
                try:
                    cells.append(xlrd.xldate_as_datetime(cell.value, workbook.datemode))
                except (ValueError, OverflowError, xlrd.xldate.XLDateError):
                    cells.append(cell.value)
            elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                cells.append(None)
            else:
                cells.append(cell.value)
        _keep_line(lines, index + 1, cells, limits)
    return lines


def _is_html(start: bytes) -> bool:
    """Whether a file's first bytes (lowercased, leading space dropped) are a web page's."""
    return start.startswith(b"<") and any(tag in start for tag in (b"<table", b"<html", b"<body", b"<tr"))


class _TableRows(html.parser.HTMLParser):
    """The text of each <tr>'s cells, in the order they come, whatever tables hold them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._span = 1

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self._end_row()
            self._row = []
        elif tag in ("td", "th"):
            self._end_cell()
            if self._row is None:
                self._row = []
            self._cell = []
            span = dict(attrs).get("colspan") or "1"
            self._span = min(int(span), 100) if span.isdigit() else 1
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self._end_cell()
        elif tag in ("tr", "table"):
            self._end_row()

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def _end_cell(self):
        if self._cell is not None and self._row is not None:
            # A cell spanning columns takes its first; the others are empty, so that the columns keep their places.
            self._row += [" ".join("".join(self._cell).split())] + [""] * (self._span - 1)
        self._cell = None

    def _end_row(self):
        self._end_cell()
        if self._row is not None:
            self.rows.append(self._row)
        self._row = None

    def close(self):
        super().close()
        self._end_row()


def _read_html(data: bytes, limits: ReadLimits | None) -> list[tuple[int, list]]:
    """The rows of the tables of an HTML page (WeChat's "Excel" export is one)."""
    parser = _TableRows()
    parser.feed(_decode_text(data))
    parser.close()
    if not parser.rows:
        raise ImportFileError(_("This file is a web page without a table of figures."))
    lines = []
    for number, cells in enumerate(parser.rows, start=1):
        _keep_line(lines, number, cells, limits)
    return lines


# Blank lines read past this many per allowed row: a file of nothing but empty lines is refused too.
_BLANK_LINES_PER_ROW = 4


def _keep_line(lines: list, number: int, cells: list, limits: ReadLimits | None) -> None:
    """Keep a non-blank line; refuse the file once it has more rows than the limits allow."""
    if not blank(cells):
        lines.append((number, cells))
    if limits is not None and (len(lines) > limits.rows + 1 or number > limits.rows * _BLANK_LINES_PER_ROW):
        raise _too_big(_("The file has more than %(limit)s rows.") % {"limit": f"{limits.rows:,}"})


def _decode(data: bytes) -> str:
    if b"\x00" in data[:65536]:
        raise ImportFileError(
            _("This is not a CSV text file (it holds binary data). Save the sheet as “CSV (comma delimited)”.")
        )
    return _decode_text(data)


def _decode_text(data: bytes) -> str:
    """UTF-8 (with or without its byte-order mark), else GB18030, which reads GBK and GB2312 too."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(_("The file's encoding could not be read: save it as CSV in UTF-8 or GBK."))


def _read_csv(data: bytes, limits: ReadLimits | None) -> list[tuple[int, list]]:
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
    return lines


def blank(cells: list) -> bool:
    return all(cell is None or str(cell).strip() == "" for cell in cells)


def split_header(lines: list[tuple[int, list]]) -> tuple[list[str], list[tuple[int, list]]]:
    """The standard file's header, checked against the export's columns, and its lines."""
    lines = [(number, cells) for number, cells in lines if not blank(cells)]
    if not lines:
        raise ImportFileError(_("The file is empty."))
    aliases = column_aliases()
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
        raise UnknownColumns(
            _("The first line must name the columns %(expected)s (approximate and note may be left out); %(problems)s.")
            % {"expected": expected, "problems": "; ".join(problems)}
        )
    if len(set(header) - {""}) != len([c for c in header if c]):
        raise ImportFileError(_("The first line names a column twice."))
    return header, lines[1:]


def storable_table(header: list[str], lines: list[tuple[int, list]]) -> dict:
    """A file's header and lines as JSON keeps them, so that a file is read once: dates as their month."""

    def storable(cell):
        if isinstance(cell, datetime | date):
            return format_month(date(cell.year, cell.month, 1))
        return cell if cell is None or isinstance(cell, str | int | float | bool) else str(cell)

    return {"header": header, "lines": [[number, [storable(cell) for cell in cells]] for number, cells in lines]}
