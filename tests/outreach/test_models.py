"""The database holds the invariants too, whatever writes to it."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from outreach import metrics
from outreach.models import MetricSnapshot
from outreach.services.snapshots import snapshot_save
from tests.factories import SnapshotFactory

pytestmark = pytest.mark.django_db


def test_one_snapshot_per_account_and_month(wechat_account):
    SnapshotFactory(account=wechat_account, period=date(2024, 3, 1))

    with pytest.raises(IntegrityError), transaction.atomic():
        MetricSnapshot.objects.create(account=wechat_account, period=date(2024, 3, 1), views=1)


@pytest.mark.parametrize("metric", ["articles", "videos", "views", "followers"])
def test_counts_cannot_be_negative(wechat_account, metric):
    snapshot = SnapshotFactory(account=wechat_account)

    with pytest.raises(IntegrityError), transaction.atomic():
        MetricSnapshot.objects.filter(pk=snapshot.pk).update(**{metric: -1})


def test_a_snapshot_needs_a_figure(wechat_account):
    with pytest.raises(IntegrityError), transaction.atomic():
        MetricSnapshot.objects.create(account=wechat_account, period=date(2024, 3, 1))


def test_unreported_counts_stay_empty_not_zero(wechat_account):
    snapshot = SnapshotFactory(account=wechat_account, articles=None, videos=None, followers=None, views=5)

    snapshot.refresh_from_db()
    assert (snapshot.articles, snapshot.videos, snapshot.followers) == (None, None, None)


def test_a_month_shows_as_year_and_month(wechat_account):
    snapshot = SnapshotFactory(account=wechat_account, period=date(2024, 3, 1))

    assert str(snapshot).endswith("· 2024-03")


def test_the_rule_set_refuses_a_count_above_the_bound_on_every_write_path(wechat_account, staff_user):
    from django.core.exceptions import ValidationError

    from outreach.models import MetricSnapshot

    snapshot = MetricSnapshot(account=wechat_account, period=date(2024, 2, 1), followers=metrics.COUNT_MAX + 1)

    with pytest.raises(ValidationError) as refused:
        snapshot_save(snapshot=snapshot, user=staff_user)

    assert "larger than any count can be" in refused.value.message_dict["followers"][0]
    assert not MetricSnapshot.objects.exists()
