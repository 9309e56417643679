"""Yearly targets in the admin, as an administrator enters them (the form as rendered): one per account, figure
and year, not negative, of a figure the platform counts, typed as counts are (290万), with their history."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from outreach.models import Target
from tests.pages import form_posting_to, text_of

pytestmark = pytest.mark.django_db


def add_target(app, user, *, account: str, year: str, metric: str, kind: str, value: str):
    """From the admin's front page, through the targets' list, the add form as rendered, typed and saved."""
    page = app.get(reverse("admin:index"), user=user).click(description="^Targets$").click(description="Add target")
    form = form_posting_to(page)
    form["account"].select(text=account)
    form["year"], form["metric"], form["kind"], form["value"] = year, metric, kind, value
    return form.submit()


WECHAT = "Shanghai Science & Technology Museum · WeChat official account"
DOUYIN = "Shanghai Science & Technology Museum · Douyin"


def test_an_administrator_enters_a_year_end_target_typed_as_people_write_it(seeded, django_app, administrator):
    saved = add_target(
        django_app, administrator, account=WECHAT, year="2024", metric="followers", kind="year_end", value="290万"
    ).follow()

    target = Target.objects.get()
    assert (target.account, target.year, target.metric, target.kind, target.value) == (
        seeded["wechat"],
        2024,
        "followers",
        "year_end",
        2_900_000,
    )
    assert "2,900,000" in text_of(saved)  # the list shows the target as counts are read
    assert target.history.count() == 1 and target.history.first().history_user == administrator


def test_a_second_target_for_the_same_account_figure_and_year_is_refused(seeded, django_app, administrator):
    Target.objects.create(account=seeded["douyin"], year=2024, metric="videos", kind="growth", value=60)
    refused = add_target(
        django_app, administrator, account=DOUYIN, year="2024", metric="videos", kind="year_end", value="400"
    )

    assert "Target with this Account, Figure and Year already exists." in text_of(refused)
    assert Target.objects.get().value == 60


@pytest.mark.parametrize(
    ("account", "metric", "value", "message"),
    [
        (DOUYIN, "videos", "-5", "A count can't be negative."),
        (DOUYIN, "articles", "40", "Douyin does not count articles: choose a figure it counts."),
        (WECHAT, "followers", "1,000,000,000,000,000", "at most 99,999,999,999,999"),
        (WECHAT, "followers", "lots", "lots"),
    ],
)
def test_a_target_that_breaks_a_rule_is_refused_saying_why(
    seeded, django_app, administrator, account, metric, value, message
):
    refused = add_target(
        django_app, administrator, account=account, year="2024", metric=metric, kind="growth", value=value
    )

    assert refused.status_int == 200 and message in text_of(refused)
    assert not Target.objects.exists()


def test_the_database_holds_the_rules_too(seeded):
    Target.objects.create(account=seeded["douyin"], year=2024, metric="videos", kind="growth", value=60)
    for wrong in (
        {"year": 2024, "metric": "videos", "value": 1},  # a second one
        {"year": 2025, "metric": "videos", "value": -1},
        {"year": 1999, "metric": "videos", "value": 1},
        {"year": 2025, "metric": "likes", "value": 1},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Target.objects.create(account=seeded["douyin"], kind="growth", **wrong)


def test_the_form_speaks_chinese(seeded, django_app, administrator):
    django_app.set_cookie("django_language", "zh-hans")
    page = django_app.get(reverse("admin:outreach_target_add"), user=administrator)
    form = form_posting_to(page)
    form["account"].select(text="上海科技馆 · 抖音")
    form["year"], form["metric"], form["kind"], form["value"] = "2024", "articles", "growth", "40"
    refused = form.submit()
    assert "抖音不统计文章" in text_of(refused)


# --- Imported from a file ---------------------------------------------------------------------------------


def import_targets(tmp_path, content: bytes, *arguments: str):
    """`manage.py import_targets FILE` as a person runs it: (exit code, standard output, standard error)."""
    from io import StringIO

    from django.core.management import CommandError, call_command

    path = tmp_path / "targets.csv"
    path.write_bytes(content)
    out, err = StringIO(), StringIO()
    try:
        call_command("import_targets", str(path), *arguments, stdout=out, stderr=err)
    except CommandError as error:
        return 1, out.getvalue(), err.getvalue() + str(error)
    return 0, out.getvalue(), err.getvalue()


def test_a_file_of_targets_as_excel_saves_it_is_imported_all_at_once(seeded, tmp_path):
    content = (
        "platform,account,year,metric,kind,value,note\r\n"
        'wechat,Shanghai Science & Technology Museum,2024,followers,year_end,"2,900,000",the plan\r\n'
        "douyin,上海科技馆,2024,videos,growth,60,\r\n"
    ).encode("utf-8-sig")
    status, out, err = import_targets(tmp_path, content)

    assert status == 0, err
    assert "2 target(s) created, 0 replaced, 0 unchanged." in out
    assert {(t.account.platform.slug, t.metric, t.kind, t.value) for t in Target.objects.all()} == {
        ("wechat", "followers", "year_end", 2_900_000),
        ("douyin", "videos", "growth", 60),
    }
    assert Target.objects.get(metric="followers").history.first().history_change_reason == (
        "Imported from the file of targets targets.csv"
    )
    # Again, with one changed: replaced, and the other left alone.
    status, out, _err = import_targets(tmp_path, content.replace(b'"2,900,000"', "300万".encode()))
    assert status == 0 and "0 target(s) created, 1 replaced, 1 unchanged." in out
    assert Target.objects.get(metric="followers").value == 3_000_000


def test_a_gbk_file_with_chinese_names_of_figures_and_kinds_is_read(seeded, tmp_path):
    content = "platform,account,year,metric,kind,value\r\n抖音,上海科技馆,2025,视频,全年增量,80\r\n".encode("gbk")
    status, _out, err = import_targets(tmp_path, content)

    assert status == 0, err
    assert Target.objects.get().kind == "growth" and Target.objects.get().metric == "videos"


def test_a_file_with_a_wrong_line_imports_nothing_and_names_each_line_and_column(seeded, tmp_path):
    content = (
        b"platform,account,year,metric,value\n"
        b"wechat,Shanghai Science & Technology Museum,2024,followers,2900000\n"
        b"douyin,Shanghai Science & Technology Museum,2024,articles,40\n"
        b"tiktok,Shanghai Science & Technology Museum,2024,videos,40\n"
        b"bilibili,Shanghai Science & Technology Museum,twenty,videos,-4\n"
        b"wechat,Shanghai Science & Technology Museum,2024,followers,3000000\n"
    )
    status, _out, err = import_targets(tmp_path, content)

    assert status == 1 and not Target.objects.exists()
    assert "line 3, metric: Douyin does not count articles: choose a figure it counts." in err
    assert "line 4, platform: “tiktok” is not a platform" in err
    assert "line 5, year: “twenty” is not a year: write it as 2024." in err
    assert "line 5, value: A count can't be negative." in err
    assert "line 6: Line 2 gives the same account, figure and year." in err
    assert "nothing imported" in err


def test_a_file_that_is_not_one_of_targets_says_which_columns_it_needs(seeded, tmp_path):
    status, _out, err = import_targets(tmp_path, b"platform,account,period,views\nwechat,x,2024-01,1\n")
    assert status == 1
    assert "A file of targets has the columns platform, account, year, metric, kind, value, note" in err
    assert "lacks year, metric, value" in err


def test_a_dry_run_checks_and_writes_nothing(seeded, tmp_path):
    content = (
        b"platform,account,year,metric,value\nwechat,Shanghai Science & Technology Museum,2024,followers,2900000\n"
    )
    status, out, _err = import_targets(tmp_path, content, "--dry-run")
    assert status == 0 and "Would import targets.csv: 1 target(s) created" in out
    assert not Target.objects.exists()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("wechat,Shanghai Science & Technology Museum,inf,followers,1", "“inf” is not a year"),
        ("wechat,Shanghai Science & Technology Museum,2024.7,followers,1", "“2024.7” is not a year"),
        ("wechat,Shanghai Science & Technology Museum,1e400,followers,1", "“1e400” is not a year"),
    ],
)
def test_a_year_that_is_not_a_whole_year_is_refused_not_rounded(seeded, tmp_path, line, message):
    status, _out, err = import_targets(tmp_path, f"platform,account,year,metric,value\n{line}\n".encode())
    assert status == 1 and message in err and not Target.objects.exists()


def test_a_workbooks_numbers_are_read_as_the_spreadsheet_holds_them(seeded, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["platform", "account", "year", "metric", "value"])
    sheet.append(["wechat", "Shanghai Science & Technology Museum", 2024.0, "followers", 2900000.0])
    path = tmp_path / "targets.xlsx"
    workbook.save(path)
    status, _out, err = import_targets(tmp_path, path.read_bytes())
    assert status == 0, err
    assert Target.objects.get().value == 2_900_000 and Target.objects.get().year == 2024


def test_a_header_naming_a_column_twice_is_refused(seeded, tmp_path):
    status, _out, err = import_targets(tmp_path, b"platform,account,year,metric,value,value\nwechat,x,2024,views,1,2\n")
    assert status == 1 and "The header names value twice." in err
