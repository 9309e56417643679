"""The proxy in front of gunicorn: deploy/Caddyfile, as docker-compose.yml's `proxy` runs it.

gunicorn starts from the compose file's own start command (bin/start-web, production settings, two sync
workers, SQLite in a temporary folder); Caddy runs deploy/Caddyfile with its placeholders pointing at it,
on loopback ports, with a certificate from Caddy's own authority for 127.0.0.1, so that the requests go
over HTTPS as they do in production. Without the `caddy` binary these tests skip, unless
OUTREACH_REQUIRE_BROWSER is set (CI sets it and installs caddy), which turns the skip into a failure.
"""

import http.client
import os
import re
import shlex
import shutil
import socket
import ssl
import subprocess
import time
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from tests.servers import (
    PATH,
    ROOT,
    STARTUP_DEADLINE,
    ServerDidNotStart,
    collect_static,
    production_env,
    secret_key,
    serving,
    started_server,
)

CADDY = shutil.which("caddy")
CADDYFILE = ROOT / "deploy" / "Caddyfile"
# What /healthz may take through the proxy while the slow clients wait (gunicorn alone: 30 s and more).
FAST = 2.0
# More slow clients than gunicorn has workers (WEB_CONCURRENCY=2, as in the compose file).
SLOW_CLIENTS = 4


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def csrf_cookie(headers: Message) -> str:
    """The `csrftoken=…` pair of a response's cookies, to send back as a browser would."""
    pairs = [cookie.split(";")[0] for cookie in headers.get_all("Set-Cookie", [])]
    return next(pair for pair in pairs if pair.startswith("csrftoken="))


def test_the_compose_file_publishes_the_proxy_and_never_gunicorn():
    config = compose()
    web, proxy = config["services"]["web"], config["services"]["proxy"]
    mounts = dict(volume.split(":")[:2] for volume in proxy["volumes"])

    assert "ports" not in web, "gunicorn must be reached through the proxy only"
    assert [str(port) for port in web["expose"]] == ["8000"]
    assert web["environment"]["BIND"] == "0.0.0.0", "in its container gunicorn must listen for the proxy"  # noqa: S104
    assert set(proxy["ports"]) == {"80:80", "443:443", "443:443/udp"}
    assert proxy["image"].startswith("caddy:2")
    assert mounts["./deploy/Caddyfile"] == "/etc/caddy/Caddyfile"
    # Certificates on named volumes: a restart must not ask Let's Encrypt again (it limits how often).
    assert {target for source, target in mounts.items() if source in config["volumes"]} == {"/data", "/config"}
    assert proxy["environment"]["UPSTREAM"] == "web:8000"
    assert "SITE_ADDRESS" in proxy["environment"]


def _unavailable(reason: str):
    if os.environ.get("OUTREACH_REQUIRE_BROWSER"):
        pytest.fail(f"{reason} (OUTREACH_REQUIRE_BROWSER is set: the proxy tests must run)")
    pytest.skip(reason)


def caddy_version() -> tuple[int, ...]:
    """The version of the `caddy` on PATH: "v2.10.0 h1:…" or Debian's "2.6.2"."""
    printed = subprocess.run([CADDY, "version"], capture_output=True, text=True, timeout=30).stdout
    found = re.match(r"v?(\d+)\.(\d+)\.(\d+)", printed.strip())
    assert found, f"cannot read caddy's version from {printed!r}"
    return tuple(int(part) for part in found.groups())


def free_port() -> int:
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Proxy:
    """A running Caddy: its HTTPS and HTTP ports on 127.0.0.1, and the certificate authority it signs with."""

    https_port: int
    http_port: int
    tls: ssl.SSLContext
    log: Path

    def connection(self, source: str = "127.0.0.1", timeout: float = 15.0) -> http.client.HTTPSConnection:
        return http.client.HTTPSConnection(
            "127.0.0.1", self.https_port, context=self.tls, timeout=timeout, source_address=(source, 0)
        )

    def request(self, method: str, path: str, headers: dict | None = None, body=None, source: str = "127.0.0.1"):
        """Send one request over HTTPS from the address `source`; its status, headers and body."""
        with closing(self.connection(source)) as connection:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.headers, response.read()

    def tls_socket(self) -> ssl.SSLSocket:
        """A raw TLS connection, for a client that writes what it wants when it wants."""
        raw = socket.create_connection(("127.0.0.1", self.https_port), timeout=15)
        return self.tls.wrap_socket(raw, server_hostname="127.0.0.1")


@contextmanager
def caddy(tmp: Path, upstream: str) -> Proxy:
    """Run `caddy run` on deploy/Caddyfile with the placeholders pointing at `upstream`, and stop it after.

    Caddy binds the ports it is given; if another process took one meanwhile, it exits and is started
    again on other ports.
    """
    if not CADDY:
        _unavailable("no caddy on PATH: `apt-get install caddy` to run the proxy tests")
    # Debian 12's caddy predates the setting the compose file's image reads (see deploy/Caddyfile).
    buffering = "legacy" if caddy_version() < (2, 6, 4) else "current"
    for _attempt in range(5):
        https_port, http_port = free_port(), free_port()
        home = tmp / f"caddy-{https_port}"
        home.mkdir()
        env = {
            "PATH": PATH,
            "HOME": str(home),
            "XDG_DATA_HOME": str(home / "data"),
            "XDG_CONFIG_HOME": str(home / "config"),
            "SITE_ADDRESS": "127.0.0.1",
            "UPSTREAM": upstream,
            "CADDY_BIND": "127.0.0.1",
            "HTTPS_PORT": str(https_port),
            "HTTP_PORT": str(http_port),
            "CADDY_ADMIN": "off",
            "CADDY_REQUEST_BUFFERING": buffering,
        }
        command = [CADDY, "run", "--config", str(CADDYFILE), "--adapter", "caddyfile"]
        log = home / "caddy.log"
        with serving(command, env, log) as process:
            root = home / "data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"
            until = time.monotonic() + STARTUP_DEADLINE
            proxy = None
            # Ready once it has made its authority and the site's certificate (it makes the second after
            # it listens: a handshake before then fails) and the HTTP port accepts connections.
            while process.poll() is None and time.monotonic() < until:
                if root.exists():
                    proxy = Proxy(https_port, http_port, ssl.create_default_context(cafile=str(root)), log)
                    if _handshakes(proxy) and _accepts(http_port):
                        break
                time.sleep(0.2)
            if process.poll() is not None:
                if "address already in use" in log.read_text(errors="replace"):
                    continue
                raise ServerDidNotStart(f"caddy exited with {process.returncode}:\n{log.read_text(errors='replace')}")
            if time.monotonic() >= until:
                raise ServerDidNotStart(f"caddy did not serve HTTPS in time:\n{log.read_text(errors='replace')}")
            yield proxy
            return
    raise ServerDidNotStart("caddy found no free ports in five attempts")


def _handshakes(proxy: Proxy) -> bool:
    try:
        proxy.tls_socket().close()
    except OSError:  # refused, or an SSLError: no certificate for the site yet
        return False
    return True


def _accepts(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except OSError:
        return False
    return True


@dataclass
class Site:
    """gunicorn from bin/start-web, and Caddy in front of it."""

    proxy: Proxy
    gunicorn_url: str
    gunicorn_log: Path


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    if not CADDY:
        _unavailable("no caddy on PATH: `apt-get install caddy` to run the proxy tests")
    tmp = tmp_path_factory.mktemp("proxy")
    collect_static(tmp / "static")
    web = compose()["services"]["web"]
    command = web["command"] if isinstance(web["command"], list) else shlex.split(web["command"])
    environment = production_env(
        SECRET_KEY=secret_key(),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{tmp / 'outreach.sqlite3'}",
        STATIC_ROOT=str(tmp / "static"),
        # Loopback and a port of gunicorn's choosing (it logs which); the workers as in the compose file.
        BIND="127.0.0.1",
        PORT="0",
        WEB_CONCURRENCY="2",
    )
    with ExitStack() as stack:
        gunicorn = stack.enter_context(started_server(command, environment, tmp / "web.log"))
        assert gunicorn.status == 200, gunicorn.log_text()
        proxy = stack.enter_context(caddy(tmp, upstream=gunicorn.base_url.removeprefix("http://")))
        yield Site(proxy=proxy, gunicorn_url=gunicorn.base_url, gunicorn_log=gunicorn.log)


@contextmanager
def slow_clients(proxy: Proxy):
    """Clients that stop half-way: half a request header, or a whole header and a body that trickles.

    The body is a sign-in form with its CSRF cookie and origin, so that Django reads it (a form without
    them is refused before its body is read, which would free the worker at once).
    """
    _status, headers, _page = proxy.request("GET", "/accounts/login/")
    cookie = csrf_cookie(headers)
    sockets = []
    try:
        for number in range(SLOW_CLIENTS):
            half_header = proxy.tls_socket()
            half_header.sendall(f"GET /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow-{number}: ".encode())
            sockets.append(half_header)

            trickling_body = proxy.tls_socket()
            trickling_body.sendall(
                f"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1:{proxy.https_port}\r\n"
                f"Origin: https://127.0.0.1:{proxy.https_port}\r\nCookie: {cookie}\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n"
                "username=a".encode()
            )
            sockets.append(trickling_body)
        for _second in range(2):
            time.sleep(0.5)
            for trickling_body in sockets[1::2]:
                trickling_body.sendall(b"a")
        yield
    finally:
        for client in sockets:
            client.close()


def timed_get(proxy: Proxy, path: str) -> tuple[int, float]:
    started = time.monotonic()
    status, _headers, _body = proxy.request("GET", path)
    return status, time.monotonic() - started


def test_healthz_answers_at_once_while_slow_clients_hold_connections(site):
    with slow_clients(site.proxy):
        health, health_took = timed_get(site.proxy, "/healthz")
        page, page_took = timed_get(site.proxy, "/accounts/login/")

    assert health == 200, site.proxy.log.read_text(errors="replace")
    assert health_took < FAST, f"/healthz took {health_took:.1f} s behind {2 * SLOW_CLIENTS} slow clients"
    assert page == 200
    assert page_took < FAST, f"the sign-in page took {page_took:.1f} s behind {2 * SLOW_CLIENTS} slow clients"


def test_no_response_names_its_server(site):
    pages = {path: site.proxy.request("GET", path) for path in ("/accounts/login/", "/healthz", "/no-such-page/")}
    login_page = BeautifulSoup(pages["/accounts/login/"][2], "html.parser")
    stylesheet = login_page.find("link", rel="stylesheet")["href"]
    pages[stylesheet] = site.proxy.request("GET", stylesheet)
    with closing(http.client.HTTPConnection(site.gunicorn_url.removeprefix("http://"), timeout=15)) as direct:
        direct.request("GET", "/healthz")
        gunicorn_alone = direct.getresponse()
        gunicorn_alone.read()

    assert {path: status for path, (status, _headers, _body) in pages.items()} == {
        "/accounts/login/": 200,
        "/healthz": 200,
        "/no-such-page/": 404,
        stylesheet: 200,
    }
    banners = {path: headers.get_all("Server") for path, (_status, headers, _body) in pages.items()}
    assert banners == dict.fromkeys(pages), "Caddy's own banner and gunicorn's are both dropped"
    assert gunicorn_alone.status == 200
    assert gunicorn_alone.getheader("Server") is None, "gunicorn itself sends no banner (deploy/gunicorn.conf.py)"


def test_django_sees_https_through_the_proxy(site):
    status, headers, _body = site.proxy.request("GET", "/")
    _login, login_headers, _page = site.proxy.request("GET", "/accounts/login/")
    with closing(http.client.HTTPConnection("127.0.0.1", site.proxy.http_port, timeout=15)) as plain:
        plain.request("GET", "/accounts/login/?next=/")
        redirect = plain.getresponse()

    # Django knows the request came over HTTPS (X-Forwarded-Proto), so it sends the visitor to sign in
    # rather than to https:// again, which would loop for ever.
    assert (status, headers["Location"]) == (302, "/accounts/login/?next=/")
    assert login_headers["Strict-Transport-Security"].startswith("max-age=31536000")
    cookies = login_headers.get_all("Set-Cookie")
    assert cookies and all("; secure" in cookie.lower() for cookie in cookies), cookies
    # Plain HTTP never reaches Django: Caddy sends it to HTTPS.
    assert (redirect.status, redirect.getheader("Location")) == (308, "https://127.0.0.1/accounts/login/?next=/")


def test_pages_are_compressed_by_the_proxy(site):
    _status, plain_headers, plain = site.proxy.request("GET", "/accounts/login/", {"Accept-Encoding": "identity"})
    status, headers, compressed = site.proxy.request("GET", "/accounts/login/", {"Accept-Encoding": "zstd"})

    assert plain_headers["Content-Encoding"] is None
    # Django compresses with gzip only; zstd is Caddy's.
    assert (status, headers["Content-Encoding"]) == (200, "zstd")
    assert len(compressed) < len(plain) / 2


def sign_in_through(proxy: Proxy, source: str, username: str, extra: dict | None = None) -> int:
    """Open the sign-in page from the address `source`, type a wrong password into its form, send it."""
    status, headers, page = proxy.request("GET", "/accounts/login/", source=source)
    assert status == 200
    form = BeautifulSoup(page, "html.parser").find("form", action=re.compile("login"))
    fields = {field["name"]: field.get("value", "") for field in form.find_all("input") if field.get("name")}
    fields |= {"username": username, "password": "not-the-password"}
    cookie = csrf_cookie(headers)
    origin = f"https://127.0.0.1:{proxy.https_port}"
    status, _headers, _page = proxy.request(
        "POST",
        "/accounts/login/",
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": cookie,
            "Origin": origin,
            "Referer": f"{origin}/accounts/login/",
            **(extra or {}),
        },
        body="&".join(f"{name}={value}" for name, value in fields.items()),
        source=source,
    )
    return status


def logged_lines(log: Path, request: str, by: str, deadline: float = 15.0) -> list[str]:
    """The access log's lines for `request` that name `by`; gunicorn writes each after its response."""
    until = time.monotonic() + deadline
    while True:
        lines = [line for line in log.read_text(errors="replace").splitlines() if request in line and by in line]
        if lines or time.monotonic() > until:
            return lines
        time.sleep(0.2)


def test_the_client_address_reaches_the_app_and_cannot_be_forged(site):
    # Wrong passwords from one address, up to the limit (5), each claiming another in X-Forwarded-For.
    tries = [
        sign_in_through(site.proxy, "127.0.0.2", f"guess-{number}", {"X-Forwarded-For": f"198.51.100.{number}"})
        for number in range(4)
    ]
    locked = sign_in_through(site.proxy, "127.0.0.2", "guess-4", {"X-Forwarded-For": "198.51.100.4"})
    someone_else = sign_in_through(site.proxy, "127.0.0.3", "someone")
    logged = logged_lines(site.gunicorn_log, '"POST /accounts/login/ HTTP/1.1"', by="127.0.0.3")

    assert tries == [200] * 4, "a wrong password shows the form again"
    assert locked == 429, "the address that guessed is locked, whatever it wrote in X-Forwarded-For"
    assert someone_else == 200, "another address is not locked with it: axes reads X-Forwarded-For (django-ipware)"
    # gunicorn's access log names the client first, then the proxy it came through.
    assert [line.split(" ")[:2] for line in logged] == [["127.0.0.3", "127.0.0.1"]], logged
    assert "198.51.100." not in site.gunicorn_log.read_text(errors="replace")


def test_gunicorn_away_is_a_503_that_says_when_to_come_back(tmp_path):
    # Port 1: nothing listens there, as while `web` restarts.
    with caddy(tmp_path, upstream="127.0.0.1:1") as proxy:
        status, headers, body = proxy.request("GET", "/")

    assert status == 503
    assert headers["Retry-After"] == "30"
    assert headers["Server"] is None
    assert "temporarily unavailable" in body.decode() and "服务暂时不可用" in body.decode()
