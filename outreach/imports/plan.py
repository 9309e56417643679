"""What importing a file's lines would do, row by row: each line read into figures (thousands separators, Chinese
months, 万), then checked with the one rule set against what is recorded and the file's other rows. Pure: the
database's part is handed in.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from outreach import metrics, numbers, rules
from outreach.files.columns import COLUMN_LABELS
from outreach.files.csv_writer import restore
from outreach.imports.tables import blank
from outreach.months import month_label, parse_month


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
    # The figures the line gives, where it gives only some (a back-office file): the others are left as
    # recorded, never emptied. None: a standard file's line, which gives them all (an empty cell empties).
    given: set[str] | None = None
    # How each figure was arrived at (a back-office file's preview explains every figure).
    explanations: list[str] = field(default_factory=list)

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
    # A back-office file's format, and what the preview says of the file beyond its rows (months it does
    # not give whole, what its columns are not).
    format_name: str = ""
    notes: list[str] = field(default_factory=list)

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
            f"{row.line}:{row.account.pk if row.account else ''}:{row.period}:{row.status}:"
            f"{row.existing.version if row.existing else ''}:"
            + ",".join(str(row.figures.get(metric)) for metric in metrics.METRICS)
            for row in self.rows
        )
        return hashlib.sha256(steps.encode()).hexdigest()[:32]


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


def count_cell(value):
    """A count from a file's cell: as typed, or a spreadsheet's number (`2900000.0`, whole only)."""
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


class AccountLookup:
    """The accounts a file's lines name: by platform (its slug or its name in either language) and account name
    (in either language), case aside; the one reading of those two columns, for every kind of file."""

    def __init__(self, accounts: list):
        self.by_platform: dict[str, object] = {}
        self.by_name: dict[tuple[int, str], object] = {}
        for account in accounts:
            platform = account.platform
            for key in (platform.slug, platform.name_en, platform.name_zh):
                self.by_platform[key.lower()] = platform
            for name in (account.name, account.name_zh):
                if name:
                    self.by_name[(platform.pk, name.strip().lower())] = account
        self.platform_choices = ", ".join(sorted({p.slug for p in self.by_platform.values()}))

    def account(self, platform_text: str, account_text: str, add_error: Callable[[str, str], None]):
        """The account a line names, or None with the error said to `add_error(column, message)`."""
        platform = self.by_platform.get(platform_text.lower())
        if platform is None:
            add_error(
                "platform",
                _("“%(value)s” is not a platform: use one of %(choices)s.")
                % {"value": platform_text, "choices": self.platform_choices},
            )
            return None
        account = self.by_name.get((platform.pk, account_text.lower()))
        if account is None:
            add_error(
                "account",
                _("%(platform)s has no account named “%(name)s”: add it in the admin first.")
                % {"platform": platform, "name": account_text},
            )
        return account


def parse_rows(
    header: list[str], lines: list[tuple[int, list]], accounts: list, progress: Progress | None = None
) -> list[ImportRow]:
    """Each line read into an ImportRow, with errors for cells that cannot be read."""
    find = AccountLookup(accounts)
    rows = []
    for position, (number, cells) in enumerate(lines, start=1):
        if progress is not None and position % 1000 == 0:
            progress(position, len(lines))
        if len(cells) > len(header) and not blank(cells[len(header) :]):
            row = ImportRow(line=number, cells={})
            row.add_error("", _("This line has more cells than the header names columns."))
            rows.append(row)
            continue
        values = {column: (cells[index] if index < len(cells) else None) for index, column in enumerate(header)}
        row = ImportRow(line=number, cells=values)
        rows.append(row)
        text = {column: restore(str(value).strip()) if value is not None else "" for column, value in values.items()}
        row.account = find.account(text["platform"], text["account"], row.add_error)
        try:
            row.period = _month(values["period"]) if text["period"] else None
            if row.period is None:
                row.add_error("period", _("The month is missing: write it as YYYY-MM, e.g. 2024-03."))
        except ValidationError as error:
            row.add_error("period", error)
        for metric in metrics.METRICS:
            try:
                row.figures[metric] = count_cell(values[metric])
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

    `context` (a `selectors.imports.ImportContext`) holds the snapshots recorded at the file's months and around them.
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
        if row.given is not None:
            _keep_what_is_not_given(row)
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


def _keep_what_is_not_given(row: ImportRow) -> None:
    """A line that gives only some figures leaves the others as recorded (empty where nothing is)."""
    snapshot = row.existing
    for metric in metrics.METRICS:
        if metric not in row.given:
            row.figures[metric] = snapshot.figures[metric] if snapshot is not None else None
    if snapshot is not None:
        # What the preview says of the figures recorded already: those it replaces, and those it keeps.
        name = {metric: metrics.metric_label(metric, [row.account.platform]) for metric in metrics.METRICS}
        for metric in metrics.METRICS:
            recorded, value = snapshot.figures[metric], row.figures[metric]
            if metric in row.given and recorded is not None and value is not None and recorded != value:
                row.explanations.append(
                    _("%(figure)s: %(value)s replaces the %(recorded)s recorded.")
                    % {
                        "figure": name[metric],
                        "value": numbers.format_count(value),
                        "recorded": numbers.format_count(recorded),
                    }
                )
            elif metric not in row.given and recorded is not None:
                row.explanations.append(
                    _("%(figure)s: %(recorded)s as recorded, kept (this file does not give them).")
                    % {"figure": name[metric], "recorded": numbers.format_count(recorded)}
                )
        if row.approximate is None:
            row.approximate = snapshot.approximate  # a lower bound stays one
    if snapshot is not None and snapshot.is_illustrative:
        row.add_error(
            "",
            _("%(month)s holds illustrative figures: replace them with real ones in the month grid first.")
            % {"month": month_label(row.period)},
        )


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
