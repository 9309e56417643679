"""Page weight: the compressed bytes a browser transfers for the dashboard, first and second visit.

`measure(base_url, username, password)` signs in like a browser, fetches the dashboard and every
asset it names, asking for Brotli or gzip, and counts the bytes on the wire. A second visit fetches
again only what the first visit's caching headers do not let a browser keep.
"""

import gzip
import http.client
import re
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urljoin, urlsplit

import brotli

ACCEPT_ENCODING = "br, gzip"
# A year or more of caching, and no revalidation: what hashed asset names allow.
LONG_LIVED = re.compile(r"max-age=(\d+)")


@dataclass
class Transfer:
    path: str
    status: int
    bytes: int
    encoding: str
    cache_control: str

    @property
    def cached_for_a_year(self) -> bool:
        match = LONG_LIVED.search(self.cache_control)
        return bool(match) and int(match.group(1)) >= 365 * 24 * 3600 and "immutable" in self.cache_control


@dataclass
class PageWeight:
    page: Transfer
    assets: list[Transfer] = field(default_factory=list)

    @property
    def first_visit_bytes(self) -> int:
        return self.page.bytes + sum(asset.bytes for asset in self.assets)

    @property
    def second_visit_bytes(self) -> int:
        return self.page.bytes + sum(asset.bytes for asset in self.assets if not asset.cached_for_a_year)


class Browser:
    """Just enough of a browser over plain HTTP: cookies, and the headers a TLS-terminating proxy adds."""

    def __init__(self, base_url: str):
        parts = urlsplit(base_url)
        self.base_url = base_url
        self.host, self.port = parts.hostname, parts.port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None, headers: dict | None = None):
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        all_headers = {
            "Host": f"{self.host}:{self.port}",
            # The app sits behind a proxy that terminates TLS (secure cookies, no redirect to https).
            "X-Forwarded-Proto": "https",
            "Accept-Encoding": ACCEPT_ENCODING,
            **(headers or {}),
        }
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        connection.request(method, path, body=body, headers=all_headers)
        response = connection.getresponse()
        raw = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        connection.close()
        return response, raw

    def get(self, path: str) -> tuple[Transfer, bytes]:
        response, raw = self.request("GET", path)
        return (
            Transfer(
                path=path,
                status=response.status,
                bytes=len(raw),
                encoding=response.headers.get("Content-Encoding", ""),
                cache_control=response.headers.get("Cache-Control", ""),
            ),
            raw,
        )

    def sign_in(self, username: str, password: str) -> None:
        transfer, raw = self.get("/accounts/login/")
        page = _decoded(raw, transfer.encoding)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = f"csrfmiddlewaretoken={token}&username={username}&password={password}&next=/"
        response, _raw = self.request(
            "POST",
            "/accounts/login/",
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"https://{self.host}:{self.port}/accounts/login/",
            },
        )
        if response.status != 302:
            raise RuntimeError(f"sign-in refused ({response.status})")


def _decoded(raw: bytes, encoding: str) -> str:
    if encoding == "br":
        return brotli.decompress(raw).decode()
    if encoding == "gzip":
        return gzip.decompress(raw).decode()
    return raw.decode()


def measure(base_url: str, username: str, password: str, path: str = "/") -> PageWeight:
    """The dashboard's weight for a signed-in manager."""
    browser = Browser(base_url)
    browser.sign_in(username, password)
    page, raw = browser.get(path)
    html = _decoded(raw, page.encoding)
    # Besides what the page links, what its scripts fetch later from a `data-*-src` (the dashboard's plotly.js,
    # loaded when the first chart nears the screen): a manager who scrolls downloads it too.
    assets = re.findall(r'(?:<(?:script[^>]+src|link[^>]+href)|\sdata-[\w-]*src)="(/static/[^"]+)"', html)
    weight = PageWeight(page=page)
    for asset in dict.fromkeys(assets):
        transfer, _raw = browser.get(urljoin("/", asset))
        weight.assets.append(transfer)
    return weight


def report(weight: PageWeight) -> str:
    lines = [f"{'what':60} {'bytes':>10} encoding  cached a year"]
    for transfer in [weight.page, *weight.assets]:
        lines.append(
            f"{transfer.path[:60]:60} {transfer.bytes:>10,} {transfer.encoding or '-':8}  {transfer.cached_for_a_year}"
        )
    lines.append(f"first visit: {weight.first_visit_bytes:,} bytes; second visit: {weight.second_visit_bytes:,} bytes")
    return "\n".join(lines)
