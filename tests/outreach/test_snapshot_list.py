"""The admin's snapshot list: what staff scan to find and check figures."""

import re
from datetime import date

import pytest
from django.urls import reverse

from outreach.models import Account, MetricSnapshot
from outreach.months import add_months
from outreach.services.totals import monthly_totals_following
from tests.factories import SnapshotFactory
from tests.pages import text_of

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


# A national list: more snapshots than the list counts (CappedCountPaginator.CAP, 2,000), WeChat's among
# them; Douyin's fewer than that.
WECHAT_ACCOUNTS, DOUYIN_ACCOUNTS, MONTHS = 22, 3, 100


@pytest.fixture
def national(seeded, platform):
    """Seed plus 22 WeChat and 3 Douyin accounts of 100 months each: 2,504 snapshots, 2,201 on WeChat and
    301 on Douyin. Written at once, as an import writes them, the monthly totals following."""
    accounts = Account.objects.bulk_create(
        [
            Account(platform=platform(slug), name=f"{slug} account {number:02d}", opened_on=date(2010, 1, 1))
            for slug, how_many in (("wechat", WECHAT_ACCOUNTS), ("douyin", DOUYIN_ACCOUNTS))
            for number in range(how_many)
        ]
    )
    rows = [
        MetricSnapshot(
            account=account,
            period=add_months(date(2015, 1, 1), month),
            views=1_000 * month + account.pk,
            videos=month if account.platform.slug == "douyin" else None,
        )
        for account in accounts
        for month in range(MONTHS)
    ]
    with monthly_totals_following([(account.pk, None) for account in accounts]):
        MetricSnapshot.objects.bulk_create(rows, batch_size=1000)
    return seeded


def paginator_text(page) -> str:
    """The line under the list: its page links and how many rows it has."""
    return " ".join(page.html.select_one("p.paginator").get_text(" ").split())


def count_shown(page) -> str:
    """How many rows the line under the list says there are."""
    return re.search(r"(?:more than )?[\d,]+ metric snapshots?", paginator_text(page))[0]


def count_line(page) -> str:
    """The line under the list without its page links: how many rows it says there are, in any language."""
    return re.sub(r"^(?:[\d…]+ )*", "", paginator_text(page))


def page_links(page) -> list[str]:
    return [link.get_text() for link in page.html.select("p.paginator a")]


def rows_shown(page) -> list[tuple[str, str, str]]:
    """The rows on the page as a person reads them: (month, account, platform)."""
    return [
        tuple(
            row.select_one(f".field-{column}").get_text(" ", strip=True)
            for column in ("month", "account_name", "platform")
        )
        for row in page.html.select("#result_list tbody tr")
    ]


def test_the_list_filtered_by_platform_shows_its_real_number_of_rows(staff_app, national, platform):
    page = staff_app.get(LIST_URL).click(href="platform=douyin", index=0)

    real = MetricSnapshot.objects.filter(account__platform__slug="douyin").count()
    assert real == DOUYIN_ACCOUNTS * MONTHS + 1
    assert count_shown(page) == f"{real} metric snapshots"
    assert f"{real} results" in text_of(page)
    assert page_links(page)[-1] == str(-(-real // 50))  # the last page
    assert len(rows_shown(page)) == 50 and {shown for _m, _a, shown in rows_shown(page)} == {str(platform("douyin"))}


def test_a_list_longer_than_it_counts_says_more_than_never_a_made_up_total(staff_app, national, platform):
    page = staff_app.get(LIST_URL)

    assert count_shown(page) == "more than 2,000 metric snapshots"
    assert "more than 2,000 results" in text_of(page)
    assert "Select all the snapshots listed (more than 2,000)" in text_of(page)
    assert "2000" not in paginator_text(page)
    # No last page is made up: the links go a few pages on, then "…".
    assert paginator_text(page).startswith("1 2 3 4 …")
    by_platform = staff_app.get(LIST_URL, {"platform": "wechat"})
    assert count_shown(by_platform) == "more than 2,000 metric snapshots"
    assert {shown for _m, _a, shown in rows_shown(by_platform)} == {str(platform("wechat"))}


def test_paging_on_past_what_the_first_page_counted_reaches_the_real_last_page(staff_app, national):
    page = staff_app.get(LIST_URL)
    while "more than" in paginator_text(page):
        page = page.click(href=f"p={page_links(page)[-1]}$")

    total = MetricSnapshot.objects.count()
    assert count_shown(page) == f"{total:,} metric snapshots"
    last = page.click(href=f"p={-(-total // 50)}$")
    oldest = MetricSnapshot.objects.order_by("period", "-account_id")[: total % 50]
    assert len(rows_shown(last)) == total % 50
    assert {(month, account) for month, account, _p in rows_shown(last)} == {
        (snapshot.period.strftime("%Y-%m"), snapshot.account.name) for snapshot in oldest
    }


def test_selecting_every_snapshot_of_a_long_list_exports_every_one(staff_app, national):
    page = staff_app.get(LIST_URL, {"platform": "wechat"})
    # The boxes the admin's script ticks, one per row and one for the whole page; what it shows once all are.
    assert len(page.html.select("#result_list input.action-select[name=_selected_action]")) == 50
    assert page.html.select_one("#result_list #action-toggle") is not None
    assert "All the snapshots listed are selected (more than 2,000)" in text_of(page)
    form = page.forms["changelist-form"]
    for box in form.fields["_selected_action"]:
        box.checked = True
    # What "Select all the snapshots listed" sets, as the admin's script does when it is clicked.
    form["select_across"] = "1"
    form["action"] = "export_csv"
    response = form.submit("index")

    lines = response.body.decode("utf-8-sig").splitlines()[1:]
    assert len(lines) == MetricSnapshot.objects.filter(account__platform__slug="wechat").count() == 2_201
    assert {line.split(",")[0] for line in lines} == {"wechat"}


def test_sorting_a_filtered_list_by_a_column_sorts_its_rows_and_keeps_its_count(staff_app, national):
    listed = staff_app.get(LIST_URL, {"platform": "douyin"})
    by_views = listed.goto(listed.html.select_one("th.column-views_column a")["href"])

    expected = MetricSnapshot.objects.filter(account__platform__slug="douyin").order_by("views")[:50]
    shown = [cell.get_text() for cell in by_views.html.select("#result_list td.field-views_column")]
    assert shown == [f"{snapshot.views:,}" for snapshot in expected]
    assert count_shown(by_views) == f"{DOUYIN_ACCOUNTS * MONTHS + 1} metric snapshots"


def test_search_within_a_platform_lists_and_counts_what_it_finds(staff_app, national):
    page = staff_app.get(LIST_URL, {"platform": "wechat", "q": "wechat account 07"})

    assert count_shown(page) == f"{MONTHS} metric snapshots"
    assert {account for _m, account, _p in rows_shown(page)} == {"wechat account 07"}


def test_an_unknown_platform_in_the_address_lists_nothing(staff_app, national):
    page = staff_app.get(LIST_URL, {"platform": "myspace"})

    assert count_shown(page) == "0 metric snapshots"
    assert rows_shown(page) == []


def test_the_account_filter_lists_the_accounts_while_there_are_few_and_none_beyond(staff_app, national, platform):
    filter_links = staff_app.get(LIST_URL).html.select("#changelist-filter a[href*='account__id__exact=']")
    assert [link.get_text(strip=True) for link in filter_links] == [
        str(account) for account in Account.objects.select_related("platform")
    ]
    Account.objects.bulk_create(
        Account(platform=platform("douyin"), name=f"More {number}", opened_on=date(2010, 1, 1)) for number in range(80)
    )

    page = staff_app.get(LIST_URL)

    assert page.html.select("#changelist-filter a[href*='account__id__exact=']") == []
    assert "Search by account name" in text_of(page)


def test_in_chinese_a_long_list_says_more_than_too(staff_app, national):
    page = staff_app.get(LIST_URL, extra_environ={"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"})

    assert count_line(page) == "超过 2,000 数据快照"
    assert "超过 2,000 条结果" in text_of(page)
    assert "选中列出的全部数据快照（超过 2,000）" in text_of(page)
