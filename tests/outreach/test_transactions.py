"""A write that fails halfway leaves nothing half-written."""

from datetime import date

import pytest
from django.db import connection
from django.test import override_settings

from outreach.models import MetricSnapshot
from tests.outreach.test_month_grid import save_grid
from tests.pages import text_of

pytestmark = pytest.mark.django_db

REFUSED_VIEWS = 7_777_777


@pytest.fixture
def database_refuses_one_value():
    """A trigger that makes the database itself refuse one insert, as a full disk or a dropped link would."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION refuse_value() RETURNS trigger AS $$ BEGIN "
                f"IF NEW.views = {REFUSED_VIEWS} THEN RAISE EXCEPTION 'refused by the database'; END IF; "
                "RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER refuse_value BEFORE INSERT ON outreach_metricsnapshot "
                "FOR EACH ROW EXECUTE FUNCTION refuse_value()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER refuse_value BEFORE INSERT ON outreach_metricsnapshot "
                f"WHEN NEW.views = {REFUSED_VIEWS} BEGIN SELECT RAISE(ABORT, 'refused by the database'); END"
            )


def test_a_month_grid_save_that_fails_on_its_last_row_writes_none_of_the_rows(
    django_app, staff_user, seeded, database_refuses_one_value
):
    django_app.set_user(staff_user)
    rows = {
        seeded["kepu-china"]: {"articles": "52", "views": "1,950,000"},
        seeded["wechat"]: {"articles": "1,010", "views": "20,100,000"},
        seeded["douyin"]: {"videos": "350", "views": "7,700,000"},
        seeded["bilibili"]: {"videos": "330", "views": f"{REFUSED_VIEWS:,}"},
    }

    # The error page a person sees, not the exception django-webtest would hand the test.
    with override_settings(DEBUG_PROPAGATE_EXCEPTIONS=False):
        response = save_grid(django_app, "2024-03", rows, expect_errors=True)

    assert response.status_code == 500
    assert "Something went wrong on our side" in text_of(response)
    assert not MetricSnapshot.objects.filter(period=date(2024, 3, 1)).exists()
    assert not MetricSnapshot.history.filter(period=date(2024, 3, 1)).exists()
