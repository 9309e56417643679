"""A real Chromium (Debian's, driven by Playwright) against the app served by pytest-django's live_server.

Each page fails its test on a JavaScript console error and on any request to a host but the app's own.
Without Chromium the browser tests are skipped with the reason printed, unless OUTREACH_REQUIRE_BROWSER
is set (CI sets it), which turns the skip into a failure.
"""

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"

# Playwright's sync API runs an event loop in this thread; the test's own database calls are still
# synchronous, one at a time, so Django's guard against async-unsafe calls does not apply.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _unavailable(reason: str):
    if os.environ.get("OUTREACH_REQUIRE_BROWSER"):
        pytest.fail(f"{reason} (OUTREACH_REQUIRE_BROWSER is set: browser tests must run)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        _unavailable(f"no Chromium at {CHROMIUM}: `apt-get install chromium fonts-noto-cjk` to run the browser tests")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed: `make test` installs it with the dev extra")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


class PageWatch:
    """What a page did that a test must not let pass: console errors, requests to other hosts."""

    def __init__(self, origin: str):
        self.origin = urlsplit(origin).netloc
        self.console_errors: list[str] = []
        self.foreign_requests: list[str] = []

    def on_console(self, message) -> None:
        # What the test's own evaluated code does (axe-core, run through page.evaluate, has no URL) is not the
        # page's: axe styles the elements it measures, which the page's Content-Security-Policy refuses.
        if message.type == "error" and not (message.location.get("url") == "" and "Content Security" in message.text):
            self.console_errors.append(message.text)

    def on_request(self, request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != self.origin:
            self.foreign_requests.append(request.url)

    def attach(self, page) -> None:
        page.on("console", self.on_console)
        page.on("pageerror", lambda error: self.console_errors.append(str(error)))
        page.on("request", self.on_request)

    def check(self) -> None:
        assert self.console_errors == [], "JavaScript errors on the page"
        assert self.foreign_requests == [], "requests to hosts other than the app's own"


@pytest.fixture
def new_page(browser, live_server):
    """Open a page in a browser context of its own (a second person: their own cookies), watched as `page` is.

    `new_page(locale="zh-CN")` takes Playwright's context options; each page is checked after the test.
    """
    opened = []

    def make(**options):
        context = browser.new_context(
            **{"viewport": {"width": 1280, "height": 900}, "accept_downloads": True, "locale": "en-US", **options}
        )
        page = context.new_page()
        watch = PageWatch(live_server.url)
        watch.attach(page)
        page.set_default_timeout(15000)
        opened.append((context, watch))
        return page

    yield make
    for context, _watch in opened:
        context.close()
    for _context, watch in opened:
        watch.check()


@pytest.fixture
def page(new_page):
    return new_page()


def screenshot(page, name: str) -> None:
    """Keep a screenshot for people to look at (test-artifacts/, ignored by git)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def assert_accessible(page, *, exclude: tuple[str, ...] = ()) -> None:
    """Fail if axe-core (4.14.1, vendored) finds a serious or critical violation on the page as it is now.

    Call it after the page has settled (charts drawn, messages shown): axe checks the DOM at that moment.
    `exclude` takes CSS selectors of parts that are not ours to fix (none on our own pages). The failure
    lists each violation as its rule id, impact, help text and the selectors of the offending elements.
    Usage: `from tests.browser.conftest import assert_accessible`, then `assert_accessible(page)`.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, not added as an inline <script>: the app's
        # Content-Security-Policy (script-src 'self') refuses inline scripts, Playwright's included.
        page.evaluate(AXE.read_text(encoding="utf-8"))
    results = page.evaluate(
        """async (exclude) => {
            const context = exclude.length ? {exclude: exclude.map((selector) => [selector])} : document;
            const results = await axe.run(context, {resultTypes: ["violations"]});
            return results.violations.map((violation) => ({
                id: violation.id,
                impact: violation.impact,
                help: violation.help,
                targets: violation.nodes.map((node) => node.target.join(" ")),
            }));
        }""",
        list(exclude),
    )
    serious = [violation for violation in results if violation["impact"] in ("serious", "critical")]
    assert not serious, f"axe-core found serious or critical violations on {page.url}:\n" + "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}: {', '.join(v['targets'])}" for v in serious
    )
