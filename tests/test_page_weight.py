"""What a manager's browser downloads: everything from the app itself, compressed, and cached for a year."""

import pytest

from bench.page_weight import measure, report
from tests.servers import collect_static, gunicorn_command, manage, production_env, secret_key, started_server

# What the dashboard may weigh, compressed: plotly.js's basic bundle is most of it.
FIRST_VISIT_BUDGET = 450_000
SECOND_VISIT_BUDGET = 30_000


@pytest.fixture(scope="module")
def production_dashboard(tmp_path_factory):
    """A production server (gunicorn, whitenoise, DEBUG off) on SQLite with the seed and its illustrative history."""
    folder = tmp_path_factory.mktemp("weight")
    environment = production_env(
        SECRET_KEY=secret_key(),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        STATIC_ROOT=str(folder / "static"),
        DJANGO_SUPERUSER_USERNAME="weigher",
        DJANGO_SUPERUSER_PASSWORD="a-long-weigher-password",
    )
    for command in (
        ["migrate", "--noinput"],
        ["load_seed_figures", "--illustrative-history"],
        ["ensure_admin"],
    ):
        manage(*command, env=environment)
    collect_static(folder / "static")
    with started_server(gunicorn_command(), environment, folder / "web.log") as server:
        assert server.status == 200, server.log_text()
        yield measure(server.base_url, "weigher", "a-long-weigher-password")


def test_every_asset_is_the_apps_own_compressed_and_cached_for_a_year(production_dashboard):
    weight = production_dashboard
    print(report(weight))

    assert weight.page.status == 200
    assert {asset.path.split("/")[2] for asset in weight.assets} <= {"outreach", "vendor"}
    assert any("plotly-basic" in asset.path for asset in weight.assets)
    for asset in weight.assets:
        assert asset.status == 200, asset.path
        assert asset.cached_for_a_year, f"{asset.path}: {asset.cache_control}"
    plotly = next(asset for asset in weight.assets if "plotly-basic" in asset.path)
    assert plotly.encoding in {"br", "gzip"}
    assert weight.page.encoding == "gzip"


def test_a_first_visit_stays_light_and_a_second_fetches_only_the_page(production_dashboard):
    weight = production_dashboard

    assert weight.first_visit_bytes <= FIRST_VISIT_BUDGET, report(weight)
    assert weight.second_visit_bytes <= SECOND_VISIT_BUDGET, report(weight)
