"""Douyin 创作者服务中心 → 数据中心 → daily data, exported as CSV (GBK): `日期, 投稿量, 总播放量, 总点赞量, ...`, a
row a day, dates as 20240301, plays with thousands separators. It fills, for each month it covers whole, the
videos published (the sum of 投稿量) and the plays of the month (the sum of 总播放量), each added to the month
before's total."""

from django.utils.translation import gettext_lazy as _

from outreach.imports.backoffice.cells import find_header, title_texts
from outreach.imports.backoffice.daily import daily_columns
from outreach.imports.backoffice.reading import INCREASE, Format, Reading

COLUMNS = {"day": ("日期", "时间"), "videos": ("投稿量", "投稿数", "发布作品数"), "views": ("总播放量", "播放量")}


def read(lines, today) -> Reading | None:
    found = find_header(lines, COLUMNS)
    if found is None:
        return None
    start, index = found
    figures, skipped = daily_columns(lines, start, index, {"videos": INCREASE, "views": INCREASE})
    return Reading(format=FORMAT, titles=title_texts(lines, start), figures=figures, skipped=skipped)


FORMAT = Format(
    slug="douyin-daily",
    platform="douyin",
    name=_("Douyin daily data (数据中心)"),
    where=_("Douyin 创作者服务中心 → the daily play data, exported as CSV for the days wanted"),
    fills=_(
        "videos published (the sum of 投稿量) and plays (the sum of 总播放量) in each month the file covers "
        "completely, added to the previous month's totals"
    ),
    read=read,
)
