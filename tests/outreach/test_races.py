"""Two people saving the same month at the same instant: the second is told, never a server error.

The race is real: a second connection holds an uncommitted row of the same account and month while the
page's save runs, so that the page's check passes and its insert waits on the one-per-month constraint;
the row is committed once the save is seen waiting (on the account, which every writer locks first).
PostgreSQL only: SQLite lets one writer in at a time (from the start of its transaction), so the check
there always sees the other's row.
"""

import threading
import time
from datetime import date

import pytest
from django.db import connection
from django.urls import reverse

from outreach.models import MetricSnapshot
from tests.pages import text_of

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def other_writer():
    """A second PostgreSQL connection that inserts a snapshot and commits it when told."""
    if connection.vendor != "postgresql":
        pytest.skip("the race needs two concurrent writers: PostgreSQL")
    import psycopg

    settings = connection.settings_dict
    other = psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"],
        host=settings["HOST"],
        port=settings["PORT"],
    )
    yield other
    other.close()


@pytest.fixture
def museum(other_writer, seeded_for_real_transactions):
    """The seed's accounts, committed (the other writer's connection must see them)."""
    return seeded_for_real_transactions


def insert_uncommitted(other, account, period: date, videos: int) -> None:
    """Save a month as the app does (the account locked first, then the row), and leave it uncommitted."""
    with other.cursor() as cursor:
        cursor.execute("SELECT id FROM outreach_account WHERE id = %s FOR UPDATE", [account.pk])
        cursor.execute(
            "INSERT INTO outreach_metricsnapshot (account_id, period, videos, approximate, is_illustrative, note, "
            "created_at, updated_at, version) VALUES (%s, %s, %s, false, false, '', now(), now(), 1)",
            [account.pk, period, videos],
        )


def submitted_while_douyin_march_is_created(other, douyin, submit):
    """Submit a form while the other writer creates Douyin's March 2024 (350 videos) and commits it."""
    insert_uncommitted(other, douyin, date(2024, 3, 1), 350)
    committer = threading.Thread(target=commit_once_someone_waits, args=(other,))
    committer.start()
    response = submit()
    committer.join()
    return response


def march_videos() -> list[int]:
    return list(MetricSnapshot.objects.filter(period=date(2024, 3, 1)).values_list("videos", flat=True))


def commit_once_someone_waits(other) -> None:
    """Commit the other writer's row as soon as another connection waits on it (at most 20 s)."""
    with other.cursor() as watch:
        for _attempt in range(400):
            watch.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if watch.fetchone()[0]:
                break
            time.sleep(0.05)
    other.commit()


def test_the_add_form_saved_while_someone_creates_the_same_month_tells_the_second(
    other_writer, django_app, staff_user, museum
):
    django_app.set_user(staff_user)
    form = django_app.get(reverse("admin:outreach_metricsnapshot_add")).forms["metricsnapshot_form"]
    form["account"] = str(museum["douyin"].pk)
    form["period"] = "2024-03"
    form["videos"] = "351"

    response = submitted_while_douyin_march_is_created(other_writer, museum["douyin"], lambda: form.submit("_save"))

    assert response.status_code == 200
    shown = text_of(response)
    assert "Videos is now 350; you typed 351" in shown
    assert "already has figures for March 2024" in shown
    assert march_videos() == [350]


def test_the_month_grid_saved_while_someone_creates_the_same_month_tells_the_second(
    other_writer, django_app, staff_user, museum
):
    django_app.set_user(staff_user)
    grid = django_app.get(reverse("admin:outreach_month_grid") + "?period=2024-03")
    form = next(form for form in grid.forms.values() if (form.action or "").startswith("?period="))
    form[f"account-{museum['douyin'].pk}-videos"] = "351"
    form[f"account-{museum['bilibili'].pk}-videos"] = "330"

    response = submitted_while_douyin_march_is_created(other_writer, museum["douyin"], form.submit)

    assert response.status_code == 200
    shown = text_of(response)
    assert "Nothing was saved: someone saved figures of this month meanwhile." in shown
    assert "Videos is now 350; you typed 351" in shown
    assert march_videos() == [350]


def test_two_imports_of_the_same_month_confirmed_at_once_the_second_is_told(
    other_writer, django_app, staff_user, museum
):
    from webtest import Upload

    from tests.pages import form_posting_to

    django_app.set_user(staff_user)
    upload = form_posting_to(django_app.get(reverse("admin:outreach_import")))
    upload["file"] = Upload(
        "march.csv",
        b"platform,account,period,articles,videos,views,followers\r\n"
        b"douyin,Shanghai Science & Technology Museum,2024-03,,351,,\r\n",
    )
    preview = upload.submit().follow()
    confirm = form_posting_to(preview)

    response = submitted_while_douyin_march_is_created(other_writer, museum["douyin"], confirm.submit)

    assert response.status_code == 200
    assert "Nothing was imported: some of these figures changed since you checked the file" in text_of(response)
    assert march_videos() == [350]
