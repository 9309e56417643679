"""The locked dependencies: what pyproject.toml asks for is what requirements/*.txt pins, with hashes, and
what this environment has installed.

requirements/runtime.txt is what the image and `make run` install, requirements/dev.txt what `make test` and
CI install; requirements/image.txt is psycopg's C extension, which the image's build stage compiles from
source with requirements/image-tools.txt. `make lock` writes all four (README, "Dependencies").
"""

import json
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
IMAGE_LOCK = ROOT / "requirements" / "image.txt"
IMAGE_TOOLS_LOCK = ROOT / "requirements" / "image-tools.txt"
LOCKS = [RUNTIME_LOCK, DEV_LOCK, IMAGE_LOCK, IMAGE_TOOLS_LOCK]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PROJECT = PYPROJECT["project"]

# Installed by `python -m venv` itself, or the project: not packages a lock pins.
NOT_LOCKED = {"pip", "setuptools", "wheel", "outreach"}
# Drivers that bundle their own libpq (and OpenSSL), which then misses the system's security updates.
BUNDLED_LIBPQ = {"psycopg2-binary", "psycopg-binary"}
# The compiler and headers psycopg-c is built with: the build stage's, never the final image's.
BUILD_ONLY_DEBIAN_PACKAGES = {"gcc", "libc6-dev", "libpq-dev", "build-essential", "python3-dev"}


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
IMAGE = read_lock(IMAGE_LOCK)
IMAGE_TOOLS = read_lock(IMAGE_TOOLS_LOCK)


def declared(requirements: list[str]) -> list[Requirement]:
    return [Requirement(requirement) for requirement in requirements]


@pytest.mark.parametrize("lock", LOCKS, ids=lambda path: path.name)
def test_every_package_in_every_lock_is_pinned_with_a_sha256_hash(lock):
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
    assert {"pytest", "plotly", "pypdf", "ruff", "uv"} <= dev_only
    assert "playwright" in runtime_needs  # it prints the reports as PDF (outreach.printing)
    shipped = set(versions(RUNTIME))
    assert not shipped & dev_only, f"production would install development tools: {sorted(shipped & dev_only)}"
    # pytest's plugins come in through the dev extras; none may reach production by another path.
    assert not {name for name in shipped if name.startswith("pytest")}


def test_production_runs_psycopgs_c_extension_on_the_system_libpq_at_psycopgs_version():
    runtime, image = versions(RUNTIME), versions(IMAGE)
    assert not set(runtime) & BUNDLED_LIBPQ, "production would load a libpq bundled in a wheel, not Debian's"
    assert not set(runtime) & {"psycopg-c"}, "`make run` on a machine without a compiler would have to build it"
    # The image adds the C extension alone, and psycopg loads it without comparing versions.
    assert image == {"psycopg-c": runtime["psycopg"]}, f"run `make lock`: image {image}, runtime psycopg {runtime}"
    (source,) = IMAGE
    assert len(source.hashes) == 1, "psycopg-c is published as source only: one file, one hash"


def test_development_runs_psycopgs_c_code_too_at_psycopgs_version():
    dev = versions(DEV)
    assert dev["psycopg-binary"] == dev["psycopg"], "tests and the bench must run the C code production runs"
    assert not set(dev) & {"psycopg2-binary", "psycopg-c"}


def test_sign_in_lockouts_can_tell_clients_apart_behind_the_proxy():
    """Without django-ipware, axes reads only the connection's address: behind Caddy, always the proxy's."""
    from axes.helpers import IPWARE_INSTALLED

    assert "django-ipware" in versions(RUNTIME), "production would lock everyone out for one person's guesses"
    assert IPWARE_INSTALLED


def test_this_environment_loads_psycopgs_c_code():
    """The pure-Python fallback is several times slower: `make bench` would measure it, not production."""
    import psycopg

    assert psycopg.pq.__impl__ in {"binary", "c"}, f"psycopg runs its {psycopg.pq.__impl__} code"


def test_the_image_tools_fit_the_projects_build_and_stay_out_of_production():
    tools = versions(IMAGE_TOOLS)
    assert {"setuptools", "wheel"} <= set(tools)
    for requirement in declared(PYPROJECT["build-system"]["requires"]):
        name = canonicalize_name(requirement.name)
        assert name in tools and all(requirement.specifier.contains(version) for version in tools[name]), (
            f"the image builds the project with {name} {tools.get(name)}, outside {requirement}: run `make lock`"
        )
    assert not set(tools) & set(versions(RUNTIME)) - {"packaging"}, "a build tool reached the runtime lock"


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


def commands(text: str) -> list[str]:
    """A Dockerfile's or Makefile's lines, continuation lines joined, comments left out."""
    return [line.strip() for line in re.sub(r"\\\n", " ", text).splitlines() if not line.lstrip().startswith("#")]


def test_the_image_and_the_makefile_install_only_from_the_locks():
    installs = [
        (name, line)
        for name in ("Dockerfile", "Makefile")
        for line in commands((ROOT / name).read_text())
        if re.search(r"pip (install|wheel)", line)
    ]
    assert installs
    for name, line in installs:
        for command in re.findall(r"pip (?:install|wheel) [^&]*", line):
            from_a_lock = re.search(r"--require-hashes -r (\S+)", command)
            assert from_a_lock or "--no-deps" in command, f"{name} installs outside the locks: {command}"
            if from_a_lock:
                assert from_a_lock.group(1).removeprefix("$(").rstrip(")").removeprefix("/build/") in {
                    "requirements/runtime.txt",
                    "requirements/dev.txt",
                    "requirements/image.txt",
                    "requirements/image-tools.txt",
                    "RUNTIME_LOCK",
                    "DEV_LOCK",
                }, command
            if command.startswith("pip wheel"):
                # Built with the locked tools only, which must fit what the package asks for.
                assert "--no-build-isolation --check-build-dependencies" in command, command
    docker = (ROOT / "Dockerfile").read_text()
    assert "pip install --require-hashes -r requirements/runtime.txt" in docker
    assert "requirements/dev.txt" not in docker, "the image installs the development tools"


def test_the_image_compiles_psycopg_c_in_a_build_stage_and_ships_no_compiler():
    stages = re.split(r"^FROM ", (ROOT / "Dockerfile").read_text(), flags=re.MULTILINE)[1:]
    assert len(stages) == 2, "a build stage and the final one"
    build, final = (commands(stage) for stage in stages)
    build_packages = {word for line in build if "apt-get install" in line for word in line.split()}
    final_packages = {word for line in final if "apt-get install" in line for word in line.split()}

    assert stages[0].startswith("${PYTHON_IMAGE} AS build") and stages[1].startswith("${PYTHON_IMAGE}\n"), (
        "both stages from one base image, so that psycopg-c meets the libpq it was compiled against"
    )
    assert {"gcc", "libpq-dev"} <= build_packages
    assert any("-r /build/requirements/image.txt --wheel-dir /wheels" in line for line in build)
    assert "libpq5" in final_packages and not final_packages & BUILD_ONLY_DEBIAN_PACKAGES, final_packages
    installs = [line for line in final if "from=build" in line]
    assert len(installs) == 1 and "pip install --no-deps /tmp/wheels/*.whl" in installs[0], final
    assert "psycopg.pq.__impl__ == 'c'" in installs[0], "the build fails if psycopg falls back to pure Python"


def test_make_lock_writes_every_lock():
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^lock:.*\n((?:\t.*\n)+)", makefile, flags=re.MULTILINE).group(1)
    assert "--output-file $(RUNTIME_LOCK)" in recipe and "--output-file $(DEV_LOCK)" in recipe
    assert "bin/lock-image" in recipe, "the image's locks follow the runtime lock's psycopg"


@pytest.mark.parametrize("folder", ["bench", "frontend"])
def test_the_npm_locks_stay_installable_as_the_registry_moves(folder):
    """`npm ci` refuses a lock whose pinned version no longer satisfies what a package asks for, and a
    dependency on a tag ("latest") is satisfied only by whatever the registry tags today: Lighthouse's
    trace engine asks for two such, and `make bench` failed on a fresh clone the day a new one was published.
    Each is pinned in package.json's overrides, at the version the lock holds."""
    manifest = json.loads((ROOT / folder / "package.json").read_text())
    lock = json.loads((ROOT / folder / "package-lock.json").read_text())
    overrides = manifest.get("overrides", {})
    tagged = {
        name
        for package in lock["packages"].values()
        for name, wanted in {**package.get("dependencies", {}), **package.get("optionalDependencies", {})}.items()
        if not re.match(r"^[\^~<>=*\d]|^npm:|^file:", wanted)
    }
    for name in tagged:
        assert name in overrides, f"{folder}: {name} is asked for by a tag; pin it in package.json's overrides"
        assert lock["packages"][f"node_modules/{name}"]["version"] == overrides[name], name
