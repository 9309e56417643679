"""WeChat admin → 内容分析 → trend, exported: a binary Excel 97 workbook with three header rows and three
tables side by side (readers by channel; shares, clicks, saves and 发表篇数 per day; the articles). It fills the
articles published in each month it covers whole: the sum of 发表篇数. Its 阅读人数 counts readers, not reads
(阅读次数), so it fills no views."""

from django.utils.translation import gettext_lazy as _

from outreach.imports.backoffice.cells import find_header, header_key, title_texts
from outreach.imports.backoffice.daily import daily_columns
from outreach.imports.backoffice.reading import INCREASE, Format, Reading

COLUMNS = {"day": ("日期",), "articles": ("发表篇数", "发文篇数", "发表文章数")}
READERS_NOT_READS = "readers-not-reads"


def read(lines, today) -> Reading | None:
    found = find_header(lines, COLUMNS)
    if found is None:
        return None
    start, index = found
    header = lines[start][1]
    # Each of the side-by-side tables has its own 日期: the articles' is the nearest to the left of 发表篇数.
    left_of_articles = [i for i in range(index["articles"]) if header_key(header[i]) == header_key("日期")]
    if left_of_articles:
        index["day"] = left_of_articles[-1]
    figures, skipped = daily_columns(lines, start, index, {"articles": INCREASE})
    return Reading(
        format=FORMAT, titles=title_texts(lines, start), figures=figures, skipped=skipped, notes=[READERS_NOT_READS]
    )


FORMAT = Format(
    slug="wechat-content-trend",
    platform="wechat",
    name=_("WeChat content trend (内容分析)"),
    where=_("WeChat Official Account admin → 内容分析 → its trend, exported for the days wanted"),
    fills=_(
        "articles published in each month the file covers completely (the sum of 发表篇数), added to the previous "
        "month's total"
    ),
    read=read,
    notes={
        READERS_NOT_READS: _(
            "Its 阅读人数 counts readers, not reads (阅读次数): it fills no views. Enter the month's reads by hand."
        )
    },
)
