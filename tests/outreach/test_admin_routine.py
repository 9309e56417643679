"""Staff find the month's routine where they are sent: one sign-in page, then the grid and the import one click away."""

import pytest
from django.urls import reverse

from tests.pages import add_person, sign_in, text_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("start", ["/admin/", "/admin/outreach/metricsnapshot/month-grid/", "/admin/login/"])
def test_staff_added_on_the_command_line_sign_in_wherever_they_are_sent(django_app, seeded, start):
    password = add_person("wei", "staff")

    page = sign_in(django_app, start, "wei", password)

    assert page.request.path == (start if start != "/admin/login/" else "/admin/")
    assert "staff account" not in text_of(page)
    assert page.html.select_one("#user-tools strong").get_text(strip=True) == "wei"


def test_the_admin_sign_in_hands_over_to_the_one_sign_in_page_keeping_next(django_app, db):
    response = django_app.get("/admin/login/?next=/admin/outreach/metricsnapshot/")

    assert response.status_int == 302
    assert response.location == "/accounts/login/?next=/admin/outreach/metricsnapshot/"


def test_the_month_grid_and_the_import_are_one_click_from_the_admins_front_page(django_app, seeded):
    password = add_person("wei", "staff")
    front = sign_in(django_app, "/admin/", "wei", password)

    grid = front.click(description="Enter a month for every account")
    assert grid.request.path == reverse("admin:outreach_month_grid")
    assert "Figures at the end of March 2024" in text_of(grid)

    upload = front.click(description="Import a file")
    assert upload.request.path == reverse("admin:outreach_import")
    assert upload.forms


@pytest.mark.parametrize("role", ["staff", "administrator"])
def test_the_snapshot_list_links_the_grid_and_the_import(django_app, seeded, role):
    password = add_person("wei", role)
    front = sign_in(django_app, "/admin/", "wei", password)

    listing = front.click(description="Metric snapshots", index=0)

    assert listing.click(description="Import a file").request.path == reverse("admin:outreach_import")
    assert listing.click(description="Enter a month for every account").request.path == reverse(
        "admin:outreach_month_grid"
    )


def test_someone_in_the_admin_who_may_not_enter_figures_sees_no_routine_links(django_app, seeded, django_user_model):
    from django.contrib.auth.models import Permission

    viewer = django_user_model.objects.create_user(username="viewer", password="a-long-viewer-password", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_metricsnapshot"))
    django_app.set_user(viewer)

    front = django_app.get("/admin/")
    listing = front.click(description="Metric snapshots", index=0)

    assert "Metric snapshots" in text_of(front)  # the admin itself is open to them
    for page in (front, listing):
        assert "Import a file" not in text_of(page)
        assert "Enter a month for every account" not in text_of(page)
    assert django_app.get(reverse("admin:outreach_import"), expect_errors=True).status_int == 403


def test_managers_are_refused_the_admin(django_app, seeded):
    password = add_person("li", "manager")

    page = sign_in(django_app, "/", "li", password)

    assert page.request.path == "/"
    assert django_app.get("/admin/", expect_errors=True).status_int == 403
