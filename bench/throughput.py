"""Dashboard throughput under concurrent signed-in clients, against the same server's own floor (/healthz).

The server is the production one: `bin/start-web` (migrate, then gunicorn) with production settings on a
fresh PostgreSQL database holding the seed figures and their illustrative history. wrk (Debian's `wrk`)
drives it from this machine: first /healthz, then the dashboard with a signed-in manager's session cookie,
the same number of connections and seconds each, so the ratio of their requests per second says what a
dashboard costs above the cheapest page the server answers. Then a write through `manage.py
import_snapshots` (a new month for every account) must show on the very next dashboard request: the cache
is never stale.

    .venv/bin/python -m bench.throughput [--clients 16] [--seconds 10] [--cache-url redis://127.0.0.1:6379/9]
"""

import argparse
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 0.3
# The month `import_snapshots` adds after the seed's February 2024, for every account: the dashboard must
# show it on the next request.
NEW_MONTH_CSV = (
    "platform,account,period,articles,videos,views,followers,approximate,note\r\n"
    "kepu-china,上海科技馆,2024-03,50,,1900000,,,\r\n"
    "wechat,上海科技馆,2024-03,1010,,20100000,2640000,,\r\n"
    "douyin,上海科技馆,2024-03,,350,7700000,,,\r\n"
    "bilibili,上海科技馆,2024-03,,330,1400000,,,\r\n"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def manage(environment: dict, *arguments: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"manage.py {' '.join(arguments)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


@contextmanager
def production_server(database_url: str, cache_url: str):
    """bin/start-web on a free loopback port with production settings; yields its base URL."""
    with tempfile.TemporaryDirectory() as folder:
        port = free_port()
        environment = {
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            "DEBUG": "false",
            "SECRET_KEY": "bench-only-" + "y" * 50,
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": database_url,
            "CACHE_URL": cache_url,
            "STATIC_ROOT": str(Path(folder) / "static"),
            # wrk speaks plain HTTP to gunicorn directly: no proxy in front here to end TLS.
            "SECURE_SSL_REDIRECT": "false",
            "BIND": "127.0.0.1",
            "PORT": str(port),
            "WEB_CONCURRENCY": "2",
        }
        manage(environment, "collectstatic", "--noinput")
        manage(environment, "migrate", "--noinput")
        manage(environment, "load_seed_figures", "--illustrative-history", "--only-if-empty")
        printed = manage(environment, "add_person", "throughput-manager", "--role", "manager")
        password = re.search(r"with the password (\S+) \(shown once\)", printed)[1]
        log = open(Path(folder) / "server.log", "wb")  # noqa: SIM115
        server = subprocess.Popen(
            [str(ROOT / "bin" / "start-web")],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 120
            while True:
                try:
                    if request(base, "/healthz")[0] == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("the server did not start: " + (Path(folder) / "server.log").read_text())
                time.sleep(0.2)
            yield base, password, environment
        finally:
            os.killpg(server.pid, 15)
            server.wait(timeout=30)
            log.close()


def request(base: str, path: str, *, method="GET", body=None, headers=None) -> tuple[int, dict, bytes]:
    parts = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def cookies_of(headers: dict) -> dict:
    found = {}
    for name, value in headers.items():
        if name.lower() == "set-cookie":
            for part in value.split(", "):
                key, _, rest = part.partition("=")
                if key.strip() in ("csrftoken", "sessionid"):
                    found[key.strip()] = rest.split(";")[0]
    return found


def sign_in(base: str, username: str, password: str) -> str:
    """Sign in on the sign-in page as a browser does; returns the Cookie header of the session."""
    status, headers, body = request(base, "/accounts/login/")
    cookies = cookies_of(headers)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)[1].decode()
    form = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token})
    status, headers, _body = request(
        base,
        "/accounts/login/",
        method="POST",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookies['csrftoken']}",
            "Referer": f"{base}/accounts/login/",
        },
    )
    cookies.update(cookies_of(headers))
    if status != 302 or "sessionid" not in cookies:
        raise RuntimeError(f"signing in failed ({status})")
    return "; ".join(f"{key}={value}" for key, value in cookies.items())


def wrk(url: str, *, clients: int, seconds: int, cookie: str | None = None) -> dict:
    """Requests per second and latency percentiles from wrk (`--latency`)."""
    command = ["wrk", "-t2", f"-c{clients}", f"-d{seconds}s", "--timeout", "10s", "--latency"]
    command += ["-H", "Accept-Encoding: gzip"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    percentiles = {p: re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", output) for p in ("50", "99")}
    scale = {"us": 0.001, "ms": 1, "s": 1000}
    return {
        "requests_per_second": round(rate, 1),
        "p50_ms": round(float(percentiles["50"][1]) * scale[percentiles["50"][2]], 1),
        "p99_ms": round(float(percentiles["99"][1]) * scale[percentiles["99"][2]], 1),
        "non_2xx": int(bad[1]) if bad else 0,
        "socket_errors": errors[1] if errors else "",
    }


def measure_throughput(database_url: str, *, clients: int = 16, seconds: int = 10, cache_url: str = "locmemcache://"):
    if not shutil.which("wrk"):
        raise RuntimeError("the throughput measurement needs wrk: apt-get install wrk")
    with production_server(database_url, cache_url) as (base, password, environment):
        cookie = sign_in(base, "throughput-manager", password)
        status, _headers, before = request(base, "/", headers={"Cookie": cookie})
        if status != 200 or b"February 2024" not in before:
            raise RuntimeError(f"the dashboard did not answer as expected ({status})")
        floor = wrk(f"{base}/healthz", clients=clients, seconds=seconds)
        dashboard = wrk(f"{base}/", clients=clients, seconds=seconds, cookie=cookie)
        # A write by another path (the command), then the very next request must show it.
        with tempfile.NamedTemporaryFile("w", suffix=".csv", encoding="utf-8", delete=False) as file:
            file.write(NEW_MONTH_CSV)
        try:
            manage(environment, "import_snapshots", file.name)
        finally:
            os.unlink(file.name)
        _status, _headers, after = request(base, "/", headers={"Cookie": cookie})
    return {
        "clients": clients,
        "seconds": seconds,
        "cache": cache_url.split(":")[0],
        "healthz": floor,
        "dashboard": dashboard,
        "dashboard_vs_healthz": round(dashboard["requests_per_second"] / floor["requests_per_second"], 3),
        "write_visible_next_request": b"March 2024" in after and b"March 2024" not in before,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--cache-url", default="locmemcache://", help="the server's CACHE_URL")
    parser.add_argument("--database", default="outreach_bench_http")
    parser.add_argument("--output", type=Path, help="also write the result here, as JSON")
    options = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from bench.run import create_database, drop_database

    database_url = create_database(options.database)
    try:
        result = measure_throughput(
            database_url, clients=options.clients, seconds=options.seconds, cache_url=options.cache_url
        )
    finally:
        drop_database(options.database)
    print(json.dumps(result, indent=2))
    if options.output:
        options.output.write_text(json.dumps(result, indent=2) + "\n")
    ratio = result["dashboard_vs_healthz"]
    print(
        f"dashboard vs /healthz under {options.clients} clients: {ratio}x (target >= {TARGET}: "
        f"{'yes' if ratio >= TARGET else 'NO'}); a write visible on the next request: "
        f"{'yes' if result['write_visible_next_request'] else 'NO'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
