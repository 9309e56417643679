"""The dashboard on a phone: Lighthouse's mobile performance score and its metrics, against the target.

A production server (gunicorn with two workers as `bin/start-web` runs it, DEBUG off, whitenoise serving the
collected static files compressed) on a fresh SQLite database holding the seed figures and their illustrative
history; a manager signs in, and Lighthouse 12 (npm `lighthouse`, pinned in bench/package.json) drives Debian's
Chromium, headless, against the dashboard with that session cookie. Lighthouse's default settings are its
mobile preset: a mid-range phone's screen, a slow 4G network and a 4x slower CPU, simulated from what it
observes. Each language is measured `--runs` times, and the target holds only when every run reaches it: the
score moves by several points from run to run, most with how busy the machine is (its 4x slowdown multiplies
whatever the machine's other work adds to the page's tasks), so the load average is kept with the result.

    (cd bench && npm ci)                        # once: Lighthouse into bench/node_modules/
    .venv/bin/python -m bench.lighthouse        # `make bench` runs it after bench.run

It prints the table and adds its result, as "lighthouse", to the results file (bench/results/latest.json),
whose README table `bench.run --markdown` prints.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

from bench.page_weight import Browser
from tests.servers import collect_static, gunicorn_command, manage, production_env, secret_key, started_server

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / "bench" / "node_modules" / ".bin" / "lighthouse"
CHROME_PATH = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
TARGET = 90
USERNAME, PASSWORD = "phone", "a-long-enough-phone-password"
# Both languages are first-class: each is measured, chosen by the cookie Django's LocaleMiddleware reads first.
LANGUAGES = ("en", "zh-hans")
# The audits printed beside the score: the five metrics the score is made of, and what explains them.
METRICS = (
    ("first-contentful-paint", "FCP", "ms"),
    ("largest-contentful-paint", "LCP", "ms"),
    ("total-blocking-time", "TBT", "ms"),
    ("cumulative-layout-shift", "CLS", ""),
    ("speed-index", "SI", "ms"),
    ("dom-size", "DOM elements", "count"),
    ("bootup-time", "script", "ms"),
    ("total-byte-weight", "transfer", "bytes"),
)


def lighthouse_version() -> str:
    package = ROOT / "bench" / "node_modules" / "lighthouse" / "package.json"
    return json.loads(package.read_text())["version"]


def chromium_version() -> str:
    done = subprocess.run([CHROME_PATH, "--version"], capture_output=True, text=True, check=True)
    return done.stdout.strip()


# Lighthouse sometimes loses its trace on a busy machine (NO_NAVSTART, NO_FCP): such a run is tried again.
ATTEMPTS = 3


class LighthouseFailed(RuntimeError):
    """Lighthouse ran but could not measure the page."""


def run_lighthouse(url: str, cookie: str, report: Path, *, keep_trace: bool = False) -> dict:
    """One Lighthouse run of `url` with the performance category only; the report's score and metrics."""
    failures = []
    while len(failures) < ATTEMPTS:
        try:
            return _run_lighthouse(url, cookie, report, keep_trace=keep_trace)
        except LighthouseFailed as failure:
            failures.append(str(failure))
    raise LighthouseFailed(f"{ATTEMPTS} attempts failed:\n" + "\n".join(failures))


def _run_lighthouse(url: str, cookie: str, report: Path, *, keep_trace: bool) -> dict:
    flags = ["--headless=new", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]
    if os.geteuid() == 0:
        flags.append("--no-sandbox")  # Chromium refuses to start its sandbox as root
    command = [
        str(LIGHTHOUSE),
        url,
        "--only-categories=performance",
        "--output=json",
        f"--output-path={report}",
        f"--chrome-flags={' '.join(flags)}",
        # Every request carries the session cookie; the app sits behind a TLS-terminating proxy in production,
        # so the proxy's header keeps Django from redirecting plain HTTP to https (the cookie is `Secure`).
        "--extra-headers=" + json.dumps({"Cookie": cookie, "X-Forwarded-Proto": "https"}),
        "--quiet",
    ]
    if keep_trace:
        command.append("--save-assets")  # the trace beside the report (`<report>-0.trace.json`)
    done = subprocess.run(
        command, env={**os.environ, "CHROME_PATH": CHROME_PATH}, capture_output=True, text=True, timeout=300
    )
    if done.returncode:
        raise LighthouseFailed(f"Lighthouse failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    result = json.loads(report.read_text())
    if result.get("runtimeError"):
        raise LighthouseFailed(f"Lighthouse could not measure {url}: {result['runtimeError']}")
    if result["finalDisplayedUrl"].split("?")[0].rstrip("/") != url.split("?")[0].rstrip("/"):
        raise RuntimeError(f"Lighthouse was sent to {result['finalDisplayedUrl']}, not the dashboard: not signed in?")
    audits = result["audits"]
    measured = {
        "score": round(result["categories"]["performance"]["score"] * 100),
        # Lighthouse's own measure of how fast this machine ran at the time (a quiet desktop: 1,000 and more).
        "benchmark_index": round(result["environment"]["benchmarkIndex"]),
    }
    for audit, _label, _unit in METRICS:
        value = audits[audit].get("numericValue")
        measured[audit] = round(value, 3) if audit == "cumulative-layout-shift" else round(value or 0)
    measured["unused-javascript-bytes"] = round(audits["unused-javascript"].get("numericValue") or 0)
    return measured


def formatted(audit: str, value: float) -> str:
    unit = next(unit for name, _label, unit in METRICS if name == audit)
    if unit == "ms":
        return f"{value / 1000:.1f} s" if value >= 1000 else f"{value:.0f} ms"
    if unit == "bytes":
        return f"{value / 1024:.0f} KiB"
    if unit == "count":
        return f"{value:,.0f}"
    return f"{value:.3f}"


def measure(runs: int, path: str, database_url: str | None, reports: Path | None = None) -> dict:
    """Serve the seeded app in production settings, sign in, and run Lighthouse `runs` times per language."""
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        environment = production_env(
            SECRET_KEY=secret_key(),
            ALLOWED_HOSTS="127.0.0.1,localhost",
            DATABASE_URL=database_url or f"sqlite:///{folder / 'db.sqlite3'}",
            STATIC_ROOT=str(folder / "static"),
            DJANGO_SUPERUSER_USERNAME=USERNAME,
            DJANGO_SUPERUSER_PASSWORD=PASSWORD,
        )
        for command in (["migrate", "--noinput"], ["load_seed_figures", "--illustrative-history"], ["ensure_admin"]):
            manage(*command, env=environment)
        collect_static(folder / "static")
        with started_server(gunicorn_command("--workers", "2"), environment, folder / "web.log") as server:
            browser = Browser(server.base_url)
            browser.sign_in(USERNAME, PASSWORD)
            measured = []
            for language in LANGUAGES:
                cookies = {**browser.cookies, "django_language": language}
                cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
                for number in range(runs):
                    report = (reports or folder) / f"lighthouse-{language}-{number + 1}.json"
                    measured.append(
                        {
                            "language": language,
                            **run_lighthouse(f"{server.base_url}{path}", cookie, report, keep_trace=bool(reports)),
                        }
                    )
    scores = [run["score"] for run in measured]
    # Lighthouse multiplies the CPU time it observes by 4: on a machine busy with other work, blocking time grows.
    load = [round(average, 1) for average in os.getloadavg()]
    return {
        "path": path,
        "target": TARGET,
        "median_score": statistics.median(scores),
        "worst_score": min(scores),
        "met": min(scores) >= TARGET,
        "medians": {audit: statistics.median(run[audit] for run in measured) for audit, _label, _unit in METRICS},
        "runs": measured,
        "lighthouse": lighthouse_version(),
        "chromium": chromium_version(),
        "load_average": load,
        "when": datetime.now().isoformat(timespec="seconds"),  # noqa: DTZ005 (the machine's own clock, as bench.run)
    }


def table(result: dict) -> str:
    """The target's line, as bench.run prints its own, then each run's metrics."""
    measured = f"{result['median_score']:g} (worst {result['worst_score']})"
    lines = [
        f"{'Lighthouse mobile performance, dashboard':52} {measured:>16}  {'>= ' + str(result['target']):>20}  "
        f"{'yes' if result['met'] else 'NO'}"
    ]
    for run in result["runs"]:
        metrics = ", ".join(f"{label} {formatted(audit, run[audit])}" for audit, label, _unit in METRICS)
        lines.append(f"  {run['language']:8} {run['score']:>3}: {metrics} (machine's index {run['benchmark_index']})")
    return "\n".join(lines)


def markdown_row(result: dict) -> tuple[str, str, str, str]:
    """The README table's row (bench.run's `markdown`): the scores, and the median of each metric."""
    medians = result["medians"]
    metrics = ", ".join(f"{label} {formatted(audit, medians[audit])}" for audit, label, _unit in METRICS)
    languages = " and ".join({"en": "English", "zh-hans": "Chinese"}[code] for code in LANGUAGES)
    return (
        "Dashboard on a phone (Lighthouse 12 mobile preset, the seed figures)",
        f"performance **{result['median_score']:g}** median, {result['worst_score']} worst of "
        f"{len(result['runs'])} runs ({languages}); medians: {metrics}",
        f">= {result['target']} in every run",
        "yes" if result["met"] else "**no**",
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per language (default 3)")
    parser.add_argument("--path", default="/", help="the page to measure (default the dashboard, /)")
    parser.add_argument("--database-url", help="a database to load the seed into (default a fresh SQLite file)")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results" / "latest.json")
    parser.add_argument("--reports", type=Path, help="keep Lighthouse's own reports and traces here")
    options = parser.parse_args(argv)
    if not LIGHTHOUSE.exists():
        print(f"no Lighthouse at {LIGHTHOUSE}: run `npm ci` in bench/ first", file=sys.stderr)
        return 2
    if not Path(CHROME_PATH).exists():
        print(f"no Chromium at {CHROME_PATH}: `apt-get install chromium`, or set CHROME_PATH", file=sys.stderr)
        return 2
    if options.reports:
        options.reports.mkdir(parents=True, exist_ok=True)
    result = measure(options.runs, options.path, options.database_url, options.reports)
    print(table(result))
    print(f"  load average {' / '.join(map(str, result['load_average']))} (1, 5, 15 minutes) on {os.cpu_count()} cores")
    # Beside bench.run's results of the same `make bench`, so that its --markdown prints the README's row too.
    results = json.loads(options.output.read_text()) if options.output.exists() else {}
    results["lighthouse"] = result
    options.output.parent.mkdir(parents=True, exist_ok=True)
    options.output.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"saved {options.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
