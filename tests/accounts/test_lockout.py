"""Repeated failed sign-ins lock the account and the address for a while, with a clear message."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "the-right-long-password"


@pytest.fixture
def manager(django_user_model):
    return django_user_model.objects.create_user(username="manager", password=PASSWORD)


def sign_in(client: Client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def test_five_wrong_passwords_lock_the_account_even_with_the_right_one(manager, settings):
    client = Client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "manager", "wrong").status_code == 200

    locked = sign_in(client, "manager", "wrong")
    after = sign_in(Client(), "manager", PASSWORD, address="10.0.0.2")

    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    assert "locked for 15 minutes" in locked.content.decode()
    assert after.status_code == 429, "the account stays locked from another address"


def test_an_address_that_tries_many_accounts_is_locked(manager, django_user_model, settings):
    django_user_model.objects.create_user(username="other", password=PASSWORD)
    client = Client()
    for number in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, f"guess-{number}", "wrong")

    response = sign_in(client, "other", PASSWORD)

    assert response.status_code == 429


def test_a_success_before_the_limit_resets_the_count(manager, settings):
    client = Client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "manager", "wrong")
    assert sign_in(client, "manager", PASSWORD).status_code == 302
    client.logout()

    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "manager", "wrong").status_code == 200


def test_the_admin_sign_in_signs_no_one_in_past_the_lockout(manager, settings):
    client = Client()
    client.post(reverse("admin:login"), {"username": "manager", "password": PASSWORD}, REMOTE_ADDR="10.0.0.3")
    assert "_auth_user_id" not in client.session  # it only hands over to the one sign-in page

    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "manager", "password": "wrong"}, REMOTE_ADDR="10.0.0.3")
    response = client.post(
        reverse("accounts:login"), {"username": "manager", "password": PASSWORD}, REMOTE_ADDR="10.0.0.3"
    )

    assert response.status_code == 429
