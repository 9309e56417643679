"""Operations, against real servers: a server error mailed to ADMINS through a real SMTP server and sent to
an error tracker (a local HTTP server as Sentry's DSN), the log as JSON lines with one line per request and
its X-Request-ID, and the e-mail settings read from the environment.

The site runs in gunicorn with production settings (DEBUG off, everything from the environment), plus one
page that fails as a bug would (tests/failing_site/): the site itself has no page that fails on purpose.
"""

import gzip
import http.client
import json
import re
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import brotli
import pytest

from tests.mail_server import running_mail_server
from tests.servers import VENV_BIN, gunicorn_command, production_env, run, secret_key, started_server

# Arrivals that happen after the response (the tracker's event, the mail) and lines in the log.
DEADLINE = 60.0
ADMINS = "Ops <ops@museum.example>,b@museum.example"
SERVER_EMAIL = "outreach-errors@museum.example"
# The mail server's password, with an @ written %40 in the URL as a password's own @ must be.
SMTP_PASSWORD = "p@ss-word"
SENTRY_ENVIRONMENT = "museum-staging"
SENTRY_RELEASE = "outreach@1.2.3"
A_PROXYS_ID = "edge-7f3a9c1e-0001"
FAILURE = "DeliberateFailure"
SECRET_IN_A_LINK = "s3cr3t-value-in-a-link"


# --- a stand-in for Sentry: an HTTP server taking the SDK's envelopes --------------------------------------


def envelope_items(body: bytes) -> list[tuple[dict, bytes]]:
    """The items of a Sentry envelope: a header line, then per item a header line and its payload."""
    _header, _, rest = body.partition(b"\n")
    items = []
    while rest.strip():
        item_header_line, _, rest = rest.partition(b"\n")
        item_header = json.loads(item_header_line)
        if "length" in item_header:
            payload, rest = rest[: item_header["length"]], rest[item_header["length"] + 1 :]
        else:
            payload, _, rest = rest.partition(b"\n")
        items.append((item_header, payload))
    return items


class Tracker(ThreadingHTTPServer):
    """Keeps the events posted to it, with the path they were posted to."""

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _EnvelopeHandler)
        self.events: list[tuple[str, dict]] = []
        self.arrived = threading.Condition()

    @property
    def dsn(self) -> str:
        return f"http://public@127.0.0.1:{self.server_address[1]}/1"

    def wait_for_event(self, exception_type: str, timeout: float = DEADLINE) -> tuple[str, dict]:
        deadline = time.monotonic() + timeout
        with self.arrived:
            while True:
                for path, event in self.events:
                    if exception_type in {value.get("type") for value in event.get("exception", {}).get("values", [])}:
                        return path, event
                left = deadline - time.monotonic()
                assert left > 0, f"no event for {exception_type} in {timeout:.0f} s: {self.events}"
                self.arrived.wait(left)


class _EnvelopeHandler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding", "")
        body = gzip.decompress(body) if encoding == "gzip" else brotli.decompress(body) if encoding == "br" else body
        events = [json.loads(payload) for header, payload in envelope_items(body) if header.get("type") == "event"]
        with self.server.arrived:
            self.server.events.extend((self.path, event) for event in events)
            self.server.arrived.notify_all()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format, *args):  # noqa: A002 (http.server's signature)
        pass  # the test's output is for the test


@contextmanager
def running_tracker() -> Iterator[Tracker]:
    tracker = Tracker()
    thread = threading.Thread(target=tracker.serve_forever, daemon=True)
    thread.start()
    try:
        yield tracker
    finally:
        tracker.shutdown()
        tracker.server_close()


# --- the site in gunicorn ---------------------------------------------------------------------------------


def site_environment(folder: Path, **variables: str) -> dict[str, str]:
    """Production settings, on a SQLite file of its own (these pages need no table), plain HTTP on loopback."""
    return production_env(
        SECRET_KEY=secret_key(),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        DJANGO_SETTINGS_MODULE="tests.failing_site.settings",
        **variables,
    )


def fetch(base_url: str, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """GET `path`: the status, the headers and the body, whatever the status."""
    host, port = base_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def log_lines_when(server, wanted, timeout: float = DEADLINE) -> list[str]:
    """The server's log lines, once `wanted(lines)` holds (the worker writes them as it answers)."""
    deadline = time.monotonic() + timeout
    while True:
        lines = [line for line in server.log_text().splitlines() if line.strip()]
        if wanted(lines):
            return lines
        assert time.monotonic() < deadline, "the log never had the line wanted:\n" + "\n".join(lines)
        time.sleep(0.2)


def parsed(lines: list[str]) -> list[dict]:
    records = []
    for line in lines:
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            pytest.fail(f"a log line that is not JSON: {line!r}")
    return records


def access_line(records: list[dict], request_id: str) -> dict | None:
    return next((r for r in records if r["logger"] == "outreach.requests" and r["request_id"] == request_id), None)


@pytest.fixture(scope="module")
def mail():
    with running_mail_server() as server:
        yield server


@pytest.fixture(scope="module")
def tracker():
    with running_tracker() as server:
        yield server


@pytest.fixture(scope="module")
def site(tmp_path_factory, mail, tracker):
    """The production site with everything operations has on: mail to ADMINS, Sentry, JSON logs."""
    folder = tmp_path_factory.mktemp("operations")
    environment = site_environment(
        folder,
        EMAIL_URL=f"smtp://ops-mailer:{SMTP_PASSWORD.replace('@', '%40')}@127.0.0.1:{mail.port}",
        ADMINS=ADMINS,
        SERVER_EMAIL=SERVER_EMAIL,
        SENTRY_DSN=tracker.dsn,
        SENTRY_ENVIRONMENT=SENTRY_ENVIRONMENT,
        SENTRY_RELEASE=SENTRY_RELEASE,
        LOG_FORMAT="json",
    )
    command = gunicorn_command("--logger-class", "outreach.gunicorn_log.Logger")
    with started_server(command, environment, folder / "site.log") as server:
        yield server


@pytest.fixture(scope="module")
def failure(site):
    """The failing page, opened once, through a proxy that names its requests."""
    return fetch(site.base_url, f"/fail/?token={SECRET_IN_A_LINK}", {"X-Request-ID": A_PROXYS_ID})


def test_the_person_sees_the_error_page_with_the_request_named(failure):
    status, headers, body = failure

    assert status == 500
    assert "Something went wrong on our side" in body.decode()
    assert headers["X-Request-ID"] == A_PROXYS_ID


def test_a_server_error_is_mailed_to_the_admins(failure, mail):
    [received] = mail.wait_for(1)

    assert received.sender == SERVER_EMAIL
    assert received.recipients == ["ops@museum.example", "b@museum.example"]
    assert str(received.message["To"]) == "ops@museum.example, b@museum.example"
    assert received.subject.startswith("[Outreach] ERROR")
    assert "Internal Server Error: /fail/" in received.subject
    assert f"{FAILURE} at /fail/\r\nthe operations test's page failed on purpose" in received.body
    assert f"raise {FAILURE}(" in received.body, "the traceback"
    assert A_PROXYS_ID in received.body, "the request's id, to find its lines in the log"
    assert mail.logins == [("ops-mailer", SMTP_PASSWORD)], "signed in to the mail server with EMAIL_URL's account"
    assert SMTP_PASSWORD not in received.body, "the report's settings hide the mail server's password"


def test_the_error_tracker_receives_the_exception(failure, tracker):
    path, event = tracker.wait_for_event(FAILURE)

    assert path == "/api/1/envelope/"
    [exception] = [value for value in event["exception"]["values"] if value["type"] == FAILURE]
    assert exception["value"] == "the operations test's page failed on purpose"
    assert event["environment"] == SENTRY_ENVIRONMENT
    assert event["release"] == SENTRY_RELEASE
    assert event["request"]["url"].endswith("/fail/")
    headers = {name.lower(): value for name, value in event["request"].get("headers", {}).items()}
    assert headers.get("x-request-id") == A_PROXYS_ID, "the event names the request as the log does"
    # send_default_pii=False: no cookies, no address of the person.
    assert "cookies" not in event["request"]
    assert "ip_address" not in event.get("user", {})


def test_every_log_line_is_json_and_the_failure_is_one_request_in_it(failure, site):
    lines = log_lines_when(site, lambda lines: any(A_PROXYS_ID in line and '"status": 500' in line for line in lines))
    records = parsed(lines)

    access = access_line(records, A_PROXYS_ID)
    assert access["method"] == "GET"
    assert access["path"] == "/fail/"
    assert access["query"] == "token=[redacted]"
    assert access["status"] == 500
    assert access["user_id"] is None
    assert isinstance(access["duration_ms"], int | float)
    [error] = [r for r in records if r["logger"] == "django.request" and r.get("request_id") == A_PROXYS_ID]
    assert error["level"] == "ERROR"
    assert f"{FAILURE}: the operations test's page failed on purpose" in error["exception"]
    assert SECRET_IN_A_LINK not in site.log_text()
    assert any(r["logger"] == "gunicorn.error" and "Listening at: http://127.0.0.1:" in r["message"] for r in records)
    assert not [r for r in records if r["logger"] == "gunicorn.access"], "one line per request: the app's"


def test_a_database_outage_is_mailed_once_not_at_every_health_check(tmp_path):
    # A port bound but not listening: connections to it are refused for as long as the test holds it.
    with socket.socket() as nothing_listens, running_mail_server() as mail:
        nothing_listens.bind(("127.0.0.1", 0))
        environment = site_environment(
            tmp_path, EMAIL_URL=f"smtp://127.0.0.1:{mail.port}", ADMINS=ADMINS, SERVER_EMAIL=SERVER_EMAIL
        )
        environment["DATABASE_URL"] = f"postgres://outreach@127.0.0.1:{nothing_listens.getsockname()[1]}/outreach"
        with started_server(gunicorn_command(), environment, tmp_path / "site.log") as server:
            checks = [fetch(server.base_url, "/healthz")[0] for _check in range(4)]
            failed_page = fetch(server.base_url, "/fail/")[0]
        # Error mail is sent before the response: every mail there will be is in already.
        subjects = [received.subject for received in mail.received]

    assert server.status == 503 and checks == [503] * 4
    assert failed_page == 503, "the page says the service is away for now"
    assert len([subject for subject in subjects if subject.endswith("Service Unavailable: /healthz")]) == 1, subjects
    assert len([subject for subject in subjects if subject.endswith("Service Unavailable: /fail/")]) == 1, subjects


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        (A_PROXYS_ID + "-b", True),
        ("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8", True),  # a load balancer's
        ("", False),
        ('has spaces, and a "quote"', False),
        ("x" * 129, False),
    ],
)
def test_a_request_id_that_looks_sane_is_kept_and_any_other_replaced(site, given, kept):
    headers = {"X-Request-ID": given} if given else {}
    status, answered, _body = fetch(site.base_url, "/healthz", headers)

    request_id = answered["X-Request-ID"]
    assert status == 200
    if kept:
        assert request_id == given
    else:
        assert re.fullmatch(r"[0-9a-f]{32}", request_id), request_id
    lines = log_lines_when(site, lambda lines: any(request_id in line for line in lines))
    access = access_line(parsed(lines), request_id)
    assert (access["path"], access["status"]) == ("/healthz", 200)


def test_the_default_log_is_for_people(tmp_path):
    environment = site_environment(tmp_path)
    command = gunicorn_command("--logger-class", "outreach.gunicorn_log.Logger")
    with started_server(command, environment, tmp_path / "site.log") as server:
        _status, headers, _body = fetch(server.base_url, "/healthz")
        request_id = headers["X-Request-ID"]
        lines = log_lines_when(server, lambda lines: any(request_id in line for line in lines))

    [line] = [line for line in lines if request_id in line]
    assert re.fullmatch(rf"GET /healthz 200 [\d.]+ ms \(user none, request {request_id}\)", line)
    assert not any(line.startswith("{") for line in lines)


# --- the settings, from the environment -------------------------------------------------------------------


def django_process(code: str, **variables: str) -> subprocess.CompletedProcess:
    """Python with the site's production settings loaded, from these variables only."""
    environment = production_env(SECRET_KEY=secret_key(), ALLOWED_HOSTS="127.0.0.1", **variables)
    program = f"import django; django.setup(); from django.conf import settings; {code}"
    return run([VENV_BIN / "python", "-c", program], environment | {"DJANGO_SETTINGS_MODULE": "outreach.settings"})


def test_the_admins_and_the_mail_server_come_from_the_environment():
    with running_mail_server() as mail:
        environment = production_env(
            SECRET_KEY=secret_key(),
            ALLOWED_HOSTS="127.0.0.1",
            EMAIL_URL=f"smtp://ops-mailer:{SMTP_PASSWORD.replace('@', '%40')}@127.0.0.1:{mail.port}",
            ADMINS='"Ops, on call" <ops@museum.example>, b@museum.example',
            SERVER_EMAIL=SERVER_EMAIL,
        )

        result = run([VENV_BIN / "python", "manage.py", "sendtestemail", "--admins"], environment)

        assert result.returncode == 0, result.stderr
        [received] = mail.wait_for(1)
        assert received.recipients == ["ops@museum.example", "b@museum.example"]
        assert received.sender == SERVER_EMAIL
        assert mail.logins == [("ops-mailer", SMTP_PASSWORD)]


def test_development_prints_mail_and_production_hands_it_to_the_host():
    development = run(
        [VENV_BIN / "python", "manage.py", "sendtestemail", "someone@museum.example"], production_env(DEBUG="true")
    )
    production = django_process("print(settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT)")

    assert development.returncode == 0, development.stderr
    assert "To: someone@museum.example" in development.stdout
    assert production.stdout.split() == ["django.core.mail.backends.smtp.EmailBackend", "localhost", "25"]


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"ADMINS": "ops at museum.example"}, "ADMINS is 'ops at museum.example': it lists e-mail addresses"),
        ({"ADMINS": "ops@museum.example,,b@museum.example"}, "separated by commas"),
        ({"LOG_FORMAT": "xml"}, "LOG_FORMAT is 'xml': it is text (the default) or json."),
        ({"EMAIL_URL": "smpt://mail.museum.example"}, "Invalid email schema smpt"),
    ],
)
def test_a_mistyped_setting_stops_the_start_with_a_clear_message(variables, message):
    result = django_process("print('started')", **variables)

    assert result.returncode != 0
    assert "started" not in result.stdout
    assert message in result.stderr


def test_the_error_trackers_sdk_is_loaded_only_when_named(tracker):
    code = "import sys; print('sentry_sdk' in sys.modules)"

    assert django_process(code).stdout.strip() == "False"
    assert django_process(code, SENTRY_DSN=tracker.dsn).stdout.strip() == "True"
