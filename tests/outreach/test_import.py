"""Imports: what spreadsheets write, previewed row by row, written all or nothing."""

import io
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from webtest import Upload

from outreach.models import MetricSnapshot, SnapshotImport
from outreach.services.imports import snapshot_import_plan
from tests.factories import SnapshotFactory
from tests.pages import form_posting_to, text_of

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
UPLOAD_URL = reverse("admin:outreach_import")
HEADER = "platform,account,period,articles,videos,views,followers,approximate,note\r\n"


def snapshot_rows():
    return list(MetricSnapshot.objects.order_by("pk").values())


def upload(app, content: bytes | str, name: str = "figures.csv"):
    """Choose the file on the upload page as rendered, and send it."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    form = form_posting_to(app.get(UPLOAD_URL))
    form["file"] = Upload(name, data)
    return form.submit()


def preview(app, content, name: str = "figures.csv"):
    """Upload a file and open the preview it is sent to."""
    response = upload(app, content, name)
    assert response.status_int == 302, file_errors(response)
    return response.follow()


def confirm(page):
    """Press the preview's import button (the form as rendered, its fingerprint included)."""
    response = form_posting_to(page).submit()
    return response.follow() if response.status_int == 302 else response


def rows_of(page) -> list[tuple[int, str]]:
    """The preview's rows as (line, what happens), read from its table."""
    return [
        (int(row.select_one("td").get_text()), row["class"][0].removeprefix("status-"))
        for row in page.html.select("table.import-rows tbody tr")
    ]


def errors_of(page) -> dict[int, list[tuple[str, str]]]:
    """Each listed row's problems as (column named for people, message)."""
    errors = {}
    for row in page.html.select("table.import-rows tbody tr"):
        problems = []
        for item in row.select(".errorlist li"):
            column = item.select_one("strong")
            label = column.get_text() if column else ""
            problems.append((label, item.get_text().removeprefix(f"{label}: ") if label else item.get_text()))
        errors[int(row.select_one("td").get_text())] = problems
    return errors


def file_errors(response) -> str:
    return " ".join(item.get_text() for item in response.html.select(".form-row .errorlist li"))


def test_the_spreadsheets_gbk_file_is_refused_naming_line_3_and_the_month_to_write(staff_app, seeded):
    before = snapshot_rows()

    page = preview(staff_app, (FIXTURES / "spreadsheet-gbk.csv").read_bytes(), "spreadsheet-gbk.csv")

    assert rows_of(page) == [(2, "create"), (3, "error"), (4, "create"), (5, "create")]
    assert errors_of(page)[3] == [
        (
            "Month",
            "“4/1/24” is a date whose day and month order cannot be known. Write the month as YYYY-MM, "
            "e.g. 2024-04 (in a spreadsheet, format the column as text first).",
        )
    ]
    assert "Nothing can be imported until every refused row is corrected" in text_of(page)
    assert not [form for form in page.forms.values() if "digest" in form.fields]
    assert snapshot_rows() == before


def test_with_line_3_corrected_the_whole_gbk_file_imports(staff_app, seeded):
    corrected = (FIXTURES / "spreadsheet-gbk.csv").read_bytes().replace(b"4/1/24", b"2024-04")

    confirm(preview(staff_app, corrected))

    wechat = seeded["wechat"]
    imported = {s.period: s for s in MetricSnapshot.objects.filter(period__gte=date(2024, 3, 1))}
    assert {(s.account, p) for p, s in imported.items()} >= {(wechat, date(2024, 4, 1)), (wechat, date(2024, 5, 1))}
    april = MetricSnapshot.objects.get(account=wechat, period=date(2024, 4, 1))
    assert (april.articles, april.views, april.followers, april.approximate) == (1020, 20_300_000, 2_650_000, False)
    bilibili = MetricSnapshot.objects.get(account=seeded["bilibili"], period=date(2024, 3, 1))
    assert bilibili.note == '含逗号, 与引号"测试"'
    assert MetricSnapshot.objects.get(account=wechat, period=date(2024, 3, 1)).note == "三月数据"
    source = SnapshotImport.objects.get()
    assert (source.created_count, source.applied_at is not None) == (4, True)


def test_the_workbook_imports_with_its_date_cell_read_as_april(staff_app, seeded):
    page = preview(staff_app, (FIXTURES / "spreadsheet.xlsx").read_bytes(), "spreadsheet.xlsx")

    assert [status for _line, status in rows_of(page)] == ["create"] * 4
    confirm(page)
    assert MetricSnapshot.objects.get(account=seeded["wechat"], period=date(2024, 4, 1)).views == 20_300_000


def test_importing_the_same_file_twice_changes_nothing_the_second_time(staff_app, seeded):
    content = HEADER + 'wechat,上海科技馆,2024-03,1010,,"20,100,000",2640000,是,三月\r\n'
    confirm(preview(staff_app, content))
    after_first = snapshot_rows()

    page = preview(staff_app, content)

    assert [status for _line, status in rows_of(page)] == ["unchanged"]
    confirm(page)
    assert snapshot_rows() == after_first
    march = MetricSnapshot.objects.get(period=date(2024, 3, 1))
    assert (march.views, march.approximate) == (20_100_000, True)


def test_an_export_imports_again_unchanged(staff_app, seeded):
    exported = staff_app.get(reverse("snapshots_csv"), {"increments": "1"}).body

    page = preview(staff_app, exported, "outreach-snapshots.csv")

    assert [status for _line, status in rows_of(page)] == ["unchanged"] * 4


def test_the_preview_says_create_update_unchanged_and_error_with_line_and_column(staff_app, seeded):
    content = (
        HEADER
        + "wechat,Shanghai Science & Technology Museum,2024-02,1000,,20000000,2630000,yes,\r\n"  # unchanged?
        + "douyin,Shanghai Science & Technology Museum,2024-02,,346,7653000,,no,\r\n"  # update
        + "\r\n"
        + "bilibili,Shanghai Science & Technology Museum,2024-03,,330,1400000,,,\r\n"  # create
        + "bilibili,Shanghai Science & Technology Museum,2024-04,,320,-5,,,\r\n"  # errors
        + "tiktok,Someone,2024-03,,1,1,,,\r\n"
        + "wechat,Nobody,2024-03,1,,1,,,\r\n"
        + "wechat,上海科技馆,2999-01,1,,lots,,maybe,\r\n"
    )

    page = preview(staff_app, content)

    assert rows_of(page) == [
        (2, "update"),
        (3, "update"),
        (5, "create"),
        (6, "error"),
        (7, "error"),
        (8, "error"),
        (9, "error"),
    ]
    errors = errors_of(page)
    assert ("Videos", "Videos can't go down: March 2024 was 330.") in errors[6]
    assert ("Views", "A count can't be negative.") in errors[6]
    assert errors[7][0][0] == "Platform" and "“tiktok” is not a platform" in errors[7][0][1]
    assert errors[8] == [
        ("Account", "WeChat official account has no account named “Nobody”: add it in the admin first.")
    ]
    columns = {column for column, _message in errors[9]}
    assert columns == {"Month", "Articles", "Views", "Approximate"}
    html = page.body.decode()
    assert "Videos can&#x27;t go down: March 2024 was 330." in html
    assert "Nothing can be imported until every refused row is corrected" in html


def test_one_bad_row_among_a_thousand_leaves_the_database_unchanged_and_the_preview_names_it(staff_app, platform):
    from tests.factories import AccountFactory

    AccountFactory(platform=platform("bilibili"), name="Archive", opened_on=date(1930, 1, 1))
    lines = [HEADER]
    for month in range(1000):
        year, index = divmod(month, 12)
        lines.append(f"bilibili,Archive,{1930 + year}-{index + 1:02d},,{month},{month * 10},,,\r\n")
    lines[501] = lines[501].replace(",5000,", ",5O00,")

    page = preview(staff_app, "".join(lines))

    assert "999 to create" in text_of(page)
    assert rows_of(page) == [(502, "error")]  # a long file: only the refused rows are listed
    assert errors_of(page)[502] == [
        ("Views", "“5O00” is not a whole number. Enter digits only, e.g. 1,234,567 (or 263万).")
    ]
    assert not [form for form in page.forms.values() if "digest" in form.fields]
    assert not MetricSnapshot.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "file is empty"),
        (b"\r\n\r\n", "The file is empty."),
        ("平台,账号,月份\r\nwechat,x,2024-03\r\n".encode(), "The first line must name the columns platform, account"),
        (HEADER.replace("views,", ""), "missing: views"),
        (HEADER.replace("note", "remark"), "not known: remark"),
        (HEADER + 'wechat,"broken,2024-03,1,,1,,,\r\n', "the quoting is broken"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "This is not a CSV text file"),
        (b"PK\x03\x04 not really a workbook", "This file is not an Excel workbook"),
    ],
)
def test_a_file_that_cannot_be_read_is_one_clear_message_and_nothing_is_kept(staff_app, seeded, content, message):
    response = upload(staff_app, content)

    assert response.status_code == 200
    assert message in file_errors(response)
    assert not SnapshotImport.objects.exists()


def test_an_upload_above_the_limit_is_refused(staff_app, seeded):
    big = HEADER + "x" * (10 * 1024 * 1024)

    response = upload(staff_app, big)

    assert "at most 10 MB can be uploaded" in file_errors(response)


def test_utf8_with_bom_crlf_blank_lines_thousands_separators_and_flags(staff_app, seeded):
    content = (
        "\ufeff"
        + HEADER
        + "\r\n"
        + 'wechat,上海科技馆,2024-03,"1,010",,"20,100,000","2,640,000",是,\r\n'
        + "\r\n"
        + "douyin,上海科技馆,2024/3,,350,7700000,,否,\r\n"
    )

    confirm(preview(staff_app, content.encode("utf-8")))

    march = {s.account.platform.slug: s for s in MetricSnapshot.objects.filter(period=date(2024, 3, 1))}
    assert (march["wechat"].articles, march["wechat"].views, march["wechat"].approximate) == (1010, 20_100_000, True)
    assert (march["douyin"].videos, march["douyin"].approximate) == (350, False)


def test_approximate_and_note_may_be_left_out_and_keep_what_was_there(staff_app, seeded):
    content = (
        "platform,account,period,articles,videos,views,followers\r\n"
        "wechat,上海科技馆,2024-02,1000,,20000000,2630000\r\n"
    )

    page = preview(staff_app, content)

    # February's note and "approximate" stay as they are: the row changes nothing.
    assert [status for _line, status in rows_of(page)] == ["unchanged"]


def test_a_month_given_twice_in_one_file_is_refused(staff_app, seeded):
    content = (
        HEADER + "bilibili,上海科技馆,2024-03,,330,1400000,,,\r\n" + "bilibili,上海科技馆,2024-03,,331,1400001,,,\r\n"
    )

    page = preview(staff_app, content)

    assert errors_of(page)[3] == [
        ("Month", "Line 2 already gives Shanghai Science & Technology Museum · Bilibili for this month.")
    ]


def test_the_rule_set_reads_the_file_and_the_database_together(staff_app, seeded):
    SnapshotFactory(account=seeded["bilibili"], period=date(2024, 5, 1), articles=None, videos=340, views=1_500_000)
    content = (
        HEADER
        + "bilibili,上海科技馆,2024-04,,345,1450000,,,\r\n"  # above May's 340 in the database
        + "bilibili,上海科技馆,2024-03,,350,1420000,,,\r\n"  # above April's 345 in the file
    )

    page = preview(staff_app, content)

    errors = errors_of(page)
    assert ("Videos", "Videos can't be higher than in a later month: May 2024 is 340.") in errors[2]
    assert ("Videos", "Videos can't be higher than in a later month: April 2024 is 345.") in errors[3]


def test_only_people_who_enter_figures_may_import(client, django_user_model, seeded):
    viewer = django_user_model.objects.create_user(username="viewer", password="a-long-viewer-pass", is_staff=True)
    client.force_login(viewer)

    assert client.get(UPLOAD_URL).status_code == 403


def test_a_preview_belongs_to_the_person_who_uploaded_it(staff_app, admin_client, seeded):
    page = preview(staff_app, HEADER + "bilibili,上海科技馆,2024-03,,330,1400000,,,\r\n")

    assert admin_client.get(page.request.path).status_code == 404
    assert admin_client.post(page.request.path, {"digest": form_posting_to(page)["digest"].value}).status_code == 404
    assert not MetricSnapshot.objects.filter(period=date(2024, 3, 1)).exists()


# --- The command --------------------------------------------------------------------------------------


def test_the_command_imports_a_file_and_reports(tmp_path, seeded, capsys):
    path = tmp_path / "march.csv"
    path.write_bytes((FIXTURES / "spreadsheet-gbk.csv").read_bytes().replace(b"4/1/24", b"2024-04"))

    call_command("import_snapshots", str(path))

    out = capsys.readouterr()
    assert "4 rows: 4 to create, 0 to update, 0 unchanged, 0 refused. Imported." in out.out
    assert "Checking [" in out.err
    assert MetricSnapshot.objects.filter(period__gte=date(2024, 3, 1)).count() == 4


def test_the_command_refuses_a_file_with_a_bad_row_and_exits_non_zero(tmp_path, seeded, capsys):
    path = tmp_path / "samples.csv"
    path.write_bytes((FIXTURES / "spreadsheet-gbk.csv").read_bytes())
    before = snapshot_rows()

    with pytest.raises(CommandError, match="1 refused. Nothing was imported"):
        call_command("import_snapshots", str(path))

    assert "line 3, period: “4/1/24” is a date" in capsys.readouterr().out
    assert snapshot_rows() == before


def test_the_command_dry_run_writes_nothing(tmp_path, seeded, capsys):
    path = tmp_path / "march.xlsx"
    path.write_bytes((FIXTURES / "spreadsheet.xlsx").read_bytes())
    before = snapshot_rows()

    call_command("import_snapshots", str(path), "--dry-run")

    assert "Dry run: nothing was written." in capsys.readouterr().out
    assert snapshot_rows() == before


def test_the_command_exits_non_zero_through_manage_py(tmp_path, seeded):
    import os
    import subprocess
    import sys

    path = tmp_path / "bad.csv"
    path.write_text("not,a,header\r\n")

    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"}
    result = subprocess.run(
        [sys.executable, "manage.py", "import_snapshots", str(path), "--dry-run"],
        cwd=Path(__file__).resolve().parents[2],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode != 0
    assert "The first line must name the columns" in result.stderr


def test_a_workbook_written_by_the_export_reads_back(staff_app, seeded):
    data = staff_app.get(reverse("snapshots_xlsx")).body
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    assert workbook.active.max_row == 5

    page = preview(staff_app, data, "export.xlsx")

    assert [status for _line, status in rows_of(page)] == ["unchanged"] * 4


# --- Big files and overlapping imports ---------------------------------------------------------------


def test_a_csv_of_half_a_million_rows_is_refused_quickly_naming_the_command(staff_app, seeded):
    big = HEADER + "a,b,1,,1,1,\n" * 500_000  # 6 MB: within the upload's size, far past its rows

    response = upload(staff_app, big)

    assert response.status_code == 200
    assert "more than 20,000 rows" in file_errors(response)
    assert "manage.py import_snapshots" in file_errors(response)
    assert not SnapshotImport.objects.exists()


def test_a_workbook_that_unzips_to_gigabytes_is_refused_before_it_is_read(staff_app, seeded):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as workbook:
        workbook.writestr("[Content_Types].xml", "<Types/>")
        with workbook.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            chunk = b" " * (1024 * 1024)
            for _megabyte in range(300):
                sheet.write(chunk)

    response = upload(staff_app, buffer.getvalue(), "huge.xlsx")

    assert "This workbook unzips to 300 MB (at most 100 MB)" in file_errors(response)
    assert "manage.py import_snapshots" in file_errors(response)


def test_the_preview_of_a_long_file_lists_a_page_of_refused_rows_and_counts_the_rest(staff_app, platform):
    from tests.factories import AccountFactory

    AccountFactory(platform=platform("bilibili"), name="Archive", opened_on=date(1900, 1, 1))
    lines = [HEADER] + [
        f"bilibili,Archive,{1900 + month // 12}-{month % 12 + 1:02d},,{month},{'lots' if month % 2 else month},,,\r\n"
        for month in range(1000)
    ]

    page = preview(staff_app, "".join(lines))

    assert "500 refused" in text_of(page)
    assert len(rows_of(page)) == 100
    assert "400 more refused rows are not listed" in text_of(page)


def test_the_preview_reads_the_file_once_not_on_every_visit(staff_app, seeded):
    page = preview(staff_app, HEADER + "bilibili,上海科技馆,2024-03,,330,1400000,,,\r\n")
    # The stored file is no longer what is read: the lines read at upload are.
    SnapshotImport.objects.update(content=b"not a file any more")

    again = staff_app.get(page.request.path)

    assert rows_of(again) == [(2, "create")]
    assert confirm(again).request.path == reverse("admin:outreach_metricsnapshot_changelist")
    assert MetricSnapshot.objects.get(period=date(2024, 3, 1)).videos == 330


def test_two_overlapping_imports_confirmed_one_after_the_other_the_second_is_told(staff_app, seeded):
    first = preview(staff_app, HEADER + "bilibili,上海科技馆,2024-03,,330,1400000,,,\r\n")
    second = preview(staff_app, HEADER + "bilibili,上海科技馆,2024-03,,331,1400001,,,\r\n")

    assert "Imported figures.csv" in text_of(confirm(first))
    told = confirm(second)

    assert told.status_code == 200
    assert "Nothing was imported: some of these figures changed since you checked the file" in text_of(told)
    assert rows_of(told) == [(2, "update")]
    assert MetricSnapshot.objects.get(period=date(2024, 3, 1)).videos == 330
    # Having seen the new preview, confirming it imports the second file.
    assert "Imported figures.csv" in text_of(confirm(told))
    assert MetricSnapshot.objects.get(period=date(2024, 3, 1)).videos == 331


def test_the_chinese_preview_names_the_columns_in_chinese(staff_app, seeded):
    staff_app.set_cookie("django_language", "zh-hans")

    upload_page = staff_app.get(UPLOAD_URL)
    page = preview(staff_app, HEADER + "bilibili,上海科技馆,2024-04,,320,-5,,,\r\n")

    assert "platform (平台), account (账号), period (月份)" in text_of(upload_page)
    # Bilibili's views are plays: 播放量, as the dashboard says.
    assert sorted(column for column, _message in errors_of(page)[2]) == sorted(["视频", "播放量"])


def test_a_count_of_thousands_of_digits_is_a_refused_row_not_a_server_error(staff_app, seeded):
    page = preview(staff_app, HEADER + f"bilibili,上海科技馆,2024-03,,{'9' * 4301},1400000,,,\r\n")

    assert rows_of(page) == [(2, "error")]
    assert "is larger than any count can be" in errors_of(page)[2][0][1]
    assert not MetricSnapshot.objects.filter(period=date(2024, 3, 1)).exists()


def test_a_confirmation_posted_for_a_file_with_refused_rows_imports_nothing(staff_app, staff_client, seeded):

    page = preview(staff_app, HEADER + "bilibili,上海科技馆,2024-03,,330,lots,,,\r\n")
    assert not [form for form in page.forms.values() if "digest" in form.fields]  # no button to press
    digest = snapshot_import_plan(SnapshotImport.objects.get()).digest

    # Not a form the page renders: a crafted post, with the plan's own fingerprint.
    response = staff_client.post(page.request.path, {"digest": digest})

    assert response.status_code == 200
    assert "Nothing was imported: the file has refused rows." in response.content.decode()
    assert not MetricSnapshot.objects.filter(period=date(2024, 3, 1)).exists()


def test_a_workbook_cell_of_thousands_of_digits_is_a_message_not_a_server_error(staff_app, seeded):
    import zipfile

    workbook = openpyxl.Workbook()
    workbook.active.append(["platform", "account", "period", "articles", "videos", "views", "followers"])
    workbook.active.append(["bilibili", "上海科技馆", "2024-03", None, 330, 1, None])
    saved = io.BytesIO()
    workbook.save(saved)
    # Write the cell as a number of 5,000 digits, as no spreadsheet would.
    source, edited = zipfile.ZipFile(io.BytesIO(saved.getvalue())), io.BytesIO()
    with zipfile.ZipFile(edited, "w") as target:
        for part in source.infolist():
            content = source.read(part)
            if part.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b"<v>330</v>", b"<v>" + b"9" * 5000 + b"</v>")
            target.writestr(part, content)

    response = upload(staff_app, edited.getvalue(), "huge-number.xlsx")

    assert response.status_code == 200
    assert "Line 2 of the sheet cannot be read" in file_errors(response)
    assert not SnapshotImport.objects.exists()


def test_a_confirmation_without_the_previews_fingerprint_says_to_use_the_button(staff_app, seeded):
    page = preview(staff_app, HEADER + "bilibili,上海科技馆,2024-03,,330,1400000,,,\r\n")
    form = form_posting_to(page)
    form["digest"] = ""  # as a script that dropped the hidden input would send it

    response = form.submit()

    assert "Nothing was imported: confirm the import with the button below." in text_of(response)
    assert "someone saved" not in text_of(response)
    assert not MetricSnapshot.objects.filter(period=date(2024, 3, 1)).exists()
