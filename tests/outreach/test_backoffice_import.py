"""Back-office exports imported as staff do it: upload the file as downloaded, say which account it is of,
read the preview's explanation of every figure, confirm; and by the command. The four sample files, then
variants of them generated as real exports vary (headers, numbers, encodings, dates, a month cut short).
"""

import io
import re
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from webtest import Upload

from outreach.imports.backoffice.formats import read_backoffice
from outreach.imports.tables import ImportFileError, read_lines
from outreach.models import MetricSnapshot, MonthlyTotal, SnapshotImport
from tests.factories import AccountFactory
from tests.pages import form_posting_to, text_of

pytestmark = pytest.mark.django_db

# The samples of ../shared/samples/backoffice (laid out as the platforms export them), kept with the tests.
SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "backoffice"
MARCH = date(2024, 3, 1)
KNOWN = (
    "WeChat user growth (用户增长); WeChat content trend (内容分析); Douyin list of works (作品数据); Douyin daily data"
)


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def upload(app, name: str, data: bytes):
    """The import page as rendered, the file chosen, submitted; the page it leads to."""
    form = form_posting_to(app.get(reverse("admin:outreach_import")))
    form["file"] = Upload(name, data)
    page = form.submit()
    return page.follow() if page.status_int == 302 else page


def choose(page, account):
    """On the page asking which account the file is of, choose it as a person does in the list it renders."""
    form = form_posting_to(page)
    form["account"] = str(account.pk)
    result = form.submit()
    return result.follow() if result.status_int == 302 else result


def confirm(preview):
    return form_posting_to(preview).submit()


def snapshot(account, month=MARCH) -> MetricSnapshot:
    return MetricSnapshot.objects.get(account=account, period=month)


# --- the four samples, as downloaded ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "platform", "figures"),
    [
        ("wechat-user-growth-2024-03.xls", "wechat", {"followers": ("total", 2_670_944)}),
        ("wechat-content-trend-2024-03.xls", "wechat", {"articles": ("increase", 22)}),
        ("douyin-works-2024-03.xlsx", "douyin", {"videos": ("increase", 12)}),
        ("douyin-daily-2024-03.csv", "douyin", {"videos": ("increase", 10), "views": ("increase", 553_321)}),
    ],
)
def test_each_sample_is_recognised_by_its_content_and_read_as_its_readme_says(name, platform, figures):
    # Under another name too: the content says what a file is.
    reading = read_backoffice(read_lines(sample(name), "download.dat"), date(2026, 12, 4))

    assert reading.format.platform == platform
    assert {f.metric: (f.kind, f.value) for f in reading.figures if f.month == MARCH} == figures
    assert reading.skipped == []


def test_wechat_followers_from_the_user_growth_export_through_the_admin(seeded, staff_app):
    wechat = seeded["wechat"]
    before = snapshot(wechat, date(2024, 2, 1))

    asking = upload(staff_app, "wechat-user-growth-2024-03.xls", sample("wechat-user-growth-2024-03.xls"))
    assert "WeChat user growth (用户增长) export" in text_of(asking)
    offered = [option[2] for option in form_posting_to(asking)["account"].options]
    assert offered == [str(wechat)], "only the accounts of the export's platform are offered"
    preview = choose(asking, wechat)
    assert "Followers at the end of March 2024: 2,670,944 — 累积关注人数 on 2024-03-31" in text_of(preview)
    assert "1 to create" in text_of(preview)
    assert not MetricSnapshot.objects.filter(period=MARCH).exists(), "nothing is written before confirming"
    assert confirm(preview).status_int == 302

    march = snapshot(wechat)
    assert march.followers == 2_670_944
    assert (march.articles, march.views) == (None, None), "a figure the file does not give is left empty, not 0"
    assert snapshot(wechat, date(2024, 2, 1)).figures == before.figures
    record = SnapshotImport.objects.get()
    assert (record.format, record.account, record.created_count) == ("wechat-user-growth", wechat, 1)
    assert bytes(record.content) == sample("wechat-user-growth-2024-03.xls")
    reason = march.history.first().history_change_reason
    assert "wechat-user-growth-2024-03.xls" in reason and "wechat-user-growth" in reason


def test_an_increase_is_added_to_the_month_before_and_the_other_figures_are_left_alone(seeded, staff_app):
    wechat = seeded["wechat"]
    preview = choose(upload(staff_app, "growth.xls", sample("wechat-user-growth-2024-03.xls")), wechat)
    confirm(preview)
    preview = choose(upload(staff_app, "trend.xls", sample("wechat-content-trend-2024-03.xls")), wechat)
    february = snapshot(wechat, date(2024, 2, 1)).articles

    text = text_of(preview)
    assert (
        f"Articles at the end of March 2024: {february + 22:,} = February 2024's {february:,} + 22 published in "
        "March 2024 (the sum of 发表篇数 over its 31 days)"
    ) in text
    assert "阅读人数 counts readers, not reads" in text
    assert confirm(preview).status_int == 302
    march = snapshot(wechat)
    assert (march.articles, march.followers, march.views) == (february + 22, 2_670_944, None)


def test_douyin_daily_data_fills_videos_and_plays_of_the_month(seeded, staff_app):
    douyin = seeded["douyin"]
    february = snapshot(douyin, date(2024, 2, 1))
    preview = choose(upload(staff_app, "daily.csv", sample("douyin-daily-2024-03.csv")), douyin)

    assert (
        f"Videos at the end of March 2024: {february.videos + 10:,} = February 2024's {february.videos:,} + 10 "
        "published in March 2024"
    ) in text_of(preview)
    assert f"= February 2024's {february.views:,} + 553,321 in March 2024 (the sum of 总播放量" in text_of(preview)
    confirm(preview)
    march = snapshot(douyin)
    assert (march.videos, march.views) == (february.videos + 10, february.views + 553_321)


def test_the_douyin_list_of_works_fills_videos_and_says_why_not_plays(seeded, staff_app):
    douyin = seeded["douyin"]
    preview = choose(upload(staff_app, "works.xlsx", sample("douyin-works-2024-03.xlsx")), douyin)

    text = text_of(preview)
    assert (
        "+ 12 published in March 2024 (the works with a 发布时间 in the month, the first on 2024-03-01, "
        "the last on 2024-03-23)" in text
    )
    assert "not the plays of a month: they fill nothing" in text
    confirm(preview)
    assert snapshot(douyin).views is None
    assert snapshot(douyin).videos == snapshot(douyin, date(2024, 2, 1)).videos + 12


def test_a_month_from_the_back_office_equals_the_same_month_typed_in_the_grid(seeded, staff_app):
    wechat, douyin = seeded["wechat"], seeded["douyin"]
    for name, account in (
        ("wechat-user-growth-2024-03.xls", wechat),
        ("wechat-content-trend-2024-03.xls", wechat),
        ("douyin-daily-2024-03.csv", douyin),
    ):
        assert confirm(choose(upload(staff_app, name, sample(name)), account)).status_int == 302
    imported = {s.account_id: s.figures for s in MetricSnapshot.objects.filter(period=MARCH)}
    totals = sorted(MonthlyTotal.objects.filter(period=MARCH).values_list("platform_id", "metric", "total"))
    MetricSnapshot.objects.filter(period=MARCH).delete()
    call_command("refresh_monthly_totals", verbosity=0)

    page = staff_app.get(reverse("admin:outreach_month_grid") + "?period=2024-03")
    grid = next(form for form in page.forms.values() if (form.action or "").startswith("?period="))
    for account_id, figures in imported.items():
        for metric, value in figures.items():
            if value is not None:
                grid[f"account-{account_id}-{metric}"] = f"{value:,}"
    assert grid.submit().status_int == 302

    assert {s.account_id: s.figures for s in MetricSnapshot.objects.filter(period=MARCH)} == imported
    assert sorted(MonthlyTotal.objects.filter(period=MARCH).values_list("platform_id", "metric", "total")) == totals


def test_the_preview_speaks_chinese(seeded, staff_app):
    staff_app.set_cookie("django_language", "zh-hans")
    with translation.override("zh-hans"):
        preview = choose(upload(staff_app, "growth.xls", sample("wechat-user-growth-2024-03.xls")), seeded["wechat"])

    text = text_of(preview)
    assert "2024年3月末粉丝：2,670,944 —— 2024-03-31 的累积关注人数" in text
    assert "导入到上海科技馆 · 微信公众号" in text and "at the end" not in text


# --- what is refused, and what is not written --------------------------------------------------------------


def test_an_increase_with_no_month_before_is_refused_saying_what_to_enter_first(seeded, staff_app):
    douyin = seeded["douyin"]
    MetricSnapshot.objects.filter(account=douyin).delete()
    call_command("refresh_monthly_totals", verbosity=0)
    preview = choose(upload(staff_app, "daily.csv", sample("douyin-daily-2024-03.csv")), douyin)

    assert "Enter the videos at the end of February 2024 first" in text_of(preview)
    assert "1 refused" in text_of(preview)
    assert not any(form.method.lower() == "post" and "digest" in form.fields for form in preview.forms.values())
    assert not MetricSnapshot.objects.filter(account=douyin).exists()


def test_a_file_that_stops_before_the_months_end_writes_nothing_for_that_month(seeded, staff_app):
    cut = daily_csv(days(date(2024, 3, 1), 14))
    preview = choose(upload(staff_app, "daily.csv", cut), seeded["douyin"])

    text = text_of(preview)
    assert "the file covers 2024-03-01 to 2024-03-14, not the whole month" in text
    assert "gives no figure that can be imported" in text
    assert not MetricSnapshot.objects.filter(period=MARCH).exists()


def test_followers_are_taken_at_a_months_end_only(seeded, staff_app):
    # From February 15 to March 14: February's end is in the file, March's is not.
    growth = user_growth_html(days(date(2024, 2, 15), 29), start=2_600_000)
    preview = choose(upload(staff_app, "growth.xls", growth), seeded["wechat"])

    text = text_of(preview)
    assert "Followers at the end of February 2024: 2,600,014 — 累积关注人数 on 2024-02-29" in text
    assert "March 2024: the file ends on 2024-03-14, before the month's end" in text
    confirm(preview)
    assert snapshot(seeded["wechat"], date(2024, 2, 1)).followers == 2_600_014
    assert not MetricSnapshot.objects.filter(period=MARCH).exists()


def test_a_file_of_no_known_format_says_which_are_known(seeded, staff_app):
    page = upload(staff_app, "notes.csv", "日期,心情\r\n2024-03-01,好\r\n".encode())

    assert KNOWN in text_of(page)
    assert not SnapshotImport.objects.exists()


def test_the_command_imports_a_back_office_file_to_the_account_given(seeded, tmp_path):
    path = tmp_path / "download.xls"
    path.write_bytes(sample("wechat-user-growth-2024-03.xls"))
    with pytest.raises(CommandError, match="names no account") as refused:
        call_command("import_snapshots", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert str(seeded["wechat"].pk) in str(refused.value)

    call_command("import_snapshots", str(path), "--account", "上海科技馆", stdout=io.StringIO(), stderr=io.StringIO())

    assert snapshot(seeded["wechat"]).followers == 2_670_944
    assert SnapshotImport.objects.get().format == "wechat-user-growth"


def test_the_command_refuses_an_account_of_another_platform(seeded, tmp_path):
    path = tmp_path / "daily.csv"
    path.write_bytes(sample("douyin-daily-2024-03.csv"))

    with pytest.raises(CommandError, match=KNOWN.replace("(", r"\(").replace(")", r"\)")):
        call_command("import_snapshots", str(path), "--account", str(seeded["wechat"].pk), stdout=io.StringIO())
    assert not MetricSnapshot.objects.filter(period=MARCH).exists()


# --- variations real files have --------------------------------------------------------------------------


def days(first: date, count: int) -> list[date]:
    return [first + timedelta(days=n) for n in range(count)]


def daily_csv(
    dates, *, header=("日期", "投稿量", "总播放量", "5秒完播率"), encoding="gbk", day_form="%Y%m%d", plays=None
) -> bytes:
    lines = [",".join(header)]
    for n, day in enumerate(dates):
        played = plays[n] if plays is not None else f'"{1000 + n:,}"'
        lines.append(f"{day.strftime(day_form)},{n % 2},{played},12.22%")
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def user_growth_html(dates, *, start: int, titles=("用户增长",), header=None) -> bytes:
    header = header or ("时间", "新关注人数", "取消关注人数", "净增关注人数", "累积关注人数")
    rows = [f'<tr><th colspan="5">{title}</th></tr>' for title in titles]
    rows.append("<tr>" + "".join(f"<th>{name}</th>" for name in header) + "</tr>")
    for n, day in enumerate(dates):
        rows.append(f"<tr><td>{day.isoformat()}</td><td>2</td><td>1</td><td>1</td><td>{start + n}</td></tr>")
    return f"<html><body><table>{''.join(rows)}</table></body></html>".encode()


MARCH_DAYS = days(MARCH, 31)
EXPECTED_PLAYS = sum(1000 + n for n in range(31))


@pytest.mark.parametrize(
    "header",
    [
        ("日期", "投稿量", "总播放量", "5秒完播率"),
        ("日期", "投稿量（个）", "播放量（次）", "5秒完播率"),
        ("日期", "投稿量(个)", "播放量(次)", "5秒完播率"),
        ("日期", "投稿数", "总播放次数", "5秒完播率"),
        ("日期 ", " 投稿量", "总播放", "完播率"),
    ],
)
def test_headers_with_units_suffixes_and_either_width_of_bracket(header):
    reading = read_backoffice(read_lines(daily_csv(MARCH_DAYS, header=header)), date(2026, 12, 4))

    assert {f.metric: f.value for f in reading.figures} == {"videos": 15, "views": EXPECTED_PLAYS}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_every_encoding_a_spreadsheet_saves(encoding):
    reading = read_backoffice(read_lines(daily_csv(MARCH_DAYS, encoding=encoding)), date(2026, 12, 4))

    assert reading.format.slug == "douyin-daily" and len(reading.figures) == 2


@pytest.mark.parametrize("day_form", ["%Y-%m-%d", "%Y%m%d", "%Y-%m-%d 14:11:20", "%Y/%-m/%-d", "%Y年%-m月%-d日"])
def test_every_form_of_a_day(day_form):
    reading = read_backoffice(read_lines(daily_csv(MARCH_DAYS, day_form=day_form)), date(2026, 12, 4))

    assert {f.metric: f.value for f in reading.figures} == {"videos": 15, "views": EXPECTED_PLAYS}


def test_days_as_excel_serial_numbers_and_counts_as_numbers_in_a_workbook():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["日期", "投稿量", "总播放量"])
    for n, day in enumerate(MARCH_DAYS):
        sheet.append([(day - date(1899, 12, 30)).days, n % 2, float(1000 + n)])
    data = io.BytesIO()
    workbook.save(data)

    reading = read_backoffice(read_lines(data.getvalue()), date(2026, 12, 4))

    assert {f.metric: f.value for f in reading.figures} == {"videos": 15, "views": EXPECTED_PLAYS}


@pytest.mark.parametrize("missing", ["-", ""])
def test_a_missing_value_is_not_read_as_zero(missing):
    plays = [f'"{1000 + n:,}"' for n in range(31)]
    plays[4] = missing
    reading = read_backoffice(read_lines(daily_csv(MARCH_DAYS, plays=plays)), date(2026, 12, 4))

    assert {f.metric for f in reading.figures} == {"videos"}, "the videos are whole; the plays are not known"
    (skip,) = reading.skipped
    assert (skip.metric, skip.reason, skip.params) == ("views", "missing-value", {"line": 6, "column": "总播放量"})


def test_a_cell_that_is_not_a_count_is_refused_naming_its_line_and_column():
    plays = [f'"{1000 + n:,}"' for n in range(31)]
    plays[9] = "很多"
    with pytest.raises(ImportFileError, match="Line 11, column 总播放量: “很多” is not a count"):
        read_backoffice(read_lines(daily_csv(MARCH_DAYS, plays=plays)), date(2026, 12, 4))


def test_a_day_that_is_not_a_day_is_refused_naming_its_line_and_column():
    data = daily_csv(MARCH_DAYS).replace(b"20240307", b"2024-13-07")
    with pytest.raises(ImportFileError, match="Line 8, column 日期: “2024-13-07” is not a day"):
        read_backoffice(read_lines(data), date(2026, 12, 4))


def test_a_missing_day_inside_the_month_is_not_a_whole_month():
    reading = read_backoffice(read_lines(daily_csv(MARCH_DAYS[:9] + MARCH_DAYS[10:])), date(2026, 12, 4))

    assert reading.figures == []
    assert {(s.reason, tuple(s.params["days"])) for s in reading.skipped} == {("missing-days", ("2024-03-10",))}


@pytest.mark.parametrize("titles", [(), ("用户增长",), ("上海科技馆", "用户增长", "2024-03-01 至 2024-03-31")])
def test_no_title_row_or_several_the_header_found_by_its_names(titles):
    data = user_growth_html(MARCH_DAYS, start=2_640_000, titles=titles)
    reading = read_backoffice(read_lines(data), date(2026, 12, 4))

    assert [(f.metric, f.value) for f in reading.figures] == [("followers", 2_640_030)]


def test_the_user_growth_export_saved_again_as_csv_without_the_suffixes():
    lines = ["时间,新关注,取消关注,净增关注,累计关注人数"]
    lines += [f"{day:%Y/%-m/%-d},2,1,1,{2_640_000 + n}" for n, day in enumerate(MARCH_DAYS)]
    reading = read_backoffice(read_lines("\r\n".join(lines).encode("gb18030")), date(2026, 12, 4))

    assert [(f.metric, f.value) for f in reading.figures] == [("followers", 2_640_030)]


def test_the_list_of_works_leaves_out_a_month_not_over_and_works_not_public():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["作品名称", "发布时间", "审核状态", "播放量"])
    sheet.append(["一", "2024-03-02 10:00:00", "公开", "100"])
    sheet.append(["二", "2024-03-09 10:00:00", "审核中", "0"])
    sheet.append(["三", "2024-04-03 10:00:00", "公开", "5"])
    data = io.BytesIO()
    workbook.save(data)

    reading = read_backoffice(read_lines(data.getvalue()), date(2024, 4, 20))

    assert [(f.month, f.value) for f in reading.figures] == [(MARCH, 1)]
    assert [(s.month, s.reason) for s in reading.skipped] == [(date(2024, 4, 1), "not-over")]


def test_choosing_another_account_from_the_preview(seeded, staff_app):
    second = AccountFactory(platform=seeded["wechat"].platform, name="Second WeChat", opened_on=date(2020, 1, 1))
    asking = upload(staff_app, "growth.xls", sample("wechat-user-growth-2024-03.xls"))
    preview = choose(asking, seeded["wechat"])
    assert f"for {seeded['wechat']}" in text_of(preview)

    again = preview.click(description="Choose another account")
    assert sorted(option[2] for option in form_posting_to(again)["account"].options) == sorted(
        [str(seeded["wechat"]), str(second)]
    )
    preview = choose(again, second)
    assert f"for {second}" in text_of(preview)
    confirm(preview)
    assert snapshot(second).followers == 2_670_944
    assert not MetricSnapshot.objects.filter(account=seeded["wechat"], period=MARCH).exists()


@pytest.mark.parametrize(
    ("name", "platform", "metric"),
    [
        ("wechat-user-growth-2024-03.xls", "wechat", "followers"),
        ("wechat-content-trend-2024-03.xls", "wechat", "articles"),
        ("douyin-works-2024-03.xlsx", "douyin", "videos"),
        ("douyin-daily-2024-03.csv", "douyin", "views"),
    ],
)
def test_the_command_reads_every_format_and_dry_runs_write_nothing(seeded, tmp_path, name, platform, metric):
    path = tmp_path / name
    path.write_bytes(sample(name))
    account = str(seeded[platform].pk)
    out = io.StringIO()
    call_command("import_snapshots", str(path), "--account", account, "--dry-run", stdout=out, stderr=io.StringIO())
    assert "Dry run: nothing was written." in out.getvalue()
    assert not MetricSnapshot.objects.filter(period=MARCH).exists()

    call_command("import_snapshots", str(path), "--account", account, stdout=io.StringIO(), stderr=io.StringIO())

    assert getattr(snapshot(seeded[platform]), metric) is not None
    assert SnapshotImport.objects.get().account == seeded[platform]


def test_a_file_that_names_its_account_above_its_header_needs_no_choice(seeded, staff_app):
    AccountFactory(platform=seeded["wechat"].platform, name="Second WeChat", opened_on=date(2020, 1, 1))
    growth = user_growth_html(MARCH_DAYS, start=2_640_000, titles=("Second WeChat", "用户增长"))
    preview = upload(staff_app, "growth.xls", growth)

    assert "for Second WeChat" in text_of(preview) and "Followers at the end of March 2024: 2,640,030" in text_of(
        preview
    )


def test_a_platform_with_no_account_yet_is_said_so(seeded, staff_app):
    MetricSnapshot.objects.filter(account=seeded["douyin"]).delete()
    seeded["douyin"].delete()
    page = upload(staff_app, "daily.csv", sample("douyin-daily-2024-03.csv"))

    assert "There is no account on Douyin yet: add it first" in text_of(page)
    assert not MetricSnapshot.objects.filter(period=MARCH).exists()


def test_in_an_accounts_first_month_its_increase_is_its_total(seeded, staff_app):
    new = AccountFactory(platform=seeded["douyin"].platform, name="New Douyin", opened_on=date(2024, 3, 5))
    preview = choose(upload(staff_app, "daily.csv", sample("douyin-daily-2024-03.csv")), new)

    assert "Videos at the end of March 2024: 10, all added in March 2024, the account's first month" in text_of(preview)
    confirm(preview)
    assert (snapshot(new).videos, snapshot(new).views) == (10, 553_321)


def test_a_file_of_two_months_adds_each_to_the_one_before(seeded, staff_app):
    douyin = seeded["douyin"]
    MetricSnapshot.objects.filter(account=douyin).delete()
    call_command("refresh_monthly_totals", verbosity=0)
    MetricSnapshot.objects.create(account=douyin, period=date(2024, 1, 1), videos=300, views=7_000_000)
    call_command("refresh_monthly_totals", verbosity=0)
    data = daily_csv(days(date(2024, 2, 1), 29 + 31))
    preview = choose(upload(staff_app, "daily.csv", data), douyin)

    text = text_of(preview)
    assert "2 to create" in text
    february = 300 + sum(n % 2 for n in range(29))
    march = february + sum(n % 2 for n in range(29, 60))
    assert f"Videos at the end of February 2024: {february} = January 2024's 300 +" in text
    assert f"Videos at the end of March 2024: {march} = February 2024's {february} +" in text


# --- what a review found -----------------------------------------------------------------------------------


def test_a_preview_confirmed_after_another_account_was_chosen_elsewhere_writes_nothing(seeded, staff_app):
    second = AccountFactory(platform=seeded["wechat"].platform, name="Second WeChat", opened_on=date(2020, 1, 1))
    asking = upload(staff_app, "growth.xls", sample("wechat-user-growth-2024-03.xls"))
    preview_for_the_first = choose(asking, seeded["wechat"])
    choose(preview_for_the_first.click(description="Choose another account"), second)  # in another tab

    page = confirm(preview_for_the_first)

    assert page.status_int == 200 and "Nothing was imported" in text_of(page)
    assert not MetricSnapshot.objects.filter(period=MARCH).exists()


@pytest.mark.parametrize("cell", ["Infinity", "1e3", "1e5000", "12.22%", "3.5", "#N/A", "TRUE"])
def test_what_is_not_a_plain_count_is_refused_with_its_line_and_column(cell):
    plays = [f'"{1000 + n:,}"' for n in range(31)]
    plays[2] = cell
    with pytest.raises(ImportFileError, match=f"Line 4, column 总播放量: “{re.escape(cell)}” is not a count"):
        read_backoffice(read_lines(daily_csv(MARCH_DAYS, plays=plays)), date(2026, 12, 4))


def test_a_column_of_people_never_stands_for_one_of_times():
    header = ("日期", "投稿量", "总播放人数", "总播放量")
    lines = [",".join(header)] + [f"{day:%Y%m%d},1,5,1000" for day in MARCH_DAYS]
    reading = read_backoffice(read_lines("\r\n".join(lines).encode()), date(2026, 12, 4))

    assert {f.metric: f.value for f in reading.figures}["views"] == 31_000


def test_a_line_of_sums_under_the_days_is_not_a_day():
    data = daily_csv(MARCH_DAYS) + '合计,15,"99,999",\r\n'.encode("gbk")
    reading = read_backoffice(read_lines(data), date(2026, 12, 4))

    assert {f.metric: f.value for f in reading.figures} == {"videos": 15, "views": EXPECTED_PLAYS}


def test_a_file_that_goes_on_without_the_months_last_day_says_that_day_is_missing():
    growth = user_growth_html(MARCH_DAYS[:30] + days(date(2024, 4, 1), 30), start=2_640_000)
    reading = read_backoffice(read_lines(growth), date(2026, 12, 4))

    march = next(skip for skip in reading.skipped if skip.month == MARCH)
    assert (march.reason, march.params) == ("missing-days", {"days": ["2024-03-31"]})
    assert [(f.month, f.value) for f in reading.figures] == [(date(2024, 4, 1), 2_640_059)]


def test_spanned_cells_keep_the_columns_in_place_and_any_page_with_a_table_is_read():
    rows = "".join(
        f"<tr><td>{day}</td><td>2</td><td colspan='2'>-</td><td>{2_640_000 + n}</td></tr>"
        for n, day in enumerate(MARCH_DAYS)
    )
    header = "".join(
        f"<th>{name}</th>" for name in ("时间", "新关注人数", "取消关注人数", "净增关注人数", "累积关注人数")
    )
    page = f"<body><table><tr><th colspan='5'>用户增长</th></tr><tr>{header}</tr>{rows}</table></body>"
    # Named .xlsx, as a person may rename it: the content decides.
    reading = read_backoffice(read_lines(page.encode("gb18030"), "growth.xlsx"), date(2026, 12, 4))

    assert [(f.metric, f.value) for f in reading.figures] == [("followers", 2_640_030)]


def test_photo_posts_are_not_videos():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["作品名称", "发布时间", "体裁", "审核状态", "播放量"])
    sheet.append(["一", "2024-03-02 10:00:00", "<1min视频", "公开", "100"])
    sheet.append(["二", "2024-03-05 10:00:00", "图文", "公开", "40"])
    data = io.BytesIO()
    workbook.save(data)

    reading = read_backoffice(read_lines(data.getvalue()), date(2024, 5, 1))

    assert [(f.month, f.value) for f in reading.figures] == [(MARCH, 1)]


def test_a_platform_whose_short_name_was_changed_is_a_message_not_an_error(seeded, staff_app):
    platform = seeded["douyin"].platform
    platform.slug = "tiktok-cn"
    platform.save()
    page = upload(staff_app, "daily.csv", sample("douyin-daily-2024-03.csv"))

    assert "no platform has the short name “douyin”" in text_of(page)


def test_the_command_says_nothing_was_imported_for_a_file_of_no_whole_month(seeded, tmp_path):
    path = tmp_path / "daily.csv"
    path.write_bytes(daily_csv(days(MARCH, 14)))

    with pytest.raises(CommandError, match="gives no figure that can be imported.*2024-03-01 to 2024-03-14"):
        call_command("import_snapshots", str(path), "--account", str(seeded["douyin"].pk), stdout=io.StringIO())
    assert not SnapshotImport.objects.exists()


def test_the_command_prints_how_each_figure_was_read(seeded, tmp_path):
    path = tmp_path / "growth.xls"
    path.write_bytes(sample("wechat-user-growth-2024-03.xls"))
    out = io.StringIO()
    call_command(
        "import_snapshots", str(path), "--account", "上海科技馆", "--dry-run", stdout=out, stderr=io.StringIO()
    )

    assert f"WeChat user growth (用户增长): {seeded['wechat']}" in out.getvalue()
    assert "Followers at the end of March 2024: 2,670,944 — 累积关注人数 on 2024-03-31" in out.getvalue()


def test_an_update_says_what_it_replaces_and_what_it_keeps(seeded, staff_app):
    douyin = seeded["douyin"]
    confirm(choose(upload(staff_app, "works.xlsx", sample("douyin-works-2024-03.xlsx")), douyin))
    february = snapshot(douyin, date(2024, 2, 1))
    preview = choose(upload(staff_app, "daily.csv", sample("douyin-daily-2024-03.csv")), douyin)

    text = text_of(preview)
    assert f"Videos: {february.videos + 10:,} replaces the {february.videos + 12:,} recorded." in text


def test_a_figure_kept_as_recorded_is_said_so(seeded, staff_app):
    wechat = seeded["wechat"]
    confirm(choose(upload(staff_app, "growth.xls", sample("wechat-user-growth-2024-03.xls")), wechat))
    preview = choose(upload(staff_app, "trend.xls", sample("wechat-content-trend-2024-03.xls")), wechat)

    assert "Followers: 2,670,944 as recorded, kept (this file does not give them)." in text_of(preview)


def test_a_total_built_on_a_lower_bound_is_a_lower_bound(seeded, staff_app):
    wechat = seeded["wechat"]
    MetricSnapshot.objects.filter(account=wechat, period=date(2024, 2, 1)).update(approximate=True)
    preview = choose(upload(staff_app, "trend.xls", sample("wechat-content-trend-2024-03.xls")), wechat)

    assert "February 2024's figures are lower bounds (“more than”), so March 2024's are marked" in text_of(preview)
    confirm(preview)
    assert snapshot(wechat).approximate is True


def test_going_back_to_a_confirmed_preview_says_it_was_imported(seeded, staff_app):
    preview = choose(upload(staff_app, "growth.xls", sample("wechat-user-growth-2024-03.xls")), seeded["wechat"])
    confirm(preview)

    again = staff_app.get(preview.request.path).follow()

    assert "The file growth.xls was imported already" in text_of(again)
    assert MetricSnapshot.objects.filter(period=MARCH).count() == 1


def test_the_imported_files_are_listed_with_their_format_named(seeded, staff_app, django_user_model):
    confirm(choose(upload(staff_app, "growth.xls", sample("wechat-user-growth-2024-03.xls")), seeded["wechat"]))
    administrator = django_user_model.objects.create_superuser("boss", "b@museum.example", "a-long-password")
    listing = staff_app.get(reverse("admin:outreach_snapshotimport_changelist"), user=administrator)

    assert "WeChat user growth (用户增长)" in text_of(listing)
    link = next(
        a for a in listing.html.select("#changelist-filter a") if a.get_text() == "WeChat user growth (用户增长)"
    )
    filtered = staff_app.get(reverse("admin:outreach_snapshotimport_changelist") + link["href"], user=administrator)
    assert "growth.xls" in text_of(filtered)


def test_the_message_after_confirming_counts_in_words_and_says_when_nothing_was_written(seeded, staff_app):
    name = "wechat-user-growth-2024-03.xls"
    done = confirm(choose(upload(staff_app, name, sample(name)), seeded["wechat"])).follow()
    assert f"Imported {name}: 1 snapshot created, 0 updated, 0 unchanged." in text_of(done)

    again = confirm(choose(upload(staff_app, name, sample(name)), seeded["wechat"])).follow()
    assert f"Nothing to write from {name}: its figures were recorded already." in text_of(again)
