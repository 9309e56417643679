"""Upgrading a database that already holds figures: the migration that adds the kept totals' coverage
columns computes them from the snapshots recorded, so the dashboard of an upgraded museum is right at once."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from outreach.models import MonthlyTotal
from tests.conftest import restore_migrated_data

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("outreach", "0010_import_table")]
AFTER = [("outreach", "0011_monthly_totals_coverage")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_the_coverage_columns_are_computed_from_the_snapshots_already_recorded():
    restore_migrated_data()  # an earlier transactional test may have emptied the platforms' table
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        apps = migrate(BEFORE)
        platform = apps.get_model("outreach", "Platform").objects.get(slug="wechat")
        account = apps.get_model("outreach", "Account").objects.create(
            platform=platform, name="Upgraded museum", opened_on=date(2015, 6, 1)
        )
        snapshots = apps.get_model("outreach", "MetricSnapshot").objects
        snapshots.create(account=account, period=date(2024, 2, 1), articles=1000, views=20_000_000)
        snapshots.create(account=account, period=date(2024, 3, 1), articles=1010, views=20_100_000)

        migrate(AFTER)
        migrate(leaves)

        march = MonthlyTotal.objects.get(platform=platform.pk, period=date(2024, 3, 1), metric="views")
        assert (march.total, march.reporting) == (20_100_000, 1)
        # Like for like with February, computed by the migration rather than left at their defaults.
        assert (march.month_pairs, march.month_pair_base, march.month_pair_growth) == (1, 20_000_000, 100_000)
    finally:
        migrate(leaves)
