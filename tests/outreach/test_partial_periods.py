"""Honest charts while a month, a quarter or a year is under way: staff enter March 2024 through the month grid
as it renders, a manager reads the charts back from the page. A platform's cumulative line leaves out a month
not every one of its accounts has reported (and says so) rather than drawing it falling; bars of growth and
the year-over-year chart state how many accounts they cover; the year or quarter still under way is
labelled "to date" and compared with the same months a year before, not with a whole year."""

from datetime import date

import pytest
from django.core.management import call_command

from outreach.models import MetricSnapshot
from tests.factories import AccountFactory, SnapshotFactory
from tests.outreach import test_partial_month
from tests.outreach.test_month_grid import MARCH_2024, save_grid
from tests.outreach.test_partial_month import figure
from tests.pages import text_of

pytestmark = pytest.mark.django_db

director = test_partial_month.director  # a manager signed in through the sign-in page, on the dashboard


def lines(page, name: str) -> dict[str, dict]:
    """A figure's traces by name: x, y and each point's hover text (its label, then its notes)."""
    return {
        trace["name"]: {
            "x": trace["x"],
            "y": trace["y"],
            "hover": [label + notes for label, notes in trace["customdata"]],
        }
        for trace in figure(page, name)["data"]
        if trace.get("meta") != "forecast"  # the lines of figures, not their forecasts
    }


def description(page, name: str) -> str:
    return figure(page, name)["layout"]["meta"]["description"]


def data_table(page) -> dict[str, dict[str, str]]:
    """The cumulative chart's data table as the page shows it: period → column → cell."""
    table = page.html.select_one(".data-table table")
    columns = [th.get_text(strip=True) for th in table.select("thead th")][1:]
    return {
        row.th.get_text(strip=True): dict(
            zip(columns, [td.get_text(strip=True) for td in row.select("td")], strict=True)
        )
        for row in table.select("tbody tr")
    }


def filter_form(page):
    return next(form for form in page.forms.values() if "granularity" in form.fields)


@pytest.fixture
def douyin_half_entered(staff_app, seeded):
    """The seed with its illustrative history and a second Douyin account (January and February 2024);
    March 2024 entered through the grid for WeChat and the first Douyin account only."""
    call_command("load_seed_figures", "--illustrative-history", verbosity=0)
    second = AccountFactory(platform=seeded["douyin"].platform, name="Science Night", opened_on=date(2023, 12, 1))
    for period, videos, views in ((date(2024, 1, 1), 20, 400_000), (date(2024, 2, 1), 24, 500_000)):
        SnapshotFactory(account=second, period=period, articles=None, videos=videos, views=views, followers=None)
    response = save_grid(
        staff_app, "2024-03", {seeded["wechat"]: MARCH_2024["wechat"], seeded["douyin"]: MARCH_2024["douyin"]}
    )
    assert response.status_code == 302, text_of(response)
    return {**seeded, "second_douyin": second}


@pytest.fixture
def march_partly_entered(douyin_half_entered, director):
    """The dashboard at March 2024, reached through the link the default page's notice shows."""
    _app, page = director
    assert "March 2024: 2 of 5 accounts entered; showing February 2024, the latest complete month." in text_of(page)
    return page.click(description="See March 2024 as entered so far")


def test_a_platforms_line_leaves_out_the_month_not_all_its_accounts_reported_and_says_so(march_partly_entered):
    page = march_partly_entered

    drawn = lines(page, "cumulative")
    # Douyin's March would be one account's 7.7 million against two accounts' 8.154 million in February.
    assert drawn["Douyin"]["x"][-1] == "2024-02-01"
    assert drawn["Douyin"]["y"][-1] == 7_653_000 + 500_000
    assert drawn["WeChat official account"]["x"][-1] == "2024-03-01", "WeChat's one account reported March"
    for name, line in drawn.items():
        assert line["y"] == sorted(line["y"]), f"{name}'s cumulative line falls: {line['y']}"
    assert (
        "Months not every account of a platform reported are left out of its line: Mar 2024 (Douyin)."
        in description(page, "cumulative")
    )
    table = data_table(page)
    assert table["Mar 2024"]["Douyin"] == "–"
    assert table["Mar 2024"]["WeChat official account"] == "≥ 20,100,000"
    assert table["Feb 2024"]["Douyin"] == "8,153,000"


def test_lines_per_account_still_show_each_account_that_reported(march_partly_entered):
    form = filter_form(march_partly_entered)
    form["by"] = "account"

    drawn = lines(form.submit(), "cumulative")

    assert drawn["Douyin · Shanghai Science & Technology Museum"]["x"][-1] == "2024-03-01"
    assert drawn["Douyin · Science Night"]["x"][-1] == "2024-02-01"


def test_growth_bars_state_their_coverage_and_the_year_over_year_chart_compares_only_whole_months(
    march_partly_entered,
):
    page = march_partly_entered

    bars = lines(page, "increments")
    douyin_march = bars["Douyin"]["hover"][bars["Douyin"]["x"].index("2024-03-01")]
    assert "covers 1 of 2 accounts" in douyin_march
    douyin_february = bars["Douyin"]["hover"][bars["Douyin"]["x"].index("2024-02-01")]
    assert "covers" not in douyin_february, "both Douyin accounts grew in February"
    # Three platforms have no March bar at all: March's bars count 2 of the 5 accounts expected to grow.
    assert "Bars that count fewer accounts than expected: Mar 2024 (covers 2 of 5 accounts)." in description(
        page, "increments"
    )

    # Like for like: March 2024's two accounts are not set beside March 2023's five; the chart says why.
    years = lines(page, "year_over_year")
    assert years["2024"]["x"] == ["Jan", "Feb"]
    assert "Mar" in years["2023"]["x"] and all("covers" not in hover for hover in years["2023"]["hover"])
    assert "Months not every account has reported are left out: Mar 2024 (covers 2 of 5 accounts)." in description(
        page, "year_over_year"
    )


def views_growth(account, first: date, last: date) -> int:
    """An account's views growth over months `first` to `last`: from the month before `first`."""
    figures = dict(
        MetricSnapshot.objects.filter(account=account, period__in=[date(first.year - 1, 12, 1), last]).values_list(
            "period", "views"
        )
    )
    return figures[last] - figures[date(first.year - 1, 12, 1)]


@pytest.fixture
def march_entered(staff_app, seeded):
    """The seed with its illustrative history, and every account's March 2024 entered through the grid."""
    call_command("load_seed_figures", "--illustrative-history", verbosity=0)
    response = save_grid(staff_app, "2024-03", {seeded[slug]: figures for slug, figures in MARCH_2024.items()})
    assert response.status_code == 302, text_of(response)
    return seeded


def test_the_year_under_way_is_to_date_and_compared_with_the_same_months_a_year_before(march_entered, director):
    _app, page = director
    form = filter_form(page)
    form["granularity"] = "year"

    year_view = form.submit()

    bars = lines(year_view, "increments")
    wechat = bars["WeChat official account"]
    assert wechat["x"][-2:] == ["2023-01-01", "2024-01-01"]
    # Read on the chart, not only in the hover text: on the line's axis, and above the bar.
    assert figure(year_view, "cumulative")["layout"]["xaxis"]["ticktext"][-3:] == ["2023", "2024 to date (Jan–Mar)", ""]
    notes = figure(year_view, "increments")["layout"]["annotations"]
    assert [note["text"] for note in notes] == ["to date<br>Jan–Mar"] and notes[0]["x"].startswith("2024-07")
    assert wechat["hover"][-2].split("<br>")[0] == "2023", "a whole year is not to date"
    this_year = wechat["hover"][-1]
    assert this_year.startswith("2024 to date (Jan–Mar)")
    growth_2023 = views_growth(march_entered["wechat"], date(2023, 1, 1), date(2023, 3, 1))
    # The seed's 2023 is its illustrative history: the comparison says so, as every illustrative figure does.
    assert f"Jan–Mar 2023, illustrative: {growth_2023:+,}" in this_year
    # The China Science Communication account opened in August 2023: nothing to compare with.
    kepu = bars["China Science Communication"]["hover"][-1]
    assert kepu.startswith("2024 to date (Jan–Mar)") and "2023:" not in kepu
    text = description(year_view, "increments")
    assert "2024 to date (Jan–Mar) is compared with the same months a year before: " in text
    assert f"WeChat official account {wechat['y'][-1]:+,} (Jan–Mar 2023, illustrative: {growth_2023:+,})" in text
    douyin_2023 = views_growth(march_entered["douyin"], date(2023, 1, 1), date(2023, 3, 1))
    assert f"Douyin {bars['Douyin']['y'][-1]:+,} (Jan–Mar 2023, illustrative: {douyin_2023:+,})" in text
    assert "fewer accounts than expected" not in text, "every account entered March"

    cumulative = lines(year_view, "cumulative")["WeChat official account"]
    assert cumulative["x"][-1] == "2024-01-01" and cumulative["y"][-1] == 20_100_000
    assert cumulative["hover"][-1].startswith("2024 to date (Jan–Mar)<br>as of Mar 2024")
    assert "20,100,000 in 2024 to date (Jan–Mar)" in description(year_view, "cumulative")
    assert "2024 to date (Jan–Mar)" in data_table(year_view) and "2023" in data_table(year_view)


def test_the_quarter_under_way_is_to_date_and_a_whole_quarter_is_not(march_entered, director):
    _app, page = director
    form = filter_form(page)
    form["granularity"] = "quarter"
    form["end"] = "2024-02"

    february = form.submit()

    wechat = lines(february, "increments")["WeChat official account"]
    assert wechat["hover"][-1].startswith("Q1 2024 to date (Jan–Feb)")
    growth_2023 = views_growth(march_entered["wechat"], date(2023, 1, 1), date(2023, 2, 1))
    assert f"Jan–Feb 2023, illustrative: {growth_2023:+,}" in wechat["hover"][-1]
    assert wechat["hover"][-2].startswith("Q4 2023") and "to date" not in wechat["hover"][-2]

    form = filter_form(february)
    form["end"] = "2024-03"
    march = lines(form.submit(), "increments")["WeChat official account"]
    assert march["hover"][-1].startswith("Q1 2024") and "to date" not in march["hover"][-1]
    assert "2023:" not in march["hover"][-1], "a whole quarter is not compared with part of one"


def test_in_chinese_the_year_under_way_reads_as_chinese_writes_it(march_entered, director):
    app, _page = director
    app.set_cookie("django_language", "zh-hans")
    form = filter_form(app.get("/"))
    form["granularity"] = "year"

    year_view = form.submit()

    wechat = lines(year_view, "increments")["微信公众号"]
    growth_2023 = views_growth(march_entered["wechat"], date(2023, 1, 1), date(2023, 3, 1))
    assert wechat["hover"][-1].startswith("2024年至今（1–3月）")
    assert f"2023年1–3月（示意数据）：{growth_2023:+,}" in wechat["hover"][-1]
    assert "2024年至今（1–3月）与上年同期相比：" in description(year_view, "increments")
