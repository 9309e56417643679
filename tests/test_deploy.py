"""The deployment files (docker-compose.yml, bin/start-web) checked against the settings they configure.

The servers run in subprocesses with production settings, as in the container, so these tests do not
use the test database. Everything listens on and connects to loopback addresses only.
"""

import ast
import json
import os
import re
import shlex
from contextlib import closing

import yaml

from tests.servers import (
    PATH,
    ROOT,
    VENV_BIN,
    collect_static,
    gunicorn_command,
    production_env,
    run,
    secret_key,
    started_server,
)
from tests.test_production import retry_after_of

SEEDED_PLATFORMS = {"kepu-china", "wechat", "douyin", "bilibili"}


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def settings_variables() -> set[str]:
    """The environment variables outreach/settings.py reads: the first argument of `env(...)`, `env.bool(...)`…"""
    tree = ast.parse((ROOT / "outreach" / "settings.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)):
            continue
        func = node.func
        if (isinstance(func, ast.Name) and func.id == "env") or (
            isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "env"
        ):
            names.add(node.args[0].value)
    return names


def gunicorn_config_variables() -> set[str]:
    """The environment variables deploy/gunicorn.conf.py reads: the first argument of `os.environ.get(...)`."""
    tree = ast.parse((ROOT / "deploy" / "gunicorn.conf.py").read_text())
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get"
        and ast.unparse(node.func.value) == "os.environ"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }


def interpolate(value: str, variables: dict[str, str]) -> str:
    """Resolve `${VAR}`, `${VAR:-default}` and `${VAR:?message}` from `variables`, as docker compose does."""

    def resolve(match: re.Match) -> str:
        name, operator, argument = match.group(1, 2, 3)
        supplied = variables.get(name, "")
        if supplied or operator is None:
            return supplied
        if operator == ":?":
            raise LookupError(f"{name}: {argument}")
        return argument

    return re.sub(r"\$\{(\w+)(?:(:[-?])([^}]*))?\}", resolve, value)


def test_compose_web_sets_only_variables_the_settings_read():
    read = settings_variables()
    assert "DATABASE_URL" in read, "the settings parser found no env(...) calls"
    started_with = gunicorn_config_variables()
    assert {"BIND", "PORT", "WEB_CONCURRENCY"} <= started_with, "the gunicorn config parser found no variables"

    environment = compose()["services"]["web"]["environment"]
    assert isinstance(environment, dict), "web.environment should use the mapping form"
    assert set(environment) - read - started_with == set(), (
        "docker-compose.yml sets variables neither outreach/settings.py nor deploy/gunicorn.conf.py reads"
    )

    readme = ROOT / "README.md"
    assert readme.exists(), "README.md should document the environment variables in a table"
    documented = {
        name
        for line in readme.read_text().splitlines()
        if line.lstrip().startswith("| `")
        for name in re.findall(r"`([A-Z_][A-Z0-9_]*)`", line)
    }
    assert read - documented == set(), "variables outreach/settings.py reads but README.md's table does not list"
    assert started_with - documented == set(), "variables gunicorn's config reads but README.md's table does not list"


def test_compose_proxy_sets_only_placeholders_the_caddyfile_reads():
    placeholders = set(re.findall(r"\{\$(\w+)", (ROOT / "deploy" / "Caddyfile").read_text()))
    assert {"SITE_ADDRESS", "UPSTREAM"} <= placeholders

    environment = compose()["services"]["proxy"]["environment"]
    assert set(environment) - placeholders == set(), "docker-compose.yml sets variables deploy/Caddyfile never reads"
    assert "| `SITE_ADDRESS` |" in (ROOT / "README.md").read_text(), "README.md's table should list SITE_ADDRESS"


def test_compose_db_has_health_check_and_web_waits_for_it():
    config = compose()
    db, web = config["services"]["db"], config["services"]["web"]

    assert db["image"].startswith("postgres:16")
    assert db["healthcheck"]["test"]
    sources = {volume.split(":")[0] if isinstance(volume, str) else volume["source"] for volume in db["volumes"]}
    assert sources & set(config.get("volumes") or {}), "the database should live on a named volume"
    assert web["depends_on"]["db"]["condition"] == "service_healthy"


def test_web_start_command_serves_healthz_against_postgresql(fresh_postgres_database, tmp_path):
    collect_static(tmp_path / "static")
    web = compose()["services"]["web"]
    command = web["command"] if isinstance(web["command"], list) else shlex.split(web["command"])
    variables = {
        "SECRET_KEY": secret_key(),
        "POSTGRES_USER": "postgres",
        "POSTGRES_PASSWORD": "unused-with-trust-auth",
        "POSTGRES_DB": fresh_postgres_database,
    }
    environment = {name: interpolate(str(value), variables) for name, value in web["environment"].items()}
    # In compose, PostgreSQL is the service `db`; here it is the local server.
    assert environment["DATABASE_URL"].count("@db:") == 1
    environment["DATABASE_URL"] = environment["DATABASE_URL"].replace("@db:", "@127.0.0.1:")
    # Port 0: gunicorn binds a free port itself and logs which, so no other process can take it meanwhile.
    environment |= {"PATH": PATH, "BIND": "127.0.0.1", "PORT": "0", "STATIC_ROOT": str(tmp_path / "static")}

    with started_server(command, environment, tmp_path / "web.log") as server:
        status, body = server.status, json.loads(server.body)

    assert (status, body["status"]) == (200, "ok"), server.log_text()
    import psycopg  # loads libpq: imported here so that a machine without it still collects this module

    migrated = psycopg.connect(host="127.0.0.1", user="postgres", dbname=fresh_postgres_database)
    with closing(migrated), migrated.cursor() as cursor:
        cursor.execute("SELECT slug FROM outreach_platform")
        assert {slug for (slug,) in cursor.fetchall()} == SEEDED_PLATFORMS


def test_healthz_answers_503_when_the_database_is_unreachable(tmp_path):
    environment = production_env(
        SECRET_KEY=secret_key(),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL="postgres://postgres@127.0.0.1:1/nothing",  # nothing listens on port 1
        STATIC_ROOT=str(tmp_path),
    )

    with started_server(gunicorn_command(), environment, tmp_path / "web.log") as server:
        status, body = server.status, json.loads(server.body)
        retry_after = retry_after_of(f"{server.base_url}/healthz")

    assert status == 503, server.log_text()
    assert body["database"] == "unreachable"
    assert retry_after == "30"


def test_production_settings_refuse_to_start_without_secret_key_and_allowed_hosts():
    unset = {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"}
    inherited = {name: value for name, value in os.environ.items() if name not in unset}

    def start(**variables: str):
        return run(
            [VENV_BIN / "python", "-c", "import django; django.setup()"],
            inherited | {"DJANGO_SETTINGS_MODULE": "outreach.settings", "DEBUG": "false", **variables},
        )

    without_key = start()
    assert without_key.returncode != 0
    assert "Set the SECRET_KEY environment variable" in without_key.stderr

    without_hosts = start(SECRET_KEY=secret_key())
    assert without_hosts.returncode != 0
    assert "Set the ALLOWED_HOSTS environment variable" in without_hosts.stderr

    configured = start(SECRET_KEY=secret_key(), ALLOWED_HOSTS="outreach.example.org")
    assert configured.returncode == 0, configured.stderr


def test_a_secret_key_beginning_with_a_dollar_is_taken_as_it_is():
    inherited = {name: value for name, value in os.environ.items() if name not in {"SECRET_KEY", "DATABASE_URL"}}
    key = "$" + secret_key()

    started = run(
        [
            VENV_BIN / "python",
            "-c",
            "import django; django.setup(); from django.conf import settings; print(settings.SECRET_KEY)",
        ],
        inherited
        | {
            "DJANGO_SETTINGS_MODULE": "outreach.settings",
            "DEBUG": "false",
            "SECRET_KEY": key,
            "ALLOWED_HOSTS": "outreach.example.org",
        },
    )

    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == key
