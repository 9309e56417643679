"""Staff's journeys through the admin in Chromium, from signed out, by the links a person clicks.

Each journey types only the first address a person would (`/admin/`), checks every page it reaches with
axe-core, and asserts what the page shows; the database is read only to check what was (not) written.
"""

import io
import re
from datetime import date
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from outreach.models import Account, MetricSnapshot
from tests.browser.conftest import assert_accessible, screenshot
from tests.browser.test_journeys import restore_migrated_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WECHAT = "Shanghai Science & Technology Museum · WeChat official account"
DOUYIN = "Shanghai Science & Technology Museum · Douyin"
MARCH = date(2024, 3, 1)
APRIL = date(2024, 4, 1)


@pytest.fixture
def museum(transactional_db):
    """The seed's four accounts and their real February 2024 figures (a transactional test starts empty)."""
    restore_migrated_data()
    call_command("load_seed_figures", verbosity=0)
    return {account.platform.slug: account for account in Account.objects.select_related("platform")}


def add_person(username: str, role: str = "staff") -> str:
    """`manage.py add_person USERNAME --role ROLE`, as an administrator runs it; the password it prints."""
    out = io.StringIO()
    call_command("add_person", username, "--role", role, stdout=out)
    printed = re.search(r"with the password (\S+) \(shown once\)", out.getvalue())
    assert printed, out.getvalue()
    return printed[1]


def open_the_admin(page, live_server, username: str, password: str) -> None:
    """Signed out, open /admin/, be sent to the sign-in page, sign in there, land on the admin's front page."""
    page.goto(f"{live_server.url}/admin/")
    page.wait_for_selector("#id_username")
    assert urlsplit(page.url).path == "/accounts/login/"
    assert_accessible(page)
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button.primary")
    page.wait_for_url(f"{live_server.url}/admin/")
    assert_accessible(page)


def front_page_link(page, text: str):
    return page.locator(".month-routine").get_by_role("link", name=text, exact=True)


def open_the_snapshot_list(page) -> None:
    """From the admin's front page, the app list's "Metric snapshots"."""
    page.locator("#content-main").get_by_role("link", name="Metric snapshots", exact=True).click()
    page.wait_for_url("**/admin/outreach/metricsnapshot/")
    assert_accessible(page)


def object_tool(page, text: str):
    return page.locator(".object-tools").get_by_role("link", name=text, exact=True)


def messages_shown(page) -> str:
    return page.locator(".messagelist").inner_text()


def save(page) -> None:
    page.click('input[type="submit"][name="_save"]')
    page.wait_for_load_state()


def field_row(page, field: str):
    return page.locator(f".form-row.field-{field}")


def test_staff_added_on_the_command_line_sign_in_at_the_admin_and_find_the_months_routine(page, live_server, museum):
    password = add_person("ling")
    open_the_admin(page, live_server, "ling", password)

    routine = page.locator(".month-routine")
    assert "This month's figures" in routine.inner_text()
    assert front_page_link(page, "Enter a month for every account").is_visible()
    assert front_page_link(page, "Import a file").is_visible()
    screenshot(page, "admin-front-page")

    front_page_link(page, "Enter a month for every account").click()
    page.wait_for_url("**/admin/outreach/metricsnapshot/month-grid/")
    assert "Figures at the end of March 2024" in page.locator("#content-main").inner_text()
    assert_accessible(page)
    page.go_back()

    front_page_link(page, "Import a file").click()
    page.wait_for_url("**/admin/outreach/metricsnapshot/import/")
    assert page.locator('input[type="file"]').is_visible()
    assert_accessible(page)
    page.go_back()

    open_the_snapshot_list(page)
    assert object_tool(page, "Enter a month for every account").is_visible()
    assert object_tool(page, "Import a file").is_visible()


def test_the_add_form_reads_chinese_units_refuses_what_is_not_a_count_and_flags_a_fall(page, live_server, museum):
    open_the_admin(page, live_server, "wei", add_person("wei"))
    open_the_snapshot_list(page)

    object_tool(page, "Add metric snapshot").click()
    page.wait_for_url("**/admin/outreach/metricsnapshot/add/")
    assert_accessible(page)
    assert page.locator("#id_period").input_value() == "2024-03"
    # The page shows the figures the chosen account's platform counts.
    page.select_option("#id_account", label=DOUYIN)
    assert field_row(page, "articles").is_hidden() and field_row(page, "videos").is_visible()
    page.select_option("#id_account", label=WECHAT)
    assert field_row(page, "articles").is_visible() and field_row(page, "videos").is_hidden()
    assert page.locator("#id_followers").get_attribute("type") == "text"
    page.fill("#id_followers", "263万")
    save(page)

    page.wait_for_url("**/admin/outreach/metricsnapshot/")
    assert "Followers: “263万” read as 2,630,000" in messages_shown(page)
    assert_accessible(page)
    march = page.locator("#result_list tbody tr", has_text="2024-03")
    assert march.count() == 1 and "2,630,000" in march.inner_text()
    assert MetricSnapshot.objects.get(account=museum["wechat"], period=MARCH).followers == 2_630_000

    object_tool(page, "Add metric snapshot").click()
    page.wait_for_url("**/admin/outreach/metricsnapshot/add/")
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
    page.wait_for_url("**/admin/outreach/metricsnapshot/")
    assert "was added successfully" in messages_shown(page)
    assert MetricSnapshot.objects.get(account=museum["wechat"], period=APRIL).followers == 263
