"""Reading a back-office file's cells as the platforms write them: headers with or without units and suffixes,
numbers with separators or as "-", and dates in every form their exports use. Errors name the line and column.
"""

import calendar
import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils.translation import gettext as _

from outreach.imports.tables import ImportFileError
from outreach.metrics import COUNT_MAX

# A unit or remark in brackets after a header's name, full- or half-width: 播放量（次）, 播放量(次), 时长[秒].
_BRACKETED = re.compile(r"[(\[【（][^)\]】）]*[)\]】）]")
# Suffixes a header may have or not: 新关注人数 and 新关注, 播放次数 and 播放. People (人数, 人) and times (次数,
# 量) are told apart: 阅读人数 counts readers, 阅读次数 reads, and one never stands for the other.
_PEOPLE_SUFFIXES = ("人数", "人")
_TIMES_SUFFIXES = ("次数", "数量", "量", "数", "次")


def header_name(cell) -> str:
    """A header's name as written, with what varies between exports taken away: width, spaces, brackets."""
    text = unicodedata.normalize("NFKC", str(cell or "")).strip().lstrip("\ufeff")
    return _BRACKETED.sub("", text).replace(" ", "")


def header_key(cell) -> tuple[str, str]:
    """A header's name without its suffix, and what the suffix says it counts ("people", "times" or "")."""
    text = header_name(cell)
    for kind, suffixes in (("people", _PEOPLE_SUFFIXES), ("times", _TIMES_SUFFIXES)):
        for suffix in suffixes:
            if text.endswith(suffix) and len(text) > len(suffix):
                return text[: -len(suffix)], kind
    return text, ""


def _matches(cell, name: str) -> bool:
    """Whether a header cell names this column: the same stem, and not people for times nor times for people."""
    stem, kind = header_key(cell)
    wanted_stem, wanted_kind = header_key(name)
    return stem == wanted_stem and (kind == wanted_kind or "" in (kind, wanted_kind))


def _column_index(cells: list, names: tuple[str, ...]) -> int | None:
    """The cell naming the column: by its names in their order, the name as written before a near one."""
    for name in names:
        exact = header_name(name)
        for index, cell in enumerate(cells):
            if header_name(cell) == exact:
                return index
    for name in names:
        for index, cell in enumerate(cells):
            if _matches(cell, name):
                return index
    return None


def find_header(lines: list[tuple[int, list]], wanted: dict[str, tuple[str, ...]], *, within: int = 10):
    """The first of the first `within` lines that names every wanted column (by any of its names, as
    `_column_index` finds them): (its position in `lines`, {column: cell index}), or None."""
    for position, (_number, cells) in enumerate(lines[:within]):
        found = {}
        for column, names in wanted.items():
            index = _column_index(cells, names)
            if index is None:
                break
            found[column] = index
        else:
            return position, found
    return None


MISSING = object()  # a cell the export left empty or wrote as "-"


_COUNT_TEXT = re.compile(r"\d{1,15}(\.0*)?")


def count_cell(value, line: int, column: str):
    """A count as an export writes it (3,593 or 3593.0, as text or a number), or MISSING for "-" and empty.
    Anything else (a rate, an exponent as Excel writes a long number, a boolean) is refused with its line."""
    if value is None:
        return MISSING
    if isinstance(value, bool):
        raise _cell_error(line, column, value)
    if isinstance(value, int | float):
        if isinstance(value, float) and not (value.is_integer() and 0 <= value <= COUNT_MAX):
            raise _cell_error(line, column, value)
        number = int(value)
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "").replace(" ", "")
        if text in ("", "-", "--", "—", "/"):
            return MISSING
        if not _COUNT_TEXT.fullmatch(text):
            raise _cell_error(line, column, value)
        number = int(Decimal(text))
    if not 0 <= number <= COUNT_MAX:
        raise _cell_error(line, column, value)
    return number


def _cell_error(line: int, column: str, value) -> ImportFileError:
    return ImportFileError(
        _("Line %(line)s, column %(column)s: “%(value)s” is not a count (a whole number, or “-” where there is none).")
        % {"line": line, "column": column, "value": value}
    )


_DAY_FORMS = (
    re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"),
    re.compile(r"(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})"),
    re.compile(r"(?P<y>\d{4})\.(?P<m>\d{1,2})\.(?P<d>\d{1,2})"),
    re.compile(r"(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日?"),
    re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})"),
)
# Excel counts days from 1899-12-30 (its leap-year error included); serials of 1990 to 2100 are dates.
_EXCEL_EPOCH = date(1899, 12, 30)
_EXCEL_SERIALS = range(32874, 73051)


def day_cell(value, line: int, column: str) -> date:
    """A day as exports write it: 2024-03-14, 20240314, 2024-03-14 14:11:20, 2024/3/14, 2024年3月14日, a date or
    datetime from a workbook, or an Excel serial number (45365)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if int(value) in _EXCEL_SERIALS:  # a time of day is the fraction
            return _EXCEL_EPOCH + timedelta(days=int(value))
        value = str(int(value)) if float(value).is_integer() else str(value)
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    serial = re.fullmatch(r"(\d{5})(\.\d+)?", text)
    if serial and int(serial[1]) in _EXCEL_SERIALS:
        return _EXCEL_EPOCH + timedelta(days=int(serial[1]))
    day_part = text.split(" ")[0].split("T")[0]
    for form in _DAY_FORMS:
        matched = form.fullmatch(day_part)
        if matched:
            try:
                return date(int(matched["y"]), int(matched["m"]), int(matched["d"]))
            except ValueError:
                break
    raise ImportFileError(
        _("Line %(line)s, column %(column)s: “%(value)s” is not a day (write it as 2024-03-14).")
        % {"line": line, "column": column, "value": value}
    )


def month_of(day: date) -> date:
    return day.replace(day=1)


def last_day(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def title_texts(lines: list[tuple[int, list]], header_position: int) -> list[str]:
    """The text of the cells above the header: titles, a date range, an account's name."""
    return [
        str(cell).strip() for _number, cells in lines[:header_position] for cell in cells if str(cell or "").strip()
    ]


# A line that sums the others instead of giving a day (合计, 总计): not a day of the file.
SUM_LINES = ("合计", "总计", "汇总", "总和", "total", "sum")


def is_sum_line(cell) -> bool:
    return unicodedata.normalize("NFKC", str(cell or "")).strip().lower() in SUM_LINES
