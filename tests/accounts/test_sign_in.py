"""Signing in and out, as managers do: not through the admin, on the forms the pages render."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from tests.pages import form_posting_to, sign_in, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(django_user_model):
    user = django_user_model.objects.create_user(username="manager", password="a-long-manager-password")
    user.user_permissions.add(Permission.objects.get(codename="view_metricsnapshot"))
    return user


def signed_in_as(page) -> str | None:
    """The name the page shows as signed in, if any."""
    shown = page.html.select_one(".user")
    return shown.get_text(strip=True) if shown else None


def test_a_manager_signs_in_and_lands_on_the_dashboard(django_app, manager):
    page = sign_in(django_app, "/?metric=followers", "manager", "a-long-manager-password")

    assert page.status_code == 200
    assert page.request.path_qs == "/?metric=followers"
    assert signed_in_as(page) == "manager"


def test_a_wrong_password_is_a_clear_message(django_app, manager):
    page = sign_in(django_app, reverse("dashboard"), "manager", "wrong")

    assert page.status_code == 200
    assert "Please enter a correct username and password." in text_of(page)
    assert signed_in_as(page) is None
    assert form_posting_to(page, reverse("accounts:login")), "the sign-in form is shown again"
    assert django_app.get(reverse("dashboard")).status_code == 302


def test_signing_out_needs_a_post_and_ends_the_session(django_app, manager):
    page = sign_in(django_app, reverse("dashboard"), "manager", "a-long-manager-password")
    assert signed_in_as(page) == "manager"
    assert django_app.get(reverse("accounts:logout"), expect_errors=True).status_code == 405

    response = form_posting_to(page, reverse("accounts:logout")).submit()

    assert response.status_code == 302
    assert django_app.get(reverse("dashboard")).status_code == 302
