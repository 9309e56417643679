"""The audit trail and concurrent edits: every change to a figure is recorded, and none is silently lost."""

from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from outreach.models import Account, MetricSnapshot, Milestone, Platform

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_member(django_user_model):
    """A member of the Staff group, signed in: no is_staff flag, the role is enough."""

    def make(name: str) -> Client:
        user = django_user_model.objects.create_user(username=name, password=f"a-long-{name}-password")
        user.groups.add(Group.objects.get(name="Staff"))
        client = Client()
        client.force_login(user)
        return client

    return make


def form_data(snapshot: MetricSnapshot, **changes) -> dict:
    data = {
        "account": snapshot.account_id,
        "period": snapshot.period.strftime("%Y-%m"),
        "articles": snapshot.articles or "",
        "videos": snapshot.videos or "",
        "views": snapshot.views or "",
        "followers": snapshot.followers or "",
        "note": snapshot.note,
        "version": snapshot.version,
        "_save": "Save",
    }
    if snapshot.approximate:
        data["approximate"] = "on"
    data.update(changes)
    return data


def test_create_change_and_delete_are_recorded_with_who_and_the_values_before_and_after(staff_member, seeded):
    alice = staff_member("alice")
    created = alice.post(
        reverse("admin:outreach_metricsnapshot_add"),
        {"account": seeded["douyin"].pk, "period": "2024-03", "videos": "350", "views": "7,700,000"},
    )
    assert created.status_code == 302
    snapshot = MetricSnapshot.objects.get(period=date(2024, 3, 1))
    alice.post(
        reverse("admin:outreach_metricsnapshot_change", args=(snapshot.pk,)), form_data(snapshot, views="7,800,000")
    )
    alice.post(reverse("admin:outreach_metricsnapshot_delete", args=(snapshot.pk,)), {"post": "yes"})

    history = list(
        MetricSnapshot.history.filter(id=snapshot.pk)
        .order_by("history_date")
        .values_list("history_type", "history_user__username", "views")
    )
    assert history == [("+", "alice", 7_700_000), ("~", "alice", 7_800_000), ("-", "alice", 7_800_000)]
    assert not MetricSnapshot.objects.filter(pk=snapshot.pk).exists()


def test_accounts_platforms_and_milestones_keep_a_history_too(admin_client, seeded):
    account = seeded["bilibili"]
    admin_client.post(
        reverse("admin:outreach_account_change", args=(account.pk,)),
        {
            "platform": account.platform_id,
            "name": account.name,
            "name_zh": "上海科技馆官方",
            "handle": "",
            "url": "",
            "opened_on": "2020-06-01",
            "is_active": "on",
        },
    )
    Milestone.objects.create(date=date(2024, 1, 1), title="New year")
    platform = Platform.objects.get(slug="douyin")
    platform.color = "#fe2c55"
    platform.save()

    assert list(
        Account.history.filter(id=account.pk).order_by("history_date").values_list("history_type", "name_zh")
    ) == [
        ("+", "上海科技馆"),
        ("~", "上海科技馆官方"),
    ]
    assert Milestone.history.filter(title="New year", history_type="+").exists()
    assert Platform.history.filter(slug="douyin").latest().color == "#fe2c55"


def test_recent_changes_lists_the_latest_edits_with_before_and_after(staff_member, seeded, client, django_user_model):
    alice = staff_member("alice")
    snapshot = MetricSnapshot.objects.get(account=seeded["douyin"])
    alice.post(
        reverse("admin:outreach_metricsnapshot_change", args=(snapshot.pk,)), form_data(snapshot, views="7,654,000")
    )
    manager = django_user_model.objects.create_user(username="boss", password="a-long-boss-password")
    manager.groups.add(Group.objects.get(name="Managers"))
    client.force_login(manager)

    page = client.get(reverse("recent_changes")).content.decode()

    assert "alice" in page
    assert "Views: 7,653,000 → 7,654,000" in page
    assert "Douyin" in page


def test_a_deleted_snapshot_can_be_restored_from_its_history(staff_member, seeded):
    alice = staff_member("alice")
    snapshot = MetricSnapshot.objects.get(account=seeded["wechat"])
    snapshot.note = "as the article says"
    snapshot.save()
    alice.post(reverse("admin:outreach_metricsnapshot_delete", args=(snapshot.pk,)), {"post": "yes"})
    assert not MetricSnapshot.objects.filter(pk=snapshot.pk).exists()

    history_page = alice.get(reverse("admin:outreach_metricsnapshot_history", args=(snapshot.pk,)))
    version = MetricSnapshot.history.filter(id=snapshot.pk, history_type="~").latest()
    restore_url = reverse("admin:outreach_metricsnapshot_simple_history", args=(snapshot.pk, version.history_id))
    assert restore_url in history_page.content.decode()
    restore_form = alice.get(restore_url)
    restored = alice.post(restore_url, {**form_data(version.instance), "version": ""})

    assert restore_form.status_code == 200 and restored.status_code == 302
    back = MetricSnapshot.objects.get(pk=snapshot.pk)
    assert (back.views, back.followers, back.approximate, back.note) == (
        20_000_000,
        2_630_000,
        True,
        "as the article says",
    )
    assert MetricSnapshot.history.filter(id=snapshot.pk).latest().history_type in ("+", "~")


def test_an_import_records_the_file_it_came_from(staff_client, seeded):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = "platform,account,period,articles,videos,views,followers\r\nbilibili,上海科技馆,2024-03,,330,1400000,\r\n"
    preview = staff_client.post(
        reverse("admin:outreach_import"), {"file": SimpleUploadedFile("march.csv", content.encode())}
    )
    staff_client.post(preview.url)

    record = MetricSnapshot.history.get(period=date(2024, 3, 1))
    assert record.history_change_reason.startswith("Imported from march.csv")
    assert record.history_user.username == "staff"


def test_the_second_of_two_staff_saving_the_same_snapshot_is_told_and_sees_both_values(staff_member, seeded):
    alice, bob = staff_member("alice"), staff_member("bob")
    snapshot = MetricSnapshot.objects.get(account=seeded["douyin"])
    url = reverse("admin:outreach_metricsnapshot_change", args=(snapshot.pk,))
    alice.get(url)
    bob.get(url)
    loaded = form_data(snapshot)

    first = alice.post(url, {**loaded, "views": "7,700,000"})
    second = bob.post(url, {**loaded, "views": "7,690,000"})

    assert first.status_code == 302
    assert second.status_code == 200
    errors = " ".join(second.context["adminform"].form.non_field_errors())
    assert "alice saved these figures at" in errors
    assert "Views is now 7,700,000; you typed 7,690,000" in errors
    assert MetricSnapshot.objects.get(pk=snapshot.pk).views == 7_700_000

    # Having seen both, bob saves again on purpose: the form now carries the newer version.
    again = bob.post(
        url, {**loaded, "views": "7,690,000", "version": second.context["adminform"].form["version"].value()}
    )
    assert again.status_code == 302
    assert MetricSnapshot.objects.get(pk=snapshot.pk).views == 7_690_000


def test_the_month_grid_refuses_to_overwrite_a_row_saved_meanwhile(staff_member, seeded):
    alice, bob = staff_member("alice"), staff_member("bob")
    grid = reverse("admin:outreach_month_grid") + "?period=2024-03"
    douyin = seeded["douyin"]
    prefix = f"account-{douyin.pk}"
    empty = {f"{prefix}-version": ""}

    alice.post(grid, {**empty, f"{prefix}-videos": "350", f"{prefix}-views": "7,700,000"})
    response = bob.post(grid, {**empty, f"{prefix}-videos": "351", f"{prefix}-views": "7,710,000"})

    assert response.status_code == 200
    row = next(form for form in response.context["grid"].forms if form.row.account == douyin)
    assert "alice saved these figures" in " ".join(row.non_field_errors())
    assert MetricSnapshot.objects.get(account=douyin, period=date(2024, 3, 1)).views == 7_700_000
