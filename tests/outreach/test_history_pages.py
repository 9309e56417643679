"""A snapshot's history in the admin, as staff read it in English and Chinese: counts with separators,
a reason only where there is one, and a restore from the history listed (and recorded) as a restore."""

import re
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from outreach.models import MetricSnapshot
from outreach.services.snapshots import snapshot_save
from tests.factories import SnapshotFactory

pytestmark = pytest.mark.django_db

ENGLISH = {"Accept-Language": "en"}
CHINESE = {"Accept-Language": "zh-hans"}


@pytest.fixture
def snapshot(wechat_account, admin_user):
    """February's WeChat figures, then a correction of its followers: two versions."""
    snapshot = SnapshotFactory(account=wechat_account, period=date(2024, 2, 1), followers=2_630_000)
    snapshot.followers = 2_680_000
    snapshot_save(snapshot=snapshot, user=admin_user)
    return snapshot


def history_rows(page) -> list[dict[str, str]]:
    """The history table as a reader sees it: one dict per row, by column heading."""
    table = page.html.select_one("table#change-history")
    headings = [cell.get_text(" ", strip=True) for cell in table.select("thead th")]
    return [
        dict(
            zip(headings, (" ".join(cell.get_text(" ", strip=True).split()) for cell in row.select("td")), strict=True)
        )
        for row in table.select("tbody tr")
    ]


def history_url(snapshot) -> str:
    return reverse("admin:outreach_metricsnapshot_history", args=(snapshot.pk,))


def test_the_history_shows_counts_with_separators_and_no_empty_reason(django_app, admin_user, snapshot):
    page = django_app.get(history_url(snapshot), user=admin_user, headers=ENGLISH)

    newest, created = history_rows(page)
    assert newest["Comment"] == "Changed" and created["Comment"] == "Created"
    assert "Followers: 2,630,000 → 2,680,000" in newest["Changes"]
    assert newest["Change reason"] == created["Change reason"] == ""
    assert "None" not in page.html.select_one("table#change-history").get_text()
    assert "2630000" not in page.text and "2680000" not in page.text


def test_the_chinese_history_reads_in_chinese_with_separators(django_app, admin_user, snapshot):
    page = django_app.get(history_url(snapshot), user=admin_user, headers=CHINESE)

    assert page.html.html["lang"] == "zh-hans"
    newest, _created = history_rows(page)
    assert newest["修改原因"] == ""
    assert re.search(r"粉丝\S*: 2,630,000 → 2,680,000", newest["修改内容"]), newest
    assert "None" not in page.html.select_one("table#change-history").get_text()
    assert "2630000" not in page.text


def restore_the_first_version(django_app, admin_user, snapshot, headers):
    """Open the history, click the oldest version, and save it as the page renders it."""
    history = django_app.get(history_url(snapshot), user=admin_user, headers=headers)
    version = history.html.select("table#change-history tbody tr")[-1].select_one("td a")["href"]
    form = django_app.get(version, user=admin_user, headers=headers).forms["historicalmetricsnapshot_form"]
    form.submit("_save", headers=headers).follow()
    return django_app.get(history_url(snapshot), user=admin_user, headers=headers)


def test_a_restore_is_recorded_and_listed_as_a_restore(django_app, admin_user, snapshot):
    created_at = MetricSnapshot.history.filter(id=snapshot.pk, history_type="+").get().history_date

    page = restore_the_first_version(django_app, admin_user, snapshot, ENGLISH)

    assert MetricSnapshot.objects.get(pk=snapshot.pk).followers == 2_630_000
    restored = MetricSnapshot.history.filter(id=snapshot.pk).latest()
    assert restored.history_change_reason.startswith("Restored from the version of ")
    newest = history_rows(page)[0]
    assert newest["Comment"] == "Restored"
    when = timezone.localtime(created_at).strftime("%Y-%m-%d %H:%M")
    assert newest["Change reason"] == f"Restored from the version of {when}"
    assert "Followers: 2,680,000 → 2,630,000" in newest["Changes"]


def test_a_restore_reads_as_one_in_chinese(django_app, admin_user, snapshot):
    page = restore_the_first_version(django_app, admin_user, snapshot, CHINESE)

    newest = history_rows(page)[0]
    assert newest["操作"] == "已恢复"
    assert re.fullmatch(r"已恢复为\d{4}-\d\d-\d\d \d\d:\d\d的版本", newest["修改原因"]), newest
    assert "2,680,000 → 2,630,000" in newest["修改内容"]
