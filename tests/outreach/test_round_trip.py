"""An export imports back into an empty database as the same rows, whatever the names and notes hold."""

from datetime import date

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outreach import services
from outreach.models import Account, MetricSnapshot, Platform, SnapshotImport
from outreach.months import add_months

pytestmark = pytest.mark.django_db

# Letters, Chinese, and what CSV and spreadsheets find hard: commas, quotes, newlines, formula starts.
TRICKY = st.sampled_from([",", '"', "\n", "\r\n", "=", "+", "-", "@", "'", "\t", "；", "，", "上海科技馆", "“引号”"])
TEXT = st.lists(
    st.one_of(TRICKY, st.characters(blacklist_categories=("Cs", "Cc"), max_codepoint=0x9FFF)), max_size=12
).map("".join)
NAMES = TEXT.map(str.strip).filter(bool)
COUNTS = st.one_of(st.none(), st.integers(min_value=0, max_value=10**15))


@st.composite
def museum(draw):
    """Accounts with formula-shaped, Chinese, comma-filled names, and a valid history each."""
    slugs = draw(st.lists(st.sampled_from(["kepu-china", "wechat", "douyin", "bilibili"]), min_size=1, max_size=4))
    accounts = []
    for slug in slugs:
        name = draw(
            NAMES.filter(lambda n, taken=accounts, s=slug: (s, n.lower()) not in {(a[0], a[1].lower()) for a in taken})
        )
        months = sorted(draw(st.sets(st.integers(min_value=0, max_value=60), min_size=1, max_size=6)))
        content = "articles" if slug in ("kepu-china", "wechat") else "videos"
        totals = {content: 0, "views": 0}
        snapshots = []
        for month in months:
            figures = {"articles": None, "videos": None, "views": None, "followers": draw(COUNTS)}
            for metric in (content, "views"):
                if draw(st.booleans()):
                    totals[metric] += draw(st.integers(min_value=0, max_value=10**12))
                    figures[metric] = totals[metric]
            if all(value is None for value in figures.values()):
                figures["views"] = totals["views"]
            snapshots.append(
                {
                    "period": add_months(date(2019, 1, 1), month),
                    "approximate": draw(st.booleans()),
                    "note": draw(TEXT).strip(),
                    "is_illustrative": draw(st.booleans()),
                    **figures,
                }
            )
        accounts.append((slug, name, snapshots))
    return accounts


def rows_in_database():
    return sorted(
        MetricSnapshot.objects.values_list(
            "account__platform__slug",
            "account__name",
            "period",
            "articles",
            "videos",
            "views",
            "followers",
            "approximate",
            "note",
            "is_illustrative",
        )
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(accounts=museum())
def test_an_export_imports_into_an_empty_database_as_the_same_rows(staff_client, staff_user, accounts):
    MetricSnapshot.objects.all().delete()
    SnapshotImport.objects.all().delete()
    Account.objects.all().delete()
    for slug, name, snapshots in accounts:
        account = Account.objects.create(
            platform=Platform.objects.get(slug=slug), name=name, opened_on=date(2018, 1, 1)
        )
        MetricSnapshot.objects.bulk_create(MetricSnapshot(account=account, **snapshot) for snapshot in snapshots)
    exported_rows = rows_in_database()
    exported = b"".join(staff_client.get(reverse("snapshots_csv")).streaming_content)

    MetricSnapshot.objects.all().delete()
    plan = services.snapshot_import_check(data=exported, file_name="export.csv")
    assert plan.is_valid, [(row.line, row.errors) for row in plan.refused]
    services.snapshot_import_apply(
        plan=plan, source=SnapshotImport.objects.create(file_name="export.csv", content=exported), user=staff_user
    )

    assert rows_in_database() == exported_rows
