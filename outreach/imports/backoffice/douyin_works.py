"""Douyin 创作者服务中心 → 作品数据 → the list of works, exported: `作品名称, 发布时间, 体裁, 审核状态, 播放量, ...`, a
row a work, numbers as text. It fills the videos published in each month from its first work's to its last
work's (the works whose 发布时间 falls in the month, those not public left out), but not a month that has not
ended yet. Its 播放量 are the plays of each work since it was published, whatever the month: they are not a
month's plays, and fill nothing (the daily data export gives those)."""

from django.utils.translation import gettext_lazy as _

from outreach.imports.backoffice.cells import day_cell, find_header, is_sum_line, last_day, month_of, title_texts
from outreach.imports.backoffice.reading import (
    INCREASE,
    MONTH_NOT_OVER,
    Format,
    MonthFigure,
    Reading,
    SkippedMonth,
    Source,
)
from outreach.months import add_months

COLUMNS = {
    "title": ("作品名称", "作品标题", "标题"),
    "published": ("发布时间", "发布日期"),
    "plays": ("播放量", "播放次数"),
}
STATUS = {"status": ("审核状态", "状态")}
KIND = {"kind": ("体裁", "作品类型")}
# What 体裁 says of a post that is not a video (a photo post): not counted among the videos.
NOT_VIDEOS = ("图文", "图集", "图片")
# What 审核状态 says of a work that is not out: not counted as published.
NOT_PUBLISHED = ("审核中", "未通过", "不通过", "私密", "仅自己可见", "已删除", "删除", "草稿", "定时发布")
PLAYS_ARE_LIFETIME = "plays-are-lifetime"
LIST_MUST_BE_WHOLE = "list-must-be-whole"


def read(lines, today) -> Reading | None:
    found = find_header(lines, COLUMNS)
    if found is None:
        return None
    start, index = found
    header = lines[start][1]
    status = find_header(lines[start : start + 1], STATUS)
    status_index = status[1]["status"] if status else None
    kind = find_header(lines[start : start + 1], KIND)
    kind_index = kind[1]["kind"] if kind else None
    published_column = str(header[index["published"]])
    days = []
    for number, cells in lines[start + 1 :]:
        cell = cells[index["published"]] if index["published"] < len(cells) else None
        if cell is None or str(cell).strip() == "" or is_sum_line(cells[index["title"]]):
            continue
        state = str(cells[status_index] or "") if status_index is not None and status_index < len(cells) else ""
        genre = str(cells[kind_index] or "") if kind_index is not None and kind_index < len(cells) else ""
        if any(word in state for word in NOT_PUBLISHED) or any(word in genre for word in NOT_VIDEOS):
            continue
        days.append(day_cell(cell, number, published_column))
    figures, skipped = [], []
    if days:
        month, newest = month_of(min(days)), month_of(max(days))
        while month <= newest:
            in_month = sorted(day for day in days if month_of(day) == month)
            if last_day(month) >= today:
                skipped.append(SkippedMonth("videos", month, MONTH_NOT_OVER, {"today": today.isoformat()}))
            else:
                first, last = (in_month[0], in_month[-1]) if in_month else (month, last_day(month))
                source = Source(published_column, first, last, len(in_month), counted="works")
                figures.append(MonthFigure("videos", month, INCREASE, len(in_month), source))
            month = add_months(month, 1)
    return Reading(
        format=FORMAT,
        titles=title_texts(lines, start),
        figures=figures,
        skipped=skipped,
        notes=[LIST_MUST_BE_WHOLE, PLAYS_ARE_LIFETIME],
    )


FORMAT = Format(
    slug="douyin-works",
    platform="douyin",
    name=_("Douyin list of works (作品数据)"),
    where=_("Douyin 创作者服务中心 → 作品数据 → the list of works, exported"),
    fills=_(
        "videos published in each month from the first work's month to the last one's (a month not yet over is "
        "left out), added to the previous month's total; not plays"
    ),
    read=read,
    notes={
        PLAYS_ARE_LIFETIME: _(
            "Its 播放量 are each work's plays since it was published, not the plays of a month: they fill "
            "nothing. Douyin's daily data export gives the month's plays."
        ),
        LIST_MUST_BE_WHOLE: _(
            "Videos are counted from the works the list holds: export it after the month's end, with every "
            "work of the month (those not public, and photo posts, are not counted)."
        ),
    },
)
