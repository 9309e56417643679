"""Big numbers shortened as each language reads them, and rounded before the unit is chosen (as Babel does)."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation

from outreach.numbers import short_count
from tests.factories import AccountFactory, SnapshotFactory


@pytest.mark.parametrize(
    ("value", "english", "chinese"),
    [
        (9_999, "9,999", "9,999"),
        (9_999.4, "9,999", "9,999"),
        (9_999.5, "10K", "1万"),  # rounds to 10,000, which is shortened
        (10_000, "10K", "1万"),
        (99_999, "100K", "10万"),
        (188_600, "189K", "18.9万"),
        (999_949, "1M", "100万"),
        (999_950, "1M", "100万"),  # not 1,000K
        (1_886_000, "1.89M", "188.6万"),
        (7_653_000, "7.65M", "765.3万"),
        (20_000_000, "20M", "2000万"),
        (99_994_999, "100M", "9999.5万"),
        (99_999_999, "100M", "1亿"),  # not 10000万
        (120_000_000, "120M", "1.2亿"),
        (999_999_999, "1B", "10亿"),
        (999_949_999_999, "1T", "9999.5亿"),
        (999_999_999_999, "1T", "1万亿"),
        (-15_000, "-15K", "-1.5万"),
    ],
)
def test_short_counts_round_before_choosing_the_unit(value, english, chinese):
    with translation.override("en"):
        assert short_count(value) == english
    with translation.override("zh-hans"):
        assert short_count(value) == chinese


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "shown"), [("en", "100M"), ("zh-hans", "1亿")])
def test_a_card_of_99_999_999_views_reads_as_a_whole_unit(manager_client, platform, language, shown):
    account = AccountFactory(platform=platform("douyin"), opened_on=date(2018, 8, 1))
    SnapshotFactory(
        account=account, period=date(2024, 2, 1), articles=None, videos=10, views=99_999_999, followers=None
    )

    page = manager_client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE=language).content.decode()

    assert f'<data value="99999999">{shown}</data>' in page
    assert "10000万" not in page and "1,000K" not in page
