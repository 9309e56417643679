"""The monthly totals the dashboard reads for every account: every write path keeps them equal to what
the snapshots add up to, so that the national dashboard needs no scan of millions of rows."""

import io
import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outreach import services
from outreach.models import Account, MetricSnapshot, MonthlyTotal, Platform
from outreach.monthly_totals import COLUMNS
from outreach.months import add_months
from outreach.rules import METRICS
from tests.outreach.test_dashboard import figure

pytestmark = pytest.mark.django_db

SNAPSHOTS = "admin:outreach_metricsnapshot"


def kept_totals() -> list[tuple]:
    return sorted(MonthlyTotal.objects.filter(reporting__gt=0).values_list("platform_id", "period", "metric", *COLUMNS))


def computed_totals() -> list[tuple]:
    """The same totals, computed from every snapshot at once by the rebuild's SQL (then rolled back)."""
    with transaction.atomic():
        services.monthly_totals_rebuild()
        rows = kept_totals()
        transaction.set_rollback(True)
    return rows


def assert_totals_follow_the_snapshots() -> None:
    kept = kept_totals()
    assert kept, "no totals kept at all"
    assert kept == computed_totals()


def snapshot_form(account: Account, period: str, **figures) -> dict:
    data = {"account": account.pk, "period": period, "note": "", "version": "", "_save": "Save"}
    data.update({metric: "" for metric in METRICS})
    data.update({name: str(value) for name, value in figures.items()})
    return data


def account_form(account: Account, **changes) -> dict:
    data = {
        "platform": account.platform_id,
        "name": account.name,
        "name_zh": account.name_zh,
        "handle": account.handle,
        "url": account.url,
        "opened_on": account.opened_on.isoformat(),
        "is_active": "on",
        "_save": "Save",
    }
    data.update(changes)
    return data


def test_every_write_path_keeps_the_totals_equal_to_the_snapshots(admin_client, seeded):
    call_command("load_seed_figures", "--illustrative-history", stdout=io.StringIO())
    assert_totals_follow_the_snapshots()

    wechat, douyin = seeded["wechat"], seeded["douyin"]
    added = admin_client.post(
        reverse(f"{SNAPSHOTS}_add"), snapshot_form(wechat, "2024-03", articles=1010, views=20_100_000)
    )
    assert added.status_code == 302
    assert_totals_follow_the_snapshots()

    march = MetricSnapshot.objects.get(account=wechat, period=date(2024, 3, 1))
    moved = admin_client.post(
        reverse(f"{SNAPSHOTS}_change", args=(march.pk,)),
        snapshot_form(wechat, "2024-05", articles=1010, views=20_100_000) | {"version": march.version},
    )
    assert moved.status_code == 302, "the month of a snapshot can be corrected"
    assert_totals_follow_the_snapshots()

    grid = admin_client.post(
        f"{reverse('admin:outreach_month_grid')}?period=2024-04",
        {f"account-{douyin.pk}-videos": "350", f"account-{douyin.pk}-views": "7,700,000"},
    )
    assert grid.status_code == 302
    assert_totals_follow_the_snapshots()

    csv = (
        "platform,account,period,articles,videos,views,followers\r\n"
        f"douyin,{douyin.name},2024-04,,351,7800000,\r\n"
        f"douyin,{douyin.name},2024-06,,360,8000000,\r\n"
    )
    upload = admin_client.post(reverse("admin:outreach_import"), {"file": SimpleUploadedFile("june.csv", csv.encode())})
    assert upload.status_code == 302
    assert admin_client.post(upload.url).status_code == 302
    assert MetricSnapshot.objects.get(account=douyin, period=date(2024, 4, 1)).views == 7_800_000
    assert_totals_follow_the_snapshots()

    may = MetricSnapshot.objects.get(account=wechat, period=date(2024, 5, 1))
    assert admin_client.post(reverse(f"{SNAPSHOTS}_delete", args=(may.pk,)), {"post": "yes"}).status_code == 302
    assert_totals_follow_the_snapshots()

    two = list(MetricSnapshot.objects.filter(account=douyin, period__gte=date(2024, 4, 1)).values_list("pk", flat=True))
    bulk = admin_client.post(
        reverse(f"{SNAPSHOTS}_changelist"),
        {"action": "delete_selected", "_selected_action": two, "post": "yes"},
    )
    assert bulk.status_code == 302 and not MetricSnapshot.objects.filter(pk__in=two).exists()
    assert_totals_follow_the_snapshots()

    version = MetricSnapshot.history.filter(id=may.pk, history_type="+").latest()
    restore = reverse(f"{SNAPSHOTS}_simple_history", args=(may.pk, version.history_id))
    restored = admin_client.post(restore, snapshot_form(wechat, "2024-05", articles=1010, views=20_100_000))
    assert restored.status_code == 302 and MetricSnapshot.objects.filter(pk=may.pk).exists()
    assert_totals_follow_the_snapshots()

    bilibili = Platform.objects.get(slug="bilibili")
    changed = admin_client.post(
        reverse("admin:outreach_account_change", args=(douyin.pk,)),
        account_form(douyin, platform=bilibili.pk, name="Museum videos"),
    )
    assert changed.status_code == 302, changed.context["adminform"].form.errors
    assert Account.objects.get(pk=douyin.pk).platform == bilibili
    assert_totals_follow_the_snapshots()

    call_command("remove_illustrative_history", stdout=io.StringIO())
    assert_totals_follow_the_snapshots()


def test_the_dashboard_of_every_account_equals_the_dashboard_naming_each_one(manager_client, seeded):
    """The page over every account reads the kept totals; naming the accounts computes from snapshots."""
    call_command("load_seed_figures", "--illustrative-history", stdout=io.StringIO())
    every = ",".join(str(pk) for pk in Account.objects.values_list("pk", flat=True))

    for query in ("", "?metric=followers&granularity=quarter", "?start=2020-01&end=2023-06&metric=articles"):
        kept = manager_client.get(f"{reverse('dashboard')}{query}")
        computed = manager_client.get(f"{reverse('dashboard')}{query}{'&' if query else '?'}accounts={every}")
        assert kept.status_code == computed.status_code == 200
        for name in ("cumulative", "increments", "shares", "year_over_year"):
            assert figure(kept, name)["data"] == figure(computed, name)["data"], (query, name)
        cards = re.compile(r'<section class="cards".*?</section>', re.S)
        assert cards.findall(kept.content.decode()) == cards.findall(computed.content.decode())


def test_after_a_bulk_load_the_refresh_command_computes_the_totals(manager_client, seeded):
    wechat = seeded["wechat"]
    MetricSnapshot.objects.bulk_create(
        MetricSnapshot(account=wechat, period=add_months(date(2023, 1, 1), n), views=10_000_000 + n * 1000)
        for n in range(12)
    )
    assert kept_totals() != computed_totals(), "a bulk load bypasses the app's writes"

    out = io.StringIO()
    call_command("refresh_monthly_totals", stdout=out)

    assert kept_totals() == computed_totals()
    assert re.fullmatch(r"Rebuilt \d+ monthly totals.\n", out.getvalue())
    page = manager_client.get(reverse("dashboard"), {"start": "2023-01", "end": "2023-12"})
    assert [trace["name"] for trace in figure(page, "increments")["data"]] == [wechat.platform.name]


# Any sequence of writes, however odd (totals going down, gaps, months moved between accounts):
# the differences the writes add keep the totals equal to a computation from scratch.
_months = st.integers(min_value=0, max_value=14)
_count = st.one_of(st.none(), st.integers(min_value=0, max_value=10**12))
_write = st.one_of(
    st.tuples(
        st.just("save"),
        st.integers(0, 2),
        _months,
        st.fixed_dictionaries({metric: _count for metric in METRICS}),
        st.booleans(),
        st.booleans(),
    ),
    st.tuples(st.just("delete"), st.integers(0, 2), _months, st.integers(0, 14)),
    st.tuples(st.just("move"), st.integers(0, 2), st.integers(0, 14)),
    st.tuples(st.just("platform"), st.integers(0, 2), st.sampled_from(["wechat", "douyin", "bilibili"])),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(writes=st.lists(_write, min_size=1, max_size=12))
def test_any_sequence_of_writes_keeps_the_totals_true(db, writes):
    wechat = Platform.objects.get(slug="wechat")
    accounts = [
        Account.objects.get_or_create(
            name=f"Account {n}", defaults={"platform": wechat, "opened_on": date(2015, 1, 1)}
        )[0]
        for n in range(3)
    ]
    MetricSnapshot.objects.all().delete()
    MonthlyTotal.objects.all().delete()
    Account.objects.filter(pk__in=[account.pk for account in accounts]).update(platform=wechat)

    def month(index: int) -> date:
        return add_months(date(2023, 1, 1), index)

    for write in writes:
        kind, account = write[0], accounts[write[1]]
        with transaction.atomic():
            if kind == "save":
                _kind, _account, index, figures, approximate, illustrative = write
                if all(value is None for value in figures.values()):
                    figures = {**figures, "views": 0}
                keys = [(account.pk, month(index))]
                with services.monthly_totals_following(keys):
                    MetricSnapshot.objects.update_or_create(
                        account=account,
                        period=month(index),
                        defaults={**figures, "approximate": approximate, "is_illustrative": illustrative},
                    )
            elif kind == "delete":
                first, last = sorted((month(write[2]), month(write[3])))
                services.snapshots_delete(MetricSnapshot.objects.filter(account=account, period__range=(first, last)))
            elif kind == "move":
                snapshot = MetricSnapshot.objects.filter(account=account).first()
                target = accounts[(write[1] + 1) % 3]
                if snapshot is None or MetricSnapshot.objects.filter(account=target, period=month(write[2])).exists():
                    continue
                keys = [(account.pk, snapshot.period), (target.pk, month(write[2]))]
                with services.monthly_totals_following(keys):
                    snapshot.account, snapshot.period = target, month(write[2])
                    snapshot.save()
            else:
                account.refresh_from_db()
                account.platform = Platform.objects.get(slug=write[2])
                services.account_save(account=account)
        assert kept_totals() == computed_totals(), write
