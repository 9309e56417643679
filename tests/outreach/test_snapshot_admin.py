"""Every rule of the rule set, through the admin's real snapshot form, as staff meet them."""

import re
from datetime import date

import pytest
from django.urls import reverse

from outreach.models import MetricSnapshot
from outreach.months import format_month
from tests.factories import SnapshotFactory
from tests.pages import text_of

pytestmark = pytest.mark.django_db


ADD_URL = reverse("admin:outreach_metricsnapshot_add")


def post_snapshot(app, account, period, url=ADD_URL, **typed):
    """Open the add (or change) form as the page renders it, pick the account and month, type, and save."""
    form = app.get(url).forms["metricsnapshot_form"]
    form["account"] = str(account.pk)
    form["period"] = period if isinstance(period, str) else format_month(period)
    for name, value in typed.items():
        form[name] = value
    return form.submit("_save", expect_errors=True)


def field_errors(response, field):
    """The errors the page shows beside a field."""
    return [item.get_text() for item in response.html.select(f".form-row.field-{field} .errorlist li")]


def page_errors(response):
    """The errors the page shows above the fields."""
    return [item.get_text() for item in response.html.select(".errorlist.nonfield li")]


def snapshot_rows():
    return list(MetricSnapshot.objects.order_by("pk").values())


def test_staff_adds_a_snapshot_and_it_records_who(staff_app, staff_user, wechat_account):
    response = post_snapshot(staff_app, wechat_account, "2024-03", articles="1,010", views="20 100 000")

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


def test_full_width_digits_and_chinese_month_are_read(staff_app, wechat_account):
    response = post_snapshot(staff_app, wechat_account, "2024年3月", views="２０１０００００")

    assert response.status_code == 302
    assert MetricSnapshot.objects.get().views == 20_100_000


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-5", "can't be negative"),
        ("12abc", "is not a whole number"),
        ("1.5", "is not a whole number"),
        (str(10**14), "larger than any count can be"),
        ("9" * 5000, "larger than any count can be"),
        ("1.23456万", "is 12,345.6, not a whole number"),
    ],
)
def test_bad_counts_are_refused_on_their_field(staff_app, wechat_account, typed, message):
    SnapshotFactory(account=wechat_account)
    before = snapshot_rows()

    response = post_snapshot(staff_app, wechat_account, "2024-03", views=typed)

    assert response.status_code == 200
    assert any(message in error for error in field_errors(response, "views"))
    assert snapshot_rows() == before


def test_the_largest_count_is_accepted(staff_app, wechat_account):
    response = post_snapshot(staff_app, wechat_account, "2024-03", views="99,999,999,999,999")

    assert response.status_code == 302
    assert MetricSnapshot.objects.get().views == 10**14 - 1


def test_a_future_month_is_refused(staff_app, wechat_account, next_month):
    response = post_snapshot(staff_app, wechat_account, next_month, views="100")

    assert "is in the future" in " ".join(field_errors(response, "period"))
    assert not MetricSnapshot.objects.exists()


def test_the_current_month_is_accepted(staff_app, wechat_account, this_month):
    response = post_snapshot(staff_app, wechat_account, this_month, views="100")

    assert response.status_code == 302


def test_a_month_before_the_account_opened_is_refused(staff_app, wechat_account):
    response = post_snapshot(staff_app, wechat_account, "2015-05", views="100")

    assert field_errors(response, "period") == ["May 2015 is before the account opened (June 2015)."]
    assert not MetricSnapshot.objects.exists()


def test_the_opening_month_is_accepted_even_when_the_account_opened_mid_month(staff_app, platform):
    from tests.factories import AccountFactory

    account = AccountFactory(platform=platform("kepu-china"), opened_on=date(2023, 8, 6))

    response = post_snapshot(staff_app, account, "2023-08", articles="3")

    assert response.status_code == 302


def test_a_total_lower_than_the_previous_month_is_refused_naming_that_month(staff_app, wechat_account):
    SnapshotFactory(account=wechat_account, period=date(2024, 1, 1), views=19_800_000)
    before = snapshot_rows()

    response = post_snapshot(staff_app, wechat_account, "2024-02", views="19,700,000")

    assert field_errors(response, "views") == ["Views can't go down: January 2024 was 19,800,000."]
    assert snapshot_rows() == before


def test_a_total_higher_than_a_later_month_is_refused_naming_that_month(staff_app, wechat_account):
    SnapshotFactory(account=wechat_account, period=date(2024, 4, 1), articles=1020)

    response = post_snapshot(staff_app, wechat_account, "2024-03", articles="1030")

    assert field_errors(response, "articles") == [
        "Articles can't be higher than in a later month: April 2024 is 1,020."
    ]
    assert MetricSnapshot.objects.count() == 1


def test_the_nearest_reported_month_counts_even_across_gaps_and_empty_figures(staff_app, wechat_account):
    SnapshotFactory(account=wechat_account, period=date(2023, 10, 1), views=19_000_000)
    SnapshotFactory(account=wechat_account, period=date(2023, 12, 1), views=None, followers=2_600_000)

    response = post_snapshot(staff_app, wechat_account, "2024-02", views="18,000,000")

    assert field_errors(response, "views") == ["Views can't go down: October 2023 was 19,000,000."]


def test_followers_may_go_down(staff_app, wechat_account):
    SnapshotFactory(account=wechat_account, period=date(2024, 2, 1), followers=2_630_000)

    response = post_snapshot(staff_app, wechat_account, "2024-03", views="20,000,000", followers="2,620,000")

    assert response.status_code == 302
    assert MetricSnapshot.objects.get(period=date(2024, 3, 1)).followers == 2_620_000


def test_a_snapshot_with_no_figure_is_refused(staff_app, wechat_account):
    response = post_snapshot(staff_app, wechat_account, "2024-03", note="nothing yet")

    assert page_errors(response) == ["Enter at least one figure: articles, videos, views or followers."]
    assert not MetricSnapshot.objects.exists()


def test_a_second_snapshot_for_the_same_month_is_refused_with_a_link_to_the_first(staff_app, wechat_account):
    existing = SnapshotFactory(account=wechat_account, period=date(2024, 3, 1), views=20_100_000)

    response = post_snapshot(staff_app, wechat_account, "2024-03", views="20,200,000")

    html = response.content.decode()
    link = reverse("admin:outreach_metricsnapshot_change", args=(existing.pk,))
    assert re.search(rf'already has figures for March 2024: <a href="{re.escape(link)}">open them</a>', html)
    assert MetricSnapshot.objects.get().views == 20_100_000


def test_content_a_platform_does_not_count_is_refused(staff_app, douyin_account):
    # Typed before the account was chosen (the page's script hides the field once it is).
    response = post_snapshot(staff_app, douyin_account, "2024-03", articles="5", videos="346")

    assert field_errors(response, "articles") == ["Douyin does not count articles: leave this empty."]
    assert not MetricSnapshot.objects.exists()


def test_correcting_a_snapshot_checks_it_against_its_neighbours_not_itself(staff_app, wechat_account):
    SnapshotFactory(account=wechat_account, period=date(2024, 1, 1), views=19_800_000)
    february = SnapshotFactory(account=wechat_account, period=date(2024, 2, 1), views=20_000_000)
    url = reverse("admin:outreach_metricsnapshot_change", args=(february.pk,))

    lowered = post_snapshot(staff_app, wechat_account, "2024-02", url=url, views="19,900,000", articles="1000")
    too_low = post_snapshot(staff_app, wechat_account, "2024-02", url=url, views="19,000,000", articles="1000")

    assert lowered.status_code == 302
    assert field_errors(too_low, "views") == ["Views can't go down: January 2024 was 19,800,000."]
    february.refresh_from_db()
    assert february.views == 19_900_000


def test_save_and_add_another_prefills_the_same_account_and_the_next_month(staff_app, wechat_account):
    form = staff_app.get(ADD_URL).forms["metricsnapshot_form"]
    form["account"] = str(wechat_account.pk)
    form["period"] = "2024-12"
    form["views"] = "100"

    follow = form.submit("_addanother").follow()

    next_form = follow.forms["metricsnapshot_form"]
    assert next_form["account"].value == str(wechat_account.pk)
    assert next_form["period"].value == "2025-01"


def test_the_add_form_suggests_the_month_after_the_latest_figures(staff_app, wechat_account):
    SnapshotFactory(account=wechat_account, period=date(2024, 2, 1))

    response = staff_app.get(ADD_URL)

    assert 'value="2024-03"' in response.content.decode()


def test_someone_without_the_permission_cannot_add(client, wechat_account, django_user_model):
    clerk = django_user_model.objects.create_user(username="clerk", password="x-long-password", is_staff=True)
    client.force_login(clerk)

    response = client.post(ADD_URL, {"account": wechat_account.pk, "period": "2024-03", "views": "1"})

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


CHANGE = "admin:outreach_metricsnapshot_change"


def test_the_form_reads_chinese_units_and_says_what_it_read(staff_app, wechat_account):
    SnapshotFactory(account=wechat_account, period=date(2024, 2, 1), articles=1000, followers=2_630_000)

    response = post_snapshot(staff_app, wechat_account, "2024-03", followers="263万", views="1.2亿")

    assert response.status_code == 302
    march = MetricSnapshot.objects.get(period=date(2024, 3, 1))
    assert (march.followers, march.views) == (2_630_000, 120_000_000)
    shown = text_of(response.follow())
    assert "Followers: “263万” read as 2,630,000" in shown
    assert "Views: “1.2亿” read as 120,000,000" in shown


@pytest.mark.parametrize(("typed", "stored"), [("１０３０", 1030), ("20 500 000", 20_500_000), ("1,030", 1030)])
def test_counts_are_text_inputs_that_keep_what_people_type(staff_app, wechat_account, typed, stored):
    page = staff_app.get(ADD_URL)
    assert {field.attrs["type"] for field in page.html.select("input[name=views], input[name=followers]")} == {"text"}

    response = post_snapshot(staff_app, wechat_account, "2024-03", views=typed)

    assert response.status_code == 302
    assert MetricSnapshot.objects.get().views == stored


def test_a_fall_of_followers_is_flagged_and_saved_only_once_confirmed(staff_app, wechat_account):
    february = SnapshotFactory(account=wechat_account, period=date(2024, 2, 1), followers=2_680_000)

    # 263 where 263万 was meant: a fall of 99.99%.
    flagged = post_snapshot(staff_app, wechat_account, "2024-03", followers="263")

    assert flagged.status_code == 200
    assert page_errors(flagged) == [
        "Shanghai Science & Technology Museum · WeChat official account: Followers fell from 2,680,000 in "
        "February 2024 to 263 (−99.99%). Check the figure, or confirm it below."
    ]
    assert list(MetricSnapshot.objects.values_list("pk", flat=True)) == [february.pk]

    form = flagged.forms["metricsnapshot_form"]
    form["confirm_warnings"] = True
    assert form.submit("_save").status_code == 302
    assert MetricSnapshot.objects.get(period=date(2024, 3, 1)).followers == 263


def test_the_change_form_shows_only_the_figures_the_platform_counts(staff_app, douyin_account, wechat_account):
    douyin = SnapshotFactory(account=douyin_account, articles=None, videos=346, views=7_653_000, followers=None)
    wechat = SnapshotFactory(account=wechat_account, period=date(2024, 2, 1))

    douyin_form = staff_app.get(reverse(CHANGE, args=(douyin.pk,))).forms["metricsnapshot_form"]
    wechat_form = staff_app.get(reverse(CHANGE, args=(wechat.pk,))).forms["metricsnapshot_form"]
    next_douyin = staff_app.get(f"{ADD_URL}?account={douyin_account.pk}").forms["metricsnapshot_form"]

    assert {"videos", "views", "followers"} <= set(douyin_form.fields) and "articles" not in douyin_form.fields
    assert {"articles", "views", "followers"} <= set(wechat_form.fields) and "videos" not in wechat_form.fields
    assert "articles" not in next_douyin.fields
    options = staff_app.get(ADD_URL).html.select("select[name=account] option[data-counts]")
    assert {option["data-counts"] for option in options} == {"videos views followers", "articles views followers"}


def test_saving_an_unchanged_form_writes_nothing(staff_app, wechat_account):
    snapshot = SnapshotFactory(account=wechat_account, is_illustrative=True)
    before = snapshot_rows()

    response = staff_app.get(reverse(CHANGE, args=(snapshot.pk,))).forms["metricsnapshot_form"].submit("_save")

    assert response.status_code == 302
    assert snapshot_rows() == before  # still illustrative, same version, same "last changed by"
    assert snapshot.history.count() == 1  # its creation only


def test_changing_a_figure_makes_an_illustrative_snapshot_real(staff_app, wechat_account):
    snapshot = SnapshotFactory(account=wechat_account, is_illustrative=True)
    form = staff_app.get(reverse(CHANGE, args=(snapshot.pk,))).forms["metricsnapshot_form"]
    form["views"] = "20,100,000"

    assert form.submit("_save").status_code == 302
    snapshot.refresh_from_db()
    assert (snapshot.views, snapshot.is_illustrative, snapshot.version) == (20_100_000, False, 2)


def test_the_second_of_two_people_editing_a_snapshot_is_told_and_overwrites_nothing(
    browser_of, staff_user, wechat_account, django_user_model
):
    from django.contrib.auth.models import Group

    other = django_user_model.objects.create_user(username="ling", password="a-long-password-2")
    other.groups.add(Group.objects.get(name="Staff"))
    snapshot = SnapshotFactory(account=wechat_account, followers=2_630_000)
    url = reverse(CHANGE, args=(snapshot.pk,))
    first, second = browser_of(other), browser_of(staff_user)
    first_form = first.get(url).forms["metricsnapshot_form"]
    second_form = second.get(url).forms["metricsnapshot_form"]

    first_form["followers"] = "2,640,000"
    assert first_form.submit("_save").status_code == 302
    second_form["followers"] = "2,650,000"
    refused = second_form.submit("_save")

    assert refused.status_code == 200
    message = " ".join(page_errors(refused))
    assert "ling saved these figures at" in message
    assert "Followers is now 2,640,000; you typed 2,650,000" in message
    snapshot.refresh_from_db()
    assert (snapshot.followers, snapshot.updated_by) == (2_640_000, other)
    # Saving again, having seen theirs, is a deliberate overwrite.
    assert refused.forms["metricsnapshot_form"].submit("_save").status_code == 302
    snapshot.refresh_from_db()
    assert snapshot.followers == 2_650_000


def test_confirming_illustrative_figures_unchanged_makes_them_real(staff_app, staff_user, wechat_account):
    snapshot = SnapshotFactory(account=wechat_account, is_illustrative=True)
    page = staff_app.get(reverse(CHANGE, args=(snapshot.pk,)))
    assert "These figures were made up for the demo" in text_of(page)
    form = page.forms["metricsnapshot_form"]
    form["confirm_real"] = True

    assert form.submit("_save").status_code == 302
    snapshot.refresh_from_db()
    assert (snapshot.is_illustrative, snapshot.updated_by, snapshot.views) == (False, staff_user, 20_000_000)


def test_real_figures_offer_no_confirmation(staff_app, wechat_account):
    snapshot = SnapshotFactory(account=wechat_account)

    page = staff_app.get(reverse(CHANGE, args=(snapshot.pk,)))

    assert "confirm_real" not in page.forms["metricsnapshot_form"].fields
