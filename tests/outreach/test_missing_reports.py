"""What staff have still to enter: which accounts have not reported which months, and which figures their
reports leave empty, as the admin's front page and the month grid list it."""

import random
import re
from datetime import date

import pytest
from django.urls import reverse

from outreach import coverage
from outreach.metrics import METRICS
from outreach.models import Account, MetricSnapshot
from outreach.months import add_months
from outreach.selectors.dashboard import dashboard_months
from outreach.selectors.entry import missing_reports
from outreach.selectors.scope import Scope
from outreach.services.totals import monthly_totals_rebuild
from tests.factories import AccountFactory, SnapshotFactory
from tests.pages import text_of

pytestmark = pytest.mark.django_db

GRID_URL = reverse("admin:outreach_month_grid")
CHINESE = {"Accept-Language": "zh-hans"}


def months(first: str, last: str) -> list[date]:
    """Every month from `first` to `last` (YYYY-MM), both included."""
    period, end = date.fromisoformat(f"{first}-01"), date.fromisoformat(f"{last}-01")
    found = []
    while period <= end:
        found.append(period)
        period = add_months(period, 1)
    return found


def write(account: Account, periods, **figures) -> None:
    """Snapshots of `account` in these months, each with these figures (None leaves one empty)."""
    MetricSnapshot.objects.bulk_create(
        MetricSnapshot(account=account, period=period, **{m: figures.get(m) for m in METRICS}) for period in periods
    )


def expected_by_brute_force() -> tuple[set[tuple[int, date]], dict[tuple[int, date], tuple[str, ...]]]:
    """The missing account-months and the figures left empty, from the definition applied to every account and
    every month of the database's rows, one by one."""
    rows = list(MetricSnapshot.objects.values("account_id", "period", *METRICS))
    if not rows:
        return set(), {}
    latest = max(row["period"] for row in rows)
    first = min(row["period"] for row in rows)
    missing, left_empty = set(), {}
    for account in Account.objects.all():
        mine = {row["period"]: row for row in rows if row["account_id"] == account.pk}
        reporting = {m: sorted(p for p, row in mine.items() if row[m] is not None) for m in METRICS}
        for period in months(first.strftime("%Y-%m"), latest.strftime("%Y-%m")):
            expected = [
                m
                for m in METRICS
                if reporting[m] and reporting[m][0] <= period and (account.is_active or reporting[m][-1] >= period)
            ]
            if not expected:
                continue
            if period not in mine:
                missing.add((account.pk, period))
            elif empty := tuple(m for m in expected if mine[period][m] is None):
                left_empty[(account.pk, period)] = empty
    return missing, left_empty


def found_by_the_selector(**limits):
    report = missing_reports(**{"months_at_most": 10_000, "accounts_at_most": 10_000, **limits})
    missing = {(account.pk, month.period) for month in report.months for account in month.accounts}
    left_empty = {(account.pk, month.period): figures for month in report.months for account, figures in month.figures}
    return report, missing, left_empty


@pytest.fixture
def museum_with_gaps(seeded, platform):
    """The seed's four accounts and more, over 2023 to March 2024, with every kind of gap.

    - WeChat: every month, but none in June 2023, and September 2023 without its followers.
    - A second WeChat account, new: first reports in January 2024, skips February.
    - Douyin: videos and views (never followers), up to January 2024 only.
    - Bilibili, inactive: January to May 2023, none in March; not expected after May.
    - 科普中国: articles and views from January 2023, followers from October 2023 on, and not in March 2024.
    - An inactive Douyin account whose followers stopped in April 2023 and its views in August.
    - An active account that stopped counting followers after December 2023.
    - An active account with no figures at all: never expected.
    """
    MetricSnapshot.objects.all().delete()
    Account.objects.filter(platform__slug="bilibili").update(is_active=False)
    wechat, douyin, bilibili, kepu = (seeded[slug] for slug in ("wechat", "douyin", "bilibili", "kepu-china"))
    write(
        wechat,
        [p for p in months("2023-01", "2024-03") if p not in (date(2023, 6, 1), date(2023, 9, 1))],
        articles=1000,
        views=20_000_000,
        followers=2_630_000,
    )
    write(wechat, [date(2023, 9, 1)], articles=1000, views=20_000_000)
    second = AccountFactory(platform=platform("wechat"), name="Science Night", opened_on=date(2023, 12, 1))
    write(second, [date(2024, 1, 1), date(2024, 3, 1)], articles=10, views=1000, followers=100)
    write(douyin, months("2023-01", "2024-01"), videos=345, views=7_653_000)
    write(bilibili, [p for p in months("2023-01", "2023-05") if p != date(2023, 3, 1)], videos=323, views=1_367_000)
    write(kepu, months("2023-01", "2023-09"), articles=48, views=1_886_000)
    write(kepu, months("2023-10", "2024-02"), articles=48, views=1_886_000, followers=5000)
    closed = AccountFactory(platform=platform("douyin"), name="Closed channel", is_active=False)
    write(closed, months("2023-01", "2023-04"), views=100, followers=10)
    write(closed, months("2023-05", "2023-08"), views=100)
    stopped = AccountFactory(platform=platform("bilibili"), name="Lectures")
    write(stopped, months("2023-01", "2023-12"), videos=5, views=500, followers=50)
    write(stopped, months("2024-01", "2024-03"), videos=5, views=500)
    AccountFactory(platform=platform("kepu-china"), name="Not yet reporting")
    return {**seeded, "second": second, "closed": closed, "stopped": stopped}


def test_the_missing_account_months_are_what_the_database_holds(museum_with_gaps, django_assert_max_num_queries):
    expected_missing, expected_empty = expected_by_brute_force()

    # The platforms with several accounts, the latest month, the accounts that may miss something and
    # their details, the months of those with holes, and the accounts listed.
    with django_assert_max_num_queries(7):
        report, missing, left_empty = found_by_the_selector()

    assert missing == expected_missing
    assert left_empty == expected_empty
    incomplete = {period for _pk, period in expected_missing} | {period for _pk, period in expected_empty}
    assert report.incomplete_months == len(incomplete) == len(report.months)
    assert report.earliest == min(incomplete)
    assert [month.period for month in report.months] == sorted(incomplete, reverse=True)
    # The cases named, as the definition has them.
    museum = museum_with_gaps
    assert (museum["wechat"].pk, date(2023, 6, 1)) in missing
    assert left_empty[(museum["wechat"].pk, date(2023, 9, 1))] == ("followers",)
    assert (museum["second"].pk, date(2024, 2, 1)) in missing
    assert not any(pk == museum["second"].pk and period < date(2024, 1, 1) for pk, period in missing)
    assert {(museum["douyin"].pk, date(2024, 2, 1)), (museum["douyin"].pk, date(2024, 3, 1))} <= missing
    assert not any(pk == museum["douyin"].pk for pk, _period in left_empty)  # Douyin never counts followers
    assert {period for pk, period in missing if pk == museum["bilibili"].pk} == {date(2023, 3, 1)}
    assert not any(pk == museum["closed"].pk for pk, _period in missing | left_empty.keys())
    assert [left_empty[(museum["stopped"].pk, p)] for p in months("2024-01", "2024-03")] == [("followers",)] * 3
    assert not any(
        pk == museum["kepu-china"].pk and figures == ("followers",) for (pk, _p), figures in left_empty.items()
    )
    assert (museum["kepu-china"].pk, date(2024, 3, 1)) in missing


def test_the_newest_months_are_listed_and_the_rest_counted(museum_with_gaps):
    everything, _missing, _left_empty = found_by_the_selector()

    report = missing_reports(months_at_most=2, accounts_at_most=1)

    assert [month.period for month in report.months] == [date(2024, 3, 1), date(2024, 2, 1)]
    assert report.incomplete_months == everything.incomplete_months and report.earliest == everything.earliest
    march = report.months[0]
    assert (len(march.accounts), march.accounts_count) == (1, everything.months[0].accounts_count)
    assert march.accounts_count == 2  # Douyin and 科普中国


def test_a_month_many_accounts_have_still_to_enter_lists_them_in_the_admins_order(seeded, platform):
    # More accounts than one query's batch of them: read otherwise, listed the same.
    many = Account.objects.bulk_create(
        Account(platform=platform("bilibili"), name=f"Account {number:04d}", opened_on=date(2020, 1, 1))
        for number in range(950)
    )
    MetricSnapshot.objects.bulk_create(
        MetricSnapshot(account=account, period=date(2024, 2, 1), views=100) for account in many
    )
    write(seeded["wechat"], [date(2024, 3, 1)], articles=1000, views=20_000_000, followers=2_630_000)
    expected_missing, expected_empty = expected_by_brute_force()

    report, missing, left_empty = found_by_the_selector()

    assert (missing, left_empty) == (expected_missing, expected_empty)
    march = report.months[0]
    assert march.accounts_count == 953
    assert march.accounts == [account for account in Account.objects.all() if account.pk != seeded["wechat"].pk]


def test_nothing_is_missing_when_every_account_reported_every_month(seeded, django_assert_num_queries):
    # The platforms with several accounts, the latest month, and the GROUP BY that finds no account short.
    with django_assert_num_queries(3):
        report = missing_reports()

    assert (report.months, report.incomplete_months, report.earliest) == ([], 0, None)
    assert report.latest == date(2024, 2, 1)


def test_nothing_is_missing_before_any_figures(db):
    report = missing_reports()

    assert (report.months, report.incomplete_months, report.earliest, report.latest) == ([], 0, None, None)


@pytest.mark.parametrize("seed", range(5))
def test_random_histories_give_what_the_definition_says(db, platform, seed):
    generator = random.Random(seed)
    span = months("2022-01", "2024-06")
    for number in range(12):
        account = AccountFactory(
            platform=platform(generator.choice(["wechat", "douyin", "bilibili", "kepu-china"])),
            name=f"Account {number}",
            is_active=generator.random() < 0.7,
        )
        counted = generator.sample(METRICS, generator.randint(1, 4))
        start, end = sorted(generator.sample(range(len(span)), 2))
        snapshots = []
        for period in span[start : end + 1]:
            if generator.random() < 0.15:
                continue  # a month skipped
            figures = {m: 1 for m in counted if generator.random() < 0.9} or {counted[0]: 1}
            snapshots.append(MetricSnapshot(account=account, period=period, **figures))
        MetricSnapshot.objects.bulk_create(snapshots)
    expected_missing, expected_empty = expected_by_brute_force()

    report, missing, left_empty = found_by_the_selector()

    assert (missing, left_empty) == (expected_missing, expected_empty)
    incomplete = {period for _pk, period in expected_missing | expected_empty.keys()}
    assert (report.incomplete_months, report.earliest) == (len(incomplete), min(incomplete, default=None))


def test_an_account_without_holes_is_answered_from_its_numbers_as_from_its_months():
    """The two ways `coverage.account_gaps` answers agree: from the GROUP BY's numbers, and month by month."""
    latest = date(2024, 3, 1)
    reports = coverage.AccountReports(
        account_id=1,
        active=True,
        first=date(2023, 1, 1),
        last=date(2024, 1, 1),
        snapshots=13,
        figures={
            "views": coverage.FigureReports(first=date(2023, 1, 1), last=date(2024, 1, 1), months=13),
            "followers": coverage.FigureReports(first=date(2023, 4, 1), last=date(2023, 10, 1), months=7),
        },
    )
    by_month = {
        period: {"views", *(["followers"] if date(2023, 4, 1) <= period <= date(2023, 10, 1) else [])}
        for period in months("2023-01", "2024-01")
    }

    def spelled_out(gaps):
        return sorted(
            (gap.figure or "", period)
            for gap in gaps
            for period in months(gap.first.strftime("%Y-%m"), gap.last.strftime("%Y-%m"))
        )

    assert not coverage.needs_months(reports)
    from_numbers = coverage.account_gaps(reports, latest=latest)
    assert spelled_out(from_numbers) == spelled_out(coverage.account_gaps(reports, latest=latest, months=by_month))
    assert spelled_out(from_numbers) == [
        *(("", period) for period in months("2024-02", "2024-03")),
        *(("followers", period) for period in months("2023-11", "2024-01")),
    ]


# --- As staff read it: the admin's front page and the month grid ------------------------------------


def enter(seeded, month: str, *slugs, **figures):
    """`month` entered for these accounts only, with February 2024's figures but for `figures` (as the app
    writes figures)."""
    for slug in slugs:
        february = MetricSnapshot.objects.get(account=seeded[slug], period=date(2024, 2, 1))
        SnapshotFactory(
            account=seeded[slug],
            period=date.fromisoformat(f"{month}-01"),
            **{m: figures.get(m, getattr(february, m)) for m in METRICS},
        )


def missing_list(page, box: str = ".month-routine") -> list[str]:
    """The sentences of the page's missing list, as a person reads them (a month's link inside its sentence)."""
    sentences = []
    for paragraph in page.html.select_one(box).select(".missing-reports p"):
        for br in paragraph.find_all("br"):
            br.replace_with("\n")
        sentences += [re.sub(r"\s+", " ", line).strip() for line in paragraph.get_text().split("\n")]
    return sentences


def test_the_front_page_says_which_accounts_have_not_entered_the_month(staff_app, seeded):
    enter(seeded, "2024-03", "wechat", followers=None)

    assert missing_list(staff_app.get("/admin/")) == [
        "March 2024: missing China Science Communication, Douyin, Bilibili",
        "WeChat official account: followers not entered for March 2024",
    ]
    assert missing_list(staff_app.get("/admin/", headers=CHINESE)) == [
        "2024年3月：尚未录入科普中国、抖音、哔哩哔哩",
        "微信公众号：2024年3月的粉丝未填写",
    ]


def test_each_month_listed_links_to_its_grid(staff_app, seeded):
    enter(seeded, "2024-03", "wechat")

    grid = staff_app.get("/admin/").click(description="March 2024", index=0)

    assert grid.request.path_qs == f"{GRID_URL}?period=2024-03"
    assert "Figures at the end of March 2024" in text_of(grid)


def test_older_months_say_how_many_accounts_skipped_them(staff_app, seeded):
    enter(seeded, "2024-03", "wechat", "douyin")
    enter(seeded, "2024-04", "wechat", "douyin", "bilibili")

    assert missing_list(staff_app.get("/admin/")) == [
        "April 2024: missing China Science Communication",
        "March 2024 skipped by 2 accounts: China Science Communication, Bilibili",
    ]
    assert missing_list(staff_app.get("/admin/", headers=CHINESE)) == [
        "2024年4月：尚未录入科普中国",
        "2024年3月有2个账号未录入：科普中国、哔哩哔哩",
    ]


def test_a_platform_with_several_accounts_names_them(staff_app, seeded, platform):
    second = AccountFactory(platform=platform("wechat"), name="Science Night", name_zh="科学之夜")
    SnapshotFactory(account=second, period=date(2024, 2, 1))
    enter(seeded, "2024-03", "kepu-china", "douyin", "bilibili")

    assert missing_list(staff_app.get("/admin/")) == [
        "March 2024: missing WeChat official account · Science Night, "
        "WeChat official account · Shanghai Science & Technology Museum"
    ]
    assert missing_list(staff_app.get("/admin/", headers=CHINESE)) == [
        "2024年3月：尚未录入微信公众号 · 科学之夜、微信公众号 · 上海科技馆"
    ]


def test_when_nothing_is_missing_the_front_page_says_so(staff_app, seeded):
    assert missing_list(staff_app.get("/admin/")) == ["Every account has reported up to February 2024."]
    assert missing_list(staff_app.get("/admin/", headers=CHINESE)) == ["所有账号均已录入至2024年2月。"]


def test_a_long_backlog_lists_the_newest_months_and_counts_the_rest(staff_app, seeded):
    # WeChat alone goes on reporting for a year: the three other accounts skip twelve months.
    for period in months("2024-03", "2025-02"):
        enter(seeded, period.strftime("%Y-%m"), "wechat")

    front = staff_app.get("/admin/")
    english = missing_list(front)
    chinese = missing_list(staff_app.get("/admin/", headers=CHINESE))

    assert english[:2] == [
        "February 2025: missing China Science Communication, Douyin, Bilibili",
        "January 2025 skipped by 3 accounts: China Science Communication, Douyin, Bilibili",
    ]
    assert [re.match(r"\w+ \d{4}", sentence)[0] for sentence in english[:-1]] == [
        "February 2025",
        "January 2025",
        "December 2024",
        "November 2024",
        "October 2024",
        "September 2024",
    ]
    assert english[-1] == "6 more months have gaps, back to March 2024."
    assert chinese[-1] == "另有6个月份有缺漏，最早为2024年3月。"
    earliest = front.click(description="March 2024", index=0)
    assert earliest.request.path_qs == f"{GRID_URL}?period=2024-03"


def test_people_who_may_not_enter_figures_are_not_told_what_is_missing(django_app, seeded, django_user_model):
    from django.contrib.auth.models import Permission

    enter(seeded, "2024-03", "wechat")
    viewer = django_user_model.objects.create_user(username="viewer", password="a-long-viewer-password", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_metricsnapshot"))
    django_app.set_user(viewer)

    page = django_app.get("/admin/")

    assert "Still to enter" not in text_of(page) and not page.html.select(".missing-reports")


def test_the_grid_opens_on_the_earliest_incomplete_month(staff_app, seeded):
    enter(seeded, "2024-03", "wechat")
    enter(seeded, "2024-04", "wechat")

    page = staff_app.get(GRID_URL)

    picker = next(form for form in page.forms.values() if form.method.lower() == "get")
    assert picker["period"].value == "2024-03"
    assert "Figures at the end of March 2024" in text_of(page)
    assert missing_list(page, ".month-grid-missing") == [
        "April 2024: missing China Science Communication, Douyin, Bilibili",
        "March 2024 skipped by 3 accounts: China Science Communication, Douyin, Bilibili",
    ]
    chinese = staff_app.get(GRID_URL, headers=CHINESE)
    assert "尚待录入" in text_of(chinese)
    assert missing_list(chinese, ".month-grid-missing")[1] == "2024年3月有3个账号未录入：科普中国、抖音、哔哩哔哩"


def test_once_the_earliest_month_is_entered_the_grid_opens_on_the_next(staff_app, seeded):
    enter(seeded, "2024-03", "wechat")
    enter(seeded, "2024-04", "wechat")
    form = next(form for form in staff_app.get(GRID_URL).forms.values() if (form.action or "").startswith("?period="))
    assert form.action == "?period=2024-03"
    for slug, figures in {
        "kepu-china": {"articles": "52", "views": "1,950,000"},
        "douyin": {"videos": "350", "views": "7,700,000"},
        "bilibili": {"videos": "330", "views": "1,400,000"},
    }.items():
        for field, value in figures.items():
            form[f"account-{seeded[slug].pk}-{field}"] = value

    assert form.submit().status_code == 302

    page = staff_app.get(GRID_URL)
    assert "Figures at the end of April 2024" in text_of(page)
    assert missing_list(page, ".month-grid-missing") == [
        "April 2024: missing China Science Communication, Douyin, Bilibili"
    ]


def test_with_nothing_missing_the_grid_opens_after_the_latest_figures_and_says_so(staff_app, seeded):
    page = staff_app.get(GRID_URL)

    assert "Figures at the end of March 2024" in text_of(page)
    assert missing_list(page, ".month-grid-missing") == ["Every account has reported up to February 2024."]


@pytest.mark.parametrize("scope", ["every account", "named accounts", "from a start month"])
def test_the_dashboard_expects_the_accounts_the_missing_list_does(museum_with_gaps, scope):
    # The dashboard's coverage (kept per platform, or computed from the named accounts' snapshots) and the
    # staff's missing list are two implementations of one definition: both must equal the brute force.

    monthly_totals_rebuild()  # the fixture writes in bulk, past the services that keep them
    rows = list(MetricSnapshot.objects.values("account_id", "period", *METRICS))
    accounts = list(Account.objects.all())
    first, latest = min(row["period"] for row in rows), max(row["period"] for row in rows)
    start = date(2023, 7, 1) if scope == "from a start month" else None
    chosen = Scope(account_ids=tuple(a.pk for a in accounts) if scope == "named accounts" else None, start=start)
    found = dashboard_months(chosen, metric="views", by="platform").coverage

    mismatches = []
    for period in months(first.strftime("%Y-%m"), latest.strftime("%Y-%m")):
        if start and period < start:
            continue
        for platform_id in {a.platform_id for a in accounts}:
            for metric in METRICS:
                expected = 0
                for account in (a for a in accounts if a.platform_id == platform_id):
                    reported = sorted(
                        r["period"] for r in rows if r["account_id"] == account.pk and r[metric] is not None
                    )
                    if reported and reported[0] <= period and (account.is_active or period <= reported[-1]):
                        expected += 1
                if found.expected(platform_id, metric, period) != expected:
                    mismatches.append(
                        (platform_id, metric, period, found.expected(platform_id, metric, period), expected)
                    )
    assert mismatches == []


def test_the_grid_does_not_open_on_a_month_it_cannot_fill(staff_app, seeded):
    # March 2024: WeChat left its followers out; an inactive account, which the grid does not list, skipped
    # January. Both are listed as still to enter, but the grid opens where an active account has no report.
    closed = AccountFactory(platform=seeded["bilibili"].platform, name="Closed channel", is_active=False)
    write(closed, [date(2023, 12, 1), date(2024, 2, 1)], views=100)
    enter(seeded, "2024-03", "wechat", followers=None)
    enter(seeded, "2024-03", "kepu-china")
    enter(seeded, "2024-03", "douyin")
    enter(seeded, "2024-03", "bilibili")
    enter(seeded, "2024-04", "wechat")

    page = staff_app.get(GRID_URL)

    assert "Figures at the end of April 2024" in text_of(page)
    listed = " ".join(missing_list(page, ".month-grid-missing"))
    assert "followers not entered for March 2024" in listed
