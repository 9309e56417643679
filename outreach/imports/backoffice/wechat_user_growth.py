"""WeChat Official Account admin → 用户分析 → 用户增长, exported: an HTML table under an .xls name (or, saved
again, a workbook or CSV), a title row above `时间, 新关注人数, 取消关注人数, 净增关注人数, 累积关注人数`, a row a day.
It fills followers at the end of each month it covers to the month's last day: 累积关注人数 of that day."""

from django.utils.translation import gettext_lazy as _

from outreach.imports.backoffice.cells import find_header, title_texts
from outreach.imports.backoffice.daily import daily_columns
from outreach.imports.backoffice.reading import TOTAL, Format, Reading

COLUMNS = {"day": ("时间", "日期"), "followers": ("累积关注人数", "累计关注人数", "总关注人数")}


def read(lines, today) -> Reading | None:
    found = find_header(lines, COLUMNS)
    if found is None:
        return None
    start, index = found
    figures, skipped = daily_columns(lines, start, index, {"followers": TOTAL})
    return Reading(format=FORMAT, titles=title_texts(lines, start), figures=figures, skipped=skipped)


FORMAT = Format(
    slug="wechat-user-growth",
    platform="wechat",
    name=_("WeChat user growth (用户增长)"),
    where=_("WeChat Official Account admin → 用户分析 → 用户增长, exported for the days wanted"),
    fills=_("followers at the end of each month whose last day the file holds (累积关注人数 of that day)"),
    read=read,
)
