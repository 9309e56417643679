"""The month grid: staff enter one month for every active account at once, all or nothing."""

import re
from datetime import date

import pytest
from django.urls import reverse

from outreach.models import MetricSnapshot
from tests.conftest import AccountFactory, SnapshotFactory

pytestmark = pytest.mark.django_db

GRID_URL = reverse("admin:outreach_month_grid")


def grid_data(accounts_figures: dict, **extra) -> dict:
    """POST data for the grid: {account: {field: typed value}}."""
    data = {}
    for account, figures in accounts_figures.items():
        for field, value in figures.items():
            data[f"account-{account.pk}-{field}"] = value
    data.update(extra)
    return data


def all_rows():
    return list(MetricSnapshot.objects.order_by("pk").values())


MARCH_2024 = {
    "kepu-china": {"articles": "52", "views": "1,950,000"},
    "wechat": {"articles": "1,010", "views": "20,100,000", "followers": "2,640,000", "approximate": "on"},
    "douyin": {"videos": "350", "views": "7,700,000"},
    "bilibili": {"videos": "330", "views": "1,400,000"},
}


def test_staff_enter_march_2024_for_every_account_and_find_them_in_the_list(staff_client, seeded):
    response = staff_client.post(
        f"{GRID_URL}?period=2024-03", grid_data({seeded[slug]: figures for slug, figures in MARCH_2024.items()})
    )

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

    listing = staff_client.get(response.url)
    page = listing.content.decode()
    assert "Saved the figures of 4 accounts for March 2024 (4 new, 0 corrected)." in page
    assert "2024-03" in page and "20,100,000" in page and "7,700,000" in page


def test_the_grid_shows_every_active_account_with_its_latest_totals(staff_client, seeded):
    AccountFactory(platform=seeded["wechat"].platform, name="Closed account", is_active=False)
    AccountFactory(platform=seeded["wechat"].platform, name="Opens later", opened_on=date(2024, 6, 1))

    response = staff_client.get(f"{GRID_URL}?period=2024-03")

    page = response.content.decode()
    rows = response.context["grid"].forms
    assert [form.row.account for form in rows] == [seeded[s] for s in ("kepu-china", "wechat", "douyin", "bilibili")]
    assert "Closed account" not in page and "Opens later" not in page
    assert "Latest before: February 2024" in page
    for figure in ("1,886,000", "20,000,000", "2,630,000", "7,653,000", "1,367,000"):
        assert figure in page
    # Douyin counts videos only: no articles input for it.
    assert f'name="account-{seeded["douyin"].pk}-articles"' not in page
    assert f'name="account-{seeded["douyin"].pk}-videos"' in page


def test_the_grid_opens_on_the_month_after_the_latest_figures(staff_client, seeded):
    response = staff_client.get(GRID_URL)

    assert response.context["period"] == date(2024, 3, 1)
    assert "Figures at the end of March 2024" in response.content.decode()


def test_one_mistyped_total_saves_nothing_and_shows_its_error_beside_the_field(staff_client, seeded):
    before = all_rows()
    figures = {seeded[slug]: dict(values) for slug, values in MARCH_2024.items()}
    figures[seeded["douyin"]]["views"] = "7,600,000"  # lower than February's 7,653,000

    response = staff_client.post(f"{GRID_URL}?period=2024-03", grid_data(figures))

    assert response.status_code == 200
    douyin_form = next(f for f in response.context["grid"].forms if f.row.account == seeded["douyin"])
    assert douyin_form.errors["views"] == ["Views can't go down: February 2024 was 7,653,000."]
    assert "Nothing was saved. Correct the figures marked below." in response.content.decode()
    assert all_rows() == before


@pytest.mark.parametrize(
    ("typed", "message"),
    [("-1", "A count can't be negative."), ("lots", "is not a whole number"), ("9" * 20, "larger than any count")],
)
def test_bad_counts_in_the_grid_save_nothing(staff_client, seeded, typed, message):
    before = all_rows()
    figures = {seeded[slug]: dict(values) for slug, values in MARCH_2024.items()}
    figures[seeded["bilibili"]]["videos"] = typed

    response = staff_client.post(f"{GRID_URL}?period=2024-03", grid_data(figures))

    bilibili_form = next(f for f in response.context["grid"].forms if f.row.account == seeded["bilibili"])
    assert message in bilibili_form.errors["videos"][0]
    assert all_rows() == before


def test_a_future_month_cannot_be_entered(staff_client, seeded, next_month):
    before = all_rows()
    period = next_month.strftime("%Y-%m")

    response = staff_client.post(f"{GRID_URL}?period={period}", grid_data({seeded["wechat"]: {"views": "30000000"}}))

    assert "is in the future" in response.context["picker"].errors["period"][0]
    assert all_rows() == before


def test_a_malformed_month_is_a_message_not_an_error_page(staff_client, seeded):
    response = staff_client.get(f"{GRID_URL}?period=4/1/24")

    assert response.status_code == 200
    assert "day and month order cannot be known" in response.context["picker"].errors["period"][0]


def test_empty_rows_are_skipped_and_unchanged_rows_left_alone(staff_client, seeded):
    existing = SnapshotFactory(
        account=seeded["wechat"], period=date(2024, 3, 1), articles=1010, views=20_100_000, followers=None
    )
    stamp = existing.updated_at
    data = grid_data(
        {
            seeded["wechat"]: {"articles": "1,010", "views": "20100000", "followers": "", "version": "1"},
            seeded["douyin"]: {"videos": "350", "views": "7,700,000"},
        }
    )

    response = staff_client.post(f"{GRID_URL}?period=2024-03", data)

    assert response.status_code == 302
    assert MetricSnapshot.objects.filter(period=date(2024, 3, 1)).count() == 2
    existing.refresh_from_db()
    assert existing.updated_at == stamp


def test_the_grid_corrects_an_existing_month(staff_client, seeded):
    existing = SnapshotFactory(account=seeded["wechat"], period=date(2024, 3, 1), articles=1010, views=20_100_000)

    staff_client.post(
        f"{GRID_URL}?period=2024-03",
        grid_data(
            {seeded["wechat"]: {"articles": "1,010", "views": "20,150,000", "note": "corrected", "version": "1"}}
        ),
    )

    existing.refresh_from_db()
    assert (existing.views, existing.note) == (20_150_000, "corrected")
    assert MetricSnapshot.objects.filter(period=date(2024, 3, 1)).count() == 1


def test_nothing_typed_says_so(staff_client, seeded):
    response = staff_client.post(f"{GRID_URL}?period=2024-03", {})

    assert response.status_code == 200
    assert "Nothing to save" in response.content.decode()


def test_a_suspicious_jump_is_flagged_and_saved_only_once_confirmed(staff_client, seeded):
    wechat = seeded["wechat"]
    SnapshotFactory(account=wechat, period=date(2024, 1, 1), articles=990, views=19_900_000, followers=2_620_000)
    # February rose by 100,000 views; March by 10,000,000 is more than ten times that.
    figures = grid_data({wechat: {"articles": "1,010", "views": "30,000,000", "followers": "2,640,000"}})

    flagged = staff_client.post(f"{GRID_URL}?period=2024-03", figures)

    assert flagged.status_code == 200
    assert "Views rose by 10,000,000, more than 10 times the previous rise (100,000)" in flagged.content.decode()
    assert not MetricSnapshot.objects.filter(period=date(2024, 3, 1)).exists()

    confirmed = staff_client.post(f"{GRID_URL}?period=2024-03", {**figures, "confirm_warnings": "1"})

    assert confirmed.status_code == 302
    assert MetricSnapshot.objects.get(period=date(2024, 3, 1)).views == 30_000_000


def test_saving_over_illustrative_figures_makes_them_real(staff_client, seeded):
    illustrative = SnapshotFactory(
        account=seeded["wechat"], period=date(2024, 3, 1), articles=1005, views=20_050_000, is_illustrative=True
    )

    staff_client.post(
        f"{GRID_URL}?period=2024-03", grid_data({seeded["wechat"]: {"articles": "1,010", "views": "20,100,000"}})
    )

    illustrative.refresh_from_db()
    assert (illustrative.views, illustrative.is_illustrative) == (20_100_000, False)


def test_people_who_may_not_enter_figures_are_refused(client, django_user_model, seeded):
    viewer = django_user_model.objects.create_user(username="viewer", password="a-long-password-1", is_staff=True)
    client.force_login(viewer)

    assert client.get(GRID_URL).status_code == 403
    assert client.post(f"{GRID_URL}?period=2024-03", grid_data({seeded["wechat"]: {"views": "1"}})).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(GRID_URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login") + "?next=/admin/")


def test_grid_saves_appear_in_each_snapshots_admin_history(staff_client, seeded):
    existing = SnapshotFactory(account=seeded["wechat"], period=date(2024, 3, 1), articles=1010, views=20_100_000)
    staff_client.post(
        f"{GRID_URL}?period=2024-03",
        grid_data(
            {
                seeded["wechat"]: {
                    "articles": "1,010",
                    "views": "20,150,000",
                    "followers": "2,630,000",
                    "version": "1",
                },
                seeded["douyin"]: {"videos": "350", "views": "7,700,000"},
            }
        ),
    )
    douyin = MetricSnapshot.objects.get(account=seeded["douyin"], period=date(2024, 3, 1))

    corrected = staff_client.get(reverse("admin:outreach_metricsnapshot_history", args=(existing.pk,)))
    added = staff_client.get(reverse("admin:outreach_metricsnapshot_history", args=(douyin.pk,)))

    assert re.search(r"Views:</strong>\s*20100000\s*(&nbsp;)*&rarr;(&nbsp;)*20150000", corrected.content.decode())
    assert "Created" in added.content.decode() and "staff" in added.content.decode()
    history = list(douyin.history.values_list("history_type", "history_user__username", "views"))
    assert history == [("+", "staff", 7_700_000)]


def test_the_grid_posts_to_the_month_it_shows(staff_client, seeded):
    page = staff_client.get(GRID_URL).content.decode()

    assert 'method="post" action="?period=2024-03"' in page
