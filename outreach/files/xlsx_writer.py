"""XLSX workbooks of a download's rows, written in openpyxl's write-only mode."""

import tempfile
from collections.abc import Iterable
from datetime import date

import openpyxl
from openpyxl.cell import WriteOnlyCell

from outreach.months import format_month


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
