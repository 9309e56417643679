"""The monthly totals the dashboard reads for every account: every write path keeps them equal to what
the snapshots add up to, so that the national dashboard needs no scan of millions of rows."""

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from webtest import Upload

from accounts.models import User
from outreach.metrics import METRICS
from outreach.models import Account, MetricSnapshot, MonthlyTotal, Platform
from outreach.months import add_months
from outreach.services.imports import ImportRefused, snapshot_import_file
from outreach.services.snapshots import account_save, month_grid_save, snapshot_save, snapshots_delete
from outreach.services.totals import monthly_totals_rebuild
from tests.outreach.test_dashboard import figure
from tests.outreach.test_month_grid import save_grid
from tests.pages import run_admin_action, text_of

pytestmark = pytest.mark.django_db

SNAPSHOTS = "admin:outreach_metricsnapshot"


# MonthlyTotal's sums and counts, named here rather than imported: the tests state what they must hold.
COLUMNS = (
    "total",
    "reporting",
    "approximate",
    "illustrative",
    "growth",
    "growth_steps",
    "gaps",
    "gap_months",
    "growth_approximate",
    "growth_illustrative",
    "stops",
    "month_pairs",
    "month_pair_base",
    "month_pair_growth",
    "month_pair_approximate",
    "month_pair_illustrative",
    "year_pairs",
    "year_pair_base",
    "year_pair_growth",
    "year_pair_approximate",
    "year_pair_illustrative",
)


def kept_totals() -> list[tuple]:
    return sorted(MonthlyTotal.objects.filter(reporting__gt=0).values_list("platform_id", "period", "metric", *COLUMNS))


@dataclass(frozen=True)
class Written:
    """A snapshot as the test knows it: its figures and flags."""

    figures: tuple  # in the order of METRICS, None where not reported
    approximate: bool
    illustrative: bool


def totals_of(
    platforms: dict[int, int], snapshots: dict[tuple[int, date], Written], inactive: frozenset[int] = frozenset()
) -> list[tuple]:
    """What the monthly totals must be, computed here in plain Python, independently of the product's code.

    `platforms` maps each account to its platform; `snapshots` maps (account, month) to what it holds.
    For every platform, month and figure: the sum of the accounts' reported values, how many report it,
    how many of those are approximate or illustrative; and the growth from each account's previous month
    that reports the figure: its sum, how many accounts have one, how many span unreported months (and
    how many months those span), how many start or end at an approximate or illustrative figure. For
    coverage: how many `inactive` accounts report the figure for the last time that month. Like for like:
    the accounts that report it the month before (or twelve months before) too, the sum of their earlier
    figures, their growth since, and how many of those pairs involve approximate or illustrative figures.
    """
    cells: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COLUMNS, 0))
    for account, platform in platforms.items():
        months = sorted((period, written) for (owner, period), written in snapshots.items() if owner == account)
        for position, metric in enumerate(METRICS):
            reported = [(period, written) for period, written in months if written.figures[position] is not None]
            for step, (period, written) in enumerate(reported):
                cell = cells[(platform, period, metric)]
                value = written.figures[position]
                cell["total"] += value
                cell["reporting"] += 1
                cell["approximate"] += int(written.approximate)
                cell["illustrative"] += int(written.illustrative)
                if step == 0:
                    continue
                earlier_period, earlier = reported[step - 1]
                apart = (period.year - earlier_period.year) * 12 + period.month - earlier_period.month
                cell["growth"] += value - earlier.figures[position]
                cell["growth_steps"] += 1
                if apart > 1:
                    cell["gaps"] += 1
                    cell["gap_months"] += apart
                cell["growth_approximate"] += int(written.approximate or earlier.approximate)
                cell["growth_illustrative"] += int(written.illustrative or earlier.illustrative)
            by_period = dict(reported)
            for period, written in reported:
                value = written.figures[position]
                cell = cells[(platform, period, metric)]
                for kind, apart in (("month", 1), ("year", 12)):
                    earlier = by_period.get(add_months(period, -apart))
                    if earlier is None:
                        continue
                    cell[f"{kind}_pairs"] += 1
                    cell[f"{kind}_pair_base"] += earlier.figures[position]
                    cell[f"{kind}_pair_growth"] += value - earlier.figures[position]
                    cell[f"{kind}_pair_approximate"] += int(written.approximate or earlier.approximate)
                    cell[f"{kind}_pair_illustrative"] += int(written.illustrative or earlier.illustrative)
            if reported and account in inactive:
                cells[(platform, reported[-1][0], metric)]["stops"] += 1
    return sorted((*key, *(cell[column] for column in COLUMNS)) for key, cell in cells.items())


def snapshots_in_database() -> tuple[dict[int, int], dict[tuple[int, date], Written]]:
    """Every account's platform and every snapshot, read plainly from the database."""
    platforms = dict(Account.objects.values_list("pk", "platform_id"))
    snapshots = {
        (account, period): Written(tuple(figures), approximate, illustrative)
        for account, period, approximate, illustrative, *figures in MetricSnapshot.objects.values_list(
            "account_id", "period", "approximate", "is_illustrative", *METRICS
        )
    }
    return platforms, snapshots


def computed_totals() -> list[tuple]:
    """The same totals, computed from every snapshot at once by the rebuild's SQL (then rolled back)."""
    with transaction.atomic():
        monthly_totals_rebuild()
        rows = kept_totals()
        transaction.set_rollback(True)
    return rows


def assert_totals_follow_the_snapshots() -> None:
    kept = kept_totals()
    assert kept, "no totals kept at all"
    inactive = frozenset(Account.objects.filter(is_active=False).values_list("pk", flat=True))
    assert kept == totals_of(*snapshots_in_database(), inactive), "the kept totals are not what the snapshots add up to"
    assert kept == computed_totals(), "the kept totals are not what the rebuild computes"


def test_the_independent_computation_is_what_a_person_would_add_up(db):
    """A hand-checked case, so that `totals_of` itself is known to be right: two accounts, a gap, flags,
    a pair of consecutive months, a pair twelve months apart, and an inactive account's last report."""
    platforms = {1: 10, 2: 10}
    feb, mar, may, next_feb = date(2024, 2, 1), date(2024, 3, 1), date(2024, 5, 1), date(2025, 2, 1)
    snapshots = {
        (1, feb): Written((100, None, 1000, None), approximate=False, illustrative=True),
        (1, may): Written((130, None, 1600, None), approximate=True, illustrative=False),
        (2, feb): Written((5, None, None, 7), approximate=False, illustrative=False),
        (2, mar): Written((6, None, None, 3), approximate=False, illustrative=False),
        (2, next_feb): Written((9, None, None, 8), approximate=False, illustrative=False),
    }

    totals = {
        (period, metric): rest
        for _platform, period, metric, *rest in totals_of(platforms, snapshots, inactive=frozenset({1}))
    }

    none = [0] * 5
    #                      total reporting approx illus growth steps gaps months g-approx g-illus stops
    # then month pairs and year pairs: how many, earlier sum, growth, approximate, illustrative
    assert totals[(feb, "articles")] == [105, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, *none, *none]
    assert totals[(mar, "articles")] == [6, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1, 5, 1, 0, 0, *none]
    assert totals[(may, "articles")] == [130, 1, 1, 0, 30, 1, 1, 3, 1, 1, 1, *none, *none]
    assert totals[(may, "views")] == [1600, 1, 1, 0, 600, 1, 1, 3, 1, 1, 1, *none, *none]
    assert totals[(mar, "followers")] == [3, 1, 0, 0, -4, 1, 0, 0, 0, 0, 0, 1, 7, -4, 0, 0, *none]
    assert totals[(next_feb, "articles")] == [9, 1, 0, 0, 3, 1, 1, 11, 0, 0, 0, *none, 1, 5, 4, 0, 0]
    assert totals[(next_feb, "followers")] == [8, 1, 0, 0, 5, 1, 1, 11, 0, 0, 0, *none, 1, 7, 1, 0, 0]
    assert (mar, "views") not in totals and len(totals) == 9


def open_and_save(app, url, form_id, **typed):
    """Open a form as the page renders it, type over its fields, and save."""
    form = app.get(url).forms[form_id]
    for name, value in typed.items():
        form[name] = value
    return form.submit("_save", expect_errors=True)


def upload_and_confirm(app, name: str, content: str):
    """Upload a file on the import page as it renders, and confirm the preview it leads to."""
    page = app.get(reverse("admin:outreach_import"))
    form = next(form for form in page.forms.values() if "file" in form.fields)
    form["file"] = Upload(name, content.encode(), "text/csv")
    preview = form.submit()
    assert preview.status_code == 302, text_of(preview)
    preview = preview.follow()
    confirm = next((form for form in preview.forms.values() if "Import these figures" in form.text), None)
    assert confirm is not None, text_of(preview)
    return confirm.submit()


def test_every_write_path_keeps_the_totals_equal_to_the_snapshots(django_app, admin_user, seeded):
    call_command("load_seed_figures", "--illustrative-history", stdout=io.StringIO())
    assert_totals_follow_the_snapshots()
    django_app.set_user(admin_user)

    wechat, douyin = seeded["wechat"], seeded["douyin"]
    added = open_and_save(
        django_app,
        reverse(f"{SNAPSHOTS}_add"),
        "metricsnapshot_form",
        account=str(wechat.pk),
        period="2024-03",
        articles="1010",
        views="20,100,000",
    )
    assert added.status_code == 302, text_of(added)
    assert_totals_follow_the_snapshots()

    march = MetricSnapshot.objects.get(account=wechat, period=date(2024, 3, 1))
    moved = open_and_save(
        django_app, reverse(f"{SNAPSHOTS}_change", args=(march.pk,)), "metricsnapshot_form", period="2024-05"
    )
    assert moved.status_code == 302, "the month of a snapshot can be corrected"
    assert MetricSnapshot.objects.get(pk=march.pk).period == date(2024, 5, 1)
    assert_totals_follow_the_snapshots()

    grid = save_grid(django_app, "2024-04", {douyin: {"videos": "350", "views": "7,700,000"}})
    assert grid.status_code == 302, text_of(grid)
    assert MetricSnapshot.objects.get(account=douyin, period=date(2024, 4, 1)).views == 7_700_000
    assert_totals_follow_the_snapshots()

    csv = (
        "platform,account,period,articles,videos,views,followers\r\n"
        f"douyin,{douyin.name},2024-04,,351,7800000,\r\n"
        f"douyin,{douyin.name},2024-06,,360,8000000,\r\n"
    )
    assert upload_and_confirm(django_app, "june.csv", csv).status_code == 302
    assert MetricSnapshot.objects.get(account=douyin, period=date(2024, 4, 1)).views == 7_800_000
    assert_totals_follow_the_snapshots()

    may = MetricSnapshot.objects.get(account=wechat, period=date(2024, 5, 1))
    confirm = django_app.get(reverse(f"{SNAPSHOTS}_delete", args=(may.pk,)))
    assert next(form for form in confirm.forms.values() if "post" in form.fields).submit().status_code == 302
    assert not MetricSnapshot.objects.filter(pk=may.pk).exists()
    assert_totals_follow_the_snapshots()

    two = list(MetricSnapshot.objects.filter(account=douyin, period__gte=date(2024, 4, 1)).values_list("pk", flat=True))
    listed = django_app.get(f"{reverse(f'{SNAPSHOTS}_changelist')}?account__id__exact={douyin.pk}")
    confirm = run_admin_action(listed, two, "delete_selected")
    bulk = next(form for form in confirm.forms.values() if "post" in form.fields).submit()
    assert bulk.status_code == 302 and not MetricSnapshot.objects.filter(pk__in=two).exists()
    assert_totals_follow_the_snapshots()

    # Restored from its history: the version it was created with, saved as the page renders it.
    history = django_app.get(reverse(f"{SNAPSHOTS}_history", args=(may.pk,)))
    version = history.html.select("table#change-history tbody tr")[-1].select_one("td a")["href"]
    restored = django_app.get(version).forms["historicalmetricsnapshot_form"].submit("_save")
    assert restored.status_code == 302, text_of(restored)
    back = MetricSnapshot.objects.get(pk=may.pk)
    assert (back.account, back.articles, back.views) == (wechat, 1010, 20_100_000)
    assert_totals_follow_the_snapshots()

    bilibili = Platform.objects.get(slug="bilibili")
    changed = open_and_save(
        django_app,
        reverse("admin:outreach_account_change", args=(douyin.pk,)),
        "account_form",
        platform=str(bilibili.pk),
        name="Museum videos",
    )
    assert changed.status_code == 302, text_of(changed)
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
        # The cards themselves; the heading rightly differs ("all platforms", "4 chosen accounts").
        cards = re.compile(r'<section class="cards".*?</h2>(.*?)</section>', re.S)
        assert cards.findall(kept.content.decode()) == cards.findall(computed.content.decode())
        assert cards.findall(kept.content.decode()), "no cards on the page"


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


# Any sequence of writes, as the app makes them (the services behind the admin form, the month grid, the
# import, deletes, moves of a snapshot or of an account to another platform), accepted or refused: the kept
# totals stay equal to what the test itself computes from what it wrote, and to the rebuild.
_months = st.integers(min_value=0, max_value=14)
# A cumulative figure is the month's index times ten plus this digit, so that most writes are valid (it grows
# from month to month); moves and other platforms' figures still make some refused.
_step = st.one_of(st.none(), st.integers(min_value=0, max_value=9))
_figures = st.fixed_dictionaries(
    {"content": _step, "views": _step, "followers": st.one_of(st.none(), st.integers(0, 10**9))}
)
_write = st.one_of(
    st.tuples(st.just("save"), st.integers(0, 2), _months, _figures, st.booleans(), st.booleans()),
    st.tuples(
        st.just("grid"),
        _months,
        st.lists(st.tuples(st.integers(0, 2), _figures), min_size=1, max_size=3, unique_by=lambda cell: cell[0]),
    ),
    st.tuples(
        st.just("import"),
        st.lists(
            st.tuples(st.integers(0, 2), _months, _figures, st.booleans(), st.booleans()),
            min_size=1,
            max_size=4,
            unique_by=lambda row: row[:2],
        ),
    ),
    st.tuples(st.just("delete"), st.integers(0, 2), _months, _months),
    st.tuples(st.just("move"), st.integers(0, 2), _months),
    st.tuples(st.just("platform"), st.integers(0, 2), st.sampled_from(["wechat", "douyin", "bilibili"])),
    st.tuples(st.just("active"), st.integers(0, 2), st.booleans()),
)


def _month(index: int) -> date:
    return add_months(date(2023, 1, 1), index)


def _figures_for(platform: Platform, index: int, drawn: dict) -> tuple:
    """The four figures (in the order of METRICS) a write sets: the platform's content, views, followers."""
    cumulative = {name: None if drawn[name] is None else index * 10 + drawn[name] for name in ("content", "views")}
    content = "articles" if platform.counts_articles else "videos"
    values = {"articles": None, "videos": None, "views": cumulative["views"], "followers": drawn["followers"]}
    values[content] = cumulative["content"]
    return tuple(values[metric] for metric in METRICS)


def _snapshot_at(account: Account, period: date) -> MetricSnapshot:
    return MetricSnapshot.objects.filter(account=account, period=period).first() or MetricSnapshot(
        account=account, period=period
    )


def _set_figures(snapshot: MetricSnapshot, figures: tuple) -> None:
    for metric, value in zip(METRICS, figures, strict=True):
        setattr(snapshot, metric, value)


def _import_file(rows: list[tuple[Account, date, tuple, bool, bool]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["platform", "account", "period", *METRICS, "approximate", "note", "illustrative"])
    for account, period, figures, approximate, illustrative in rows:
        cells = ["" if value is None else value for value in figures]
        flags = ["true" if approximate else "false", "", "true" if illustrative else "false"]
        writer.writerow([account.platform.slug, account.name, period.strftime("%Y-%m"), *cells, *flags])
    return out.getvalue().encode()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(writes=st.lists(_write, min_size=1, max_size=12))
def test_any_sequence_of_writes_through_the_services_keeps_the_totals_true(db, writes):
    wechat = Platform.objects.get(slug="wechat")
    user = User.objects.get_or_create(username="writer")[0]
    accounts = [
        Account.objects.get_or_create(
            name=f"Account {n}", defaults={"platform": wechat, "opened_on": date(2015, 1, 1)}
        )[0]
        for n in range(3)
    ]
    MetricSnapshot.objects.all().delete()
    MonthlyTotal.objects.all().delete()
    Account.objects.filter(pk__in=[account.pk for account in accounts]).update(platform=wechat, is_active=True)
    # What the test wrote, kept by the test: each account's platform and each (account, month)'s snapshot.
    platforms = {account.pk: wechat.pk for account in accounts}
    written: dict[tuple[int, date], Written] = {}
    inactive: set[int] = set()

    for write in writes:
        for account in accounts:
            account.refresh_from_db()
        kind = write[0]
        try:
            if kind == "save":
                _kind, which, index, drawn, approximate, illustrative = write
                account = accounts[which]
                figures = _figures_for(account.platform, index, drawn)
                snapshot = _snapshot_at(account, _month(index))
                _set_figures(snapshot, figures)
                snapshot.approximate, snapshot.is_illustrative = approximate, illustrative
                # Typed by a person (the admin form), or a restore from history, which keeps the flag.
                snapshot_save(snapshot=snapshot, user=user, vouched=not illustrative)
                written[(account.pk, _month(index))] = Written(figures, approximate, illustrative)
            elif kind == "grid":
                _kind, index, cells = write
                snapshots, after = [], {}
                for which, drawn in cells:
                    account = accounts[which]
                    snapshot = _snapshot_at(account, _month(index))
                    figures = _figures_for(account.platform, index, drawn)
                    _set_figures(snapshot, figures)
                    snapshots.append(snapshot)
                    kept_flag = written.get((account.pk, _month(index)))
                    approximate = kept_flag.approximate if kept_flag else False
                    after[(account.pk, _month(index))] = Written(figures, approximate, False)
                month_grid_save(period=_month(index), snapshots=snapshots, user=user)
                written.update(after)
            elif kind == "import":
                rows = [
                    (accounts[which], _month(index), _figures_for(accounts[which].platform, index, drawn), ap, il)
                    for which, index, drawn, ap, il in write[1]
                ]
                data = _import_file(rows)
                try:
                    snapshot_import_file(data=data, file_name="figures.csv", user=user)
                except ImportRefused:
                    event("import: refused")
                    continue
                for account, period, figures, approximate, illustrative in rows:
                    written[(account.pk, period)] = Written(figures, approximate, illustrative)
            elif kind == "delete":
                _kind, which, one, other = write
                first, last = sorted((_month(one), _month(other)))
                snapshots_delete(MetricSnapshot.objects.filter(account=accounts[which], period__range=(first, last)))
                for key in [key for key in written if key[0] == accounts[which].pk and first <= key[1] <= last]:
                    del written[key]
            elif kind == "move":
                _kind, which, index = write
                snapshot = MetricSnapshot.objects.filter(account=accounts[which]).order_by("period").first()
                if snapshot is None:
                    continue
                target = accounts[(which + 1) % 3]
                before = (snapshot.account_id, snapshot.period)
                snapshot.account, snapshot.period = target, _month(index)
                snapshot_save(snapshot=snapshot, user=user)
                moved = written.pop(before)
                written[(target.pk, _month(index))] = Written(moved.figures, moved.approximate, False)
            elif kind == "active":
                _kind, which, active = write
                account = accounts[which]
                account.is_active = active
                account_save(account=account)
                (inactive.discard if active else inactive.add)(account.pk)
            else:
                _kind, which, slug = write
                account = accounts[which]
                account.platform = Platform.objects.get(slug=slug)
                account_save(account=account)
                platforms[account.pk] = account.platform_id
        except ValidationError:
            event(f"{kind}: refused")  # by the rules: nothing written, and the test's record unchanged
        else:
            event(f"{kind}: written")

        assert snapshots_in_database() == (platforms, written), ("the services wrote something else", write)
        kept = kept_totals()
        assert kept == totals_of(platforms, written, frozenset(inactive)), (
            "kept totals differ from the test's own sums",
            write,
        )
        assert kept == computed_totals(), ("kept totals differ from the rebuild", write)
