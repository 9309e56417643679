"""Response headers a browser acts on: what a page may load and run (the Content-Security-Policy, and the
pages' HTML that must keep within it), features refused, figures kept private, the language cookie."""

import json
import re
from collections import deque
from contextlib import contextmanager
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import OperationalError, ProgrammingError, connection
from django.test import Client, override_settings
from django.urls import reverse
from webtest import Upload

from outreach.reports.links import unsubscribe_token
from tests.pages import add_person, form_posting_to, sign_in
from tests.servers import ROOT, VENV_BIN, production_env, run, secret_key


def test_every_response_refuses_the_browser_features_no_page_uses(client, db):
    for url in (reverse("healthz"), reverse("accounts:login")):
        policy = client.get(url)["Permissions-Policy"]
        assert "camera=()" in policy and "geolocation=()" in policy and "microphone=()" in policy


@pytest.mark.parametrize(
    "name", ["dashboard", "recent_changes", "report_subscription", "snapshots_csv", "summary_xlsx"]
)
def test_pages_with_figures_are_kept_by_no_shared_cache_and_asked_for_again(manager_client, seeded, name):
    response = manager_client.get(reverse(name))

    assert response.status_code == 200
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-cache"} <= directives


def test_the_language_cookie_is_secure_and_same_site_in_production():
    shown = run(
        [
            VENV_BIN / "python",
            "manage.py",
            "shell",
            "-c",
            "import json; from django.conf import settings; "
            "print(json.dumps([settings.LANGUAGE_COOKIE_SECURE, settings.LANGUAGE_COOKIE_SAMESITE]))",
        ],
        production_env(SECRET_KEY=secret_key(), ALLOWED_HOSTS="outreach.example.org"),
    )
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout.strip().splitlines()[-1]) == [True, "Lax"]


@override_settings(LANGUAGE_COOKIE_SECURE=True)
def test_the_language_a_person_chooses_is_sent_back_in_a_secure_lax_cookie(django_app, db):
    password = add_person("chooser", "manager")
    page = sign_in(django_app, reverse("dashboard"), "chooser", password)

    chosen = form_posting_to(page, reverse("set_language")).submit("language", value="zh-hans")

    cookie = next(
        value for name, value in chosen.headers.items() if name == "Set-Cookie" and "django_language" in value
    )
    assert "Secure" in cookie and "SameSite=Lax" in cookie


# The policy every response carries (outreach/middleware.py), directive by directive.
POLICY = {
    "default-src": ["'none'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "blob:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def policy_of(response) -> dict[str, list[str]]:
    """The response's Content-Security-Policy as {directive: sources}."""
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy (status {response.status_code})"
    return {name: sources for name, *sources in (part.split() for part in header.split(";") if part.strip())}


@contextmanager
def database_failing_with(error: Exception):
    """Every query raises `error`, as when the server goes away (OperationalError) or a query is wrong."""

    def refuse(execute, sql, params, many, context):
        raise error

    with connection.execute_wrapper(refuse):
        yield


@pytest.fixture
def manager(db, django_user_model):
    from django.contrib.auth.models import Group

    person = django_user_model.objects.create_user(username="csp-manager", password="a-long-manager-password")
    person.groups.add(Group.objects.get(name="Managers"))
    return person


# Each kind of response, as (what it is, who asks, the address, the status it must have).
KINDS = [
    ("the dashboard", "manager", "dashboard", 200),
    ("the recent changes", "manager", "recent_changes", 200),
    ("a CSV download", "manager", "snapshots_csv", 200),
    ("the sign-in page", None, "accounts:login", 200),
    ("the admin's front page", "staff", "admin:index", 200),
    ("the snapshot list", "staff", "admin:outreach_metricsnapshot_changelist", 200),
    ("the month grid", "staff", "admin:outreach_month_grid", 200),
    ("healthz", None, "healthz", 200),
    ("a page that is not there", None, "/no-such-page/", 404),
    ("the admin, to a manager", "manager", "admin:index", 403),
]


@pytest.mark.parametrize(("kind", "who", "address", "status"), KINDS, ids=[kind for kind, *_ in KINDS])
def test_every_kind_of_response_carries_the_content_security_policy(
    client, seeded, manager, staff_user, kind, who, address, status
):
    if who:
        client.force_login({"manager": manager, "staff": staff_user}[who])

    response = client.get(address if address.startswith("/") else reverse(address))

    assert response.status_code == status
    assert policy_of(response) == POLICY


@pytest.mark.parametrize(
    ("error", "status", "says"),
    [
        (ProgrammingError("a broken query"), 500, "Something went wrong on our side"),
        (OperationalError("the database does not answer"), 503, "The service is temporarily unavailable"),
    ],
    ids=["500", "503"],
)
def test_the_error_pages_carry_the_content_security_policy(manager, seeded, error, status, says):
    client = Client(raise_request_exception=False)
    client.force_login(manager)

    with database_failing_with(error):
        response = client.get(reverse("dashboard"))

    assert response.status_code == status
    assert says in response.content.decode()
    assert policy_of(response) == POLICY


@override_settings(WHITENOISE_USE_FINDERS=True)
def test_a_static_file_carries_the_content_security_policy_too(db):
    """An SVG is a document that can hold scripts: opened on its own, the policy keeps them from running."""
    # WhiteNoise serves the files from where they are (production serves them collected: the same middleware).
    response = Client().get("/static/outreach/favicon.svg")

    assert response.status_code == 200
    assert policy_of(response) == POLICY


def test_the_policy_earns_mozilla_observatorys_best_content_security_policy_mark():
    """The checks of Mozilla's HTTP Observatory (mdn/mdn-http-observatory, src/analyzer/tests/csp.js), whose
    best result, "csp-implemented-with-no-unsafe-default-src-none", is worth 10 points (5 without 'none')."""
    from outreach.middleware import CONTENT_SECURITY_POLICY

    policy = {name: set(sources) for name, *sources in (part.split() for part in CONTENT_SECURITY_POLICY.split(";"))}
    broad = {"*", "http:", "https:", "ftp:", "http://*", "https://*"}
    unsafe_inline = {"'unsafe-inline'", "data:"}
    script = policy.get("script-src") or policy["default-src"]
    style = policy.get("style-src") or policy["default-src"]

    assert policy["default-src"] == {"'none'"}
    assert not script & (broad | unsafe_inline), "scripts from inside the page or from anywhere"
    assert not style & (broad | unsafe_inline), "styles from inside the page or from anywhere"
    assert "'unsafe-eval'" not in script | style
    assert not (policy.get("object-src") or policy["default-src"]) & broad
    # Its other checks: clickjacking refused, <base> and forms kept to the site.
    assert policy["frame-ancestors"] == {"'none'"}
    assert not policy["base-uri"] & (broad | unsafe_inline)
    assert not policy["form-action"] & broad


@override_settings(DEBUG=True)
def test_djangos_debug_pages_stay_readable_in_development(client, db):
    """With DEBUG on, Django's own error pages (styled and scripted inline) are served without the policy."""
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "Content-Security-Policy" not in response.headers
    assert "<style" in response.content.decode()


def test_plotly_css_holds_the_rules_the_plotly_bundle_would_inject():
    """The charts' mode bar and hover labels are styled by static/outreach/plotly.css (the CSP refuses the
    <style> block plotly.js would add): after a plotly.js upgrade or rebuild, bin/plotly-css must be run."""
    checked = run([VENV_BIN / "python", ROOT / "bin" / "plotly-css", "--check"], production_env())

    assert checked.returncode == 0, checked.stderr


# Script types a browser executes: none, a JavaScript MIME type, or a module. JSON data is never run.
def _is_executable(script) -> bool:
    kind = (script.get("type") or "").strip().lower()
    return kind in ("", "module") or "javascript" in kind or "ecmascript" in kind


URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcdoc")


def refused_by_the_policy(html: str) -> list[str]:
    """What in this HTML the policy refuses, and a person would miss: inline scripts, on* handlers and
    javascript: URLs (never run), <style> blocks and style attributes (never applied)."""
    soup = BeautifulSoup(html, "html.parser")
    found = []
    for script in soup.find_all("script"):
        if _is_executable(script) and not script.get("src"):
            found.append(f"an inline script: {script.get_text()[:60]!r}")
    for style in soup.find_all("style"):
        found.append(f"a <style> block: {style.get_text()[:60]!r}")
    for element in soup.find_all(True):
        for name, value in element.attrs.items():
            name, value = name.lower(), " ".join(value) if isinstance(value, list) else value
            handler = re.fullmatch(r"on[a-z]+", name)
            # A browser ignores whitespace and control characters in a URL's scheme, and its case.
            scheme = re.sub(r"[\s\x00-\x1f]", "", value).lower()
            script_url = name in URL_ATTRIBUTES and scheme.startswith("javascript:")
            if handler or script_url or name == "style":
                found.append(f"<{element.name} {name}={value[:40]!r}>")
    return found


def test_the_html_check_finds_what_the_policy_refuses():
    page = """<html><head><style>p{}</style><script>alert(1)</script><script type="module">x()</script>
    <script type="application/json" id="figure">{"data": []}</script><script src="/static/a.js"></script></head>
    <body onload="go()"><a href=" JavaScript:go()">x</a><p style="color:red">y</p><form action="/f"></form>
    <button formaction="javascript:void(0)">z</button></body></html>"""

    found = refused_by_the_policy(page)

    assert len(found) == 7, found
    assert refused_by_the_policy('<script type="application/json">{}</script><a href="/x">x</a>') == []


def _signature(url: str) -> tuple[str, str]:
    """One visit per kind of page: the path with its numbers generalised, and whether it is a popup or asks
    something of the page (filters, sorting), so that a list of 200 snapshots is not 200 visits."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    kind = "popup" if "_popup" in query else ("query" if query else "")
    return re.sub(r"\d+", "N", parts.path), kind


def crawl(app, starts: list[str], *, limit: int = 250) -> dict[str, object]:
    """Follow the links of every page from `starts`, as a person clicking through the site would, staying on
    it: {address: the response}. Redirects are followed; downloads are fetched but not read as pages."""
    pages: dict[str, object] = {}
    seen: set[tuple[str, str]] = set()
    queue = deque(starts)
    while queue and len(pages) < limit:
        url = queue.popleft()
        if _signature(url) in seen:
            continue
        seen.add(_signature(url))
        response = app.get(url, expect_errors=True)
        while response.status_int in (301, 302, 303) and urlsplit(response.location).netloc in ("", "testserver"):
            response = app.get(response.location, expect_errors=True)
        pages[url] = response
        if "html" not in response.content_type:
            continue
        for link in response.html.find_all("a", href=True):
            target = urlsplit(urljoin(f"http://testserver{url}", link["href"]))
            if target.scheme in ("http", "https") and target.netloc == "testserver":
                address = target.path + (f"?{target.query}" if target.query else "")
                if _signature(address) not in seen:
                    queue.append(address)
    return pages


@pytest.fixture
def museum_with_history(db):
    """The seed's accounts, figures and illustrative monthly history: lists, histories and charts to crawl."""
    call_command("load_seed_figures", "--illustrative-history", verbosity=0)


def _refused_sign_in(app, username: str):
    """The sign-in form as rendered, sent with a wrong password: the page that answers."""
    form = form_posting_to(app.get(reverse("accounts:login")), reverse("accounts:login"))
    form["username"], form["password"] = username, "not-the-password"
    return form.submit(expect_errors=True)


def test_no_page_we_serve_runs_or_styles_anything_from_inside_its_html(django_app, museum_with_history):
    """Crawled signed out, then as an administrator (every admin page: lists, forms, popups, histories, the
    delete confirmation; the downloads), and with the pages only a form reaches (the import preview, a refused
    sign-in, the lockout): nothing the Content-Security-Policy refuses is in any of them."""
    signed_out = crawl(django_app, ["/", reverse("accounts:login"), "/no-such-page/"])
    refused_page = _refused_sign_in(django_app, "nobody")

    password = add_person("csp-admin", "administrator")
    sign_in(django_app, reverse("dashboard"), "csp-admin", password)
    signed_in = crawl(django_app, [reverse("dashboard"), reverse("admin:index"), reverse("recent_changes")])
    exported = django_app.get(reverse("snapshots_csv")).body
    upload = form_posting_to(django_app.get(reverse("admin:outreach_import")))
    upload["file"] = Upload("outreach-snapshots.csv", exported)
    import_preview = upload.submit().follow()

    django_app.reset()  # signed out again: the unsubscribe page a mail links to; the sign-in form, wrong until locked
    person = get_user_model().objects.get(username="csp-admin")
    unsubscribe_page = django_app.get(reverse("report_unsubscribe", kwargs={"token": unsubscribe_token(person)}))
    for _attempt in range(settings.AXES_FAILURE_LIMIT + 1):
        locked_out = _refused_sign_in(django_app, "csp-admin")
        if "Too many failed sign-ins" in locked_out.text:
            break

    by_form = {
        "the sign-in refused": refused_page,
        "the import preview": import_preview,
        "the lockout": locked_out,
        "the unsubscribe page": unsubscribe_page,
    }
    pages = {**signed_out, **signed_in, **by_form}
    kinds = {_signature(url)[0] for url in signed_in}
    # The crawl reached every kind of page there is to check; a broken link or a renamed page shrinks it.
    for expected in (
        "/admin/outreach/metricsnapshot/N/change/",
        "/admin/outreach/metricsnapshot/N/history/",
        "/admin/outreach/milestone/N/delete/",
        "/admin/outreach/metricsnapshot/month-grid/",
        "/admin/outreach/platform/add/",
        "/admin/accounts/user/N/change/",
    ):
        assert expected in kinds, f"the crawl never reached {expected}"
    assert any(_signature(url)[1] == "popup" for url in signed_in), "no related-object popup was crawled"
    assert import_preview.html.select_one(".import-counts"), "the upload did not reach the import preview"
    assert "Too many failed sign-ins" in locked_out.text

    html_pages = {url: response for url, response in pages.items() if "html" in response.content_type}
    problems = {url: found for url, response in html_pages.items() if (found := refused_by_the_policy(response.text))}
    assert not problems, "what the Content-Security-Policy refuses:\n" + "\n".join(
        f"{url}: {'; '.join(sorted(set(found)))}" for url, found in problems.items()
    )
    assert {url: response.status_int for url, response in pages.items() if response.status_int >= 500} == {}
    assert [url for url, response in pages.items() if "Content-Security-Policy" not in response.headers] == []
