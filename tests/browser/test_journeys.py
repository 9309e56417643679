"""The three journeys of staff and managers, in a real Chromium."""

import csv
import io
from collections import defaultdict
from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from outreach.models import Account, MetricSnapshot
from tests.browser.conftest import assert_accessible, screenshot
from tests.conftest import restore_migrated_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-enough-password"
CHARTS = ("figure-cumulative", "figure-increments", "figure-shares", "figure-year_over_year")


@pytest.fixture
def museum(django_user_model):
    """The seed with its illustrative history, a member of staff and a manager."""
    restore_migrated_data()
    call_command("load_seed_figures", "--illustrative-history", verbosity=0)
    for name, group in (("staff", "Staff"), ("manager", "Managers")):
        user = django_user_model.objects.create_user(username=name, password=PASSWORD)
        user.groups.add(Group.objects.get(name=group))
    return {account.platform.slug: account for account in Account.objects.select_related("platform")}


def sign_in(page, live_server, username: str) -> None:
    """Open the site signed out, as a person does, and sign in where it sends them."""
    page.goto(f"{live_server.url}/")
    page.wait_for_url("**/accounts/login/**")
    assert_accessible(page)
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{live_server.url}/")


def chart_traces(page, chart: str) -> list[dict]:
    """What Plotly drew: the traces it holds on the chart's element, scrolled to (charts are drawn as they near
    the screen)."""
    page.locator(f'[data-figure="{chart}"]').scroll_into_view_if_needed()
    page.wait_for_selector(f'[data-figure="{chart}"] .main-svg')
    return page.evaluate(
        """(id) => document.querySelector(`[data-figure="${id}"]`).data.map(
            (trace) => ({name: trace.name, x: trace.x || trace.labels, y: trace.y || trace.values,
                         meta: trace.meta || null}))""",
        chart,
    )


def platform_totals(metric: str) -> dict[str, dict[str, int]]:
    """Per platform (English name) and month, the sum of the reported figure, straight from the database."""
    totals: dict[str, dict[str, int]] = defaultdict(dict)
    for snapshot in MetricSnapshot.objects.select_related("account__platform").exclude(**{metric: None}):
        months = totals[snapshot.account.platform.name_en]
        key = snapshot.period.isoformat()
        months[key] = months.get(key, 0) + getattr(snapshot, metric)
    return totals


def test_staff_enter_a_month_for_every_account_and_find_it_in_the_list(page, live_server, museum):
    sign_in(page, live_server, "staff")
    page.click("text=Enter figures")
    page.wait_for_selector("text=Figures at the end of March 2024")
    assert_accessible(page)
    figures = {
        "kepu-china": {"articles": "52", "views": "1,950,000"},
        "wechat": {"articles": "1,010", "views": "20,100,000", "followers": "2,640,000"},
        "douyin": {"videos": "350", "views": "7,600,000"},  # mistyped: lower than February
        "bilibili": {"videos": "330", "views": "1,400,000"},
    }
    for slug, values in figures.items():
        for field, value in values.items():
            page.fill(f'input[name="account-{museum[slug].pk}-{field}"]', value)

    page.click('input[type="submit"][value^="Save"]')

    douyin_views = page.locator(f'input[name="account-{museum["douyin"].pk}-views"]')
    error = douyin_views.locator("xpath=following-sibling::ul[contains(@class, 'errorlist')]")
    assert error.inner_text() == "Views can't go down: February 2024 was 7,653,000."
    assert not MetricSnapshot.objects.filter(period=date(2024, 3, 1)).exists()
    assert_accessible(page)
    screenshot(page, "month-grid")

    douyin_views.fill("7,700,000")
    page.click('input[type="submit"][value^="Save"]')

    page.wait_for_url("**/admin/outreach/metricsnapshot/?year=2024")
    assert "Saved the figures of 4 accounts for March 2024" in page.locator(".messagelist").inner_text()
    rows = page.locator("#result_list tbody tr", has_text="2024-03")
    assert rows.count() == 4
    assert "7,700,000" in rows.filter(has_text="Douyin").inner_text()
    assert MetricSnapshot.objects.filter(period=date(2024, 3, 1)).count() == 4
    assert_accessible(page)


def test_a_manager_reads_the_charts_changes_the_filters_and_the_language(page, live_server, museum):
    sign_in(page, live_server, "manager")

    cumulative = {
        trace["name"]: dict(zip(trace["x"], trace["y"], strict=True))
        for trace in chart_traces(page, CHARTS[0])
        if trace["meta"] != "forecast"
    }
    assert cumulative == platform_totals("views")
    for chart in CHARTS[1:]:
        assert chart_traces(page, chart), f"{chart} drew nothing"
    shares = chart_traces(page, "figure-shares")[0]
    latest = {name: months["2024-02-01"] for name, months in platform_totals("views").items()}
    assert dict(zip(shares["x"], shares["y"], strict=True)) == latest
    screenshot(page, "dashboard-en")

    page.check('input[name="platforms"][value="douyin"]')
    page.select_option('select[name="metric"]', "videos")
    page.click('button[type="submit"].primary')
    page.wait_for_url("**/?*platforms=douyin*")
    [douyin] = [trace for trace in chart_traces(page, CHARTS[0]) if trace["meta"] != "forecast"]
    assert douyin["name"] == "Douyin"
    assert dict(zip(douyin["x"], douyin["y"], strict=True)) == platform_totals("videos")["Douyin"]

    page.click('button[name="language"][value="zh-hans"]')
    page.wait_for_selector("html[lang='zh-Hans']")
    assert chart_traces(page, CHARTS[0])[0]["name"] == "抖音"
    assert "2024年2月" in page.locator("#cards-heading").inner_text()
    page.reload()
    chart_traces(page, CHARTS[0])
    assert_accessible(page)
    screenshot(page, "dashboard-zh")

    page.click('button[name="language"][value="en"]')
    page.wait_for_selector("html[lang='en']")
    assert "Feb 2024" in page.locator("#cards-heading").inner_text()


def test_a_manager_downloads_the_filtered_csv_from_the_dashboard(page, live_server, museum):
    sign_in(page, live_server, "manager")
    page.check('input[name="platforms"][value="wechat"]')
    page.fill('input[name="start"]', "2023-06")
    page.fill('input[name="end"]', "2023-12")
    page.click('button[type="submit"].primary')
    page.wait_for_url("**/?*start=2023-06*")
    assert_accessible(page)

    with page.expect_download() as download:
        page.click("text=Snapshots (CSV)")

    assert download.value.suggested_filename == "outreach-snapshots-2023-06-to-2023-12.csv"
    content = download.value.path().read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    expected = MetricSnapshot.objects.filter(
        account__platform__slug="wechat", period__range=(date(2023, 6, 1), date(2023, 12, 1))
    ).order_by("period")
    assert [(row["platform"], row["period"], int(row["views"])) for row in rows] == [
        ("wechat", s.period.strftime("%Y-%m"), s.views) for s in expected
    ]
    assert {row["illustrative"] for row in rows} == {"true"}
