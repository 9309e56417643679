"""Exports: what Excel opens, what the filters select, what a formula-shaped name becomes."""

import codecs
import csv
import io
import tracemalloc
from datetime import date

import openpyxl
import pytest
from django.urls import reverse

from outreach.models import Account, MetricSnapshot, Platform
from outreach.months import add_months
from tests.factories import AccountFactory, SnapshotFactory
from tests.pages import run_admin_action

pytestmark = pytest.mark.django_db


def download(response) -> bytes:
    """The bytes of a download, from Django's test client or django-webtest."""
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content) if response.streaming else response.content
    return response.body


def excel_rows(data: bytes) -> list[list[str]]:
    """The cells as Excel reads a CSV: a UTF-8 byte-order mark means UTF-8; rows end at CRLF."""
    assert data.startswith(codecs.BOM_UTF8), "without a BOM, Excel reads UTF-8 as the local code page"
    text = data[len(codecs.BOM_UTF8) :].decode("utf-8")
    return list(csv.reader(io.StringIO(text, newline="")))


def test_the_snapshot_export_opens_in_excel_with_chinese_names_intact(manager_client, platform):
    account = AccountFactory(platform=platform("wechat"), name="上海科技馆")
    SnapshotFactory(account=account, period=date(2024, 2, 1), articles=1000, views=20_000_000, followers=None)

    response = manager_client.get(reverse("snapshots_csv"))

    data = download(response)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert not data[3:].startswith(b"sep=")
    assert b"\r\n" in data and data.count(b"\n") == data.count(b"\r\n")
    assert excel_rows(data) == [
        [
            "platform",
            "account",
            "period",
            "articles",
            "videos",
            "views",
            "followers",
            "approximate",
            "note",
            "illustrative",
        ],
        ["wechat", "上海科技馆", "2024-02", "1000", "", "20000000", "", "false", "", "false"],
    ]


def test_the_file_name_says_what_is_in_it(manager_client, seeded):
    SnapshotFactory(account=seeded["wechat"], period=date(2023, 1, 1), articles=900, views=15_000_000)

    everything = manager_client.get(reverse("snapshots_csv"))
    chosen = manager_client.get(reverse("snapshots_csv"), {"start": "2023-06", "end": "2024-01"})

    assert everything["Content-Disposition"] == 'attachment; filename="outreach-snapshots-2023-01-to-2024-02.csv"'
    assert chosen["Content-Disposition"] == 'attachment; filename="outreach-snapshots-2023-06-to-2024-01.csv"'


def test_the_export_follows_the_dashboards_filters(manager_client, seeded):
    SnapshotFactory(account=seeded["douyin"], period=date(2023, 12, 1), articles=None, videos=330, views=7_000_000)

    response = manager_client.get(reverse("snapshots_csv"), {"platforms": "douyin,bilibili", "end": "2024-01"})

    rows = excel_rows(download(response))[1:]
    assert [(row[0], row[2], row[4]) for row in rows] == [("douyin", "2023-12", "330")]


def test_increments_are_added_on_request_and_cover_gaps(manager_client, seeded):
    douyin = seeded["douyin"]
    SnapshotFactory(account=douyin, period=date(2023, 11, 1), articles=None, videos=300, views=6_000_000)

    response = manager_client.get(reverse("snapshots_csv"), {"platforms": "douyin", "increments": "1"})

    header, *rows = excel_rows(download(response))
    assert header[-6:] == [
        "articles_increment",
        "videos_increment",
        "views_increment",
        "followers_increment",
        "months_since_previous",
        "increments_illustrative",
    ]
    assert rows[0][-6:] == ["", "", "", "", "", ""]
    assert rows[1][2] == "2024-02" and rows[1][-6:] == ["", "45", "1653000", "", "3", "false"]


def test_a_growth_from_an_illustrative_month_carries_the_mark(manager_client, seeded):
    wechat = seeded["wechat"]
    SnapshotFactory(account=wechat, period=date(2024, 1, 1), articles=990, views=19_900_000, is_illustrative=True)

    rows = excel_rows(
        download(manager_client.get(reverse("snapshots_csv"), {"platforms": "wechat", "increments": "1"}))
    )

    header = rows[0]
    by_month = {row[2]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    # February 2024 is real, but its growth is counted from January's made-up figures.
    assert (by_month["2024-02"]["illustrative"], by_month["2024-02"]["increments_illustrative"]) == ("false", "true")
    assert by_month["2024-02"]["views_increment"] == "100000"
    assert by_month["2024-01"]["increments_illustrative"] == ""


def test_illustrative_snapshots_are_marked_in_their_own_column(manager_client, seeded):
    SnapshotFactory(
        account=seeded["wechat"], period=date(2024, 1, 1), articles=990, views=19_900_000, is_illustrative=True
    )

    rows = excel_rows(download(manager_client.get(reverse("snapshots_csv"), {"platforms": "wechat"})))

    assert [(row[2], row[-1]) for row in rows[1:]] == [("2024-01", "true"), ("2024-02", "false")]


def test_formula_shaped_text_is_neutralized_and_numbers_stay_numbers(manager_client, platform):
    account = AccountFactory(platform=platform("wechat"), name='=HYPERLINK("http://evil.example","x")')
    SnapshotFactory(account=account, period=date(2024, 2, 1), views=5, note="+1 more\tthan before", followers=None)
    SnapshotFactory(account=account, period=date(2024, 3, 1), views=7, note="@admin -check", followers=None)

    rows = excel_rows(download(manager_client.get(reverse("snapshots_csv"), {"increments": "1"})))

    assert rows[1][1] == '\'=HYPERLINK("http://evil.example","x")'
    assert rows[1][8] == "'+1 more\tthan before"
    assert rows[2][8] == "'@admin -check"
    assert rows[2][5] == "7" and rows[2][12] == "2"


def test_the_xlsx_export_holds_numbers_as_numbers_and_formula_text_as_text(manager_client, platform):
    account = AccountFactory(platform=platform("wechat"), name="=1+1")
    SnapshotFactory(account=account, period=date(2024, 2, 1), articles=1000, views=20_000_000, followers=None)

    response = manager_client.get(reverse("snapshots_xlsx"))

    assert response["Content-Disposition"] == 'attachment; filename="outreach-snapshots-2024-02-to-2024-02.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(download(response))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:6] == ("wechat", "=1+1", "2024-02", 1000, None, 20_000_000)
    assert sheet.cell(row=2, column=2).data_type == "s"


def test_the_summary_report_has_a_row_per_account_with_the_change_over_the_year(manager_client, seeded):
    SnapshotFactory(account=seeded["wechat"], period=date(2023, 2, 1), articles=800, views=15_000_000, followers=None)

    response = manager_client.get(reverse("summary_csv"))

    assert response["Content-Disposition"] == 'attachment; filename="outreach-summary-2024-02.csv"'
    header, *rows = excel_rows(download(response))
    by_platform = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert set(by_platform) == {"kepu-china", "wechat", "douyin", "bilibili"}
    wechat = by_platform["wechat"]
    assert (wechat["period"], wechat["views"], wechat["approximate"]) == ("2024-02", "20000000", "true")
    assert (wechat["year_before"], wechat["articles_change"], wechat["views_change"]) == ("2023-02", "200", "5000000")
    assert wechat["followers_change"] == ""
    assert wechat["changes_illustrative"] == "false"
    assert by_platform["douyin"]["views_change"] == ""
    assert by_platform["douyin"]["changes_illustrative"] == ""


def test_the_summary_marks_a_change_from_an_illustrative_year_before(manager_client, seeded):
    SnapshotFactory(
        account=seeded["wechat"], period=date(2023, 2, 1), articles=800, views=15_000_000, is_illustrative=True
    )

    header, *rows = excel_rows(download(manager_client.get(reverse("summary_csv"), {"platforms": "wechat"})))

    wechat = dict(zip(header, rows[0], strict=True))
    assert (wechat["illustrative"], wechat["views_change"], wechat["changes_illustrative"]) == (
        "false",
        "5000000",
        "true",
    )


def test_bad_filters_are_a_400_with_a_message(manager_client, seeded):
    response = manager_client.get(reverse("snapshots_csv"), {"start": "2024/13"})

    assert response.status_code == 400
    assert "is not a month" in response.content.decode()


def test_reports_need_the_permission_to_see_figures(client, django_user_model):
    anonymous = client.get(reverse("summary_csv"))
    client.force_login(django_user_model.objects.create_user(username="guest", password="a-long-guest-password"))

    assert anonymous.status_code == 302
    assert client.get(reverse("snapshots_csv")).status_code == 403


def test_the_dashboards_download_button_carries_the_filters_in_effect(manager_client, seeded):
    page = manager_client.get(reverse("dashboard"), {"platforms": "wechat", "start": "2023-01", "metric": "views"})

    html = page.content.decode()
    assert f'href="{reverse("snapshots_csv")}?platforms=wechat&amp;start=2023-01"' in html


def test_an_admin_action_exports_the_selected_snapshots(django_app, admin_user, seeded):
    chosen = MetricSnapshot.objects.filter(account__platform__slug__in=["wechat", "douyin"])
    page = django_app.get(reverse("admin:outreach_metricsnapshot_changelist"), user=admin_user)

    response = run_admin_action(page, [snapshot.pk for snapshot in chosen], "export_csv")

    rows = excel_rows(download(response))
    assert sorted(row[0] for row in rows[1:]) == ["douyin", "wechat"]


def _snapshots(count_accounts: int, months: int, first: int = 0) -> None:
    platform = Platform.objects.get(slug="wechat")
    accounts = Account.objects.bulk_create(
        Account(platform=platform, name=f"Account {number}", opened_on=date(2000, 1, 1))
        for number in range(first, first + count_accounts)
    )
    MetricSnapshot.objects.bulk_create(
        (
            MetricSnapshot(
                account=account,
                period=add_months(date(2010, 1, 1), month),
                articles=month,
                views=1000 * month,
                note="a note, with a comma",
            )
            for account in accounts
            for month in range(months)
        ),
        batch_size=5000,
    )


def _peak_while_streaming(client) -> tuple[int, int, int]:
    """The most memory allocated while the export streams, its rows and its size in bytes."""
    response = client.get(reverse("snapshots_csv"))
    tracemalloc.start()
    rows = size = 0
    for chunk in response.streaming_content:
        rows += chunk.count(b"\r\n")
        size += len(chunk)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak, rows, size


def test_streaming_a_large_export_keeps_memory_flat(manager_client):
    _snapshots(count_accounts=50, months=200)
    small_peak, small_rows, _size = _peak_while_streaming(manager_client)
    _snapshots(count_accounts=450, months=200, first=50)

    large_peak, large_rows, large_size = _peak_while_streaming(manager_client)

    assert (small_rows, large_rows) == (10_001, 100_001)
    # Ten times the rows (some 7 MB more of CSV), not more memory: rows are read and written a batch at a time.
    assert large_size > 7_000_000
    assert large_peak < small_peak + 3_000_000, (small_peak, large_peak)
