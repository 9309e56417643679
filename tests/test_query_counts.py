"""Every page and download's number of queries, pinned to a baseline per view (as NetBox keeps one), and
shown not to grow with the data: the same count with three more accounts and a year more of figures.

The baselines are in `tests/query_counts.json`, per database (SQLite and PostgreSQL differ in a few
places: PostgreSQL writes the CSV export with `COPY`). A change that adds or removes a query fails here
until the baseline is recorded again, deliberately:

    OUTREACH_RECORD_QUERY_COUNTS=1 .venv/bin/python -m pytest tests/test_query_counts.py            # SQLite
    OUTREACH_RECORD_QUERY_COUNTS=1 DATABASE_URL=postgres://… .venv/bin/python -m pytest tests/test_query_counts.py
"""

import json
import os
from datetime import date
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from outreach.models import DataVersion, MetricSnapshot, ReportDelivery, ReportSubscription, Target
from outreach.months import add_months
from tests.factories import AccountFactory, SnapshotFactory

pytestmark = pytest.mark.django_db

BASELINES = Path(__file__).with_name("query_counts.json")
RECORDING = bool(os.environ.get("OUTREACH_RECORD_QUERY_COUNTS"))

# (key, URL name, URL arguments, query string): every page a person opens and every download.
PAGES = [
    ("dashboard", "dashboard", (), {}),
    ("dashboard, by account", "dashboard", (), {"by": "account"}),
    ("dashboard, a year view from a start", "dashboard", (), {"granularity": "year", "start": "2023-01"}),
    ("dashboard, a partly entered month", "dashboard", (), {"end": "2024-03"}),
    ("recent changes", "recent_changes", (), {}),
    ("monthly report", "monthly_report", ("2024-02",), {}),
    ("yearly report", "yearly_report", (2023,), {}),
    ("the monthly report by e-mail", "report_subscription", (), {}),
    ("snapshots.csv", "snapshots_csv", (), {}),
    ("snapshots.csv, increments", "snapshots_csv", (), {"increments": "1"}),
    ("snapshots.xlsx", "snapshots_xlsx", (), {}),
    ("summary.csv", "summary_csv", (), {}),
    ("summary.xlsx", "summary_xlsx", (), {}),
    ("healthz", "healthz", (), {}),
    ("admin: front page", "admin:index", (), {}),
    ("admin: snapshot list", "admin:outreach_metricsnapshot_changelist", (), {}),
    ("admin: snapshot list by platform", "admin:outreach_metricsnapshot_changelist", (), {"platform": "wechat"}),
    ("admin: add a snapshot", "admin:outreach_metricsnapshot_add", (), {}),
    ("admin: change a snapshot", "admin:outreach_metricsnapshot_change", ("snapshot",), {}),
    ("admin: a snapshot's history", "admin:outreach_metricsnapshot_history", ("snapshot",), {}),
    ("admin: month grid", "admin:outreach_month_grid", (), {}),
    ("admin: import", "admin:outreach_import", (), {}),
    ("admin: accounts", "admin:outreach_account_changelist", (), {}),
    ("admin: milestones", "admin:outreach_milestone_changelist", (), {}),
    ("admin: add a milestone", "admin:outreach_milestone_add", (), {}),
    ("admin: delete a snapshot", "admin:outreach_metricsnapshot_delete", ("snapshot",), {}),
    ("admin: platforms", "admin:outreach_platform_changelist", (), {}),
    ("admin: change a platform", "admin:outreach_platform_change", ("platform",), {}),
    ("admin: change an account", "admin:outreach_account_change", ("account",), {}),
    ("admin: add an account", "admin:outreach_account_add", (), {}),
    ("admin: imported files", "admin:outreach_snapshotimport_changelist", (), {}),
    ("admin: people", "admin:accounts_user_changelist", (), {}),
    ("admin: change a person", "admin:accounts_user_change", ("person",), {}),
    ("admin: roles", "admin:auth_group_changelist", (), {}),
    ("admin: report subscriptions", "admin:outreach_reportsubscription_changelist", (), {}),
    ("admin: report deliveries", "admin:outreach_reportdelivery_changelist", (), {}),
]


@pytest.fixture
def museum(db):
    """The seed with its illustrative history, and WeChat's March 2024 entered (a month being entered)."""
    call_command("load_seed_figures", "--illustrative-history", verbosity=0)
    wechat = MetricSnapshot.objects.get(account__platform__slug="wechat", period=date(2024, 2, 1))
    SnapshotFactory(account=wechat.account, period=date(2024, 3, 1), articles=1010, views=20_100_000)
    # A target of the year shown: the cards read their progress too.
    Target.objects.create(account=wechat.account, year=2024, metric="followers", kind="year_end", value=2_900_000)
    return wechat


def more_figures(platform) -> None:
    """Three more accounts, each with a year of figures, and three more subscribers with a delivery each: what
    must not add a query anywhere."""
    for number in range(3):
        person = get_user_model().objects.create_user(username=f"reader{number}", email=f"r{number}@museum.example")
        ReportSubscription.objects.create(user=person, language="en")
        ReportDelivery.objects.create(user=person, period=date(2024, 2, 1), language="en", address=person.email)
    for number in range(3):
        account = AccountFactory(platform=platform("douyin"), name=f"More {number}", opened_on=date(2020, 1, 1))
        Target.objects.create(account=account, year=2024, metric="followers", kind="growth", value=1000)
        for month in range(14):  # to February 2024, the month the dashboard shows
            SnapshotFactory(
                account=account,
                period=add_months(date(2023, 1, 1), month),
                articles=None,
                videos=10 + month,
                views=1000 * (month + 1),
                followers=None,
            )


def queries_of(client, name: str, args: tuple, query: dict, snapshot) -> int:
    objects = {
        "snapshot": snapshot.pk,
        "account": snapshot.account_id,
        "platform": snapshot.account.platform_id,
        "person": get_user_model().objects.order_by("pk").values_list("pk", flat=True).first(),
    }
    url = reverse(name, args=[objects.get(arg, arg) for arg in args])  # else the argument itself (a month)
    new_data_version()  # as after a write: the dashboard is built, not taken from the cache
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, query)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    return len(queries.captured_queries)


def new_data_version() -> None:
    DataVersion.objects.filter(pk=1).update(token=F("token") + 1)


def counts(client, snapshot) -> dict[str, int]:
    client.get(reverse("dashboard"))  # the session and the caches, as a person who is signed in has them
    found = {key: queries_of(client, name, args, query, snapshot) for key, name, args, query in PAGES}
    # The dashboard twice, nothing written between: the second is kept, and reads no figures.
    client.get(reverse("dashboard"))
    with CaptureQueriesContext(connection) as kept:
        assert client.get(reverse("dashboard")).status_code == 200
    return found | {"dashboard, kept (nothing written since)": len(kept.captured_queries)}


def signed_out_and_preview(client, app, rows: int) -> dict[str, int]:
    """The sign-in page as a person signed out sees it, and an import's preview of `rows` rows, uploaded
    through the upload page as rendered."""
    from webtest import Upload

    from tests.pages import form_posting_to

    client.logout()
    with CaptureQueriesContext(connection) as sign_in:
        assert client.get(reverse("accounts:login")).status_code == 200
    lines = ["platform,account,period,articles,videos,views,followers"] + [
        f"douyin,Shanghai Science & Technology Museum,{add_months(date(2024, 3, 1), -month).isoformat()[:7]},"
        f",{345 - month},{7_653_000 - month},"
        for month in range(rows)
    ]
    form = form_posting_to(app.get(reverse("admin:outreach_import")))
    form["file"] = Upload("figures.csv", "\n".join(lines).encode())
    uploaded = form.submit()
    assert uploaded.status_int == 302, uploaded.text[:500]
    with CaptureQueriesContext(connection) as shown:
        assert app.get(uploaded.location).status_int == 200
    return {
        "sign-in page, signed out": len(sign_in.captured_queries),
        "admin: import preview": len(shown.captured_queries),
    }


def test_every_page_and_download_makes_its_baseline_number_of_queries_whatever_the_data(
    admin_client, client, django_app, admin_user, museum, platform
):
    django_app.set_user(admin_user)
    counts(admin_client, museum)  # once to warm what is read once per process (content types, permissions)
    found = counts(admin_client, museum) | signed_out_and_preview(client, django_app, rows=6)
    more_figures(platform)
    with_more = counts(admin_client, museum) | signed_out_and_preview(client, django_app, rows=12)

    baselines = json.loads(BASELINES.read_text()) if BASELINES.exists() else {}
    if RECORDING:
        baselines[connection.vendor] = found
        BASELINES.write_text(json.dumps(baselines, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    grew = {key: (found[key], with_more[key]) for key in found if with_more[key] != found[key]}
    assert grew == {}, "queries that grow with the data (before, after)"
    pinned = baselines.get(connection.vendor, {})
    changed = {key: (pinned.get(key), count) for key, count in found.items() if pinned.get(key) != count}
    assert changed == {}, (
        "query counts differ from tests/query_counts.json (baseline, now): if on purpose, record them again "
        "(OUTREACH_RECORD_QUERY_COUNTS=1, see this module's docstring)"
    )
