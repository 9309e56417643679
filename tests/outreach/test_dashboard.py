"""The managers' dashboard, read back from the page as a browser gets it: figures, cards, summary, filters."""

import io
import json
import re
from datetime import date

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from outreach.models import Milestone
from outreach.months import add_months
from tests.factories import AccountFactory, SnapshotFactory

pytestmark = pytest.mark.django_db

URL = reverse("dashboard")


@pytest.fixture
def museum(platform):
    """Two accounts: WeChat with a two-month gap in its views, Douyin with no followers reported."""
    wechat = AccountFactory(platform=platform("wechat"), name="SSTM", opened_on=date(2015, 6, 1))
    douyin = AccountFactory(platform=platform("douyin"), name="SSTM", opened_on=date(2018, 8, 1))
    rows = [
        # account, period, articles, videos, views, followers, approximate
        (wechat, date(2023, 1, 1), 900, None, 15_000_000, 2_000_000, False),
        (wechat, date(2023, 2, 1), 910, None, 15_500_000, 2_050_000, False),
        (wechat, date(2023, 3, 1), 920, None, 16_000_000, 2_100_000, False),
        (wechat, date(2023, 6, 1), 950, None, 17_200_000, 2_200_000, False),  # April and May missing
        (wechat, date(2024, 1, 1), 990, None, 19_800_000, 2_600_000, False),
        (wechat, date(2024, 2, 1), 1000, None, 20_000_000, 2_630_000, True),
        (douyin, date(2023, 2, 1), None, 300, 6_000_000, None, False),
        (douyin, date(2024, 1, 1), None, 340, 7_500_000, None, False),
        (douyin, date(2024, 2, 1), None, 345, 7_653_000, None, False),
    ]
    for account, period, articles, videos, views, followers, approximate in rows:
        SnapshotFactory(
            account=account,
            period=period,
            articles=articles,
            videos=videos,
            views=views,
            followers=followers,
            approximate=approximate,
        )
    return {"wechat": wechat, "douyin": douyin}


def figure(response, name: str) -> dict:
    """A figure as the page hands it to Plotly."""
    html = response.content.decode()
    match = re.search(rf'<script id="figure-{name}" type="application/json">(.*?)</script>', html, re.S)
    assert match, f"no {name} figure on the page"
    return json.loads(match.group(1))


def traces(response, name: str) -> dict[str, tuple[list, list]]:
    return {trace["name"]: (trace["x"], trace["y"]) for trace in figure(response, name)["data"]}


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_signed_in_people_without_the_permission_are_refused(client, django_user_model):
    client.force_login(django_user_model.objects.create_user(username="guest", password="a-long-guest-password"))

    assert client.get(URL).status_code == 403


def test_cumulative_lines_per_platform_are_the_databases_totals(manager_client, museum):
    response = manager_client.get(URL, {"metric": "views"})

    assert response.status_code == 200
    lines = traces(response, "cumulative")
    assert lines["WeChat official account"] == (
        ["2023-01-01", "2023-02-01", "2023-03-01", "2023-06-01", "2024-01-01", "2024-02-01"],
        [15_000_000, 15_500_000, 16_000_000, 17_200_000, 19_800_000, 20_000_000],
    )
    assert lines["Douyin"] == (["2023-02-01", "2024-01-01", "2024-02-01"], [6_000_000, 7_500_000, 7_653_000])


def test_lines_per_account_and_log_scale(manager_client, museum):
    response = manager_client.get(URL, {"metric": "videos", "by": "account", "scale": "log"})

    cumulative = figure(response, "cumulative")
    assert traces(response, "cumulative") == {"Douyin": (["2023-02-01", "2024-01-01", "2024-02-01"], [300, 340, 345])}
    assert cumulative["layout"]["yaxis"]["type"] == "log"
    assert cumulative["layout"]["xaxis"]["ticklabelmode"] == "period"
    assert cumulative["data"][0]["xperiod"] == "M1"


def test_approximate_points_are_marked_and_hover_shows_exact_values(manager_client, museum):
    lines = figure(manager_client.get(URL, {"metric": "views"}), "cumulative")["data"]

    wechat = next(line for line in lines if line["name"] == "WeChat official account")
    assert wechat["marker"]["symbol"][-1].startswith("triangle-up")
    assert "lower bound" in wechat["customdata"][-1][1]
    assert "%{y:,d}" in wechat["hovertemplate"]


def test_increments_come_from_consecutive_snapshots_and_a_gap_says_so(manager_client, museum):
    response = manager_client.get(URL, {"metric": "views"})

    bars = figure(response, "increments")["data"]
    wechat = next(trace for trace in bars if trace["name"] == "WeChat official account")
    assert wechat["x"] == ["2023-02-01", "2023-03-01", "2023-06-01", "2024-01-01", "2024-02-01"]
    assert wechat["y"] == [500_000, 500_000, 1_200_000, 2_600_000, 200_000]
    june = wechat["customdata"][2][1]
    assert "covers 3 months, Apr 2023 to Jun 2023" in june
    assert "covers 7 months" in wechat["customdata"][3][1]
    assert wechat["customdata"][1][1] == ""


def test_increments_within_the_date_range_still_start_from_the_month_before_it(manager_client, museum):
    response = manager_client.get(URL, {"metric": "views", "start": "2024-01", "end": "2024-02"})

    bars = {trace["name"]: (trace["x"], trace["y"]) for trace in figure(response, "increments")["data"]}
    assert bars["Douyin"] == (["2024-01-01", "2024-02-01"], [1_500_000, 153_000])


def test_quarters_show_each_quarters_last_total_and_its_summed_growth(manager_client, museum):
    response = manager_client.get(URL, {"metric": "views", "granularity": "quarter"})

    assert traces(response, "cumulative")["WeChat official account"] == (
        ["2023-01-01", "2023-04-01", "2024-01-01"],
        [16_000_000, 17_200_000, 20_000_000],
    )
    bars = {trace["name"]: (trace["x"], trace["y"]) for trace in figure(response, "increments")["data"]}
    assert bars["WeChat official account"] == (
        ["2023-01-01", "2023-04-01", "2024-01-01"],
        [1_000_000, 1_200_000, 2_800_000],
    )


def test_shares_are_each_platforms_part_of_the_latest_month(manager_client, museum):
    shares = figure(manager_client.get(URL), "shares")

    (views,) = shares["data"]
    assert dict(zip(views["labels"], views["values"], strict=True)) == {
        "WeChat official account": 20_000_000,
        "Douyin": 7_653_000,
    }
    # Douyin reports no followers: not counted as 0, and a pie of WeChat's 100% would say nothing.
    assert "Followers: WeChat official account only." in shares["layout"]["meta"]["description"]


def test_an_account_that_stops_counting_followers_holds_back_only_the_followers_share(manager_client, platform):
    wechat = AccountFactory(platform=platform("wechat"), opened_on=date(2015, 6, 1))
    bilibili = AccountFactory(platform=platform("bilibili"), opened_on=date(2020, 6, 1))
    for period, bilibili_followers in ((date(2024, 1, 1), 500_000), (date(2024, 2, 1), None), (date(2024, 3, 1), None)):
        SnapshotFactory(account=wechat, period=period, articles=1000, views=20_000_000, followers=2_600_000)
        SnapshotFactory(account=bilibili, period=period, videos=300, views=1_000_000, followers=bilibili_followers)

    shares = figure(manager_client.get(URL), "shares")

    assert "Mar 2024" in shares["layout"]["title"]["text"], "every account reported views in March"
    views, followers = shares["data"]
    assert views["values"] == [20_000_000, 1_000_000]
    assert followers["title"]["text"] == "Followers, Jan 2024"
    assert followers["values"] == [2_600_000, 500_000]


def test_year_over_year_compares_each_months_growth(manager_client, museum):
    response = manager_client.get(URL, {"metric": "views"})

    bars = {trace["name"]: (trace["x"], trace["y"]) for trace in figure(response, "year_over_year")["data"]}
    # 2024: January grew by WeChat's 2,600,000 (7 months) and Douyin's 1,500,000 (11 months); February by both.
    assert bars["2024"] == (["Jan", "Feb"], [4_100_000, 353_000])
    # 2023: Douyin reported February only, so March and June count WeChat alone: left out, and said so.
    assert bars["2023"] == (["Feb"], [500_000])
    assert (
        "left out: Mar 2023 (covers 1 of 2 accounts); Jun 2023 (covers 1 of 2 accounts)."
        in (figure(response, "year_over_year")["layout"]["meta"]["description"])
    )


def test_filters_narrow_every_figure(manager_client, museum):
    response = manager_client.get(URL, {"platforms": "douyin", "metric": "views", "end": "2024-01"})

    assert traces(response, "cumulative") == {"Douyin": (["2023-02-01", "2024-01-01"], [6_000_000, 7_500_000])}
    pie = figure(response, "shares")["data"][0]
    assert pie["labels"] == ["Douyin"] and pie["values"] == [7_500_000]
    assert "WeChat official account" not in json.dumps(figure(response, "increments"))


def test_filters_by_account_accept_repeated_and_comma_separated_values(manager_client, museum):
    ids = [museum["wechat"].pk, museum["douyin"].pk]

    repeated = manager_client.get(f"{URL}?accounts={ids[0]}&accounts={ids[1]}")
    commas = manager_client.get(f"{URL}?accounts={ids[0]},{ids[1]}")
    one = manager_client.get(URL, {"accounts": ids[1]})

    assert (
        set(traces(repeated, "cumulative"))
        == set(traces(commas, "cumulative"))
        == {"WeChat official account", "Douyin"}
    )
    assert set(traces(one, "cumulative")) == {"Douyin"}


def test_headline_cards_total_the_latest_month_and_its_changes(manager_client, museum):
    response = manager_client.get(URL)

    cards = {card.metric: card for card in response.context["cards"]}
    views = cards["views"]
    assert views.value == 27_653_000
    assert views.month_change.delta == 27_653_000 - 27_300_000
    assert views.year_change.delta == 27_653_000 - 21_500_000
    assert views.approximate
    page = response.content.decode()
    assert "27,653,000" in page
    assert "+353,000 (+1.3%) since Jan 2024" in page
    assert "+6,153,000 (+28.6%) since Feb 2023" in page


def test_a_card_without_an_earlier_figure_shows_no_change_and_one_from_zero_no_percentage(
    manager_client, museum, platform
):
    new = AccountFactory(platform=platform("bilibili"), name="SSTM", opened_on=date(2024, 1, 1))
    SnapshotFactory(account=new, period=date(2024, 1, 1), videos=0, views=None)
    SnapshotFactory(account=new, period=date(2024, 2, 1), videos=4, views=500)

    response = manager_client.get(URL, {"accounts": new.pk})

    cards = {card.metric: card for card in response.context["cards"]}
    assert cards["views"].month_change is None and cards["views"].year_change is None
    assert cards["videos"].month_change.text == "+4 since Jan 2024"
    page = response.content.decode()
    assert "inf%" not in page and "Infinity" not in page and "since Feb 2023" not in page


def test_a_month_still_being_entered_is_not_the_default_and_its_own_page_says_what_it_covers(manager_client, museum):
    SnapshotFactory(account=museum["douyin"], period=date(2024, 3, 1), videos=350, views=7_700_000, followers=None)

    default = manager_client.get(URL)

    cards = {card.metric: card for card in default.context["cards"]}
    assert cards["views"].value == 27_653_000 and not cards["views"].coverage
    page = BeautifulSoup(default.content, "html.parser")
    notice = page.select_one(".coverage-notice")
    assert " ".join(notice.get_text().split()) == (
        "March 2024: 1 of 2 accounts entered; showing February 2024, the latest complete month. "
        "See March 2024 as entered so far"
    )

    partial = manager_client.get(notice.a["href"])

    cards = {card.metric: card for card in partial.context["cards"]}
    assert cards["views"].value == 7_700_000
    assert cards["views"].coverage == "covers 1 of 2 accounts"
    # Like for like: Douyin's own growth, never 27.65 million falling to 7.7 million.
    assert cards["views"].month_change.text == (
        "+47,000 (+0.6%) since Feb 2024, over the 1 account that reported both months"
    )
    text = " ".join(partial.content.decode().split())
    assert (
        "covers 1 of 2 accounts" in text
        and cards["views"].month_change.delta >= 0
        and "-" not in cards["views"].month_change.text
    )
    assert "March 2024: 1 of 2 accounts entered so far." in text


def test_the_written_summary_reads_like_the_seed_article(manager_client, seeded):
    page = manager_client.get(URL).content.decode()

    assert (
        "As of February 2024, the WeChat official account, opened in June 2015, has published more than 1,000 "
        "original articles, with more than 20 million views and more than 2.63 million followers."
    ) in page
    assert (
        "As of February 2024, the Douyin account, opened in August 2018, has released 345 original videos, "
        "with 7.653 million views."
    ) in page
    assert "has published 48 original articles, with 1.886 million views." in page


def test_milestones_are_drawn_on_the_time_axis(manager_client, museum):
    Milestone.objects.create(date=date(2023, 8, 6), title="China Science Communication account opened")
    Milestone.objects.create(date=date(2010, 1, 1), title="Before the range")

    response = manager_client.get(URL, {"start": "2023-01"})

    layout = figure(response, "cumulative")["layout"]
    assert [shape["x0"] for shape in layout["shapes"]] == ["2023-08-06"]
    assert "China Science Communication account opened" in layout["annotations"][0]["hovertext"]


def rendered_table(response) -> dict[str, dict[str, str]]:
    """The data table as the page shows it: period → column → cell text."""
    table = BeautifulSoup(response.content, "html.parser").select_one(".data-table table")
    columns = [th.get_text(strip=True) for th in table.select("thead th")][1:]
    return {
        row.th.get_text(strip=True): dict(
            zip(columns, [td.get_text(strip=True) for td in row.select("td")], strict=True)
        )
        for row in table.select("tbody tr")
    }


def test_illustrative_points_are_marked_in_charts_and_the_table(manager_client, seeded):
    call_command("load_seed_figures", "--illustrative-history", verbosity=0)

    response = manager_client.get(URL, {"metric": "views", "start": "2024-01"})

    wechat = next(t for t in figure(response, "cumulative")["data"] if t["name"] == "WeChat official account")
    assert wechat["marker"]["symbol"][0].endswith("-open")
    assert "illustrative" in wechat["customdata"][0][1]
    assert not wechat["marker"]["symbol"][1].endswith("-open")
    table = rendered_table(response)
    # January 2024 is the illustrative history's, February 2024 the seed article's real figures.
    assert set(table) == {"Jan 2024", "Feb 2024"}
    assert all(cell.endswith("†") for cell in table["Jan 2024"].values()), table["Jan 2024"]
    assert not any("†" in cell for cell in table["Feb 2024"].values()), table["Feb 2024"]
    assert table["Feb 2024"]["WeChat official account"] == "≥ 20,000,000"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"metric": "likes"}, "Select a valid choice. likes is not one of the available choices."),
        ({"platforms": "tiktok"}, "Select a valid choice. tiktok is not one of the available choices."),
        ({"accounts": "99999"}, "Select a valid choice. 99999 is not one of the available choices."),
        ({"start": "2024-13"}, "is not a month"),
        ({"start": "4/1/24"}, "day and month order cannot be known"),
        ({"start": "2024-03", "end": "2024-01"}, "The end (January 2024) is before the start (March 2024)."),
        ({"granularity": "week"}, "Select a valid choice. week is not one of the available choices."),
        ({"end": "2999-01"}, "is in the future"),
    ],
)
def test_a_bad_query_string_gets_a_message_and_400(manager_client, museum, query, message):
    response = manager_client.get(URL, query)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert "figure-cumulative" not in response.content.decode()


def test_no_figures_yet_is_a_friendly_page_with_a_way_to_enter_them(admin_client, wechat_account):
    page = admin_client.get(URL).content.decode()

    assert "No figures yet" in page
    assert reverse("admin:outreach_month_grid") in page


def test_no_accounts_yet_is_a_friendly_page(admin_client):
    page = admin_client.get(URL).content.decode()

    assert "No accounts yet" in page
    assert reverse("admin:outreach_account_add") in page


def test_the_page_asks_no_other_host_for_anything(manager_client, museum):
    page = manager_client.get(URL).content.decode()

    external = re.findall(r'(?:src|href)="((?:https?:)?//[^"]*)"', page)
    assert external == []
    # plotly.js is fetched from the app itself, once a chart nears the screen.
    assert re.search(r'data-plotly-src="/static/vendor/plotly/plotly-basic\.min[^"]*\.js"', page)


def _add_accounts_and_months(platform, accounts: int, months: int) -> None:
    for number in range(accounts):
        account = AccountFactory(platform=platform(("wechat", "douyin", "bilibili", "kepu-china")[number % 4]))
        for month in range(months):
            SnapshotFactory(
                account=account,
                period=add_months(date(2020, 1, 1), month),
                articles=None if account.platform.slug in ("douyin", "bilibili") else 10 * month,
                videos=None if account.platform.slug in ("wechat", "kepu-china") else 10 * month,
                views=1000 * month,
                followers=100 + month,
            )


@pytest.mark.parametrize("by", ["platform", "account"])
def test_the_number_of_queries_does_not_grow_with_accounts_or_months(
    manager_client, platform, django_assert_max_num_queries, by
):
    _add_accounts_and_months(platform, accounts=2, months=3)
    with django_assert_max_num_queries(16) as small:  # the pairs of the month shown are a query of their own
        assert manager_client.get(URL, {"by": by}).status_code == 200

    _add_accounts_and_months(platform, accounts=20, months=30)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert manager_client.get(URL, {"by": by}).status_code == 200


def test_a_figure_no_account_reports_says_so_instead_of_drawing_nothing(manager_client, museum):
    response = manager_client.get(URL, {"metric": "articles", "platforms": "douyin"})

    annotations = figure(response, "cumulative")["layout"]["annotations"]
    assert figure(response, "cumulative")["data"] == []
    assert "No figures of this kind for these filters" in [note["text"] for note in annotations]


def test_one_month_of_figures_says_growth_needs_a_second_one(manager_client, seeded):
    # The seed alone: February 2024 for every account, so no growth yet.
    response = manager_client.get(URL)

    for name in ("increments", "year_over_year"):
        drawn = figure(response, name)
        assert drawn["data"] == [] or all(not trace["y"] for trace in drawn["data"])
        notes = [note["text"] for note in drawn["layout"].get("annotations", [])]
        assert "No growth to show yet: growth takes two reported months of a figure." in notes
        assert "No figures of this kind" not in drawn["layout"]["meta"]["description"]


def test_a_single_month_of_growth_is_drawn_on_a_month_wide_axis(manager_client, seeded):
    SnapshotFactory(account=seeded["wechat"], period=date(2024, 3, 1), articles=1010, views=20_100_000)

    response = manager_client.get(URL, {"end": "2024-03"})

    axis = figure(response, "increments")["layout"]["xaxis"]
    assert axis["range"] == ["2024-02-01", "2024-04-01"] and axis["dtick"] == "M1"


@pytest.mark.parametrize(
    "query", [{}, {"by": "account", "scale": "log"}, {"granularity": "year", "metric": "followers"}]
)
def test_every_figure_is_valid_plotly(manager_client, museum, query):
    import plotly.graph_objects as go

    response = manager_client.get(URL, query)

    for name in ("cumulative", "increments", "shares", "year_over_year"):
        go.Figure(figure(response, name))  # raises on any attribute plotly.js does not know


@pytest.fixture
def many_accounts(platform):
    """Sixty accounts, each with two months: more than the filters list and the charts draw one by one."""
    from outreach.models import Account, MetricSnapshot

    accounts = Account.objects.bulk_create(
        Account(platform=platform("bilibili"), name=f"Account {n:02d}", opened_on=date(2020, 1, 1)) for n in range(60)
    )
    MetricSnapshot.objects.bulk_create(
        MetricSnapshot(account=account, period=period, videos=n + month, views=1000 * (n + month))
        for n, account in enumerate(accounts)
        for month, period in enumerate((date(2024, 1, 1), date(2024, 2, 1)))
    )
    call_command("refresh_monthly_totals", stdout=io.StringIO())  # as after any bulk load
    return accounts


def test_past_fifty_accounts_the_account_filter_takes_account_numbers(manager_client, many_accounts):
    chosen = [many_accounts[0].pk, many_accounts[5].pk]

    page = manager_client.get(URL, {"accounts": f"{chosen[0]},{chosen[1]}", "by": "account"})
    unknown = manager_client.get(URL, {"accounts": "999999"})
    not_a_number = manager_client.get(URL, {"accounts": "abc"})

    html = page.content.decode()
    assert 'name="accounts"' in html and 'type="checkbox" name="accounts"' not in html
    assert set(traces(page, "cumulative")) == {"Bilibili · Account 00", "Bilibili · Account 05"}
    assert unknown.status_code == 400 and "There is no account numbered 999999." in unknown.content.decode()
    assert not_a_number.status_code == 400 and "is not an account number" in not_a_number.content.decode()


def test_past_fifty_accounts_lines_are_per_platform_and_the_summary_says_whom_it_covers(manager_client, many_accounts):
    response = manager_client.get(URL, {"by": "account", "metric": "views"})

    page = response.content.decode()
    assert list(traces(response, "cumulative")) == ["Bilibili"]
    assert traces(response, "cumulative")["Bilibili"][1] == [
        sum(1000 * n for n in range(60)),
        sum(1000 * (n + 1) for n in range(60)),
    ]
    assert "A line per account is drawn for at most 50 accounts" in page
    assert "The summary covers the first 20 of 60 accounts" in page
    assert len(response.context["summary"]) == 20


@pytest.fixture
def manager(django_user_model):
    """A manager, for django-webtest's `django_app.get(url, user=manager)`."""
    user = django_user_model.objects.create_user(
        username="manager", password="a-long-manager-password", first_name="Mei", last_name="Lin"
    )
    user.groups.add(Group.objects.get(name="Managers"))
    return user


def filter_form(page):
    return next(form for form in page.forms.values() if "platforms" in form.fields)


def ticked(form, name: str) -> set[str]:
    return {box._value for box in form.fields[name] if box.checked}


def cards_heading(page) -> str:
    return page.html.select_one("#cards-heading").get_text(strip=True)


def test_comma_separated_platforms_tick_their_boxes_and_the_next_apply_keeps_them(django_app, manager, museum):
    page = django_app.get(f"{URL}?platforms=wechat,douyin&metric=views", user=manager)

    form = filter_form(page)
    assert ticked(form, "platforms") == {"wechat", "douyin"}
    assert cards_heading(page) == "Feb 2024, WeChat official account and Douyin"

    form["metric"] = "followers"
    after = form.submit(user=manager)

    assert ticked(filter_form(after), "platforms") == {"wechat", "douyin"}
    assert cards_heading(after) == "Feb 2024, WeChat official account and Douyin"
    assert set(traces(after, "cumulative")) == {"WeChat official account"}  # Douyin reports no followers


def test_the_heading_names_one_platform_or_the_chosen_accounts(django_app, manager, museum):
    one = django_app.get(f"{URL}?platforms=douyin", user=manager)
    account = django_app.get(f"{URL}?accounts={museum['wechat'].pk}", user=manager)
    every = django_app.get(URL, user=manager)

    assert cards_heading(one) == "Feb 2024, Douyin"
    assert ticked(filter_form(account), "accounts") == {str(museum["wechat"].pk)}
    assert cards_heading(account) == "Feb 2024, WeChat official account · SSTM"
    assert cards_heading(every) == "Feb 2024, all platforms"


def test_the_printed_page_says_what_it_shows_who_printed_it_and_when(django_app, manager, museum):
    page = django_app.get(f"{URL}?platforms=douyin&start=2023-06", user=manager)

    # What only paper shows: who printed it and when (placed around the kept figures), then what it shows.
    printed = " ".join(part.get_text(" ", strip=True) for part in page.html.select(".print-only"))
    assert "Filters: Douyin; 1 account; Views; from Jun 2023 to the latest month" in printed
    assert "Months covered: January 2024 to February 2024" in printed
    assert "Printed by Mei Lin, " in printed
    assert str(date.today().year) in printed.split("Printed by Mei Lin, ")[1]


CHINESE = {"Accept-Language": "zh-CN,zh;q=0.9"}


def test_the_chinese_cards_word_views_by_what_each_platform_publishes(django_app, manager, museum):
    page = django_app.get(URL, user=manager, headers=CHINESE)

    labels = {
        card.h3.get_text(strip=True): [dt.get_text(strip=True) for dt in card.select("dt")]
        for card in page.html.select(".platform-card")
    }
    assert "播放量" in labels["抖音"] and "阅读量" not in labels["抖音"]
    assert "阅读量" in labels["微信公众号"] and "播放量" not in labels["微信公众号"]
    # Across platforms of both kinds, the neutral word; the summary words each platform as its card does.
    assert [card.h3.get_text(strip=True) for card in page.html.select(".card-row .card")][2] == "浏览量"
    summary = page.html.select_one(".summary").get_text()
    assert "抖音号累计发布原创科普视频345个，累计播放量765.3万" in summary


def test_the_chinese_dashboard_downloads_with_chinese_column_names(django_app, manager, museum):
    page = django_app.get(f"{URL}?platforms=douyin", user=manager, headers=CHINESE)

    links = {a.get_text(strip=True): a["href"] for a in page.html.select(".downloads a")}
    assert len(links) == 4
    assert all("headers=translated" in href and "platforms=douyin" in href for href in links.values())
    assert "列名为中文" in page.html.select_one(".downloads").get_text()
    snapshots_csv = next(href for href in links.values() if href.startswith(reverse("snapshots_csv")))
    header = django_app.get(snapshots_csv, user=manager, headers=CHINESE).body.decode("utf-8-sig").splitlines()[0]
    assert "platform" not in header and "平台" in header

    english = django_app.get(URL, user=manager)
    assert not any("headers=" in a["href"] for a in english.html.select(".downloads a"))


def _contrast_with_white(color: str) -> float:
    channels = [int(color.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


def _hue(color: str) -> float:
    import colorsys

    red, green, blue = (int(color.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return colorsys.rgb_to_hsv(red, green, blue)[0] * 360


def test_the_years_differ_in_hue_and_texture_not_lightness_alone(manager_client, museum):
    last_year, this_year = figure(manager_client.get(URL), "year_over_year")["data"]

    colors = [last_year["marker"]["color"], this_year["marker"]["color"]]
    gap = abs(_hue(colors[0]) - _hue(colors[1]))
    assert min(gap, 360 - gap) > 90, colors
    assert all(_contrast_with_white(color) >= 3 for color in colors), colors
    assert set(last_year["marker"]["pattern"]["shape"]) != set(this_year["marker"]["pattern"]["shape"])


def test_illustrative_bars_keep_their_colour_and_are_dotted(manager_client, seeded):
    call_command("load_seed_figures", "--illustrative-history", verbosity=0)

    response = manager_client.get(URL, {"metric": "views", "start": "2023-12"})

    for name in ("increments", "year_over_year"):
        for bars in figure(response, name)["data"]:
            marker = bars["marker"]
            assert "opacity" not in marker and marker.get("opacity", 1) == 1, (name, bars["name"])
            illustrative = ["illustrative" in data[1] for data in bars["customdata"]]
            shapes = marker["pattern"]["shape"]
            assert [shape in (".", "x") for shape in shapes] == illustrative, (name, bars["name"], shapes)
    caption = BeautifulSoup(response.content, "html.parser").select_one("#figure-increments-caption").get_text()
    assert "dotted bars are illustrative" in caption


def test_the_share_of_views_is_named_as_the_cards_name_it_with_one_decimal_in_both_languages(manager_client, museum):
    english = figure(manager_client.get(URL), "shares")["data"][0]
    manager_client.cookies["django_language"] = "zh-hans"
    chinese = figure(manager_client.get(URL), "shares")["data"][0]

    assert english["title"]["text"] == "Views" and chinese["title"]["text"] == "浏览量"  # over articles and videos
    assert chinese["texttemplate"] == english["texttemplate"] == "%{percent:.1%}"
