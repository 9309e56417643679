"""Signing in and out, as managers do: not through the admin."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(django_user_model):
    user = django_user_model.objects.create_user(username="manager", password="a-long-manager-password")
    user.user_permissions.add(Permission.objects.get(codename="view_metricsnapshot"))
    return user


def test_a_manager_signs_in_and_lands_on_the_dashboard(client, manager):
    response = client.post(
        reverse("accounts:login"),
        {"username": "manager", "password": "a-long-manager-password", "next": "/?metric=followers"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == "/?metric=followers"
    assert response.context["user"] == manager


def test_a_wrong_password_is_a_clear_message(client, manager):
    response = client.post(reverse("accounts:login"), {"username": "manager", "password": "wrong"})

    assert response.status_code == 200
    assert "Please enter a correct username and password." in response.content.decode()
    assert not response.context["user"].is_authenticated


def test_signing_out_needs_a_post_and_ends_the_session(client, manager):
    client.force_login(manager)

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 302
