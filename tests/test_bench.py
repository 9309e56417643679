"""The benchmark, run tiny so that it cannot rot: it builds its data, measures everything, writes its JSON."""

import json
import os
import uuid

from tests.servers import VENV_BIN, run


def test_the_benchmark_runs_at_a_tiny_size(tmp_path, postgres_databases):
    postgres_databases()  # skips (or fails in CI) without PostgreSQL, as the benchmark needs it
    output = tmp_path / "latest.json"
    database = f"outreach_bench_smoke_{uuid.uuid4().hex[:8]}"

    # One second of wrk per page, not ten: here the throughput is only shown to be measured, and the load
    # would take both cores from the rest of the suite.
    command = ["--rows", "1200", "--database", database, "--output", str(output), "--throughput-seconds", "1"]
    result = run([VENV_BIN / "python", "-m", "bench.run", *command], {**os.environ, "DATABASE_URL": ""})

    assert result.returncode == 0, result.stdout + result.stderr
    assert "CSV export vs COPY" in result.stdout and "page weight, first visit" in result.stdout
    results = json.loads(output.read_text())
    assert results["data"]["snapshots"] >= 1200
    assert results["export"]["app_rows"] == results["data"]["snapshots"]
    assert results["dashboard_all"]["status"] == 200 and results["admin_list"]["status"] == 200
    assert results["import"]["rows"] > 0 and results["page_weight"]["first_visit_bytes"] > 100_000


def test_the_forecasts_backtest_runs_at_a_tiny_size(tmp_path):
    output = tmp_path / "backtest.json"
    result = run(
        [VENV_BIN / "python", "-m", "bench.backtest", "--series", "4", "--output", str(output)], dict(os.environ)
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "| synthetic (4 series) | 132 |" in result.stdout  # 3 years × 11 months × 4 series, each forecast
    rows = {row["series"]: row for row in json.loads(output.read_text())}
    assert 0 <= rows["synthetic (4 series)"]["coverage"] <= 1
    assert rows["illustrative: all"]["forecasts"] > 0
