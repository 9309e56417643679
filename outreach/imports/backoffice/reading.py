"""What a back-office file gives: monthly figures of explicit meaning, the months it skips and why."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.utils.functional import Promise

from outreach.months import format_month

# What a figure of a back-office file is.
TOTAL = "total"  # the account's figure at the month's end (followers: 累积关注人数 of its last day)
INCREASE = "increase"  # what the month added (published in it, played in it): added to the month before's total


@dataclass(frozen=True)
class Source:
    """Where in the file a figure comes from, for the preview's explanation of it."""

    column: str  # the header as the file writes it (累积关注人数, 投稿量)
    first: date  # the days (or the works' publication days) it was read from
    last: date
    count: int = 0  # how many days it sums, or works it counts
    counted: str = "days"  # "days" (a column summed over them) or "works" (the works published, counted)


@dataclass(frozen=True)
class MonthFigure:
    metric: str
    month: date
    kind: str
    value: int
    source: Source


@dataclass(frozen=True)
class SkippedMonth:
    """A month the file touches but does not give a figure of, and why (`reason` and its `params`)."""

    metric: str
    month: date
    reason: str  # PARTIAL_MONTH, MISSING_DAYS, MISSING_VALUE, MONTH_NOT_OVER
    params: dict = field(default_factory=dict)


PARTIAL_MONTH = "partial"  # the file begins after the month's first day or ends before its last
MISSING_DAYS = "missing-days"  # days of the month are not in the file
MISSING_VALUE = "missing-value"  # a day's cell is empty or "-"
MONTH_NOT_OVER = "not-over"  # the month had not ended when the file was read


@dataclass(frozen=True)
class Reading:
    """What a back-office file gives: its format, its figures, the months it skips, and notes about it."""

    format: "Format"
    figures: list[MonthFigure]
    skipped: list[SkippedMonth]
    notes: list[str] = field(default_factory=list)  # codes the format explains (Format.notes)
    # The text above the header (a title, a date range, sometimes the account's name): where a file names
    # its account, the upload need not ask for it.
    titles: list[str] = field(default_factory=list)

    def storable(self) -> dict:
        """As JSON keeps it (`SnapshotImport.table`), so that a file is read once."""
        return {
            "format": self.format.slug,
            "figures": [
                {
                    "metric": figure.metric,
                    "month": format_month(figure.month),
                    "kind": figure.kind,
                    "value": figure.value,
                    "source": {
                        "column": figure.source.column,
                        "first": figure.source.first.isoformat(),
                        "last": figure.source.last.isoformat(),
                        "count": figure.source.count,
                        "counted": figure.source.counted,
                    },
                }
                for figure in self.figures
            ],
            "skipped": [
                {"metric": skip.metric, "month": format_month(skip.month), "reason": skip.reason, "params": skip.params}
                for skip in self.skipped
            ],
            "notes": self.notes,
            "titles": self.titles,
        }


@dataclass(frozen=True)
class Format:
    """One back-office export: what it is called, which platform's it is, what it fills, and its reader."""

    slug: str
    platform: str  # the platform's slug
    name: str | Promise
    where: str | Promise  # where in the back office it is downloaded (as the public parsers of it describe)
    fills: str | Promise
    # The file's lines -> its reading, or None when the lines are not this format. `today` bounds what a
    # list of works can tell of a month not yet over.
    read: Callable[[list[tuple[int, list]], date], Reading | None]
    notes: dict[str, str | Promise] = field(default_factory=dict)
