"""The README's backup and restore commands, run against the local PostgreSQL: nothing is lost."""

import os
import re
from contextlib import closing

from tests.servers import PATH, ROOT, manage, run

COUNTED_TABLES = (
    "outreach_metricsnapshot",
    "outreach_historicalmetricsnapshot",
    "outreach_account",
    "outreach_historicalaccount",
    "outreach_milestone",
    "accounts_user",
    "auth_group",
)


def readme_command(program: str) -> str:
    """The README's `docker compose exec -T db <program> ...` line, run here against the local server."""
    readme = (ROOT / "README.md").read_text()
    line = re.search(rf"^docker compose exec -T db ({program} .*)$", readme, re.M)
    assert line, f"the README shows no {program} command"
    return line.group(1)


def table_contents(database: str) -> dict[str, list]:
    import psycopg  # loads libpq: imported here so that a machine without it still collects this module

    connection = psycopg.connect(host="127.0.0.1", user="postgres", dbname=database)
    with closing(connection), connection.cursor() as cursor:
        contents = {}
        for table in COUNTED_TABLES:
            cursor.execute(f"SELECT * FROM {table} ORDER BY 1")  # noqa: S608 (table names from this module)
            contents[table] = cursor.fetchall()
        return contents


def test_a_backup_restores_every_snapshot_and_every_history_row(tmp_path, postgres_databases):
    source = postgres_databases()
    environment = {**os.environ, "PATH": PATH, "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{source}"}
    for command in (["migrate", "--noinput"], ["load_seed_figures", "--illustrative-history"]):
        manage(*command, env=environment)
    manage("remove_illustrative_history", env=environment)
    before = table_contents(source)
    assert len(before["outreach_metricsnapshot"]) == 4
    assert len(before["outreach_historicalmetricsnapshot"]) > 200, "creations and deletions are history too"

    local = {**os.environ, "PGHOST": "127.0.0.1", "PGPORT": "5432"}

    def run_readme(program: str, database: str) -> None:
        command = readme_command(program).replace("--username=outreach", "--username=postgres")
        command = command.replace("--dbname=outreach", f"--dbname={database}")
        result = run(["bash", "-c", command], local, cwd=tmp_path)
        assert result.returncode == 0, result.stderr

    run_readme("pg_dump", source)
    assert (tmp_path / "outreach.dump").stat().st_size > 0
    target = postgres_databases()
    run_readme("pg_restore", target)

    assert table_contents(target) == before
