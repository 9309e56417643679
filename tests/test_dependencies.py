"""The locked dependencies: what pyproject.toml asks for is what requirements/*.txt pins, with hashes, and
what this environment has installed.

requirements/runtime.txt is what the image and `make run` install, requirements/dev.txt what `make test` and
CI install; `make lock` writes both (README, "Dependencies").
"""

import re
import sys
import tomllib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
RUNTIME_LOCK = ROOT / "requirements" / "runtime.txt"
DEV_LOCK = ROOT / "requirements" / "dev.txt"
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]

# Installed by `python -m venv` itself, or the project: not packages a lock pins.
NOT_LOCKED = {"pip", "setuptools", "wheel", "outreach"}
# Drivers that bundle their own libpq (and OpenSSL), which then misses the system's security updates.
BUNDLED_LIBPQ = {"psycopg2-binary", "psycopg-binary"}


@dataclass(frozen=True)
class Pin:
    name: str
    version: str
    marker: Marker | None
    hashes: tuple[str, ...]
    line: str

    def applies_here(self) -> bool:
        return self.marker is None or self.marker.evaluate()


def read_lock(path: Path) -> list[Pin]:
    """Each requirement of a pip requirements file, its continuation lines joined."""
    text = re.sub(r"\\\n", " ", path.read_text())
    pins = []
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        hashes = tuple(re.findall(r"--hash=(\S+)", line))
        requirement = Requirement(line.split(" --", 1)[0])
        specifiers = list(requirement.specifier)
        assert len(specifiers) == 1 and specifiers[0].operator == "==", f"{path.name}: not one exact pin: {line}"
        pins.append(
            Pin(canonicalize_name(requirement.name), specifiers[0].version, requirement.marker, hashes, line[:80])
        )
    assert pins, f"{path.name} pins nothing"
    return pins


def versions(pins: list[Pin]) -> dict[str, set[str]]:
    pinned: dict[str, set[str]] = {}
    for pin in pins:
        pinned.setdefault(pin.name, set()).add(pin.version)
    return pinned


RUNTIME = read_lock(RUNTIME_LOCK)
DEV = read_lock(DEV_LOCK)


def declared(requirements: list[str]) -> list[Requirement]:
    return [Requirement(requirement) for requirement in requirements]


@pytest.mark.parametrize("lock", [RUNTIME_LOCK, DEV_LOCK], ids=lambda path: path.name)
def test_every_package_in_both_locks_is_pinned_with_a_sha256_hash(lock):
    unhashed = [pin.line for pin in read_lock(lock) if not pin.hashes]
    assert not unhashed, f"{lock.name}: pip --require-hashes refuses these, run `make lock`: {unhashed}"
    for pin in read_lock(lock):
        assert all(re.fullmatch(r"sha256:[0-9a-f]{64}", digest) for digest in pin.hashes), pin.line


@pytest.mark.parametrize(
    ("requirements", "lock"),
    [
        (PROJECT["dependencies"], RUNTIME),
        (PROJECT["dependencies"] + PROJECT["optional-dependencies"]["dev"], DEV),
    ],
    ids=["runtime", "dev"],
)
def test_every_dependency_in_pyproject_is_pinned_within_its_range(requirements, lock):
    pinned = versions(lock)
    for requirement in declared(requirements):
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{requirement} is in pyproject.toml but not in the lock: run `make lock`"
        for version in pinned[name]:
            assert requirement.specifier.contains(version, prereleases=True), (
                f"the lock pins {name}=={version}, outside pyproject.toml's {requirement}: run `make lock`"
            )


def test_no_dev_only_package_is_in_the_runtime_lock():
    runtime_needs = {canonicalize_name(requirement.name) for requirement in declared(PROJECT["dependencies"])}
    dev_only = {
        canonicalize_name(requirement.name) for requirement in declared(PROJECT["optional-dependencies"]["dev"])
    } - runtime_needs
    assert {"pytest", "plotly", "playwright", "ruff", "uv"} <= dev_only
    shipped = set(versions(RUNTIME))
    assert not shipped & dev_only, f"production would install development tools: {sorted(shipped & dev_only)}"
    # pytest's plugins come in through the dev extras; none may reach production by another path.
    assert not {name for name in shipped if name.startswith("pytest")}


def test_psycopg_uses_the_system_libpq():
    assert "psycopg" in versions(RUNTIME)
    for lock in (RUNTIME, DEV):
        assert not set(versions(lock)) & BUNDLED_LIBPQ, "a psycopg with its own bundled libpq is locked"


def test_the_dev_lock_pins_every_runtime_package_at_the_runtime_version():
    runtime, dev = versions(RUNTIME), versions(DEV)
    differing = {name: (pinned, dev.get(name)) for name, pinned in runtime.items() if dev.get(name) != pinned}
    assert not differing, f"tests would run other versions than production (runtime, dev): {differing}"


def test_this_environment_has_the_dev_lock_installed():
    """A venv installed from an older lock fails here, not later in a way that is hard to explain."""
    fix = f"reinstall: {Path(sys.executable).parent}/python -m pip install --require-hashes -r requirements/dev.txt"
    stale = {}
    for pin in DEV:
        if not pin.applies_here():
            continue
        try:
            installed = metadata.version(pin.name)
        except metadata.PackageNotFoundError:
            installed = None
        if installed != pin.version:
            stale[pin.name] = f"installed {installed}, locked {pin.version}"
    assert not stale, f"{stale}; {fix}"


def test_this_environment_has_nothing_the_locks_do_not_list():
    """A package left over from an older lock (psycopg2-binary, say) would let a test pass here that fails in CI."""
    locked = set(versions(DEV)) | NOT_LOCKED
    installed = {canonicalize_name(distribution.metadata["Name"]) for distribution in metadata.distributions()}
    extra = sorted(installed - locked)
    assert not extra, (
        f"installed but in no lock: {extra}. Add what the project needs to pyproject.toml and run `make lock`; "
        f"uninstall the rest ({Path(sys.executable).parent}/python -m pip uninstall {' '.join(extra)})"
    )


def test_the_image_and_the_makefile_install_only_from_the_locks():
    installs = [
        (name, line.strip())
        for name in ("Dockerfile", "Makefile")
        for line in re.sub(r"\\\n", " ", (ROOT / name).read_text()).splitlines()
        if "pip install" in line and not line.lstrip().startswith("#")
    ]
    assert installs
    for name, line in installs:
        from_a_lock = re.search(r"--require-hashes -r (\S+)", line)
        assert from_a_lock or "--no-deps" in line, f"{name} installs outside the locks: {line}"
        if from_a_lock:
            assert from_a_lock.group(1).removeprefix("$(").rstrip(")") in {
                "requirements/runtime.txt",
                "requirements/dev.txt",
                "RUNTIME_LOCK",
                "DEV_LOCK",
            }, line
    docker = (ROOT / "Dockerfile").read_text()
    assert "pip install --require-hashes -r requirements/runtime.txt" in docker
    assert "requirements/dev.txt" not in docker, "the image installs the development tools"
