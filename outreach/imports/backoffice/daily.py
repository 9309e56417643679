"""Figures of a month from a file's days: a month-end total is its last day's value, a month's increase the
sum of all its days. A month the file does not cover whole (it begins or ends inside it, or days or values
are missing) gives no figure: it is skipped, with the reason."""

from datetime import date, timedelta

from django.utils.translation import gettext as _

from outreach.imports.backoffice.cells import MISSING, count_cell, day_cell, is_sum_line, last_day, month_of
from outreach.imports.backoffice.reading import (
    INCREASE,
    MISSING_DAYS,
    MISSING_VALUE,
    PARTIAL_MONTH,
    TOTAL,
    MonthFigure,
    SkippedMonth,
    Source,
)
from outreach.imports.tables import ImportFileError


def month_figures(
    days: dict[date, tuple[int, object]], *, metric: str, kind: str, column: str
) -> tuple[list[MonthFigure], list[SkippedMonth]]:
    """`days` maps each day the file has to (its line, its value or MISSING)."""
    figures, skipped = [], []
    months = sorted({month_of(day) for day in days})
    for month in months:
        end = last_day(month)
        in_month = {day: found for day, found in days.items() if month_of(day) == month}
        first_day, last_seen = min(in_month), max(in_month)
        if kind == TOTAL:
            if end not in in_month and max(days) > end:  # the file goes on, but its month-end line is not there
                skipped.append(SkippedMonth(metric, month, MISSING_DAYS, {"days": [end.isoformat()]}))
                continue
            if end not in in_month:
                skipped.append(SkippedMonth(metric, month, PARTIAL_MONTH, {"last": last_seen.isoformat()}))
                continue
            line, value = in_month[end]
            if value is MISSING:
                skipped.append(SkippedMonth(metric, month, MISSING_VALUE, {"line": line, "column": column}))
                continue
            figures.append(MonthFigure(metric, month, TOTAL, value, Source(column, end, end, 1)))
            continue
        if first_day != month or last_seen != end:
            skipped.append(
                SkippedMonth(
                    metric, month, PARTIAL_MONTH, {"first": first_day.isoformat(), "last": last_seen.isoformat()}
                )
            )
            continue
        absent = [month + timedelta(days=n) for n in range(end.day) if month + timedelta(days=n) not in in_month]
        if absent:
            skipped.append(SkippedMonth(metric, month, MISSING_DAYS, {"days": [day.isoformat() for day in absent[:5]]}))
            continue
        missing = [(line, day) for day, (line, value) in sorted(in_month.items()) if value is MISSING]
        if missing:
            skipped.append(SkippedMonth(metric, month, MISSING_VALUE, {"line": missing[0][0], "column": column}))
            continue
        total = sum(value for _line, value in in_month.values())
        figures.append(MonthFigure(metric, month, INCREASE, total, Source(column, month, end, len(in_month))))
    return figures, skipped


def read_days(lines, start: int, day_index: int, day_column: str, value_index: int, value_column: str, parse):
    """{day: (line, value)} from the lines after the header at `start`; a day given twice is refused."""
    days: dict[date, tuple[int, object]] = {}
    for number, cells in lines[start + 1 :]:
        cell = cells[day_index] if day_index < len(cells) else None
        if cell is None or str(cell).strip() == "" or is_sum_line(cell):
            continue
        day = day_cell(cell, number, day_column)
        value = parse(cells[value_index] if value_index < len(cells) else None, number, value_column)
        if day in days:
            raise ImportFileError(
                _("Line %(line)s gives %(day)s again (line %(first)s gave it first).")
                % {"line": number, "day": day.isoformat(), "first": days[day][0]}
            )
        days[day] = (number, value)
    return days


def daily_columns(lines, start: int, index: dict[str, int], kinds: dict[str, str]):
    """The month figures of each of a daily file's columns (`kinds`: metric -> TOTAL or INCREASE), read from
    the lines after its header at `start` (`index`: column -> cell, "day" among them)."""
    header = lines[start][1]
    day_column = str(header[index["day"]])
    figures, skipped = [], []
    for metric, kind in kinds.items():
        column = str(header[index[metric]])
        days = read_days(lines, start, index["day"], day_column, index[metric], column, count_cell)
        read_figures, read_skipped = month_figures(days, metric=metric, kind=kind, column=column)
        figures += read_figures
        skipped += read_skipped
    return figures, skipped
