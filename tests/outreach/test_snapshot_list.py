"""The admin's snapshot list: what staff scan to find and check figures."""

from datetime import date

import pytest
from django.urls import reverse

from tests.factories import SnapshotFactory

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


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("year=²", "“²” is not a year"),
        ("year=99999999999", "“99999999999” is not a year"),
        ("year=0", "“0” is not a year"),
        ("account__id__exact=²", "“²” is not an account number"),
        ("account__id__exact=99999999999999999999999", "is not an account number"),
    ],
)
def test_a_wrong_filter_in_the_address_is_a_message_and_a_400_not_a_server_error(staff_client, seeded, query, message):
    response = staff_client.get(f"{LIST_URL}?{query}")

    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    # The list is still there, without the filter.
    assert "20,000,000" in page


def test_a_right_year_filter_still_filters(staff_client, seeded):
    SnapshotFactory(account=seeded["wechat"], period=date(2023, 2, 1), articles=900, views=15_000_000)

    response = staff_client.get(f"{LIST_URL}?year=2023")

    assert response.status_code == 200
    assert listed(response) == {("2023-02", "wechat")}


def test_two_accounts_at_the_largest_count_in_one_platform_and_month_both_save(
    django_app, staff_user, seeded, platform
):
    from outreach import metrics
    from outreach.models import MetricSnapshot, MonthlyTotal
    from tests.factories import AccountFactory

    second = AccountFactory(platform=platform("wechat"), name="Second account")
    django_app.set_user(staff_user)
    for account in (seeded["wechat"], second):
        form = django_app.get(reverse("admin:outreach_metricsnapshot_add")).forms["metricsnapshot_form"]
        form["account"] = str(account.pk)
        form["period"] = "2024-03"
        form["views"] = f"{metrics.COUNT_MAX:,}"
        assert form.submit("_save").status_code == 302

    assert MetricSnapshot.objects.filter(period=date(2024, 3, 1), views=metrics.COUNT_MAX).count() == 2
    kept = MonthlyTotal.objects.get(platform=platform("wechat"), period=date(2024, 3, 1), metric="views")
    assert kept.total == 2 * metrics.COUNT_MAX
    assert django_app.get(reverse("dashboard") + "?start=2024-01").status_code == 200


@pytest.mark.parametrize(
    "query", ["date__year=99999999999999999999", "date__year=2024&date__month=99999999999", "date__year=²"]
)
def test_a_wrong_date_in_the_milestone_list_address_is_a_message_and_a_400(admin_client, seeded, query):
    response = admin_client.get(f"{reverse('admin:outreach_milestone_changelist')}?{query}")

    assert response.status_code == 400
    assert "that filter was left out" in response.content.decode()
