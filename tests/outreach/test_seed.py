"""The seed figures: the museum's real February 2024 figures, and an illustrative history that says so."""

from datetime import date

import pytest
from django.core.management import call_command

from outreach.metrics import CUMULATIVE_METRICS
from outreach.models import Account, MetricSnapshot

pytestmark = pytest.mark.django_db

REAL_FEBRUARY_2024 = {
    # slug: (articles, videos, views, followers, approximate), from the seed article
    "kepu-china": (48, None, 1_886_000, None, False),
    "wechat": (1000, None, 20_000_000, 2_630_000, True),
    "douyin": (None, 345, 7_653_000, None, False),
    "bilibili": (None, 323, 1_367_000, None, False),
}


def real_figures():
    return {
        s.account.platform.slug: (s.articles, s.videos, s.views, s.followers, s.approximate)
        for s in MetricSnapshot.objects.filter(is_illustrative=False).select_related("account__platform")
    }


def test_the_seed_creates_the_four_accounts_and_their_real_figures():
    call_command("load_seed_figures")

    accounts = {a.platform.slug: a for a in Account.objects.select_related("platform")}
    assert set(accounts) == set(REAL_FEBRUARY_2024)
    assert accounts["wechat"].name_zh == "上海科技馆"
    assert accounts["kepu-china"].opened_on == date(2023, 8, 6)
    assert accounts["wechat"].opened_on == date(2015, 6, 1)
    assert real_figures() == REAL_FEBRUARY_2024
    assert set(MetricSnapshot.objects.values_list("period", flat=True)) == {date(2024, 2, 1)}


def test_running_the_seed_twice_changes_nothing():
    call_command("load_seed_figures", "--illustrative-history")
    first = list(MetricSnapshot.objects.order_by("pk").values())

    call_command("load_seed_figures", "--illustrative-history")

    assert list(MetricSnapshot.objects.order_by("pk").values()) == first
    assert Account.objects.count() == 4


def test_the_seed_keeps_figures_staff_corrected(seeded):
    MetricSnapshot.objects.filter(account=seeded["douyin"]).update(views=7_654_000)

    call_command("load_seed_figures")

    assert MetricSnapshot.objects.get(account=seeded["douyin"]).views == 7_654_000


def test_only_if_empty_leaves_a_database_with_figures_alone(seeded):
    MetricSnapshot.objects.filter(account=seeded["douyin"]).delete()

    call_command("load_seed_figures", "--illustrative-history", "--only-if-empty")

    assert not MetricSnapshot.objects.filter(is_illustrative=True).exists()
    assert not MetricSnapshot.objects.filter(account=seeded["douyin"]).exists()


def test_the_illustrative_history_runs_from_each_opening_and_ends_exactly_at_the_real_figures():
    call_command("load_seed_figures", "--illustrative-history")

    for account in Account.objects.select_related("platform"):
        history = list(MetricSnapshot.objects.filter(account=account).order_by("period"))
        months = [s.period for s in history]
        assert months[0] == account.opened_on.replace(day=1)
        assert months[-1] == date(2024, 2, 1)
        assert len(months) == len(set(months)) == (2024 - months[0].year) * 12 + 2 - months[0].month + 1
        assert [s.is_illustrative for s in history] == [True] * (len(history) - 1) + [False]
        assert (
            history[-1].articles,
            history[-1].videos,
            history[-1].views,
            history[-1].followers,
            history[-1].approximate,
        ) == REAL_FEBRUARY_2024[account.platform.slug]
        for metric in (*CUMULATIVE_METRICS, "followers"):
            values = [getattr(s, metric) for s in history]
            if values[-1] is None:
                assert values == [None] * len(values), "no made-up figure where the article gives none"
            else:
                assert values == sorted(values), f"{metric} of {account} never goes down"
    assert MetricSnapshot.objects.filter(account__platform__slug="wechat", period=date(2015, 6, 1)).exists()


def test_one_command_removes_every_illustrative_snapshot_and_keeps_the_real_ones():
    call_command("load_seed_figures", "--illustrative-history")
    assert MetricSnapshot.objects.filter(is_illustrative=True).count() > 100

    call_command("remove_illustrative_history")

    assert not MetricSnapshot.objects.filter(is_illustrative=True).exists()
    assert real_figures() == REAL_FEBRUARY_2024
