"""The Content-Security-Policy in Chromium: the pages people use break none of it, and still work under it.

Every page of a test reports each violation the browser raises (a `securitypolicyviolation` event, from a
script the context adds before any of the page's own), popups included; none may occur. A violation is
something a person notices: a script that does not run, a style that is not applied.
"""

import re

import pytest
from django.core.management import call_command

from outreach.models import Account, Milestone, Platform
from tests.browser.test_dashboard_pages import wait_for_charts
from tests.conftest import restore_migrated_data
from tests.pages import add_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Added to every document of the context before its own scripts run: what the browser refused, and where.
RECORD_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => window.cspViolation({
    page: location.pathname + location.search,
    directive: event.effectiveDirective,
    blocked: event.blockedURI,
    source: `${event.sourceFile}:${event.lineNumber}`,
    sample: event.sample,
}));
"""


@pytest.fixture
def museum():
    """The seed with its illustrative history; the administrator's password."""
    restore_migrated_data()
    call_command("load_seed_figures", "--illustrative-history", verbosity=0)
    return add_person("director", "administrator")


@pytest.fixture
def watched(new_page):
    """A page (console errors and foreign requests checked as every browser test's are) whose context
    records every CSP violation of any of its pages into a list."""
    page = new_page()
    violations: list[dict] = []
    page.context.expose_function("cspViolation", lambda violation: violations.append(violation))
    page.context.add_init_script(RECORD_VIOLATIONS)
    return page, violations


def sign_in(page, live_server, start: str, password: str) -> None:
    page.goto(f"{live_server.url}{start}")
    page.wait_for_selector("#id_username")
    page.fill("#id_username", "director")
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("button.primary")


def visit(page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")


def rgb(hex_colour: str) -> str:
    red, green, blue = (int(hex_colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgb({red}, {green}, {blue})"


def assert_charts_drawn_and_styled(page) -> None:
    """Each chart drawn (an SVG in its container) as it scrolls into view, and plotly.js's own rules applied
    from plotly.css, not from the <style> block the policy refuses: its mode bar floats over the chart."""
    wait_for_charts(page)
    assert page.locator("[data-figure] svg.main-svg").count() >= 4
    assert page.evaluate("() => getComputedStyle(document.querySelector('.modebar')).position") == "absolute"


def test_the_dashboard_in_both_languages_keeps_to_the_policy_and_draws_its_charts(watched, live_server, museum):
    page, violations = watched
    sign_in(page, live_server, "/", museum)
    page.wait_for_url(f"{live_server.url}/")

    assert_charts_drawn_and_styled(page)
    # Each platform's card in its chart colour, set by script: a style attribute would have been refused.
    wechat = Platform.objects.get(slug="wechat")
    card = page.locator(".platform-card", has_text=wechat.name_en)
    assert card.evaluate("(card) => getComputedStyle(card).borderTopColor") == rgb(wechat.color)
    # The chart's own download, which draws the chart through a blob: image the policy allows.
    page.locator('[data-figure="figure-cumulative"]').hover()
    with page.expect_download() as download:
        page.locator('[data-figure="figure-cumulative"] .modebar-btn[data-title="Download plot as a PNG"]').click()
    assert download.value.suggested_filename.endswith(".png")

    page.click('button[name="language"][value="zh-hans"]')
    page.wait_for_selector("html[lang='zh-Hans']")
    assert_charts_drawn_and_styled(page)
    assert page.locator('[data-figure="figure-cumulative"] .main-svg').first.is_visible()

    assert violations == []


def test_the_admin_pages_staff_use_keep_to_the_policy(watched, live_server, museum):
    page, violations = watched
    sign_in(page, live_server, "/admin/", museum)
    page.wait_for_url(f"{live_server.url}/admin/")

    # Every model's list, from the admin's front page.
    lists = page.eval_on_selector_all(
        "#content-main .app-list a[href$='/'], #content-main table a[href$='/']",
        "(links) => [...new Set(links.map((link) => link.href).filter((href) => !href.endsWith('/add/')))]",
    )
    assert f"{live_server.url}/admin/outreach/metricsnapshot/" in lists and len(lists) >= 6
    for address in lists:
        visit(page, address)
        assert page.locator("#changelist, #content-main").first.is_visible()

    # The snapshot list, then a snapshot's change form, its history and its delete confirmation.
    visit(page, f"{live_server.url}/admin/outreach/metricsnapshot/")
    with page.expect_navigation():
        page.locator("#result_list tbody tr th a").first.click()
    assert re.search(r"/metricsnapshot/\d+/change/", page.url)
    assert page.locator("#metricsnapshot_form").is_visible()
    with page.expect_navigation():
        page.locator(".object-tools a.historylink").click()
    assert page.locator("#change-history").is_visible()
    page.go_back()
    with page.expect_navigation():
        page.locator(".submit-row a.deletelink").click()
    assert "Are you sure you want to delete" in page.locator("#content").inner_text()

    # The month grid and the import: the upload page, then the preview of a file this site exported.
    visit(page, f"{live_server.url}/admin/outreach/metricsnapshot/month-grid/")
    assert page.locator(".month-grid table").is_visible()
    exported = page.context.request.get(f"{live_server.url}/reports/snapshots.csv")
    assert exported.ok
    visit(page, f"{live_server.url}/admin/outreach/metricsnapshot/import/")
    page.set_input_files(
        'input[type="file"]', files=[{"name": "figures.csv", "mimeType": "text/csv", "buffer": exported.body()}]
    )
    with page.expect_navigation():
        page.click('.submit-row input[type="submit"]')
    assert page.locator(".import-counts").is_visible()

    assert violations == []


def test_a_milestone_added_with_the_calendar_and_a_new_account_from_the_popup(watched, live_server, museum):
    """The admin's own scripts under the policy: the date shortcuts and calendar, the related-object popup
    and the script that hands its new account back to the form."""
    page, violations = watched
    sign_in(page, live_server, "/admin/outreach/milestone/add/", museum)
    page.wait_for_url("**/admin/outreach/milestone/add/")

    page.locator(".datetimeshortcuts a", has_text="Today").click()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", page.input_value("#id_date"))
    page.locator(".datetimeshortcuts a.date-icon, #calendarlink0").first.click()
    assert page.locator(".calendarbox").first.is_visible()
    page.keyboard.press("Escape")

    with page.context.expect_page() as opened:
        page.click("#add_id_account")
    popup = opened.value
    popup.wait_for_load_state()
    popup.select_option("#id_platform", label=Platform.objects.get(slug="bilibili").name_en)
    popup.fill("#id_name", "Science Night")
    if popup.locator("#id_opened_on").count():
        popup.fill("#id_opened_on", "2024-01-01")
    with popup.expect_event("close"):
        popup.click('input[type="submit"][name="_save"]')

    # popup_response.js put the new account into the form's choice, and chose it.
    assert "Science Night" in page.locator("#id_account option:checked").inner_text()
    page.fill("#id_title", "A night at the museum")
    with page.expect_navigation():
        page.click('input[type="submit"][name="_save"]')
    assert "was added successfully" in page.locator(".messagelist").inner_text()
    assert Milestone.objects.get(title="A night at the museum").account == Account.objects.get(name="Science Night")

    assert violations == []
