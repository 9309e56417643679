"""Production servers for tests: gunicorn (or a start script) in its own process, on a loopback port.

The servers run with production settings, as in the container, in subprocesses that never share the
test database. Everything listens on and connects to loopback addresses only.

They must start on a busy machine too (three test runs on two cores): a server binds port 0 and says which
port it got, so no other process can take the port between choosing and binding it; the wait for it retries
on refused connections and on timeouts until a generous deadline; every subprocess has a time limit.
"""

import fcntl
import hashlib
import http.client
import importlib.metadata
import os
import re
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
# What the servers find on PATH: the project's virtualenv, as `make test` installs it.
PATH = f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}"

# Generous on purpose: a loaded two-core machine runs `migrate` and gunicorn's start many times slower.
STARTUP_DEADLINE = 240.0
# The limit of one subprocess (a `manage.py` command), far above what it takes when the machine is idle.
COMMAND_TIMEOUT = 300.0
# One request's limit while waiting; a request that times out is retried until the deadline.
REQUEST_TIMEOUT = 15.0

# collectstatic's output, one folder per version of its inputs (see `collect_static`).
CACHED_STATIC = Path(tempfile.gettempdir()) / "outreach-collectstatic"

# gunicorn's arbiter logs the address its socket got: "Listening at: http://127.0.0.1:43127 (1234)".
LISTENING = re.compile(rb"Listening at: http://127\.0\.0\.1:(\d+)")


def secret_key() -> str:
    """A fresh, random 50-character key."""
    return secrets.token_urlsafe(37)


def production_env(**variables: str) -> dict[str, str]:
    """A bare production environment: nothing inherited from the test run (which has DEBUG=true) but PATH."""
    return {"PATH": PATH, "DEBUG": "false", **variables}


def gunicorn_command(*options: str) -> list[str]:
    """gunicorn serving the app with one worker on a port of the system's choosing (see `started_server`)."""
    return [
        str(VENV_BIN / "gunicorn"),
        "outreach.wsgi:application",
        "--bind",
        "127.0.0.1:0",
        "--workers",
        "1",
        *options,
    ]


@contextmanager
def serving(command: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    """Run a server in a process group of its own, and always stop the whole group: gunicorn and its workers."""
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield process
    finally:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


class ServerDidNotStart(AssertionError):
    """The server exited, or gave no answer before the deadline; the message holds its log."""


@dataclass
class Server:
    """A started server: where it answers, and what it answered first."""

    process: subprocess.Popen
    log: Path
    base_url: str
    status: int
    body: bytes

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def get(url: str, timeout: float = REQUEST_TIMEOUT) -> tuple[int, bytes]:
    """The status and body of GET `url`, error statuses included."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (a loopback http URL)
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _listening_port(process: subprocess.Popen, log: Path, deadline: float) -> int:
    while True:
        found = LISTENING.search(log.read_bytes())
        if found:
            return int(found.group(1))
        if process.poll() is not None:
            raise ServerDidNotStart(f"the server exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        if time.monotonic() > deadline:
            raise ServerDidNotStart(f"the server did not listen in time:\n{log.read_text(errors='replace')}")
        time.sleep(0.2)


@contextmanager
def started_server(
    command: list[str], env: dict[str, str], log: Path, path: str = "/healthz", deadline: float = STARTUP_DEADLINE
) -> Iterator[Server]:
    """Start a gunicorn server (directly, or through a script that execs it) that binds 127.0.0.1 port 0,
    wait until it answers GET `path` with any status, and stop it afterwards.

    The port is the one gunicorn reports in its log, so it is the server's own: no race with other
    processes. Refused connections, resets and timeouts (a busy machine) are retried until `deadline`
    seconds have passed; an exit of the server fails at once, with its log.
    """
    until = time.monotonic() + deadline
    with serving(command, env, log) as process:
        base_url = f"http://127.0.0.1:{_listening_port(process, log, until)}"
        while True:
            try:
                status, body = get(f"{base_url}{path}")
                break
            except (urllib.error.URLError, ConnectionError, http.client.HTTPException, TimeoutError) as error:
                if process.poll() is not None:
                    raise ServerDidNotStart(
                        f"the server exited with {process.returncode}:\n{log.read_text(errors='replace')}"
                    ) from error
                if time.monotonic() > until:
                    raise ServerDidNotStart(
                        f"no answer from {base_url}{path} in {deadline:.0f} s ({error!r}):\n"
                        f"{log.read_text(errors='replace')}"
                    ) from error
                time.sleep(0.5)
        yield Server(process=process, log=log, base_url=base_url, status=status, body=body)


def run(
    command: list, env: dict[str, str], timeout: float = COMMAND_TIMEOUT, cwd: Path = ROOT
) -> subprocess.CompletedProcess:
    """Run a command (from the project's folder unless told), its output captured, with a time limit."""
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def manage(*arguments: str, env: dict[str, str], timeout: float = COMMAND_TIMEOUT) -> subprocess.CompletedProcess:
    """Run `manage.py` with these arguments under `run`'s time limit; fail with its output if it fails."""
    result = run([VENV_BIN / "python", "manage.py", *arguments], env, timeout=timeout)
    assert result.returncode == 0, f"manage.py {' '.join(arguments)} failed:\n{result.stdout}{result.stderr}"
    return result


def _static_sources_key() -> str:
    """A digest of everything collectstatic's output depends on: the project's static files (names and
    bytes), the settings module (the storage, the folders) and every installed package's version (Django's
    admin assets, whitenoise's compression)."""
    digest = hashlib.sha256()
    sources = [ROOT / "static", *sorted(ROOT.glob("*/static"))]
    for path in sorted(file for folder in sources if folder.is_dir() for file in folder.rglob("*") if file.is_file()):
        digest.update(f"{path.relative_to(ROOT)}\0".encode())
        digest.update(path.read_bytes())
    digest.update((ROOT / "outreach" / "settings.py").read_bytes())
    packages = sorted(f"{dist.metadata['Name']}=={dist.version}" for dist in importlib.metadata.distributions())
    digest.update("\n".join(packages).encode())
    return digest.hexdigest()[:20]


def collect_static(static_root: Path) -> None:
    """Production storage needs the manifest that collectstatic writes, as the Dockerfile's build step does.

    collectstatic takes a quarter of a minute of CPU (it compresses plotly.js with Brotli), and many tests
    need its output: it runs once per version of its inputs, into a cache under the system's temporary
    folder, and each caller gets a copy of its own. The cache is built under a lock, so that parallel test
    workers (and other checkouts' runs) wait for one build instead of each doing it, and renamed into place
    whole, so that no one copies half a build. Delete /tmp/outreach-collectstatic to force a fresh run.
    """
    key = _static_sources_key()
    CACHED_STATIC.mkdir(parents=True, exist_ok=True)
    cached = CACHED_STATIC / key
    with (CACHED_STATIC / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not cached.is_dir():
            building = CACHED_STATIC / f".building-{key}-{os.getpid()}"
            shutil.rmtree(building, ignore_errors=True)
            try:
                result = run(
                    [VENV_BIN / "python", "manage.py", "collectstatic", "--noinput"],
                    production_env(SECRET_KEY=secret_key(), ALLOWED_HOSTS="localhost", STATIC_ROOT=str(building)),
                )
                assert result.returncode == 0, result.stderr
                building.rename(cached)
            finally:
                shutil.rmtree(building, ignore_errors=True)
        os.utime(cached)
        # The few most recently used builds stay; older ones are from static files since changed.
        builds = sorted((path for path in CACHED_STATIC.iterdir() if not path.name.startswith(".")), key=_mtime)
        for stale in builds[:-3]:
            shutil.rmtree(stale, ignore_errors=True)
        shutil.copytree(cached, static_root, dirs_exist_ok=True)


def _mtime(path: Path) -> float:
    return path.stat().st_mtime
