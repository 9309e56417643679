"""The manager's dashboard in Chromium: no way off the site, accessible (axe-core), and printable on A4 and Letter."""

import re
from datetime import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from tests.browser.conftest import assert_accessible, screenshot
from tests.browser.test_journeys import CHARTS, PASSWORD, chart_traces, platform_totals, restore_migrated_data, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A4 is 210 mm, 794 CSS px at 96 dpi; Chromium's default margins (about 1 cm each side) leave about 718.
A4_PRINTABLE_WIDTH = 718
LETTER_PRINTABLE_WIDTH = 739
# Lighthouse's mobile screen (a Moto G Power): the charts are far below the fold there.
PHONE = {"viewport": {"width": 412, "height": 823}, "device_scale_factor": 1.75, "is_mobile": True, "has_touch": True}


@pytest.fixture
def museum(django_user_model):
    """The seed with its illustrative history, and a manager."""
    restore_migrated_data()
    call_command("load_seed_figures", "--illustrative-history", verbosity=0)
    manager = django_user_model.objects.create_user(username="manager", password=PASSWORD)
    manager.groups.add(Group.objects.get(name="Managers"))


def sign_in_from_the_dashboard(page, live_server, username: str = "manager") -> None:
    """Signed out, open the dashboard, be sent to the sign-in page, sign in, land on the dashboard."""
    page.goto(f"{live_server.url}/")
    page.wait_for_selector("#id_username")
    assert "/accounts/login/" in page.url
    assert_accessible(page)
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{live_server.url}/")
    wait_for_charts(page)


def wait_for_charts(page) -> None:
    """Scroll to each chart as a reader does (each is drawn as it nears the screen), and wait until it is drawn."""
    for chart in CHARTS:
        page.locator(f'[data-figure="{chart}"]').scroll_into_view_if_needed()
        page.wait_for_selector(f'[data-figure="{chart}"] .main-svg')


def figure_on_the_page(page, chart: str) -> list[dict]:
    """The figure the server put in the page for `chart` (its JSON script element), as `chart_traces` reads one."""
    return page.evaluate(
        """(id) => JSON.parse(document.getElementById(id).textContent).data.map(
            (trace) => ({name: trace.name, x: trace.x || trace.labels, y: trace.y || trace.values,
                         meta: trace.meta || null}))""",
        chart,
    )


def shown_table(page) -> dict:
    """The data table as the page shows it: its column headers, and period → column → cell text."""
    return page.evaluate(
        """() => {
            const table = document.querySelector(".data-table table");
            const columns = Array.from(table.querySelectorAll("thead th[scope=col]"), (th) => th.innerText.trim());
            const rows = {};
            for (const row of table.querySelectorAll("tbody tr")) {
                const cells = Array.from(row.querySelectorAll("td"), (td) => td.innerText.trim());
                rows[row.querySelector("th[scope=row]").innerText.trim()] = Object.fromEntries(
                    cells.map((cell, index) => [columns[index + 1], cell]));
            }
            return {columns, rows};
        }"""
    )


def cumulative_by_label(page) -> dict[str, dict[str, int]]:
    """The main chart's figure on the page: period label (as its hover shows it) → trace name → value."""
    return page.evaluate(
        """() => {
            const figure = JSON.parse(document.getElementById("figure-cumulative").textContent);
            const values = {};
            for (const trace of figure.data.filter((trace) => trace.meta !== "forecast")) {
                trace.customdata.forEach(([label], index) => {
                    (values[label] = values[label] || {})[trace.name] = trace.y[index];
                });
            }
            return values;
        }"""
    )


def test_on_a_phone_each_chart_is_drawn_as_it_scrolls_into_view_and_not_before(new_page, live_server, museum):
    page = new_page(**PHONE)
    fetched = []
    page.on("request", lambda request: fetched.append(request.url))
    sign_in(page, live_server, "manager")
    page.wait_for_load_state("networkidle")

    # Far below the fold, nothing is drawn and no chart library was fetched ...
    assert page.evaluate("() => typeof window.Plotly") == "undefined"
    assert [url for url in fetched if "/vendor/plotly/" in url] == []
    assert page.locator(".main-svg").count() == 0
    # ... but each chart's title, caption and description are there, for screen readers and for paper.
    for chart in CHARTS:
        block = page.locator(f'figure.chart-block:has([data-figure="{chart}"])')
        assert block.get_attribute("aria-label")
        assert block.locator("figcaption").inner_text().strip()
        assert page.locator(f"#{chart}-text").text_content().strip()
    boxes = [page.locator(f'[data-figure="{chart}"]').bounding_box()["height"] for chart in CHARTS]

    for chart in CHARTS:
        assert chart_traces(page, chart) == figure_on_the_page(page, chart), chart
    cumulative = {
        trace["name"]: dict(zip(trace["x"], trace["y"], strict=True))
        for trace in chart_traces(page, CHARTS[0])
        if trace["meta"] != "forecast"
    }
    assert cumulative == platform_totals("views")
    # Drawn in the room kept for them: the page does not jump as they appear.
    assert [page.locator(f'[data-figure="{chart}"]').bounding_box()["height"] for chart in CHARTS] == boxes
    assert overflowing(page, PHONE["viewport"]["width"]) == []
    assert len([url for url in fetched if "/vendor/plotly/plotly-basic" in url]) == 1
    screenshot(page, "dashboard-phone")
    assert_accessible(page)


@pytest.mark.parametrize(
    ("language", "headers"),
    [
        ("en", ["Period", "China Science Communication", "WeChat official account", "Douyin", "Bilibili"]),
        ("zh-CN", ["时段", "科普中国", "微信公众号", "抖音", "哔哩哔哩"]),
    ],
)
def test_the_table_is_built_when_opened_from_the_keyboard_with_its_headers_and_figures(
    new_page, live_server, museum, language, headers
):
    page = new_page(locale=language)
    sign_in_from_the_dashboard(page, live_server)
    assert page.locator(".data-table table").count() == 0  # not in the page until asked for

    page.focus(".data-table summary")
    page.keyboard.press("Enter")
    table = page.get_by_role("table")
    table.wait_for()

    assert table.is_visible()
    shown = shown_table(page)
    assert sorted(shown["columns"][1:]) == sorted(headers[1:]) and shown["columns"][0] == headers[0]
    # Every cell says what the main chart draws: the same figure, marked "≥" or "†" where it is one, and "–"
    # where the chart has no point.
    figures = cumulative_by_label(page)
    assert set(shown["rows"]) == set(figures)
    for label, cells in shown["rows"].items():
        for column, cell in cells.items():
            drawn = figures[label].get(column)
            assert (None if cell == "–" else int(re.sub(r"\D", "", cell))) == drawn, (label, column, cell)
    february = "Feb 2024" if language == "en" else "2024年2月"
    assert shown["rows"][february][headers[2]] == "≥ 20,000,000"  # the seed article's WeChat views
    assert_accessible(page)

    # Closed and opened again, it is the same one table.
    page.keyboard.press("Enter")
    assert table.is_hidden()
    page.keyboard.press("Enter")
    assert page.locator(".data-table table").count() == 1 and table.is_visible()


def test_without_javascript_the_table_and_the_download_still_offer_the_figures(new_page, live_server, museum):
    page = new_page(java_script_enabled=False)
    page.goto(f"{live_server.url}/")
    page.fill("#id_username", "manager")
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{live_server.url}/")

    page.click(".data-table summary")
    table = page.get_by_role("table")
    assert table.is_visible()
    headers = table.locator("thead th[scope=col]").all_inner_texts()
    assert headers[0] == "Period" and "WeChat official account" in headers
    february = table.locator("tbody tr", has=page.locator("th[scope=row]", has_text="Feb 2024"))
    assert "≥ 20,000,000" in february.inner_text()
    assert page.get_by_role("link", name="Snapshots (CSV)").get_attribute("href").startswith("/reports/snapshots.csv")


def test_printing_before_any_chart_was_scrolled_to_draws_them_all_for_the_paper(new_page, live_server, museum):
    page = new_page(**PHONE)
    sign_in(page, live_server, "manager")
    page.wait_for_load_state("networkidle")
    assert page.locator(".main-svg").count() == 0

    page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    page.emulate_media(media="print")
    page.wait_for_function("() => Array.from(document.querySelectorAll('[data-figure]')).every((c) => c.data)")

    for chart in CHARTS:
        assert chart_traces(page, chart) == figure_on_the_page(page, chart), chart
    assert page.locator(".data-table table").is_visible()
    widths = page.eval_on_selector_all(
        ".chart .main-svg", "(svgs) => svgs.map((svg) => svg.getBoundingClientRect().width)"
    )
    assert max(widths) <= A4_PRINTABLE_WIDTH
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000


def test_no_chart_control_sends_the_figures_to_another_host(page, live_server, museum):
    sign_in_from_the_dashboard(page, live_server)

    buttons = page.evaluate(
        """() => Array.from(document.querySelectorAll(".modebar-btn")).map(
            (button) => `${button.dataset.title || ""} ${button.getAttribute("data-attr") || ""}`)"""
    )
    assert buttons, "the charts have no mode bar to check"
    leaving = [name for name in buttons if any(word in name.lower() for word in ("share", "cloud", "studio", "edit"))]
    assert leaving == []
    assert page.locator('.modebar-btn[data-title^="Share"]').count() == 0
    # Nor a link out of the page anywhere in the charts (Plotly's logo, "Edit chart" links).
    hrefs = page.eval_on_selector_all("[data-figure] a[href]", "(links) => links.map((link) => link.href)")
    assert [href for href in hrefs if not href.startswith(live_server.url)] == []


def test_the_dashboard_the_recent_changes_and_the_sign_in_page_pass_axe_in_both_languages(page, live_server, museum):
    sign_in_from_the_dashboard(page, live_server)
    assert page.locator('[data-figure][role="img"]').count() == 0
    assert_accessible(page)

    page.click('button[name="language"][value="zh-hans"]')
    page.wait_for_selector("html[lang='zh-Hans']")
    wait_for_charts(page)
    # plotly.js's own labels in Chinese too: its locale came with it when the charts were drawn.
    titles = page.eval_on_selector_all(".modebar-btn", "(buttons) => buttons.map((button) => button.dataset.title)")
    assert "下载图表为PNG格式" in titles, titles
    assert_accessible(page)

    page.click(".site-nav a[href='/changes/']")
    page.wait_for_url("**/changes/**")
    assert_accessible(page)

    page.click('button[name="language"][value="en"]')
    page.wait_for_selector("html[lang='en']")
    assert_accessible(page)


def test_the_focus_ring_stands_out_against_the_page(page, live_server, museum):
    sign_in_from_the_dashboard(page, live_server)

    page.focus('button[type="submit"].primary')
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    ring = page.evaluate(
        """() => {
            const style = getComputedStyle(document.activeElement);
            return {color: style.outlineColor, width: parseFloat(style.outlineWidth), style: style.outlineStyle};
        }"""
    )
    assert ring["style"] != "none" and ring["width"] >= 2
    assert contrast(ring["color"], "rgb(255, 255, 255)") >= 3, ring


def contrast(first: str, second: str) -> float:
    """WCAG's contrast ratio of two CSS rgb() colours."""

    def luminance(css: str) -> float:
        channels = [int(part) / 255 for part in css[css.index("(") + 1 : css.index(")")].split(",")[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def wait_for_charts_within(page, width: int) -> None:
    """Until every chart is redrawn within the paper's printable width."""
    page.wait_for_function(
        "(width) => Array.from(document.querySelectorAll('.chart .main-svg')).every("
        "(svg) => svg.getBoundingClientRect().right <= width)",
        arg=width,
    )


def overflowing(page, width: int) -> list[str]:
    """The cards, charts and tables whose box reaches past `width`, and the page itself if it scrolls sideways."""
    return page.evaluate(
        """(width) => {
            const wide = [];
            if (document.documentElement.scrollWidth > width) wide.push(`page ${document.documentElement.scrollWidth}`);
            document.querySelectorAll(
                ".card, .platform-card, .chart-block, .chart .main-svg, .data-table table, .print-header, .summary"
            ).forEach((element) => {
                const box = element.getBoundingClientRect();
                if (box.width && (box.left < 0 || box.right > width + 0.5)) {
                    wide.push(`${element.className.baseVal ?? element.className} ${Math.round(box.right)}`);
                }
            });
            return wide;
        }""",
        width,
    )


@pytest.mark.parametrize("width", [A4_PRINTABLE_WIDTH, LETTER_PRINTABLE_WIDTH])
def test_the_printed_dashboard_fits_the_paper_with_its_header_and_open_table(page, live_server, museum, width):
    sign_in_from_the_dashboard(page, live_server)
    page.goto(f"{live_server.url}/?platforms=wechat,douyin")
    wait_for_charts(page)

    page.set_viewport_size({"width": width, "height": 1100})
    page.emulate_media(media="print")
    wait_for_charts_within(page, width)

    assert overflowing(page, width) == []
    assert page.locator(".modebar-container").first.is_hidden()
    assert page.locator(".data-table table").is_visible()
    assert page.locator(".data-table summary").is_hidden()
    assert page.locator(".print-header").is_visible()
    text = "\n".join(page.locator(".print-only").all_inner_texts())
    assert "Filters: WeChat official account and Douyin" in text
    assert "Months covered: " in text and "Printed by manager, " in text
    assert page.locator(".filters").is_hidden() and page.locator(".downloads").is_hidden()
    screenshot(page, f"dashboard-print-{width}")
    assert_accessible(page)


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_printing_from_a_wide_screen_redraws_the_charts_for_the_paper_and_opens_the_table(
    page, live_server, museum, paper
):
    sign_in_from_the_dashboard(page, live_server)
    assert page.locator(".chart .main-svg").first.bounding_box()["width"] > A4_PRINTABLE_WIDTH

    rendered_at = page.get_attribute("time.printed-at", "datetime")
    page.wait_for_timeout(1100)
    # What the print dialog does first: the page's own beforeprint handler gets its chance.
    page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    page.emulate_media(media="print")
    # The printout says when it was printed, not when the page was loaded.
    printed_at = page.get_attribute("time.printed-at", "datetime")
    assert datetime.fromisoformat(printed_at.replace("Z", "+00:00")) > datetime.fromisoformat(rendered_at)

    widths = page.eval_on_selector_all(
        ".chart .main-svg", "(svgs) => svgs.map((svg) => svg.getBoundingClientRect().width)"
    )
    assert widths and max(widths) <= A4_PRINTABLE_WIDTH
    assert page.evaluate("() => Array.from(document.querySelectorAll('details')).every((d) => d.open)")
    pdf = page.pdf(format=paper, print_background=True)
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000

    page.evaluate("() => window.dispatchEvent(new Event('afterprint'))")
    page.emulate_media(media="screen")
    page.wait_for_function(
        f"() => document.querySelector('.chart .main-svg').getBoundingClientRect().width > {A4_PRINTABLE_WIDTH}"
    )
    assert not page.evaluate("() => document.querySelector('.data-table details').open")


def test_the_monthly_report_is_reached_from_the_dashboard_and_fits_a4_in_both_languages(page, live_server, museum):
    sign_in_from_the_dashboard(page, live_server)
    page.get_by_role("link", name="Monthly report, Feb 2024").click()
    page.wait_for_url("**/reports/monthly/2024-02/")
    wait_for_charts(page)
    assert page.get_by_role("heading", name="Monthly report, February 2024").is_visible()

    page.set_viewport_size({"width": A4_PRINTABLE_WIDTH, "height": 1100})
    page.emulate_media(media="print")
    wait_for_charts_within(page, A4_PRINTABLE_WIDTH)
    assert overflowing(page, A4_PRINTABLE_WIDTH) == []
    assert page.locator(".site-header").is_hidden()
    screenshot(page, "monthly-report-print")
    assert_accessible(page)

    page.emulate_media(media="screen")
    page.context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": live_server.url}])
    page.reload()
    assert page.get_by_role("heading", name="2024年2月月度报告").is_visible()
    assert_accessible(page)


def test_a_manager_subscribes_to_the_monthly_report_from_the_dashboard_by_keyboard_and_unsubscribes_from_the_link(
    page, new_page, live_server, museum, django_user_model
):
    from outreach.models import ReportSubscription
    from outreach.reports.links import unsubscribe_url

    manager = django_user_model.objects.get(username="manager")
    manager.email = "manager@museum.example"
    manager.save()
    sign_in_from_the_dashboard(page, live_server)
    page.get_by_role("link", name="The monthly report by e-mail").click()
    page.wait_for_url("**/reports/subscription/")
    assert_accessible(page)
    page.get_by_label("Simplified Chinese").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Subscribe").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(".messages")
    assert "You will receive the monthly report in Simplified Chinese at manager@museum.example." in page.inner_text(
        ".messages"
    )
    assert_accessible(page)
    screenshot(page, "report-subscription")
    assert ReportSubscription.objects.get(user=manager).language == "zh-hans"

    signed_out = new_page()
    link = unsubscribe_url(manager).replace("http://127.0.0.1:8000", live_server.url)
    signed_out.goto(link)
    assert signed_out.get_by_text("停止向 m•••@museum.example 发送月度报告吗？").is_visible()
    assert_accessible(signed_out)
    signed_out.get_by_role("button", name="退订").click()
    signed_out.wait_for_selector("text=月度报告将不再发送到 m•••@museum.example。")
    assert_accessible(signed_out)
    assert not ReportSubscription.objects.filter(user=manager).exists()
