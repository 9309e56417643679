"""Staff's journeys through the admin in Chromium, from signed out, by the links a person clicks.

Each journey types only the first address a person would (`/admin/`), checks every page it reaches with
axe-core, and asserts what the page shows; the database is read only to check what was (not) written.
"""

import re
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from outreach.models import Account, MetricSnapshot
from tests.browser.conftest import assert_accessible, screenshot
from tests.browser.test_dashboard_pages import wait_for_charts
from tests.factories import SnapshotFactory
from tests.pages import add_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WECHAT = "Shanghai Science & Technology Museum · WeChat official account"
DOUYIN = "Shanghai Science & Technology Museum · Douyin"
MARCH = date(2024, 3, 1)
APRIL = date(2024, 4, 1)


@pytest.fixture
def museum(seeded_for_real_transactions):
    """The seed's four accounts and their real February 2024 figures."""
    return seeded_for_real_transactions


def arrive(page, url: str) -> None:
    """Wait until the page at `url` has loaded (the dashboard: its charts drawn), then check it with axe-core."""
    page.wait_for_url(url)
    page.wait_for_load_state()
    if urlsplit(page.url).path == "/":
        wait_for_charts(page)
    assert_accessible(page)


def switch_language(page, code: str, lang: str) -> None:
    """The header's language switch (on the dashboard's pages): the same page again, in that language."""
    page.click(f'button[name="language"][value="{code}"]')
    page.wait_for_selector(f"html[lang='{lang}']")
    arrive(page, page.url)


def open_the_admin(page, live_server, username: str, password: str) -> None:
    """Signed out, open /admin/, be sent to the sign-in page, sign in there, land on the admin's front page."""
    page.goto(f"{live_server.url}/admin/")
    page.wait_for_selector("#id_username")
    assert urlsplit(page.url).path == "/accounts/login/"
    assert_accessible(page)
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button.primary")
    arrive(page, f"{live_server.url}/admin/")


def front_page_link(page, text: str):
    return page.locator(".month-routine").get_by_role("link", name=text, exact=True)


def open_the_snapshot_list(page) -> None:
    """From the admin's front page, the app list's "Metric snapshots"."""
    page.locator("#content-main").get_by_role("link", name="Metric snapshots", exact=True).click()
    arrive(page, "**/admin/outreach/metricsnapshot/")


def object_tool(page, text: str):
    return page.locator(".object-tools").get_by_role("link", name=text, exact=True)


def messages_shown(page) -> str:
    return page.locator(".messagelist").inner_text()


def save(page) -> None:
    """The form's Save, and wait for the page it answers with (the same address when it refuses)."""
    with page.expect_navigation():
        page.click('input[type="submit"][name="_save"]')


def field_row(page, field: str):
    return page.locator(f".form-row.field-{field}")


def test_staff_added_on_the_command_line_sign_in_at_the_admin_and_find_the_months_routine(page, live_server, museum):
    password = add_person("ling", "staff")
    open_the_admin(page, live_server, "ling", password)

    routine = page.locator(".month-routine")
    assert "This month's figures" in routine.inner_text()
    assert front_page_link(page, "Enter a month for every account").is_visible()
    assert front_page_link(page, "Import a file").is_visible()
    screenshot(page, "admin-front-page")

    front_page_link(page, "Enter a month for every account").click()
    arrive(page, "**/admin/outreach/metricsnapshot/month-grid/")
    assert "Figures at the end of March 2024" in page.locator("#content-main").inner_text()
    page.go_back()
    arrive(page, f"{live_server.url}/admin/")

    front_page_link(page, "Import a file").click()
    arrive(page, "**/admin/outreach/metricsnapshot/import/")
    assert page.locator('input[type="file"]').is_visible()
    page.go_back()
    arrive(page, f"{live_server.url}/admin/")

    open_the_snapshot_list(page)
    assert object_tool(page, "Enter a month for every account").is_visible()
    assert object_tool(page, "Import a file").is_visible()


def test_the_add_form_reads_chinese_units_refuses_what_is_not_a_count_and_flags_a_fall(page, live_server, museum):
    open_the_admin(page, live_server, "wei", add_person("wei", "staff"))
    open_the_snapshot_list(page)

    object_tool(page, "Add metric snapshot").click()
    arrive(page, "**/admin/outreach/metricsnapshot/add/")
    assert page.locator("#id_period").input_value() == "2024-03"
    # The page shows the figures the chosen account's platform counts.
    page.select_option("#id_account", label=DOUYIN)
    assert field_row(page, "articles").is_hidden() and field_row(page, "videos").is_visible()
    page.select_option("#id_account", label=WECHAT)
    assert field_row(page, "articles").is_visible() and field_row(page, "videos").is_hidden()
    assert page.locator("#id_followers").get_attribute("type") == "text"
    page.fill("#id_followers", "263万")
    save(page)

    arrive(page, "**/admin/outreach/metricsnapshot/")
    assert "Followers: “263万” read as 2,630,000" in messages_shown(page)
    assert_accessible(page)
    march = page.locator("#result_list tbody tr", has_text="2024-03")
    assert march.count() == 1 and "2,630,000" in march.inner_text()
    assert MetricSnapshot.objects.get(account=museum["wechat"], period=MARCH).followers == 2_630_000

    object_tool(page, "Add metric snapshot").click()
    arrive(page, "**/admin/outreach/metricsnapshot/add/")
    assert page.locator("#id_period").input_value() == "2024-04"
    page.select_option("#id_account", label=WECHAT)
    page.fill("#id_views", "12abc")
    save(page)

    assert "is not a whole number" in field_row(page, "views").locator(".errorlist").inner_text()
    assert page.locator(".errornote").is_visible()
    assert_accessible(page)
    assert not MetricSnapshot.objects.filter(period=APRIL).exists()

    # Followers typed without the 万: far below March's 2,630,000, flagged for a check, not saved yet.
    page.fill("#id_views", "")
    page.fill("#id_followers", "263")
    save(page)
    confirm = page.get_by_label("I have checked the flagged figures: they are right.")
    assert confirm.is_visible()
    assert (
        "Followers fell from 2,630,000 in March 2024 to 263 (−99.99%). Check the figure, or confirm it below."
        in page.locator(".errorlist.nonfield").inner_text()
    )
    assert_accessible(page)
    assert not MetricSnapshot.objects.filter(period=APRIL).exists()

    confirm.check()
    save(page)
    arrive(page, "**/admin/outreach/metricsnapshot/")
    assert "was added successfully" in messages_shown(page)
    assert MetricSnapshot.objects.get(account=museum["wechat"], period=APRIL).followers == 263


def march_for_every_account(museum) -> dict[str, MetricSnapshot]:
    """Figures for March 2024 for the four accounts, each a little above February's."""
    figures = {
        "kepu-china": {"articles": 52, "videos": None, "views": 1_950_000, "followers": None},
        "wechat": {"articles": 1_010, "videos": None, "views": 20_100_000, "followers": 2_640_000},
        "douyin": {"articles": None, "videos": 350, "views": 7_700_000, "followers": None},
        "bilibili": {"articles": None, "videos": 330, "views": 1_400_000, "followers": None},
    }
    return {slug: SnapshotFactory(account=museum[slug], period=MARCH, **values) for slug, values in figures.items()}


def history_counts(snapshots: dict[str, MetricSnapshot]) -> dict[str, int]:
    return {slug: MetricSnapshot.history.filter(id=snapshot.pk).count() for slug, snapshot in snapshots.items()}


def grid_input(page, account: Account, metric: str):
    return page.locator(f'input[name="account-{account.pk}-{metric}"]')


def save_the_grid(page) -> None:
    with page.expect_navigation():
        page.locator(".month-grid .submit-row input[type=submit]").click()


def test_correcting_one_account_in_a_full_month_saves_only_that_one_and_the_grid_reads_in_chinese(
    page, live_server, museum
):
    march = march_for_every_account(museum)
    before = history_counts(march)
    open_the_admin(page, live_server, "wei", add_person("wei", "staff"))

    front_page_link(page, "Enter a month for every account").click()
    arrive(page, "**/month-grid/")
    assert "Figures at the end of April 2024" in page.locator("#content-main").inner_text()
    page.get_by_role("link", name="← previous month").click()
    arrive(page, "**/month-grid/?period=2024-03")
    assert grid_input(page, museum["wechat"], "views").input_value() == "20,100,000"

    grid_input(page, museum["wechat"], "views").fill("20,150,000")
    save_the_grid(page)

    arrive(page, "**/admin/outreach/metricsnapshot/?year=2024")
    assert "Saved the figures of 1 account for March 2024 (0 new, 1 corrected)." in messages_shown(page)
    after = history_counts(march)
    assert after == {**before, "wechat": before["wechat"] + 1}
    wechat = MetricSnapshot.objects.get(pk=march["wechat"].pk)
    assert (wechat.views, wechat.followers, wechat.articles) == (20_150_000, 2_640_000, 1_010)

    # The Chinese grid: the language switch is in the dashboard's header ("View site" from the admin).
    page.get_by_role("link", name="View site").click()
    arrive(page, f"{live_server.url}/")
    switch_language(page, "zh-hans", "zh-Hans")
    page.locator(".site-nav").get_by_role("link", name="录入数据").click()
    arrive(page, "**/month-grid/")
    page.get_by_role("link", name="← 上个月").click()
    arrive(page, "**/month-grid/?period=2024-03")
    rows = page.locator(".month-grid tbody tr:not(.previous) th")
    names = [row.inner_text() for row in rows.all()]
    assert [name.split("\n") for name in names] == [
        ["科普中国", "上海科技馆"],
        ["微信公众号", "上海科技馆"],
        ["抖音", "上海科技馆"],
        ["哔哩哔哩", "上海科技馆"],
    ]
    assert "Shanghai" not in page.locator(".month-grid table").inner_text()
    assert grid_input(page, museum["wechat"], "views").get_attribute("aria-label") == "上海科技馆 · 微信公众号的阅读量"
    screenshot(page, "month-grid-zh")
    assert_accessible(page)


@pytest.fixture
def two_people(page, new_page, live_server, museum):
    """Two members of staff, each signed in at the admin in a browser of their own."""
    first, second = page, new_page()
    open_the_admin(first, live_server, "wei", add_person("wei", "staff"))
    open_the_admin(second, live_server, "ling", add_person("ling", "staff"))
    return first, second


def open_the_change_form(page, month: str, platform: str) -> None:
    """From the admin's front page, the snapshot list, then the row of that month and platform."""
    open_the_snapshot_list(page)
    row = page.locator("#result_list tbody tr", has_text=platform).filter(has_text=month)
    row.get_by_role("link", name=month, exact=True).click()
    arrive(page, "**/admin/outreach/metricsnapshot/*/change/")


def changed_meanwhile(who: str, metric: str, saved: str, typed: str) -> re.Pattern:
    return re.compile(
        rf"{who} saved these figures at .+, while you were editing them\. {metric} is now {saved}; you typed {typed}\."
    )


def test_two_people_saving_the_same_snapshot_the_second_is_told_and_nothing_of_theirs_is_written(two_people, museum):
    first, second = two_people
    for person in (first, second):
        open_the_change_form(person, "2024-02", "WeChat official account")
        assert person.locator("#id_views").input_value() == "20,000,000"

    first.fill("#id_views", "20,100,000")
    save(first)
    arrive(first, "**/admin/outreach/metricsnapshot/")
    assert "was changed successfully" in messages_shown(first)

    second.fill("#id_views", "20,200,000")
    save(second)
    told = second.locator("#content-main").inner_text()
    assert changed_meanwhile("wei", "Views", "20,100,000", "20,200,000").search(told), told
    assert "was changed successfully" not in told
    assert_accessible(second)
    snapshot = MetricSnapshot.objects.get(account=museum["wechat"], period=date(2024, 2, 1))
    assert (snapshot.views, snapshot.updated_by.username) == (20_100_000, "wei")


def test_two_people_saving_the_same_month_grid_the_second_is_told_and_nothing_of_theirs_is_written(two_people, museum):
    first, second = two_people
    for person in (first, second):
        front_page_link(person, "Enter a month for every account").click()
        arrive(person, "**/month-grid/")
        person.get_by_role("link", name="← previous month").click()
        arrive(person, "**/month-grid/?period=2024-02")
        assert grid_input(person, museum["wechat"], "views").input_value() == "20,000,000"

    grid_input(first, museum["wechat"], "views").fill("20,100,000")
    save_the_grid(first)
    arrive(first, "**/admin/outreach/metricsnapshot/?year=2024")
    assert "(0 new, 1 corrected)" in messages_shown(first)

    grid_input(second, museum["wechat"], "views").fill("20,200,000")
    grid_input(second, museum["douyin"], "views").fill("7,700,000")
    save_the_grid(second)
    assert "Nothing was saved" in messages_shown(second)
    wechat_row = second.locator(".month-grid tbody tr", has=grid_input(second, museum["wechat"], "views"))
    told = wechat_row.inner_text()
    assert changed_meanwhile("wei", "Views", "20,100,000", "20,200,000").search(told), told
    assert_accessible(second)
    february = {s.account.platform.slug: s for s in MetricSnapshot.objects.filter(period=date(2024, 2, 1))}
    assert february["wechat"].views == 20_100_000
    assert february["douyin"].views == 7_653_000


def test_two_people_entering_the_same_new_month_the_second_is_told_and_nothing_of_theirs_is_written(two_people, museum):
    first, second = two_people
    for person in (first, second):
        front_page_link(person, "Enter a month for every account").click()
        arrive(person, "**/month-grid/")
        assert "Figures at the end of March 2024" in person.locator("#content-main").inner_text()

    grid_input(first, museum["bilibili"], "views").fill("1,400,000")
    save_the_grid(first)
    arrive(first, "**/admin/outreach/metricsnapshot/?year=2024")
    assert "(1 new, 0 corrected)" in messages_shown(first)

    grid_input(second, museum["bilibili"], "views").fill("1,500,000")
    save_the_grid(second)
    assert "Nothing was saved" in messages_shown(second)
    told = second.locator(".month-grid tbody tr", has=grid_input(second, museum["bilibili"], "views")).inner_text()
    assert changed_meanwhile("wei", "Views", "1,400,000", "1,500,000").search(told), told
    assert_accessible(second)
    assert MetricSnapshot.objects.get(account=museum["bilibili"], period=MARCH).views == 1_400_000


def test_a_deleted_snapshot_is_restored_from_its_history_reached_from_the_recent_changes(page, live_server, museum):
    open_the_admin(page, live_server, "wei", add_person("wei", "staff"))
    open_the_change_form(page, "2024-02", "WeChat official account")
    page.locator(".submit-row").get_by_role("link", name="Delete").click()
    arrive(page, "**/delete/")
    page.get_by_role("button", name="Yes, I’m sure").click()
    arrive(page, "**/admin/outreach/metricsnapshot/")
    assert "was deleted successfully" in messages_shown(page)
    assert page.locator("#result_list tbody tr", has_text="WeChat official account").count() == 0
    assert not MetricSnapshot.objects.filter(account=museum["wechat"]).exists()

    page.get_by_role("link", name="View site").click()
    arrive(page, f"{live_server.url}/")
    page.locator(".site-nav").get_by_role("link", name="Recent changes").click()
    arrive(page, "**/changes/")
    deleted = page.locator("table.changes tbody tr.change-deleted", has_text="WeChat official account")
    assert deleted.count() == 1
    deleted.get_by_role("link", name="history").click()
    arrive(page, "**/admin/outreach/metricsnapshot/*/history/")

    versions = page.locator("#change-history tbody tr")
    assert [row.locator(".history-type").inner_text() for row in versions.all()] == ["Deleted", "Created"]
    versions.filter(has_text="Created").locator("td").first.get_by_role("link").click()
    arrive(page, "**/admin/outreach/metricsnapshot/*/history/*/")
    assert page.locator("#id_views").input_value() == "20,000,000"
    save(page)

    arrive(page, "**/admin/outreach/metricsnapshot/")
    restored = page.locator("#result_list tbody tr", has_text="WeChat official account")
    assert restored.count() == 1 and "20,000,000" in restored.inner_text()
    snapshot = MetricSnapshot.objects.get(account=museum["wechat"], period=date(2024, 2, 1))
    assert (snapshot.views, snapshot.followers, snapshot.articles) == (20_000_000, 2_630_000, 1_000)

    # Recorded as a restore, in the snapshot's history and in the recent changes.
    restored.get_by_role("link", name="2024-02", exact=True).click()
    arrive(page, "**/admin/outreach/metricsnapshot/*/change/")
    page.get_by_role("link", name="History").click()
    arrive(page, "**/history/")
    versions = page.locator("#change-history tbody tr")
    assert [row.locator(".history-type").inner_text() for row in versions.all()] == ["Restored", "Deleted", "Created"]
    assert "Restored from the version of" in versions.first.locator(".history-reason").inner_text()
    page.get_by_role("link", name="View site").click()
    arrive(page, f"{live_server.url}/")
    page.locator(".site-nav").get_by_role("link", name="Recent changes").click()
    arrive(page, "**/changes/")
    latest = page.locator("table.changes tbody tr").first
    assert "WeChat official account" in latest.inner_text() and "Restored from the version of" in latest.inner_text()
    assert "restored" in latest.locator("td").nth(3).inner_text()
    switch_language(page, "zh-hans", "zh-Hans")
    latest = page.locator("table.changes tbody tr").first
    assert "已恢复" in latest.inner_text() and "已恢复为" in latest.inner_text(), latest.inner_text()
    assert "Restored" not in latest.inner_text()
    assert_accessible(page)


def test_an_import_is_uploaded_previewed_and_confirmed(page, live_server, museum, tmp_path):
    upload = tmp_path / "march.csv"
    upload.write_text(
        "platform,account,period,articles,videos,views,followers\n"
        "bilibili,上海科技馆,2024-03,,330,1400000,\n"
        "bilibili,上海科技馆,2024-02,,323,1367000,\n"
        "douyin,上海科技馆,2024-02,,345,7700000,\n",
        encoding="utf-8",
    )
    open_the_admin(page, live_server, "wei", add_person("wei", "staff"))
    open_the_snapshot_list(page)

    object_tool(page, "Import a file").click()
    arrive(page, "**/admin/outreach/metricsnapshot/import/")
    page.locator('input[type="file"]').set_input_files(str(upload))
    page.get_by_role("button", name="Check the file").click()

    confirm = page.get_by_role("button", name="Import these figures")
    confirm.wait_for()
    preview = page.locator("#content-main").inner_text()
    for count in ("1 to create", "1 to update", "1 unchanged", "0 refused"):
        assert count in preview, preview
    assert_accessible(page)
    assert not MetricSnapshot.objects.filter(period=MARCH).exists()
    assert MetricSnapshot.objects.get(account=museum["douyin"]).views == 7_653_000

    confirm.click()
    arrive(page, "**/admin/outreach/metricsnapshot/")
    assert "Imported march.csv" in messages_shown(page)
    march = page.locator("#result_list tbody tr", has_text="2024-03")
    assert march.count() == 1 and "1,400,000" in march.inner_text()
    assert MetricSnapshot.objects.get(account=museum["bilibili"], period=MARCH).views == 1_400_000
    assert MetricSnapshot.objects.get(account=museum["douyin"]).views == 7_700_000


def test_a_wechat_back_office_export_is_uploaded_as_downloaded_its_account_chosen_and_its_figure_explained(
    page, live_server, museum
):
    export = Path(__file__).resolve().parents[1] / "fixtures" / "backoffice" / "wechat-user-growth-2024-03.xls"
    open_the_admin(page, live_server, "lan", add_person("lan", "staff"))
    open_the_snapshot_list(page)

    object_tool(page, "Import a file").click()
    arrive(page, "**/admin/outreach/metricsnapshot/import/")
    page.get_by_text("Or a file as a platform's back office exports it").click()
    assert "WeChat user growth (用户增长)" in page.locator(".backoffice-formats").inner_text()
    page.locator('input[type="file"]').set_input_files(str(export))
    page.get_by_role("button", name="Check the file").click()

    page.get_by_label("Account").wait_for()
    assert "It names no account" in page.locator("#content-main").inner_text()
    assert page.get_by_label("Account").locator("option").all_inner_texts() == [str(museum["wechat"])]
    assert_accessible(page)
    page.get_by_role("button", name="Check the file for this account").click()

    confirm = page.get_by_role("button", name="Import these figures")
    confirm.wait_for()
    preview = page.locator("#content-main").inner_text()
    assert "Followers at the end of March 2024: 2,670,944 — 累积关注人数 on 2024-03-31" in preview, preview
    assert_accessible(page)
    assert not MetricSnapshot.objects.filter(period=MARCH).exists()

    confirm.click()
    arrive(page, "**/admin/outreach/metricsnapshot/")
    assert "Imported wechat-user-growth-2024-03.xls" in messages_shown(page)
    assert MetricSnapshot.objects.get(account=museum["wechat"], period=MARCH).followers == 2_670_944


def test_an_administrator_enters_a_target_and_the_dashboard_shows_its_progress_and_forecast(page, live_server, museum):
    from django.core.management import call_command

    from tests.browser.test_journeys import chart_traces

    call_command("load_seed_figures", "--illustrative-history", verbosity=0)  # the years before, for the seasons
    password = add_person("director", "administrator")
    open_the_admin(page, live_server, "director", password)
    page.locator("#content-main").get_by_role("link", name="Targets", exact=True).click()
    arrive(page, "**/admin/outreach/target/")
    object_tool(page, "Add target").click()
    arrive(page, "**/admin/outreach/target/add/")
    page.select_option("#id_account", label=WECHAT)
    page.fill("#id_year", "2024")
    page.select_option("#id_metric", label="Followers")
    page.select_option("#id_kind", label="total at the year's end")
    page.fill("#id_value", "290万")
    save(page)
    arrive(page, "**/admin/outreach/target/")
    assert "2,900,000" in page.locator("#result_list").inner_text()

    page.get_by_role("link", name="View site").click()
    arrive(page, f"{live_server.url}/")
    wechat = page.locator(".platform-card", has=page.get_by_role("heading", name="WeChat official account"))
    assert "Target for 2024: 2,900,000 at the year's end" in wechat.inner_text()
    assert "of the year's planned growth made" in wechat.inner_text()
    page.select_option("#id_metric", "followers")
    page.get_by_role("button", name="Apply").click()
    arrive(page, "**/?*metric=followers*")
    names = {trace["name"] for trace in chart_traces(page, "figure-cumulative")}
    assert {"WeChat official account, forecast (illustrative)", "WeChat official account, target"} <= names
    screenshot(page, "dashboard-target-forecast")
