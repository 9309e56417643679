"""Imports: what spreadsheets write, previewed row by row, written all or nothing."""

import io
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from outreach.models import MetricSnapshot, SnapshotImport
from tests.conftest import SnapshotFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
UPLOAD_URL = reverse("admin:outreach_import")
HEADER = "platform,account,period,articles,videos,views,followers,approximate,note\r\n"


def snapshot_rows():
    return list(MetricSnapshot.objects.order_by("pk").values())


def upload(client, content: bytes | str, name: str = "figures.csv"):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return client.post(UPLOAD_URL, {"file": SimpleUploadedFile(name, data)})


def preview(client, content, name: str = "figures.csv"):
    response = upload(client, content, name)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    return response.url, client.get(response.url)


def test_the_spreadsheets_gbk_file_is_refused_naming_line_3_and_the_month_to_write(staff_client, seeded):
    before = snapshot_rows()

    url, page = preview(staff_client, (FIXTURES / "spreadsheet-gbk.csv").read_bytes(), "spreadsheet-gbk.csv")

    plan = page.context["plan"]
    assert [(row.line, row.status) for row in plan.rows] == [(2, "create"), (3, "error"), (4, "create"), (5, "create")]
    assert plan.rows[1].errors == [
        (
            "period",
            "“4/1/24” is a date whose day and month order cannot be known. Write the month as YYYY-MM, "
            "e.g. 2024-04 (in a spreadsheet, format the column as text first).",
        )
    ]
    confirmed = staff_client.post(url)
    assert "Nothing was imported" in confirmed.content.decode()
    assert snapshot_rows() == before


def test_with_line_3_corrected_the_whole_gbk_file_imports(staff_client, seeded):
    corrected = (FIXTURES / "spreadsheet-gbk.csv").read_bytes().replace(b"4/1/24", b"2024-04")

    url, page = preview(staff_client, corrected)
    staff_client.post(url)

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


def test_the_workbook_imports_with_its_date_cell_read_as_april(staff_client, seeded):
    url, page = preview(staff_client, (FIXTURES / "spreadsheet.xlsx").read_bytes(), "spreadsheet.xlsx")

    assert [row.status for row in page.context["plan"].rows] == ["create"] * 4
    staff_client.post(url)
    assert MetricSnapshot.objects.get(account=seeded["wechat"], period=date(2024, 4, 1)).views == 20_300_000


def test_importing_the_same_file_twice_changes_nothing_the_second_time(staff_client, seeded):
    content = HEADER + 'wechat,上海科技馆,2024-03,1010,,"20,100,000",2640000,是,三月\r\n'
    url, _page = preview(staff_client, content)
    staff_client.post(url)
    after_first = snapshot_rows()

    url, page = preview(staff_client, content)

    assert [row.status for row in page.context["plan"].rows] == ["unchanged"]
    staff_client.post(url)
    assert snapshot_rows() == after_first
    march = MetricSnapshot.objects.get(period=date(2024, 3, 1))
    assert (march.views, march.approximate) == (20_100_000, True)


def test_an_export_imports_again_unchanged(staff_client, seeded):
    exported = b"".join(staff_client.get(reverse("snapshots_csv"), {"increments": "1"}).streaming_content)

    _url, page = preview(staff_client, exported, "outreach-snapshots.csv")

    assert [row.status for row in page.context["plan"].rows] == ["unchanged"] * 4


def test_the_preview_says_create_update_unchanged_and_error_with_line_and_column(staff_client, seeded):
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

    _url, page = preview(staff_client, content)

    rows = page.context["plan"].rows
    statuses = [(row.line, row.status) for row in rows]
    assert statuses == [
        (2, "update"),
        (3, "update"),
        (5, "create"),
        (6, "error"),
        (7, "error"),
        (8, "error"),
        (9, "error"),
    ]
    errors = {row.line: row.errors for row in rows}
    assert ("videos", "Videos can't go down: March 2024 was 330.") in errors[6]
    assert ("views", "A count can't be negative.") in errors[6]
    assert errors[7][0][0] == "platform" and "“tiktok” is not a platform" in errors[7][0][1]
    assert errors[8] == [
        ("account", "WeChat official account has no account named “Nobody”: add it in the admin first.")
    ]
    columns = {column for column, _message in errors[9]}
    assert columns == {"period", "articles", "views", "approximate"}
    html = page.content.decode()
    assert "Videos can&#x27;t go down: March 2024 was 330." in html
    assert "Nothing can be imported until every refused row is corrected" in html


def test_one_bad_row_among_a_thousand_leaves_the_database_unchanged_and_the_preview_names_it(staff_client, platform):
    from tests.conftest import AccountFactory

    AccountFactory(platform=platform("bilibili"), name="Archive", opened_on=date(1930, 1, 1))
    lines = [HEADER]
    for month in range(1000):
        year, index = divmod(month, 12)
        lines.append(f"bilibili,Archive,{1930 + year}-{index + 1:02d},,{month},{month * 10},,,\r\n")
    lines[501] = lines[501].replace(",5000,", ",5O00,")

    url, page = preview(staff_client, "".join(lines))
    response = staff_client.post(url)

    plan = page.context["plan"]
    assert plan.count("create") == 999
    assert [(row.line, row.errors) for row in plan.refused] == [
        (502, [("views", "“5O00” is not a whole number. Enter digits only, e.g. 1,234,567 (or 263万).")])
    ]
    assert "<td>502</td>" in page.content.decode()
    assert "Nothing was imported" in response.content.decode()
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
def test_a_file_that_cannot_be_read_is_one_clear_message_and_nothing_is_kept(staff_client, seeded, content, message):
    response = upload(staff_client, content)

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["file"])
    assert not SnapshotImport.objects.exists()


def test_an_upload_above_the_limit_is_refused(staff_client, seeded):
    big = HEADER + "x" * (10 * 1024 * 1024)

    response = upload(staff_client, big)

    assert "at most 10 MB can be uploaded" in " ".join(response.context["form"].errors["file"])


def test_utf8_with_bom_crlf_blank_lines_thousands_separators_and_flags(staff_client, seeded):
    content = (
        "\ufeff"
        + HEADER
        + "\r\n"
        + 'wechat,上海科技馆,2024-03,"1,010",,"20,100,000","2,640,000",是,\r\n'
        + "\r\n"
        + "douyin,上海科技馆,2024/3,,350,7700000,,否,\r\n"
    )

    url, page = preview(staff_client, content.encode("utf-8"))
    staff_client.post(url)

    march = {s.account.platform.slug: s for s in MetricSnapshot.objects.filter(period=date(2024, 3, 1))}
    assert (march["wechat"].articles, march["wechat"].views, march["wechat"].approximate) == (1010, 20_100_000, True)
    assert (march["douyin"].videos, march["douyin"].approximate) == (350, False)


def test_approximate_and_note_may_be_left_out_and_keep_what_was_there(staff_client, seeded):
    content = (
        "platform,account,period,articles,videos,views,followers\r\n"
        "wechat,上海科技馆,2024-02,1000,,20000000,2630000\r\n"
    )

    _url, page = preview(staff_client, content)

    # February's note and "approximate" stay as they are: the row changes nothing.
    assert [row.status for row in page.context["plan"].rows] == ["unchanged"]


def test_a_month_given_twice_in_one_file_is_refused(staff_client, seeded):
    content = (
        HEADER + "bilibili,上海科技馆,2024-03,,330,1400000,,,\r\n" + "bilibili,上海科技馆,2024-03,,331,1400001,,,\r\n"
    )

    _url, page = preview(staff_client, content)

    assert page.context["plan"].rows[1].errors == [
        ("period", "Line 2 already gives Shanghai Science & Technology Museum · Bilibili for this month.")
    ]


def test_the_rule_set_reads_the_file_and_the_database_together(staff_client, seeded):
    SnapshotFactory(account=seeded["bilibili"], period=date(2024, 5, 1), articles=None, videos=340, views=1_500_000)
    content = (
        HEADER
        + "bilibili,上海科技馆,2024-04,,345,1450000,,,\r\n"  # above May's 340 in the database
        + "bilibili,上海科技馆,2024-03,,350,1420000,,,\r\n"  # above April's 345 in the file
    )

    _url, page = preview(staff_client, content)

    rows = page.context["plan"].rows
    assert ("videos", "Videos can't be higher than in a later month: May 2024 is 340.") in rows[0].errors
    assert ("videos", "Videos can't be higher than in a later month: April 2024 is 345.") in rows[1].errors


def test_only_people_who_enter_figures_may_import(client, django_user_model, seeded):
    viewer = django_user_model.objects.create_user(username="viewer", password="a-long-viewer-pass", is_staff=True)
    client.force_login(viewer)

    assert client.get(UPLOAD_URL).status_code == 403


def test_a_preview_belongs_to_the_person_who_uploaded_it(staff_client, admin_client, seeded):
    url, _page = preview(staff_client, HEADER + "bilibili,上海科技馆,2024-03,,330,1400000,,,\r\n")

    assert admin_client.post(url).status_code == 404
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
    )

    assert result.returncode != 0
    assert "The first line must name the columns" in result.stderr


def test_a_workbook_written_by_the_export_reads_back(staff_client, seeded):
    data = b"".join(staff_client.get(reverse("snapshots_xlsx")).streaming_content)
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    assert workbook.active.max_row == 5

    _url, page = preview(staff_client, data, "export.xlsx")

    assert [row.status for row in page.context["plan"].rows] == ["unchanged"] * 4
