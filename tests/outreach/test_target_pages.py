"""A target entered in the admin, read back on the dashboard's cards and in the monthly report (and its mail
lines), in both languages: the progress recomputed here from the snapshots, the pace named."""

from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from outreach.models import MetricSnapshot, Target
from tests.outreach.test_partial_month import figure as figure_of
from tests.pages import form_posting_to, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def museum(db):
    call_command("load_seed_figures", "--illustrative-history", verbosity=0)


@pytest.fixture
def people(django_user_model):
    found = {}
    for name, group in (("root", "Administrators"), ("ling", "Managers")):
        person = django_user_model.objects.create_user(username=name, password=f"a-long-password-of-{name}")
        person.groups.add(Group.objects.get(name=group))
        found[name] = person
    return found


def enter_target(app, user, *, account: str, metric: str, kind: str, value: str) -> None:
    page = app.get(reverse("admin:outreach_target_add"), user=user)
    form = form_posting_to(page)
    form["account"].select(text=account)
    form["year"], form["metric"], form["kind"], form["value"] = "2024", metric, kind, value
    assert form.submit().status_int == 302


def followers(period: date) -> int:
    return MetricSnapshot.objects.get(account__platform__slug="wechat", period=period).followers


def test_a_year_end_target_shows_its_progress_on_the_dashboard_and_the_report(museum, django_app, people):
    enter_target(
        django_app,
        people["root"],
        account="Shanghai Science & Technology Museum · WeChat official account",
        metric="followers",
        kind="year_end",
        value="290万",
    )
    start, now = followers(date(2023, 12, 1)), followers(date(2024, 2, 1))
    planned, made = 2_900_000 - start, now - start
    expected_text = f"{made / planned:.1%} of the year's planned growth made ({made:+,} of {planned:+,})"

    page = django_app.get(reverse("dashboard"), user=people["ling"])
    dashboard = text_of(page)
    assert "Target for 2024: 2,900,000 at the year's end" in dashboard
    # December 2023 and the past years are the seed's illustrative history: the progress says so.
    assert all(
        target.select_one(".badge").get_text(strip=True) == "illustrative"
        for target in page.html.select(".card-target")
    )
    assert expected_text in dashboard
    # WeChat's history has whole years before 2024: the pace is its own seasons', and named.
    assert "expected by Feb 2024 at its pace of the past 3 years" in dashboard
    report = text_of(django_app.get(reverse("monthly_report", kwargs={"month": "2024-02"}), user=people["ling"]))
    assert expected_text in report

    django_app.set_cookie("django_language", "zh-hans")
    chinese = text_of(django_app.get(reverse("dashboard"), user=people["ling"]))
    assert "2024年目标：年末达到 2,900,000" in chinese
    assert f"已完成全年计划增量的{made / planned:.1%}（{made:+,}/{planned:+,}）" in chinese


def test_a_total_is_shown_only_where_every_account_has_a_target(museum, django_app, people):
    enter_target(
        django_app,
        people["root"],
        account="Shanghai Science & Technology Museum · Douyin",
        metric="videos",
        kind="growth",
        value="60",
    )
    page = django_app.get(reverse("dashboard"), user=people["ling"])
    headline = " ".join(card.get_text(" ", strip=True) for card in page.html.select(".card-row .card"))
    douyin = next(
        card.get_text(" ", strip=True)
        for card in page.html.select(".platform-card")
        if card.select_one("h3").get_text(strip=True) == "Douyin"
    )

    assert "Targets cover 1 of the 2 accounts: no total is shown." in headline  # Douyin's and Bilibili's videos
    assert "Target for 2024: +60 over the year" in douyin
    videos = {
        period: MetricSnapshot.objects.get(account__platform__slug="douyin", period=period).videos
        for period in (date(2023, 12, 1), date(2024, 2, 1))
    }
    made = videos[date(2024, 2, 1)] - videos[date(2023, 12, 1)]
    assert f"{made / 60:.1%} of the year's planned growth made ({made:+,} of +60)" in douyin


def test_a_target_of_another_year_is_not_shown(museum, django_app, people):
    wechat = MetricSnapshot.objects.filter(account__platform__slug="wechat").first().account
    Target.objects.create(account=wechat, year=2025, metric="followers", kind="year_end", value=3_000_000)
    assert "Target for" not in text_of(django_app.get(reverse("dashboard"), user=people["ling"]))


def test_a_target_entered_shows_on_the_next_dashboard_though_the_page_was_kept(museum, django_app, people):
    django_app.get(reverse("dashboard"), user=people["ling"])  # built and kept under the data version
    enter_target(
        django_app,
        people["root"],
        account="Shanghai Science & Technology Museum · WeChat official account",
        metric="followers",
        kind="year_end",
        value="2,900,000",
    )
    assert "Target for 2024: 2,900,000 at the year's end" in text_of(
        django_app.get(reverse("dashboard"), user=people["ling"])
    )


def test_the_cumulative_chart_draws_the_forecast_with_its_band_and_the_target(museum, django_app, people):
    enter_target(
        django_app,
        people["root"],
        account="Shanghai Science & Technology Museum · WeChat official account",
        metric="followers",
        kind="year_end",
        value="2,900,000",
    )
    page = django_app.get(reverse("dashboard"), {"metric": "followers"}, user=people["ling"])
    figure = figure_of(page, "cumulative")
    traces = {trace.get("name"): trace for trace in figure["data"]}

    forecast = traces["WeChat official account, forecast (illustrative)"]  # built on the illustrative history
    assert forecast["line"]["dash"] == "dash" and forecast["x"] == ["2024-02-01", "2024-12-01"]
    assert forecast["y"][0] == followers(date(2024, 2, 1)) and forecast["y"][1] > forecast["y"][0]
    assert traces["WeChat official account, target"]["y"] == [2_900_000, 2_900_000]
    band = [trace for trace in figure["data"] if trace.get("fill") == "tonexty"]
    assert band and band[0]["y"][1] < forecast["y"][1]  # the interval's low end, below the forecast
    description = figure["layout"]["meta"]["description"]
    assert "WeChat official account: forecast" in description and "80% interval" in description
    assert "target 2,900,000" in description and "(illustrative)" in description
    assert "a seasonal naïve forecast" in figure["layout"]["meta"]["caption"]
    assert "(seasonal naïve, scaled by the trend; 80% interval" in description  # the method of this line


def test_a_line_with_too_little_history_says_so_instead_of_a_forecast(db, django_app, people):
    call_command("load_seed_figures", verbosity=0)  # the real February 2024 only
    page = django_app.get(reverse("dashboard"), {"metric": "views"}, user=people["ling"])
    caption = page.html.select_one("#figure-cumulative-caption").get_text(" ", strip=True)
    assert "too little history for a forecast" in caption  # said where the chart is read
    assert ", forecast" not in page.text


def test_the_forecast_reads_the_whole_history_whatever_months_the_chart_shows(museum, django_app, people):
    def forecast(query):
        page = django_app.get(reverse("dashboard"), {"metric": "followers", **query}, user=people["ling"])
        data = figure_of(page, "cumulative")["data"]
        return [trace["y"] for trace in data if trace.get("fill") or "forecast" in (trace.get("name") or "")]

    assert forecast({}) == forecast({"start": "2023-09"}) != []
