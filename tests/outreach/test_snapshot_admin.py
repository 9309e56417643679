"""Every rule of the rule set, through the admin's real snapshot form, as staff meet them."""

import re
from datetime import date

import pytest
from django.urls import reverse

from outreach.models import MetricSnapshot
from outreach.months import format_month
from tests.conftest import SnapshotFactory

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:outreach_metricsnapshot_add")


def post_snapshot(client, account, period, url=ADD_URL, **figures):
    data = {
        "account": account.pk,
        "period": period if isinstance(period, str) else format_month(period),
        "articles": "",
        "videos": "",
        "views": "",
        "followers": "",
        "note": "",
        "_save": "Save",
    }
    data.update({name: str(value) for name, value in figures.items()})
    return client.post(url, data)


def field_errors(response, field):
    return [str(error) for error in response.context["adminform"].form.errors.get(field, [])]


def snapshot_rows():
    return list(MetricSnapshot.objects.order_by("pk").values())


def test_staff_adds_a_snapshot_and_it_records_who(staff_client, staff_user, wechat_account):
    response = post_snapshot(staff_client, wechat_account, "2024-03", articles="1,010", views="20 100 000")

    assert response.status_code == 302
    snapshot = MetricSnapshot.objects.get()
    assert (snapshot.period, snapshot.articles, snapshot.views, snapshot.followers) == (
        date(2024, 3, 1),
        1010,
        20_100_000,
        None,
    )
    assert snapshot.created_by == staff_user
    assert snapshot.updated_by == staff_user


def test_full_width_digits_and_chinese_month_are_read(staff_client, wechat_account):
    response = post_snapshot(staff_client, wechat_account, "2024年3月", views="２０１０００００")

    assert response.status_code == 302
    assert MetricSnapshot.objects.get().views == 20_100_000


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-5", "can't be negative"),
        ("12abc", "is not a whole number"),
        ("1.5", "is not a whole number"),
        (str(2**63), "larger than any count that can be stored"),
    ],
)
def test_bad_counts_are_refused_on_their_field(staff_client, wechat_account, typed, message):
    SnapshotFactory(account=wechat_account)
    before = snapshot_rows()

    response = post_snapshot(staff_client, wechat_account, "2024-03", views=typed)

    assert response.status_code == 200
    assert any(message in error for error in field_errors(response, "views"))
    assert snapshot_rows() == before


def test_the_largest_big_integer_is_accepted(staff_client, wechat_account):
    response = post_snapshot(staff_client, wechat_account, "2024-03", views=str(2**63 - 1))

    assert response.status_code == 302
    assert MetricSnapshot.objects.get().views == 2**63 - 1


def test_a_future_month_is_refused(staff_client, wechat_account, next_month):
    response = post_snapshot(staff_client, wechat_account, next_month, views="100")

    assert "is in the future" in " ".join(field_errors(response, "period"))
    assert not MetricSnapshot.objects.exists()


def test_the_current_month_is_accepted(staff_client, wechat_account, this_month):
    response = post_snapshot(staff_client, wechat_account, this_month, views="100")

    assert response.status_code == 302


def test_a_month_before_the_account_opened_is_refused(staff_client, wechat_account):
    response = post_snapshot(staff_client, wechat_account, "2015-05", views="100")

    assert field_errors(response, "period") == ["May 2015 is before the account opened (June 2015)."]
    assert not MetricSnapshot.objects.exists()


def test_the_opening_month_is_accepted_even_when_the_account_opened_mid_month(staff_client, platform):
    from tests.conftest import AccountFactory

    account = AccountFactory(platform=platform("kepu-china"), opened_on=date(2023, 8, 6))

    response = post_snapshot(staff_client, account, "2023-08", articles="3")

    assert response.status_code == 302


def test_a_total_lower_than_the_previous_month_is_refused_naming_that_month(staff_client, wechat_account):
    SnapshotFactory(account=wechat_account, period=date(2024, 1, 1), views=19_800_000)
    before = snapshot_rows()

    response = post_snapshot(staff_client, wechat_account, "2024-02", views="19,700,000")

    assert field_errors(response, "views") == ["Views can't go down: January 2024 was 19,800,000."]
    assert snapshot_rows() == before


def test_a_total_higher_than_a_later_month_is_refused_naming_that_month(staff_client, wechat_account):
    SnapshotFactory(account=wechat_account, period=date(2024, 4, 1), articles=1020)

    response = post_snapshot(staff_client, wechat_account, "2024-03", articles="1030")

    assert field_errors(response, "articles") == [
        "Articles can't be higher than in a later month: April 2024 is 1,020."
    ]
    assert MetricSnapshot.objects.count() == 1


def test_the_nearest_reported_month_counts_even_across_gaps_and_empty_figures(staff_client, wechat_account):
    SnapshotFactory(account=wechat_account, period=date(2023, 10, 1), views=19_000_000)
    SnapshotFactory(account=wechat_account, period=date(2023, 12, 1), views=None, followers=2_600_000)

    response = post_snapshot(staff_client, wechat_account, "2024-02", views="18,000,000")

    assert field_errors(response, "views") == ["Views can't go down: October 2023 was 19,000,000."]


def test_followers_may_go_down(staff_client, wechat_account):
    SnapshotFactory(account=wechat_account, period=date(2024, 2, 1), followers=2_630_000)

    response = post_snapshot(staff_client, wechat_account, "2024-03", views="20,000,000", followers="2,620,000")

    assert response.status_code == 302
    assert MetricSnapshot.objects.get(period=date(2024, 3, 1)).followers == 2_620_000


def test_a_snapshot_with_no_figure_is_refused(staff_client, wechat_account):
    response = post_snapshot(staff_client, wechat_account, "2024-03", note="nothing yet")

    errors = response.context["adminform"].form.non_field_errors()
    assert list(errors) == ["Enter at least one figure: articles, videos, views or followers."]
    assert not MetricSnapshot.objects.exists()


def test_a_second_snapshot_for_the_same_month_is_refused_with_a_link_to_the_first(staff_client, wechat_account):
    existing = SnapshotFactory(account=wechat_account, period=date(2024, 3, 1), views=20_100_000)

    response = post_snapshot(staff_client, wechat_account, "2024-03", views="20,200,000")

    html = response.content.decode()
    link = reverse("admin:outreach_metricsnapshot_change", args=(existing.pk,))
    assert re.search(rf'already has figures for March 2024: <a href="{re.escape(link)}">open them</a>', html)
    assert MetricSnapshot.objects.get().views == 20_100_000


def test_content_a_platform_does_not_count_is_refused(staff_client, douyin_account):
    response = post_snapshot(staff_client, douyin_account, "2024-03", articles="5", videos="346")

    assert field_errors(response, "articles") == ["Douyin does not count articles: leave this empty."]
    assert not MetricSnapshot.objects.exists()


def test_correcting_a_snapshot_checks_it_against_its_neighbours_not_itself(staff_client, wechat_account):
    SnapshotFactory(account=wechat_account, period=date(2024, 1, 1), views=19_800_000)
    february = SnapshotFactory(account=wechat_account, period=date(2024, 2, 1), views=20_000_000)
    url = reverse("admin:outreach_metricsnapshot_change", args=(february.pk,))

    lowered = post_snapshot(staff_client, wechat_account, "2024-02", url=url, views="19,900,000", articles="1000")
    too_low = post_snapshot(staff_client, wechat_account, "2024-02", url=url, views="19,000,000", articles="1000")

    assert lowered.status_code == 302
    assert field_errors(too_low, "views") == ["Views can't go down: January 2024 was 19,800,000."]
    february.refresh_from_db()
    assert february.views == 19_900_000


def test_save_and_add_another_prefills_the_same_account_and_the_next_month(staff_client, wechat_account):
    response = staff_client.post(
        ADD_URL,
        {"account": wechat_account.pk, "period": "2024-12", "views": "100", "_addanother": "1"},
    )

    assert response.status_code == 302
    follow = staff_client.get(response.url)
    form = follow.context["adminform"].form
    assert str(form["account"].value()) == str(wechat_account.pk)
    assert form["period"].value() == "2025-01"
    assert 'value="2025-01"' in follow.content.decode()


def test_the_add_form_suggests_the_month_after_the_latest_figures(staff_client, wechat_account):
    SnapshotFactory(account=wechat_account, period=date(2024, 2, 1))

    response = staff_client.get(ADD_URL)

    assert 'value="2024-03"' in response.content.decode()


def test_someone_without_the_permission_cannot_add(client, wechat_account, django_user_model):
    clerk = django_user_model.objects.create_user(username="clerk", password="x-long-password", is_staff=True)
    client.force_login(clerk)

    response = post_snapshot(client, wechat_account, "2024-03", views="1")

    assert response.status_code == 403
    assert not MetricSnapshot.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(ADD_URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login") + "?next=/admin/")


@pytest.mark.parametrize("model", ["platform", "account"])
def test_platforms_and_accounts_are_for_administrators_not_staff(staff_client, admin_client, model):
    url = reverse(f"admin:outreach_{model}_changelist")

    assert staff_client.get(url).status_code == 403
    assert admin_client.get(url).status_code == 200
