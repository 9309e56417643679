"""The admin's snapshot list: what staff scan to find and check figures."""

from datetime import date

import pytest
from django.urls import reverse

from tests.conftest import SnapshotFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("admin:outreach_metricsnapshot_changelist")


def listed(response):
    """The snapshots on the page, as (month, platform slug) pairs."""
    return {(s.period.strftime("%Y-%m"), s.account.platform.slug) for s in response.context["cl"].result_list}


def test_counts_show_thousands_separators_and_unreported_counts_a_dash(staff_client, seeded):
    response = staff_client.get(LIST_URL)

    page = response.content.decode()
    assert '<td class="field-views_column">20,000,000</td>' in page
    assert '<td class="field-followers_column">2,630,000</td>' in page
    # Douyin reports no followers: a dash, never 0.
    assert page.count('<td class="field-followers_column">–</td>') == 3
    assert '<td class="field-followers_column">0</td>' not in page


def test_the_list_filters_by_platform_account_and_year(staff_client, seeded):
    SnapshotFactory(account=seeded["wechat"], period=date(2023, 12, 1), articles=990, views=19_900_000)

    by_platform = staff_client.get(LIST_URL, {"platform": "douyin"})
    by_account = staff_client.get(LIST_URL, {"account__id__exact": seeded["wechat"].pk})
    by_year = staff_client.get(LIST_URL, {"year": "2023"})

    assert listed(by_platform) == {("2024-02", "douyin")}
    assert listed(by_account) == {("2024-02", "wechat"), ("2023-12", "wechat")}
    assert listed(by_year) == {("2023-12", "wechat")}


def test_the_year_filter_offers_the_years_that_have_figures(staff_client, seeded):
    SnapshotFactory(account=seeded["wechat"], period=date(2023, 12, 1), articles=990, views=19_900_000)

    page = staff_client.get(LIST_URL).content.decode()

    assert "?year=2023" in page and "?year=2024" in page and "?year=2022" not in page


def test_search_finds_an_account_by_its_chinese_name(staff_client, seeded):
    response = staff_client.get(LIST_URL, {"q": "上海科技馆"})

    assert len(listed(response)) == 4


def test_illustrative_snapshots_are_marked(staff_client, seeded):
    SnapshotFactory(
        account=seeded["wechat"], period=date(2024, 1, 1), articles=990, views=19_900_000, is_illustrative=True
    )

    page = staff_client.get(LIST_URL).content.decode()

    assert page.count('class="outreach-illustrative"') == 1
    assert "2024-01 <span" in page


def test_the_list_links_to_the_month_grid(staff_client, seeded):
    page = staff_client.get(LIST_URL).content.decode()

    assert reverse("admin:outreach_month_grid") in page
