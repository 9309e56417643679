"""Production servers for tests: gunicorn (or a start script) in its own process, on a loopback port.

The servers run with production settings, as in the container, in subprocesses that never share the
test database. Everything listens on and connects to loopback addresses only.

They must start on a busy machine too (three test runs on two cores): a server binds port 0 and says which
port it got, so no other process can take the port between choosing and binding it; the wait for it retries
on refused connections and on timeouts until a generous deadline; every subprocess has a time limit.
"""

import http.client
import os
import re
import secrets
import signal
import subprocess
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


def collect_static(static_root: Path) -> None:
    """Production storage needs the manifest that collectstatic writes, as the Dockerfile's build step does."""
    result = run(
        [VENV_BIN / "python", "manage.py", "collectstatic", "--noinput"],
        production_env(SECRET_KEY=secret_key(), ALLOWED_HOSTS="localhost", STATIC_ROOT=str(static_root)),
    )
    assert result.returncode == 0, result.stderr
