"""Pages printed to PDF by headless Chromium, as a browser prints them (the way Grafana's image renderer
does): the charts drawn by the page's own script, the text real text. Offline: the page is handed to the
browser directly, as though at the site's own address (so that the PDF's links lead back to the site), its
static files are served from this installation's own, and every other request is refused, so nothing is
fetched from another host and no request comes back to this server.
"""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders

# How long the page may take to draw its charts before the PDF is given up (a busy server, a slow disk).
_DRAW_TIMEOUT_MS = 30_000


class PrintingUnavailable(Exception):
    """No Chromium to print with (CHROMIUM_PATH), or it failed: the PDF cannot be made now."""


def pdf_of_page(html: str, *, url: str, language: str) -> bytes:
    """The page (`html`, as served at `url`) printed to an A4 PDF once its charts are drawn.

    In a thread of its own: Playwright's synchronous API refuses a thread that runs an event loop (an ASGI
    server's, or another Playwright session's)."""
    executable = settings.CHROMIUM_PATH
    if not Path(executable).exists():
        raise PrintingUnavailable(f"no Chromium at {executable}")
    with ThreadPoolExecutor(max_workers=1) as printer:
        return printer.submit(_print, html, url, language, executable).result()


def _print(html: str, url: str, language: str, executable: str) -> bytes:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable)
            try:
                page = browser.new_page(locale="zh-CN" if language == "zh-hans" else "en-GB")
                page.route("**/*", lambda route: _answer(route, html, url))
                page.goto(url, wait_until="load")
                page.emulate_media(media="print")
                # What a print dialog does first: the page's own handler draws every chart for the paper.
                page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
                page.wait_for_function(
                    "() => Array.from(document.querySelectorAll('[data-figure]')).every("
                    "(chart) => chart.querySelector('.main-svg'))",
                    timeout=_DRAW_TIMEOUT_MS,
                )
                return page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
            finally:
                browser.close()
    except PlaywrightError as error:
        raise PrintingUnavailable(str(error).splitlines()[0]) from None


def _answer(route, html: str, page_url: str) -> None:
    url = route.request.url
    if url.split("#")[0] == page_url:
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)
        return
    origin = urlsplit(page_url)
    static_prefix = f"{origin.scheme}://{origin.netloc}{settings.STATIC_URL}"
    if url.startswith(static_prefix):
        found = _static_file(url[len(static_prefix) :].split("?")[0])
        if found is not None:
            route.fulfill(status=200, path=str(found))
            return
    route.abort()  # nothing else: no other host, no request back to this server


def _static_file(name: str) -> Path | None:
    """A static file as this installation serves it: collected (hashed names, production), or from the
    apps' folders (development)."""
    if ".." in Path(name).parts:
        return None
    if settings.STATIC_ROOT and (Path(settings.STATIC_ROOT) / name).is_file():
        return Path(settings.STATIC_ROOT) / name
    found = finders.find(name)
    return Path(found) if found else None
