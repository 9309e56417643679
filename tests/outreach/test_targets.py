"""Yearly targets in the admin, as an administrator enters them (the form as rendered): one per account, figure
and year, not negative, of a figure the platform counts, typed as counts are (290万), with their history."""

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.urls import reverse

from outreach.models import Target
from tests.pages import form_posting_to, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(django_user_model):
    person = django_user_model.objects.create_user(username="root", password="a-long-admin-password")
    person.groups.add(Group.objects.get(name="Administrators"))
    return person


def add_target(app, user, *, account: str, year: str, metric: str, kind: str, value: str):
    """From the admin's front page, through the targets' list, the add form as rendered, typed and saved."""
    page = app.get(reverse("admin:index"), user=user).click(description="^Targets$").click(description="Add target")
    form = form_posting_to(page)
    form["account"].select(text=account)
    form["year"], form["metric"], form["kind"], form["value"] = year, metric, kind, value
    return form.submit()


WECHAT = "Shanghai Science & Technology Museum · WeChat official account"
DOUYIN = "Shanghai Science & Technology Museum · Douyin"


def test_an_administrator_enters_a_year_end_target_typed_as_people_write_it(seeded, django_app, administrator):
    saved = add_target(
        django_app, administrator, account=WECHAT, year="2024", metric="followers", kind="year_end", value="290万"
    ).follow()

    target = Target.objects.get()
    assert (target.account, target.year, target.metric, target.kind, target.value) == (
        seeded["wechat"],
        2024,
        "followers",
        "year_end",
        2_900_000,
    )
    assert "2,900,000" in text_of(saved)  # the list shows the target as counts are read
    assert target.history.count() == 1 and target.history.first().history_user == administrator


def test_a_second_target_for_the_same_account_figure_and_year_is_refused(seeded, django_app, administrator):
    Target.objects.create(account=seeded["douyin"], year=2024, metric="videos", kind="growth", value=60)
    refused = add_target(
        django_app, administrator, account=DOUYIN, year="2024", metric="videos", kind="year_end", value="400"
    )

    assert "Target with this Account, Figure and Year already exists." in text_of(refused)
    assert Target.objects.get().value == 60


@pytest.mark.parametrize(
    ("account", "metric", "value", "message"),
    [
        (DOUYIN, "videos", "-5", "A count can't be negative."),
        (DOUYIN, "articles", "40", "Douyin does not count articles: choose a figure it counts."),
        (WECHAT, "followers", "1,000,000,000,000,000", "at most 99,999,999,999,999"),
        (WECHAT, "followers", "lots", "lots"),
    ],
)
def test_a_target_that_breaks_a_rule_is_refused_saying_why(
    seeded, django_app, administrator, account, metric, value, message
):
    refused = add_target(
        django_app, administrator, account=account, year="2024", metric=metric, kind="growth", value=value
    )

    assert refused.status_int == 200 and message in text_of(refused)
    assert not Target.objects.exists()


def test_the_database_holds_the_rules_too(seeded):
    Target.objects.create(account=seeded["douyin"], year=2024, metric="videos", kind="growth", value=60)
    for wrong in (
        {"year": 2024, "metric": "videos", "value": 1},  # a second one
        {"year": 2025, "metric": "videos", "value": -1},
        {"year": 1999, "metric": "videos", "value": 1},
        {"year": 2025, "metric": "likes", "value": 1},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Target.objects.create(account=seeded["douyin"], kind="growth", **wrong)


def test_the_form_speaks_chinese(seeded, django_app, administrator):
    django_app.set_cookie("django_language", "zh-hans")
    page = django_app.get(reverse("admin:outreach_target_add"), user=administrator)
    form = form_posting_to(page)
    form["account"].select(text="上海科技馆 · 抖音")
    form["year"], form["metric"], form["kind"], form["value"] = "2024", "articles", "growth", "40"
    refused = form.submit()
    assert "抖音不统计文章" in text_of(refused)
