"""An export, downloaded as a person downloads it, uploads back through the admin's import page unchanged:
into the database it came from (every row unchanged) and into an empty one (the same rows), whatever the
names and notes hold."""

from datetime import date

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from webtest import Upload

from outreach.models import Account, MetricSnapshot, Platform, SnapshotImport
from outreach.months import add_months

pytestmark = pytest.mark.django_db

# Letters, Chinese, and what CSV and spreadsheets find hard: commas, quotes, newlines, formula starts.
TRICKY = st.sampled_from([",", '"', "\n", "\r\n", "=", "+", "-", "@", "'", "\t", "；", "，", "上海科技馆", "“引号”"])
TEXT = st.lists(
    st.one_of(TRICKY, st.characters(blacklist_categories=("Cs", "Cc"), max_codepoint=0x9FFF)), max_size=12
).map("".join)
NAMES = TEXT.map(str.strip).filter(bool)
# Far within the largest count the rules accept, however many months add up.
COUNTS = st.one_of(st.none(), st.integers(min_value=0, max_value=10**12))


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


def upload_through_the_import_page(django_app, user, data: bytes):
    """Upload `data` on the import page as it renders, and return the preview it leads to (nothing written yet)."""
    page = django_app.get(reverse("admin:outreach_import"), user=user)
    form = next(form for form in page.forms.values() if "file" in form.fields)
    form["file"] = Upload("outreach-snapshots.csv", data, "text/csv")
    uploaded = form.submit()
    assert uploaded.status_code == 302, uploaded.html.select_one(".errorlist, .errornote")
    return uploaded.follow()


def confirm(django_app, user, preview):
    """Press the preview's "Import these figures", as rendered, and return the page it leads to."""
    form = next((form for form in preview.forms.values() if "Import these figures" in form.text), None)
    assert form is not None, preview.html.select_one("table.import-rows")
    return form.submit().follow()


def counts_on(preview) -> list[str]:
    return [item.get_text(" ", strip=True) for item in preview.html.select("ul.import-counts li")]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(accounts=museum())
def test_an_export_uploads_back_through_the_import_page_unchanged(django_app, staff_user, accounts):
    MetricSnapshot.objects.all().delete()
    SnapshotImport.objects.all().delete()
    Account.objects.all().delete()
    for slug, name, snapshots in accounts:
        account = Account.objects.create(
            platform=Platform.objects.get(slug=slug), name=name, opened_on=date(2018, 1, 1)
        )
        MetricSnapshot.objects.bulk_create(MetricSnapshot(account=account, **snapshot) for snapshot in snapshots)
    exported_rows = rows_in_database()
    # Downloaded over HTTP, as the dashboard's button or a bookmarked URL gives it.
    download = django_app.get(reverse("snapshots_csv"), user=staff_user)
    assert download.content_type == "text/csv"
    exported = download.body
    count = len(exported_rows)

    # Back into the database it came from: every row is unchanged, and confirming changes nothing.
    preview = upload_through_the_import_page(django_app, staff_user, exported)
    assert counts_on(preview) == ["0 to create", "0 to update", f"{count} unchanged", "0 refused"]
    confirm(django_app, staff_user, preview)
    assert rows_in_database() == exported_rows

    # Into an empty database: every row is created, as it was.
    MetricSnapshot.objects.all().delete()
    preview = upload_through_the_import_page(django_app, staff_user, exported)
    assert counts_on(preview) == [f"{count} to create", "0 to update", "0 unchanged", "0 refused"]
    confirm(django_app, staff_user, preview)
    assert rows_in_database() == exported_rows
