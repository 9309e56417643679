"""The audit trail and concurrent edits: every change to a figure is recorded, and none is silently lost."""

from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from outreach.models import Account, MetricSnapshot, Milestone, Platform

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_member(browser_of, django_user_model):
    """A member of the Staff group in a browser of their own: no is_staff flag, the role is enough."""

    def make(name: str):
        user = django_user_model.objects.create_user(username=name, password=f"a-long-{name}-password")
        user.groups.add(Group.objects.get(name="Staff"))
        return browser_of(user)

    return make


def snapshot_form(app, snapshot_pk: int | None = None):
    url = (
        reverse("admin:outreach_metricsnapshot_change", args=(snapshot_pk,))
        if snapshot_pk
        else reverse("admin:outreach_metricsnapshot_add")
    )
    return app.get(url).forms["metricsnapshot_form"]


def test_create_change_and_delete_are_recorded_with_who_and_the_values_before_and_after(staff_member, seeded):
    alice = staff_member("alice")
    form = snapshot_form(alice)
    form["account"] = str(seeded["douyin"].pk)
    form["period"] = "2024-03"
    form["videos"] = "350"
    form["views"] = "7,700,000"
    assert form.submit("_save").status_code == 302
    snapshot = MetricSnapshot.objects.get(period=date(2024, 3, 1))
    form = snapshot_form(alice, snapshot.pk)
    form["views"] = "7,800,000"
    form.submit("_save")
    confirm = alice.get(reverse("admin:outreach_metricsnapshot_delete", args=(snapshot.pk,)))
    next(f for f in confirm.forms.values() if "post" in f.fields).submit()

    history = list(
        MetricSnapshot.history.filter(id=snapshot.pk)
        .order_by("history_date")
        .values_list("history_type", "history_user__username", "views")
    )
    assert history == [("+", "alice", 7_700_000), ("~", "alice", 7_800_000), ("-", "alice", 7_800_000)]
    assert not MetricSnapshot.objects.filter(pk=snapshot.pk).exists()


def test_accounts_platforms_and_milestones_keep_a_history_too(django_app, admin_user, seeded):
    account = seeded["bilibili"]
    form = django_app.get(reverse("admin:outreach_account_change", args=(account.pk,)), user=admin_user).forms[
        "account_form"
    ]
    form["name_zh"] = "上海科技馆官方"
    assert form.submit("_save").status_code == 302
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
    form = snapshot_form(alice, snapshot.pk)
    form["views"] = "7,654,000"
    form.submit("_save")
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
    confirm = alice.get(reverse("admin:outreach_metricsnapshot_delete", args=(snapshot.pk,)))
    next(f for f in confirm.forms.values() if "post" in f.fields).submit()
    assert not MetricSnapshot.objects.filter(pk=snapshot.pk).exists()

    history_page = alice.get(reverse("admin:outreach_metricsnapshot_history", args=(snapshot.pk,)))
    version = MetricSnapshot.history.filter(id=snapshot.pk, history_type="~").latest()
    restore_url = reverse("admin:outreach_metricsnapshot_simple_history", args=(snapshot.pk, version.history_id))
    restored = history_page.click(href=restore_url).forms["historicalmetricsnapshot_form"].submit("_save")

    assert restored.status_code == 302
    back = MetricSnapshot.objects.get(pk=snapshot.pk)
    assert (back.views, back.followers, back.approximate, back.note) == (
        20_000_000,
        2_630_000,
        True,
        "as the article says",
    )
    assert MetricSnapshot.history.filter(id=snapshot.pk).latest().history_type in ("+", "~")


def test_an_import_records_the_file_it_came_from(django_app, staff_user, seeded):
    from webtest import Upload

    from tests.pages import form_posting_to

    content = "platform,account,period,articles,videos,views,followers\r\nbilibili,上海科技馆,2024-03,,330,1400000,\r\n"
    django_app.set_user(staff_user)
    upload = form_posting_to(django_app.get(reverse("admin:outreach_import")))
    upload["file"] = Upload("march.csv", content.encode())
    form_posting_to(upload.submit().follow()).submit()

    record = MetricSnapshot.history.get(period=date(2024, 3, 1))
    assert record.history_change_reason.startswith("Imported from march.csv")
    assert record.history_user.username == "staff"
