"""The monthly and yearly reports as a manager reaches them: by the dashboard's links, their figures the
dashboard's for that month, with what had not been reported, in both languages; and what is refused."""

from datetime import date

import pytest
from django.contrib.auth.models import Group

from outreach.models import MetricSnapshot
from tests.pages import text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(django_user_model):
    person = django_user_model.objects.create_user(username="director", password="a-long-director-password")
    person.groups.add(Group.objects.get(name="Managers"))
    return person


def section(page, selector: str) -> str:
    return " ".join(part.get_text(" ", strip=True) for part in page.html.select(selector))


def test_the_monthly_report_is_reached_from_the_dashboard_and_has_its_figures(seeded, django_app, manager):
    dashboard = django_app.get("/", user=manager)
    report = dashboard.click(description="Monthly report, Feb 2024")

    assert report.request.path == "/reports/monthly/2024-02/"
    assert "Monthly report, February 2024" in text_of(report)
    assert section(report, ".cards") == section(dashboard, ".cards")
    assert section(report, ".summary") == section(dashboard, ".summary")
    assert "Every active account has reported Feb 2024." in text_of(report)
    assert "Download the figures shown" not in text_of(report)  # a report is for paper: no filters, no downloads


def test_a_month_not_fully_reported_names_the_accounts_missing(seeded, django_app, manager):
    for slug, views in (("kepu-china", 1_900_000), ("wechat", 20_100_000), ("douyin", 7_700_000)):
        MetricSnapshot.objects.create(account=seeded[slug], period=date(2024, 3, 1), views=views)
    from django.core.management import call_command

    call_command("refresh_monthly_totals", verbosity=0)
    report = django_app.get("/reports/monthly/2024-03/", user=manager)

    text = section(report, ".completeness")
    assert "1 active account had not reported Mar 2024 when this report was prepared:" in text
    assert str(seeded["bilibili"]) in text and str(seeded["douyin"]) not in text


def test_the_report_in_chinese(seeded, django_app, manager):
    django_app.set_cookie("django_language", "zh-hans")
    report = django_app.get("/reports/monthly/2024-02/", user=manager)

    assert "2024年2月月度报告" in text_of(report) and "Monthly report" not in text_of(report)
    assert "所有在用账号均已报送2024年2月的数据。" in text_of(report)


def test_the_yearly_report_shows_the_years_latest_month(seeded, django_app, manager):
    report = django_app.get("/", user=manager).click(description="Yearly report, 2024")

    assert "Yearly report, 2024" in text_of(report)
    assert "Feb 2024, all platforms" in section(report, ".cards")


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/reports/monthly/2024-13/", 400, "“2024-13” is not a month"),
        ("/reports/monthly/2031-01/", 400, "is in the future"),
        ("/reports/monthly/2024-03/", 404, "No figures of this period have been entered yet; the latest month"),
        ("/reports/yearly/2031/", 400, "There is no report of 2031"),
        ("/reports/yearly/2019/", 404, "No figures of this period have been entered."),
    ],
)
def test_a_period_without_a_report_says_why(seeded, django_app, manager, path, status, message):
    page = django_app.get(path, user=manager, expect_errors=True)

    assert page.status_int == status
    assert message in text_of(page)
    assert not page.html.select(".cards")
