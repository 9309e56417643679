"""A month being entered, in Chromium: staff enter one account's March and see who is still missing; a
manager opens the dashboard and reads February, the latest complete month, told that March has begun, then
follows the link to March as entered so far, where every total says what it covers and no change falls."""

import re

import pytest

from outreach.models import MetricSnapshot
from tests.browser.conftest import assert_accessible, screenshot
from tests.browser.test_admin_journeys import arrive, front_page_link, open_the_admin
from tests.pages import add_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def museum(seeded_for_real_transactions):
    """The seed's four accounts and their real February 2024 figures."""
    return seeded_for_real_transactions


def test_one_account_entered_for_march_the_dashboard_shows_february_and_says_why(new_page, live_server, museum):
    staff = new_page()
    open_the_admin(staff, live_server, "ling", add_person("ling", "staff"))
    front_page_link(staff, "Enter a month for every account").click()
    arrive(staff, "**/admin/outreach/metricsnapshot/month-grid/")
    assert "Figures at the end of March 2024" in staff.locator("#content-main").inner_text()
    wechat = museum["wechat"].pk
    for field, value in {"articles": "1,010", "views": "20,100,000", "followers": "263万"}.items():
        staff.fill(f'input[name="account-{wechat}-{field}"]', value)
    with staff.expect_navigation():
        staff.click('input[type="submit"][value^="Save"]')
    assert MetricSnapshot.objects.filter(period__year=2024, period__month=3).count() == 1

    staff.locator("div.breadcrumbs a").first.click()  # back to the admin's front page, as a person goes
    arrive(staff, f"{live_server.url}/admin/")
    missing = staff.locator(".missing-reports").inner_text()
    assert re.search(r"March 2024: missing .*Douyin.*Bilibili", missing), missing
    assert "WeChat" not in missing
    screenshot(staff, "admin-missing-march")

    manager = new_page()
    password = add_person("director", "manager")
    manager.goto(f"{live_server.url}/")
    manager.wait_for_url("**/accounts/login/**")
    manager.fill("#id_username", "director")
    manager.fill("#id_password", password)
    manager.click("button.primary")
    arrive(manager, f"{live_server.url}/")
    notice = manager.locator(".coverage-notice").inner_text()
    assert "March 2024: 1 of 4 accounts entered; showing February 2024, the latest complete month." in notice
    assert "Feb 2024" in manager.locator("#cards-heading").inner_text()
    screenshot(manager, "dashboard-latest-complete")

    manager.get_by_role("link", name="See March 2024 as entered so far").click()
    arrive(manager, "**/?*end=2024-03*")
    assert "Mar 2024" in manager.locator("#cards-heading").inner_text()
    cards = manager.locator(".cards .card").all_inner_texts()
    views = next(text for text in cards if text.startswith("Views"))
    assert "covers 1 of 4 accounts" in views
    assert "over the 1 account that reported both months" in views
    assert not any(re.search(r"−|-\d", text) for text in cards), cards  # no cumulative figure falls
    assert "so far" in manager.locator(".coverage-notice").inner_text()
    screenshot(manager, "dashboard-partial-march")
    assert_accessible(manager)
