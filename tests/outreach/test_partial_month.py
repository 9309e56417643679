"""Honest figures while a month is being entered: staff enter WeChat's March 2024 alone through the month
grid as it renders, then a manager reads the dashboard — cards, charts, summary and downloads — as a director
would. No cumulative figure falls because three accounts have not reported yet; coverage is stated; changes
are like for like; shares come from the latest complete month."""

import csv
import io
import json
import re

import pytest
from django.urls import reverse
from django_webtest import DjangoTestApp

from tests.outreach.test_month_grid import save_grid
from tests.pages import add_person, sign_in, text_of

pytestmark = pytest.mark.django_db

# February 2024, the seed article's real figures: the latest complete month once March is begun.
FEBRUARY_VIEWS = 1_886_000 + 20_000_000 + 7_653_000 + 1_367_000
WECHAT_MARCH = {"articles": "1,010", "views": "2010万", "followers": "2,640,000", "approximate": True}


@pytest.fixture
def march_begun(staff_app, seeded):
    """WeChat's March 2024 entered through the grid, the other three accounts not yet."""
    response = save_grid(staff_app, "2024-03", {seeded["wechat"]: WECHAT_MARCH})
    assert response.status_code == 302, text_of(response)
    return seeded


@pytest.fixture
def director():
    """A manager in their own browser, signed in through the sign-in page from the dashboard's address."""
    password = add_person("director", "manager")
    app = DjangoTestApp()
    page = sign_in(app, reverse("dashboard"), "director", password)
    assert page.request.path == reverse("dashboard"), text_of(page)
    return app, page


def cards(page) -> dict[str, str]:
    """Each headline card's text, by its heading."""
    return {
        card.h3.get_text(strip=True): " ".join(card.get_text(" ").split()) for card in page.html.select("article.card")
    }


def figure(page, name: str) -> dict:
    script = page.html.select_one(f"script#figure-{name}")
    assert script is not None, f"no {name} figure"
    return json.loads(script.string)


def test_the_default_month_is_the_latest_complete_one_and_says_march_is_being_entered(march_begun, director):
    _app, page = director

    text = text_of(page)
    assert (
        "March 2024: 1 of 4 accounts entered; showing February 2024, the latest complete month. "
        "See March 2024 as entered so far"
    ) in text
    views = cards(page)["Views"]
    assert "30.9M" in views and "30,906,000" in views
    assert "covers" not in views, "February is complete: its total covers every account"
    # Shares of a complete month: every platform, not 100% WeChat.
    (pie,) = figure(page, "shares")["data"]
    assert len(pie["labels"]) == 4 and max(pie["values"]) < sum(pie["values"])
    # The cumulative lines end at February: no line dips in a half-entered March.
    for line in figure(page, "cumulative")["data"]:
        assert line["x"][-1] == "2024-02-01"


def test_the_partial_month_states_its_coverage_and_compares_like_for_like(march_begun, director):
    app, page = director

    march = page.click(description="See March 2024 as entered so far")

    text = text_of(march)
    assert "March 2024: 1 of 4 accounts entered so far." in text
    shown = cards(march)
    assert "20.1M" in shown["Views"] and "covers 1 of 4 accounts" in shown["Views"]
    assert "+100,000 (+0.5%) since Feb 2024, over the 1 account that reported both months" in shown["Views"]
    assert "from a lower bound" in shown["Views"], (
        "WeChat's views are “more than” figures: their difference is not exact"
    )
    assert "+10 (+1.0%) since Feb 2024, over the 1 account that reported both months" in shown["Articles"]
    followers = shown["Followers"]
    assert "WeChat official account only" in followers and "+10,000 (+0.4%) since Feb 2024" in followers
    assert "covers" not in followers, "only WeChat counts followers, and it reported"
    assert "not entered yet by any of the 2 accounts that report it" in shown["Videos"]
    for card in shown.values():
        assert not re.search(r"[−-]\d", card), f"a cumulative figure shown falling: {card}"
    # Shares still come from February, the latest month every account reported.
    shares = figure(march, "shares")
    assert "Feb 2024" in shares["layout"]["title"]["text"]
    assert len(shares["data"][0]["labels"]) == 4
    # The written summary: WeChat as of March, the others as of their latest month, and a note saying so.
    assert "Accounts that have not entered March 2024 yet are described as of their latest month." in text
    assert "As of March 2024, the WeChat official account" in text
    assert "As of February 2024, the Douyin account" in text


def test_the_downloads_hold_the_months_the_page_shows(march_begun, director):
    app, page = director

    summary = page.click(description=re.escape("Summary by account (CSV)"))

    rows = list(csv.DictReader(io.StringIO(summary.body.decode("utf-8-sig"))))
    assert {row["period"] for row in rows} == {"2024-02"}, "the default page shows February: so does its download"
    assert sum(int(row["views"]) for row in rows) == FEBRUARY_VIEWS
    snapshots = page.click(description=re.escape("Snapshots (CSV)"))
    periods = {row["period"] for row in csv.DictReader(io.StringIO(snapshots.body.decode("utf-8-sig")))}
    assert periods == {"2024-02"}, "WeChat's March is not in the download of a page that shows February"

    march = page.click(description="See March 2024 as entered so far")
    snapshots = march.click(description=re.escape("Snapshots (CSV)"))
    periods = {row["period"] for row in csv.DictReader(io.StringIO(snapshots.body.decode("utf-8-sig")))}
    assert periods == {"2024-02", "2024-03"}


def test_in_chinese_the_same_page_says_the_same(march_begun, director):
    app, _page = director
    app.set_cookie("django_language", "zh-hans")

    page = app.get(reverse("dashboard"))

    text = text_of(page)
    assert "2024年3月：4个账号中已有1个录入；显示最近一个完整月份2024年2月。" in text
    march = page.click(description="查看2024年3月目前已录入的数据")
    shown = cards(march)
    views = next(card for label, card in shown.items() if label.startswith("浏览量") or label.startswith("阅读"))
    assert "涵盖4个账号中的1个" in views
    assert "较2024年2月 +100,000（+0.5%），按两个月都已报送的1个账号计" in views
    articles = next(card for label, card in shown.items() if label.startswith("文章"))
    assert "仅科普中国和微信公众号" in articles, "names are listed with 、 and 和, as Chinese lists them"


def test_a_month_every_account_entered_with_a_figure_left_out_is_shown_and_says_so(staff_app, seeded, director):
    # An account that stops counting a figure must not hold the page at an old month: March is shown,
    # and the figure left out says what it lacks.
    from tests.outreach.test_month_grid import MARCH_2024

    march = {**MARCH_2024, "wechat": {"articles": "1,010", "views": "20,100,000"}}  # followers left empty
    response = save_grid(staff_app, "2024-03", {seeded[slug]: figures for slug, figures in march.items()})
    assert response.status_code == 302, text_of(response)
    app, _page = director

    page = app.get(reverse("dashboard"))

    text = text_of(page)
    assert "March 2024: every account entered, some figures left out." in text
    assert "Mar 2024" in page.html.select_one("#cards-heading").get_text()
    shown = cards(page)
    assert "not entered yet by the 1 account that reports it" in shown["Followers"]
    assert "covers" not in shown["Views"] and "over the" not in shown["Views"], "every account reported views"
    # Every account reported views in March: their shares are March's; followers left out hold back only those.
    shares = figure(page, "shares")
    assert "Mar 2024" in shares["layout"]["title"]["text"] and len(shares["data"][0]["labels"]) == 4


def test_a_start_after_a_platforms_last_report_does_not_leave_it_out_of_the_coverage(march_begun, director):
    # Only WeChat has entered March: read from March on, the other three platforms have no row at all,
    # and are still the accounts March is waiting for.
    app, page = director
    form = next(form for form in page.forms.values() if "start" in form.fields)
    form["start"], form["end"] = "2024-03", "2024-03"

    march = form.submit()

    assert "March 2024: 1 of 4 accounts entered so far." in text_of(march)
    assert "covers 1 of 4 accounts" in cards(march)["Views"]
    douyin = next(card for card in march.html.select("article.platform-card") if "Douyin" in card.get_text())
    assert "not entered yet by the 1 account that reports it" in " ".join(douyin.get_text(" ").split())


def test_months_on_end_of_one_account_entering_alone_name_the_newest_and_count_the_rest(staff_app, seeded, director):
    from datetime import date

    from tests.factories import SnapshotFactory

    # Only WeChat goes on entering, March to July: the three others were never entered again.
    for month in range(3, 8):
        SnapshotFactory(account=seeded["wechat"], period=date(2024, month, 1), articles=1000 + month, views=20_000_000)
    app, _page = director

    page = app.get(reverse("dashboard"))

    notices = [" ".join(p.get_text(" ").split()) for p in page.html.select(".coverage-notice")]
    assert len(notices) == 4
    assert notices[0].startswith("May 2024: 1 of 4 accounts entered; showing February 2024")
    assert notices[2].startswith("July 2024: 1 of 4 accounts entered")
    assert notices[3] == "2 earlier months are partly entered too, from March 2024."
