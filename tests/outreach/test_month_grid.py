"""The month grid: staff enter one month for every active account at once, all or nothing."""

import re
from datetime import date

import pytest
from django.urls import reverse

from outreach.models import MetricSnapshot
from tests.factories import AccountFactory, SnapshotFactory
from tests.pages import text_of

pytestmark = pytest.mark.django_db

GRID_URL = reverse("admin:outreach_month_grid")


def grid_form(page):
    """The grid's form as the page renders it (hidden versions and all)."""
    return next(form for form in page.forms.values() if (form.action or "").startswith("?period="))


def type_into(form, accounts_figures: dict):
    """Type over the rendered inputs: {account: {field: typed value}}; a checkbox takes True or False."""
    for account, figures in accounts_figures.items():
        for field, value in figures.items():
            form[f"account-{account.pk}-{field}"] = value
    return form


def save_grid(app, period: str, accounts_figures: dict, **submit):
    """Open the grid for `period`, type these figures over what it shows, and save."""
    form = type_into(grid_form(app.get(f"{GRID_URL}?period={period}")), accounts_figures)
    return form.submit(**submit)


def row_errors(page, account, field):
    """The errors the grid shows in an account's cell."""
    cell = page.html.select_one(f"[name=account-{account.pk}-{field}]").find_parent("td")
    return [item.get_text() for item in cell.select(".errorlist li")]


def all_rows():
    return list(MetricSnapshot.objects.order_by("pk").values())


MARCH_2024 = {
    "kepu-china": {"articles": "52", "views": "1,950,000"},
    "wechat": {"articles": "1,010", "views": "20,100,000", "followers": "2,640,000", "approximate": True},
    "douyin": {"videos": "350", "views": "7,700,000"},
    "bilibili": {"videos": "330", "views": "1,400,000"},
}


def test_staff_enter_march_2024_for_every_account_and_find_them_in_the_list(staff_app, seeded):
    response = save_grid(staff_app, "2024-03", {seeded[slug]: figures for slug, figures in MARCH_2024.items()})

    assert response.status_code == 302
    march = {s.account.platform.slug: s for s in MetricSnapshot.objects.filter(period=date(2024, 3, 1))}
    assert {slug: (s.articles, s.videos, s.views, s.followers) for slug, s in march.items()} == {
        "kepu-china": (52, None, 1_950_000, None),
        "wechat": (1010, None, 20_100_000, 2_640_000),
        "douyin": (None, 350, 7_700_000, None),
        "bilibili": (None, 330, 1_400_000, None),
    }
    assert march["wechat"].approximate and not march["douyin"].approximate
    assert all(s.created_by.username == "staff" for s in march.values())

    page = text_of(response.follow())
    assert "Saved the figures of 4 accounts for March 2024 (4 new, 0 corrected)." in page
    assert "2024-03" in page and "20,100,000" in page and "7,700,000" in page


def test_the_grid_shows_every_active_account_with_its_latest_totals(staff_app, seeded):
    AccountFactory(platform=seeded["wechat"].platform, name="Closed account", is_active=False)
    AccountFactory(platform=seeded["wechat"].platform, name="Opens later", opened_on=date(2024, 6, 1))

    response = staff_app.get(f"{GRID_URL}?period=2024-03")

    page = response.content.decode()
    rows = [row.get_text(" ", strip=True) for row in response.html.select("tbody tr:not(.previous) th")]
    platforms = ["China Science Communication", "WeChat official account", "Douyin", "Bilibili"]
    assert [row.split(" Shanghai")[0] for row in rows] == platforms
    assert "Closed account" not in page and "Opens later" not in page
    assert "Latest before: February 2024" in page
    for figure in ("1,886,000", "20,000,000", "2,630,000", "7,653,000", "1,367,000"):
        assert figure in page
    # Douyin counts videos only: no articles input for it.
    assert f'name="account-{seeded["douyin"].pk}-articles"' not in page
    assert f'name="account-{seeded["douyin"].pk}-videos"' in page


def test_the_grid_opens_on_the_month_after_the_latest_figures(staff_app, seeded):
    response = staff_app.get(GRID_URL)

    picker = next(form for form in response.forms.values() if form.method.lower() == "get")
    assert picker["period"].value == "2024-03"
    assert "Figures at the end of March 2024" in text_of(response)


def test_one_mistyped_total_saves_nothing_and_shows_its_error_beside_the_field(staff_app, seeded):
    before = all_rows()
    figures = {seeded[slug]: dict(values) for slug, values in MARCH_2024.items()}
    figures[seeded["douyin"]]["views"] = "7,600,000"  # lower than February's 7,653,000

    response = save_grid(staff_app, "2024-03", figures)

    assert response.status_code == 200
    assert row_errors(response, seeded["douyin"], "views") == ["Views can't go down: February 2024 was 7,653,000."]
    assert "Nothing was saved. Correct the figures marked below." in text_of(response)
    assert all_rows() == before


def test_every_mistake_shows_at_once_mistyped_figures_and_broken_rules(staff_app, seeded):
    figures = {seeded[slug]: dict(values) for slug, values in MARCH_2024.items()}
    figures[seeded["douyin"]]["views"] = "7,600,000"  # lower than February's
    figures[seeded["bilibili"]]["videos"] = "12abc"

    response = save_grid(staff_app, "2024-03", figures)

    assert row_errors(response, seeded["douyin"], "views") == ["Views can't go down: February 2024 was 7,653,000."]
    assert "is not a whole number" in row_errors(response, seeded["bilibili"], "videos")[0]


def test_a_mistyped_figure_and_a_total_that_went_down_in_one_row_show_together(staff_app, seeded):
    response = save_grid(staff_app, "2024-03", {seeded["wechat"]: {"articles": "12abc", "views": "5"}})

    assert "is not a whole number" in row_errors(response, seeded["wechat"], "articles")[0]
    assert row_errors(response, seeded["wechat"], "views") == ["Views can't go down: February 2024 was 20,000,000."]


def test_the_chinese_grid_names_a_videos_views_as_plays_in_its_errors(staff_app, seeded):
    form = type_into(
        grid_form(staff_app.get(f"{GRID_URL}?period=2024-03", headers={"Accept-Language": "zh-hans"})),
        {seeded["douyin"]: {"views": "5"}},
    )

    response = form.submit(headers={"Accept-Language": "zh-hans"})

    assert row_errors(response, seeded["douyin"], "views")[0].startswith("播放量")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-1", "A count can't be negative."),
        ("lots", "is not a whole number"),
        ("9" * 20, "larger than any count"),
        ("9" * 4301, "larger than any count"),
    ],
)
def test_bad_counts_in_the_grid_save_nothing(staff_app, seeded, typed, message):
    before = all_rows()
    figures = {seeded[slug]: dict(values) for slug, values in MARCH_2024.items()}
    figures[seeded["bilibili"]]["videos"] = typed

    response = save_grid(staff_app, "2024-03", figures)

    assert response.status_code == 200
    assert message in row_errors(response, seeded["bilibili"], "videos")[0]
    assert all_rows() == before


def test_a_future_month_cannot_be_entered(staff_app, seeded, next_month):
    before = all_rows()
    period = next_month.strftime("%Y-%m")

    response = staff_app.get(f"{GRID_URL}?period={period}")

    assert "is in the future" in text_of(response)
    assert not [form for form in response.forms.values() if (form.action or "").startswith("?period=")]
    assert all_rows() == before


def test_a_malformed_month_is_a_message_not_an_error_page(staff_app, seeded):
    response = staff_app.get(f"{GRID_URL}?period=4/1/24")

    assert response.status_code == 200
    assert "day and month order cannot be known" in text_of(response)


def test_empty_rows_are_skipped_and_unchanged_rows_left_alone(staff_app, seeded):
    existing = SnapshotFactory(
        account=seeded["wechat"], period=date(2024, 3, 1), articles=1010, views=20_100_000, followers=None
    )
    before = MetricSnapshot.objects.filter(pk=existing.pk).values().get()

    response = save_grid(staff_app, "2024-03", {seeded["douyin"]: {"videos": "350", "views": "7,700,000"}})

    assert response.status_code == 302
    assert MetricSnapshot.objects.filter(period=date(2024, 3, 1)).count() == 2
    assert MetricSnapshot.objects.filter(pk=existing.pk).values().get() == before
    assert existing.history.count() == 1  # its creation only
    assert "(1 new, 0 corrected)" in text_of(response.follow())


def test_correcting_one_account_in_a_month_with_figures_saves_only_that_one(staff_app, staff_user, seeded):
    other = SnapshotFactory(account=seeded["douyin"], period=date(2024, 3, 1), articles=None, videos=350)
    corrected = SnapshotFactory(account=seeded["wechat"], period=date(2024, 3, 1), articles=1010, views=20_100_000)
    illustrative = SnapshotFactory(
        account=seeded["bilibili"], period=date(2024, 3, 1), articles=None, videos=330, is_illustrative=True
    )
    untouched = {s.pk: MetricSnapshot.objects.filter(pk=s.pk).values().get() for s in (other, illustrative)}

    response = save_grid(staff_app, "2024-03", {seeded["wechat"]: {"views": "20,150,000"}})

    assert "(0 new, 1 corrected)" in text_of(response.follow())
    corrected.refresh_from_db()
    assert (corrected.views, corrected.updated_by, corrected.version) == (20_150_000, staff_user, 2)
    assert {pk: MetricSnapshot.objects.filter(pk=pk).values().get() for pk in untouched} == untouched
    assert [snapshot.history.count() for snapshot in (other, corrected, illustrative)] == [1, 2, 1]


def test_the_grid_corrects_an_existing_month(staff_app, seeded):
    existing = SnapshotFactory(account=seeded["wechat"], period=date(2024, 3, 1), articles=1010, views=20_100_000)

    save_grid(staff_app, "2024-03", {seeded["wechat"]: {"views": "20,150,000", "note": "corrected"}})

    existing.refresh_from_db()
    assert (existing.views, existing.note) == (20_150_000, "corrected")
    assert MetricSnapshot.objects.filter(period=date(2024, 3, 1)).count() == 1


def test_the_grid_reads_chinese_units_and_says_what_it_read(staff_app, seeded):
    response = save_grid(staff_app, "2024-03", {seeded["wechat"]: {"followers": "264万"}})

    assert MetricSnapshot.objects.get(period=date(2024, 3, 1)).followers == 2_640_000
    assert "Followers: “264万” read as 2,640,000" in text_of(response.follow())


def test_nothing_typed_says_so(staff_app, seeded):
    response = grid_form(staff_app.get(f"{GRID_URL}?period=2024-03")).submit()

    assert response.status_code == 200
    assert "Nothing to save" in text_of(response)


def test_a_suspicious_jump_is_flagged_and_saved_only_once_confirmed(staff_app, seeded):
    wechat = seeded["wechat"]
    SnapshotFactory(account=wechat, period=date(2024, 1, 1), articles=990, views=19_900_000, followers=2_620_000)
    # February rose by 100,000 views; March by 10,000,000 is more than ten times that.
    figures = {wechat: {"articles": "1,010", "views": "30,000,000", "followers": "2,640,000"}}

    flagged = save_grid(staff_app, "2024-03", figures)

    assert flagged.status_code == 200
    assert "Views rose by 10,000,000, more than 10 times the previous rise (100,000)" in text_of(flagged)
    assert not MetricSnapshot.objects.filter(period=date(2024, 3, 1)).exists()

    form = grid_form(flagged)
    form["confirm_warnings"] = True
    confirmed = form.submit()

    assert confirmed.status_code == 302
    assert MetricSnapshot.objects.get(period=date(2024, 3, 1)).views == 30_000_000


def test_a_suspicious_fall_of_followers_is_flagged(staff_app, seeded):
    flagged = save_grid(staff_app, "2024-03", {seeded["wechat"]: {"followers": "263"}})

    assert "Followers fell from 2,630,000 in February 2024 to 263 (−99.99%)" in text_of(flagged)
    assert not MetricSnapshot.objects.filter(period=date(2024, 3, 1)).exists()


def test_saving_over_illustrative_figures_makes_them_real(staff_app, seeded):
    illustrative = SnapshotFactory(
        account=seeded["wechat"], period=date(2024, 3, 1), articles=1005, views=20_050_000, is_illustrative=True
    )

    save_grid(staff_app, "2024-03", {seeded["wechat"]: {"articles": "1,010", "views": "20,100,000"}})

    illustrative.refresh_from_db()
    assert (illustrative.views, illustrative.is_illustrative) == (20_100_000, False)


def test_the_second_of_two_people_saving_a_month_is_told_and_overwrites_nothing(
    browser_of, staff_user, seeded, django_user_model
):
    from django.contrib.auth.models import Group

    other = django_user_model.objects.create_user(username="ling", password="a-long-password-2")
    other.groups.add(Group.objects.get(name="Staff"))
    existing = SnapshotFactory(account=seeded["wechat"], period=date(2024, 3, 1), articles=1010, views=20_100_000)
    first, second = browser_of(other), browser_of(staff_user)
    first_form = grid_form(first.get(f"{GRID_URL}?period=2024-03"))
    second_form = grid_form(second.get(f"{GRID_URL}?period=2024-03"))

    assert type_into(first_form, {seeded["wechat"]: {"views": "20,150,000"}}).submit().status_code == 302
    refused = type_into(
        second_form, {seeded["wechat"]: {"views": "20,160,000"}, seeded["douyin"]: {"videos": "350"}}
    ).submit()

    assert refused.status_code == 200
    shown = text_of(refused)
    assert "ling saved these figures at" in shown and "Views is now 20,150,000; you typed 20,160,000" in shown
    existing.refresh_from_db()
    assert existing.views == 20_150_000
    assert not MetricSnapshot.objects.filter(account=seeded["douyin"], period=date(2024, 3, 1)).exists()


def test_two_people_creating_the_same_month_the_second_is_told(browser_of, staff_user, seeded, django_user_model):
    from django.contrib.auth.models import Group

    other = django_user_model.objects.create_user(username="ling", password="a-long-password-2")
    other.groups.add(Group.objects.get(name="Staff"))
    first, second = browser_of(other), browser_of(staff_user)
    first_form = grid_form(first.get(f"{GRID_URL}?period=2024-03"))
    second_form = grid_form(second.get(f"{GRID_URL}?period=2024-03"))

    assert type_into(first_form, {seeded["douyin"]: {"videos": "350"}}).submit().status_code == 302
    refused = type_into(second_form, {seeded["douyin"]: {"videos": "351"}}).submit()

    assert refused.status_code == 200
    assert "Videos is now 350; you typed 351" in text_of(refused)
    assert MetricSnapshot.objects.get(account=seeded["douyin"], period=date(2024, 3, 1)).videos == 350


def test_people_who_may_not_enter_figures_are_refused(client, django_user_model, seeded):
    viewer = django_user_model.objects.create_user(username="viewer", password="a-long-password-1", is_staff=True)
    client.force_login(viewer)

    assert client.get(GRID_URL).status_code == 403
    assert client.post(f"{GRID_URL}?period=2024-03", {f"account-{seeded['wechat'].pk}-views": "1"}).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(GRID_URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login") + "?next=/admin/")


def test_grid_saves_appear_in_each_snapshots_admin_history(staff_app, seeded):
    existing = SnapshotFactory(account=seeded["wechat"], period=date(2024, 3, 1), articles=1010, views=20_100_000)
    save_grid(
        staff_app,
        "2024-03",
        {
            seeded["wechat"]: {"views": "20,150,000", "followers": "2,630,000"},
            seeded["douyin"]: {"videos": "350", "views": "7,700,000"},
        },
    )
    douyin = MetricSnapshot.objects.get(account=seeded["douyin"], period=date(2024, 3, 1))

    corrected = staff_app.get(reverse("admin:outreach_metricsnapshot_history", args=(existing.pk,)))
    added = staff_app.get(reverse("admin:outreach_metricsnapshot_history", args=(douyin.pk,)))

    assert re.search(r"Views:?\s*20,?100,?000\s*(→|->)\s*20,?150,?000", text_of(corrected))
    assert "Created" in text_of(added) and "staff" in text_of(added)
    history = list(douyin.history.values_list("history_type", "history_user__username", "views"))
    assert history == [("+", "staff", 7_700_000)]


def test_the_grid_posts_to_the_month_it_shows(staff_app, seeded):
    assert grid_form(staff_app.get(GRID_URL)).action == "?period=2024-03"


def test_every_input_of_the_grid_has_a_name_people_hear(staff_app, seeded):
    page = staff_app.get(f"{GRID_URL}?period=2024-03")

    inputs = page.html.select("tbody input:not([type=hidden])")
    assert inputs and all(field.get("aria-label") for field in inputs)
    assert "Note, Shanghai Science & Technology Museum · Douyin" in [field["aria-label"] for field in inputs]


def test_the_chinese_grid_shows_chinese_account_names(staff_app, seeded):
    page = staff_app.get(f"{GRID_URL}?period=2024-03", headers={"Accept-Language": "zh-hans"})

    names = [row.get_text(" ", strip=True) for row in page.html.select("tbody tr:not(.previous) th")]
    assert names[1].startswith("微信公众号 上海科技馆")
    # Views of articles and videos together in one column; each row's input says which it is.
    assert [th.get_text() for th in page.html.select(".month-grid thead th")] == [
        "账号",
        "文章",
        "视频",
        "浏览量",
        "粉丝",
        "约数",
        "备注",
    ]
    douyin_views = page.html.select_one(f"[name=account-{seeded['douyin'].pk}-views]")["aria-label"]
    wechat_views = page.html.select_one(f"[name=account-{seeded['wechat'].pk}-views]")["aria-label"]
    assert douyin_views.endswith("播放量") and wechat_views.endswith("阅读量")
