"""A file of yearly targets, read line by line: `platform,account,year,metric,kind,value,note` (the admin's
fields; `kind` and `note` may be left out: a total at the year's end, no note). Counts as people write them
(`2,900,000`, `290万`); figures and kinds by their names (`followers`) or their Chinese labels (`粉丝`). Pure:
the accounts are handed in, and the rule set's checks are the model's (`services.targets`)."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from outreach import metrics
from outreach.files.csv_writer import restore
from outreach.imports.plan import AccountLookup, count_cell
from outreach.imports.tables import ImportFileError, blank

TARGET_COLUMNS = ("platform", "account", "year", "metric", "kind", "value", "note")
REQUIRED_COLUMNS = ("platform", "account", "year", "metric", "value")

# The figures and kinds as a Chinese spreadsheet may name them, beside their codes.
_METRIC_NAMES = {
    "文章": "articles",
    "视频": "videos",
    "阅读量": "views",
    "播放量": "views",
    "浏览量": "views",
    "粉丝": "followers",
}
_KIND_NAMES = {"year_end": "year_end", "growth": "growth", "年末累计总量": "year_end", "全年增量": "growth"}


@dataclass
class TargetRow:
    """One line: the target it gives, or what is wrong with it (column, message)."""

    line: int
    account: object = None
    year: int | None = None
    metric: str = ""
    kind: str = "year_end"
    value: int | None = None
    note: str = ""
    errors: list[tuple[str, str]] = field(default_factory=list)

    def add_error(self, column: str, message) -> None:
        messages = getattr(message, "messages", None) or [str(message)]
        self.errors.extend((column, text) for text in messages)


def _year(text: str) -> int | None:
    """A year as written (`2024`, or a spreadsheet's `2024.0`); None when it is not a whole year."""
    try:
        value = float(text)
    except ValueError:
        return None
    return int(value) if value.is_integer() and 0 < value < 10_000 else None


def target_header(lines: list[tuple[int, list]]) -> tuple[list[str], list[tuple[int, list]]]:
    """The file's header (checked: the columns it needs, no unknown one) and its other lines."""
    lines = [(number, cells) for number, cells in lines if not blank(cells)]
    if not lines:
        raise ImportFileError(_("The file is empty."))
    header = [str(cell or "").strip().lstrip("\ufeff").lower() for cell in lines[0][1]]
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    if repeated:
        raise ImportFileError(_("The header names %(columns)s twice.") % {"columns": ", ".join(repeated)})
    unknown = [name for name in header if name and name not in TARGET_COLUMNS]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if unknown or missing:
        raise ImportFileError(
            _("A file of targets has the columns %(columns)s (kind and note may be left out); this one %(problem)s.")
            % {
                "columns": ", ".join(TARGET_COLUMNS),
                "problem": _("lacks %(missing)s") % {"missing": ", ".join(missing)}
                if missing
                else _("also has %(unknown)s") % {"unknown": ", ".join(unknown)},
            }
        )
    return header, lines[1:]


def target_rows(header: list[str], lines: list[tuple[int, list]], accounts: list) -> list[TargetRow]:
    """Each line read into a TargetRow, with an error for each cell that cannot be read."""
    find = AccountLookup(accounts)
    rows = []
    for number, cells in lines:
        values = {column: cells[index] if index < len(cells) else None for index, column in enumerate(header)}
        text = {column: restore(str(value).strip()) if value is not None else "" for column, value in values.items()}
        row = TargetRow(line=number)
        rows.append(row)
        row.account = find.account(text["platform"], text["account"], row.add_error)
        row.year = _year(text["year"])
        if text["year"] and row.year is None:
            row.add_error("year", _("“%(value)s” is not a year: write it as 2024.") % {"value": text["year"][:40]})
        if row.year is None and not any(column == "year" for column, _message in row.errors):
            row.add_error("year", _("The year is missing: write it as 2024."))
        metric = text["metric"].lower()
        row.metric = _METRIC_NAMES.get(text["metric"], metric)
        if row.metric not in metrics.METRICS:
            row.add_error(
                "metric",
                _("“%(value)s” is not a figure: use one of %(choices)s.")
                % {"value": text["metric"], "choices": ", ".join(metrics.METRICS)},
            )
        kind = text.get("kind", "").lower()
        row.kind = _KIND_NAMES.get(text.get("kind", ""), kind) or "year_end"
        if row.kind not in ("year_end", "growth"):
            row.add_error(
                "kind", _("“%(value)s” is not a kind of target: use year_end or growth.") % {"value": text["kind"]}
            )
        try:
            row.value = count_cell(values["value"])
            if row.value is None:
                row.add_error("value", _("The target is missing."))
        except ValidationError as error:
            row.add_error("value", error)
        row.note = text.get("note", "")
        if len(row.note) > 200:
            row.add_error(
                "note", _("A note has at most 200 characters; this one has %(count)d.") % {"count": len(row.note)}
            )
    return rows
