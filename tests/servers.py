"""Production servers for tests: gunicorn (or a start script) in its own process, on a loopback port.

The servers run with production settings, as in the container, in subprocesses that never share the
test database. Everything listens on and connects to loopback addresses only.
"""

import os
import secrets
import signal
import socket
import subprocess
from contextlib import contextmanager, suppress
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
# What the servers find on PATH: the project's virtualenv, as `make test` installs it.
PATH = f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}"


def secret_key() -> str:
    """A fresh, random 50-character key."""
    return secrets.token_urlsafe(37)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_env(**variables: str) -> dict[str, str]:
    """A bare production environment: nothing inherited from the test run (which has DEBUG=true) but PATH."""
    return {"PATH": PATH, "DEBUG": "false", **variables}


@contextmanager
def serving(command: list[str], env: dict[str, str], log: Path):
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
            process.wait()


def collect_static(static_root: Path) -> None:
    """Production storage needs the manifest that collectstatic writes, as the Dockerfile's build step does."""
    result = subprocess.run(
        [VENV_BIN / "python", "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=production_env(SECRET_KEY=secret_key(), ALLOWED_HOSTS="localhost", STATIC_ROOT=str(static_root)),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
