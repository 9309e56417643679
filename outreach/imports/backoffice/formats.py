"""The back-office formats the import knows, tried in turn on a file's lines: the first that recognises it reads it."""

from datetime import date

from django.utils.translation import gettext as _

from outreach.imports.backoffice import douyin_daily, douyin_works, wechat_content_trend, wechat_user_growth
from outreach.imports.backoffice.reading import Format, MonthFigure, Reading, SkippedMonth, Source
from outreach.imports.tables import ImportFileError
from outreach.months import parse_month


def formats() -> list[Format]:
    """Every back-office format the import knows, in the order they are tried."""
    return [wechat_user_growth.FORMAT, wechat_content_trend.FORMAT, douyin_works.FORMAT, douyin_daily.FORMAT]


def format_named(slug: str) -> Format:
    """The format of this name; ImportFileError for a kept upload of a format this release no longer reads."""
    for known in formats():
        if known.slug == slug:
            return known
    raise ImportFileError(
        _("This upload is of a format that is no longer read (%(slug)s): upload the file again.") % {"slug": slug}
    )


def read_backoffice(lines: list[tuple[int, list]], today: date) -> Reading | None:
    """The file's reading by the first format that recognises it, or None when none does."""
    for known in formats():
        reading = known.read(lines, today)
        if reading is not None:
            return reading
    return None


def known_formats_sentence() -> str:
    """The back-office exports the import reads, named for the message of a file it does not."""
    return _("The back-office exports it reads: %(formats)s.") % {
        "formats": "; ".join(str(known.name) for known in formats())
    }


def reading_from_storable(stored: dict) -> Reading:
    """A reading as `Reading.storable` kept it."""
    return Reading(
        format=format_named(stored["format"]),
        figures=[
            MonthFigure(
                metric=figure["metric"],
                month=parse_month(figure["month"]),
                kind=figure["kind"],
                value=figure["value"],
                source=Source(
                    column=figure["source"]["column"],
                    first=date.fromisoformat(figure["source"]["first"]),
                    last=date.fromisoformat(figure["source"]["last"]),
                    count=figure["source"]["count"],
                    counted=figure["source"]["counted"],
                ),
            )
            for figure in stored["figures"]
        ],
        skipped=[
            SkippedMonth(skip["metric"], parse_month(skip["month"]), skip["reason"], skip["params"])
            for skip in stored["skipped"]
        ],
        notes=stored["notes"],
        titles=stored["titles"],
    )
