"""The cached dashboard in production: two gunicorn workers sharing Redis, as the compose file runs them.

A manager signs in over HTTP and opens the dashboard again and again (served by either worker); a write
through another process (`manage.py import_snapshots`) shows on the very next request, whichever worker
answers; Redis holds the built dashboards (and the sessions).
"""

import http.cookiejar
import re
import urllib.parse
import urllib.request

import pytest

from tests.servers import collect_static, manage, production_env, secret_key, started_server

REDIS_URL = "redis://127.0.0.1:6379/15"
MARCH_FILE = (
    "platform,account,period,articles,videos,views,followers,approximate,note\r\n"
    "kepu-china,上海科技馆,2024-03,50,,1900000,,,\r\n"
    "wechat,上海科技馆,2024-03,1010,,20100000,2640000,,\r\n"
    "douyin,上海科技馆,2024-03,,350,7700000,,,\r\n"
    "bilibili,上海科技馆,2024-03,,330,1400000,,,\r\n"
)


@pytest.fixture
def redis_client():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as error:
        pytest.skip(f"no Redis at {REDIS_URL}: {error}")
    return client


class LoopbackCookies(http.cookiejar.DefaultCookiePolicy):
    """Sends the Secure cookies back over plain HTTP: here the server is reached on loopback, without the
    proxy that ends TLS in front of it."""

    def return_ok_secure(self, cookie, request):
        return True


def signed_in_opener(base_url: str, username: str, password: str):
    """A client with a cookie jar that signed in on the sign-in page as rendered."""
    jar = http.cookiejar.CookieJar(policy=LoopbackCookies())
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base_url}/accounts/login/", timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    form = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token})
    request = urllib.request.Request(  # noqa: S310 (a loopback http URL)
        f"{base_url}/accounts/login/", data=form.encode(), headers={"Referer": f"{base_url}/accounts/login/"}
    )
    opener.open(request, timeout=30).read()
    return opener


def test_two_workers_share_redis_and_a_write_shows_at_once(tmp_path, fresh_postgres_database, redis_client):
    collect_static(tmp_path / "static")
    environment = production_env(
        SECRET_KEY=secret_key(),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{fresh_postgres_database}",
        CACHE_URL=REDIS_URL,
        SECURE_SSL_REDIRECT="false",
        STATIC_ROOT=str(tmp_path / "static"),
        BIND="127.0.0.1",
        PORT="0",
        WEB_CONCURRENCY="2",
    )
    manage("migrate", "--noinput", env=environment)
    manage("load_seed_figures", env=environment)
    printed = manage("add_person", "manager", "--role", "manager", env=environment).stdout
    password = re.search(r"with the password (\S+) \(shown once\)", printed)[1]
    march = tmp_path / "march.csv"
    march.write_text(MARCH_FILE, encoding="utf-8")

    try:
        with started_server(["bin/start-web"], environment, tmp_path / "web.log") as server:
            manager = signed_in_opener(server.base_url, "manager", password)
            before = [manager.open(f"{server.base_url}/", timeout=30).read().decode() for _ in range(6)]
            kept = redis_client.keys("outreach:*dashboard:*")

            manage("import_snapshots", str(march), env=environment)
            after = [manager.open(f"{server.base_url}/", timeout=30).read().decode() for _ in range(4)]
    finally:
        for key in redis_client.scan_iter("outreach:*"):
            redis_client.delete(key)

    assert all("Feb 2024, all platforms" in page for page in before)
    assert kept, "no built dashboard in Redis"
    assert all("Mar 2024, all platforms" in page for page in after), "a worker served a dashboard from before"
