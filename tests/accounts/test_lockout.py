"""Repeated failed sign-ins lock the account and the address for a while, with a clear message.

Each attempt is typed into the sign-in form as the page renders it, from a browser at an address.
"""

import pytest
from django.test import Client
from django.urls import reverse

from tests.pages import form_posting_to, text_of

pytestmark = pytest.mark.django_db

PASSWORD = "the-right-long-password"


@pytest.fixture
def manager(django_user_model):
    return django_user_model.objects.create_user(username="manager", password=PASSWORD)


@pytest.fixture
def browser(browser_of):
    """A new browser, signed out, with cookies of its own."""
    return lambda: browser_of(None)


def sign_in(app, username: str, password: str, address: str = "10.0.0.1"):
    """Open the sign-in page from `address`, type the username and password, and sign in."""
    environ = {"REMOTE_ADDR": address}
    form = form_posting_to(app.get(reverse("accounts:login"), extra_environ=environ), reverse("accounts:login"))
    form["username"] = username
    form["password"] = password
    return form.submit(extra_environ=environ, expect_errors=True)


def test_five_wrong_passwords_lock_the_account_even_with_the_right_one(manager, settings, browser):
    app = browser()
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(app, "manager", "wrong").status_code == 200

    locked = sign_in(app, "manager", "wrong")
    after = sign_in(browser(), "manager", PASSWORD, address="10.0.0.2")

    assert locked.status_code == 429
    assert "Too many failed sign-ins" in text_of(locked)
    assert "locked for 15 minutes" in text_of(locked)
    assert after.status_code == 429, "the account stays locked from another address"


def test_an_address_that_tries_many_accounts_is_locked(manager, django_user_model, settings, browser):
    django_user_model.objects.create_user(username="other", password=PASSWORD)
    app = browser()
    for number in range(settings.AXES_FAILURE_LIMIT):
        sign_in(app, f"guess-{number}", "wrong")

    response = sign_in(app, "other", PASSWORD)

    assert response.status_code == 429


def test_a_success_before_the_limit_resets_the_count(manager, settings, browser):
    app = browser()
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(app, "manager", "wrong")
    signed_in = sign_in(app, "manager", PASSWORD)
    assert signed_in.status_code == 302
    # Signed out again (a new browser: this person may see nothing yet, and the error page they land on
    # stands alone, without a sign-out button); the count started again from nothing.
    app = browser()
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(app, "manager", "wrong").status_code == 200


def test_the_admin_sign_in_only_hands_over_and_the_one_sign_in_page_locks_out(manager, settings, browser):
    # No page renders a form posting to the admin's sign-in address any more (it hands over to the one
    # sign-in page): a post there is made by hand, as a script trying it would.
    client = Client()
    client.post(reverse("admin:login"), {"username": "manager", "password": PASSWORD}, REMOTE_ADDR="10.0.0.3")
    assert "_auth_user_id" not in client.session  # it only hands over to the one sign-in page

    app = browser()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(app, "manager", "wrong", address="10.0.0.3")
    response = sign_in(app, "manager", PASSWORD, address="10.0.0.3")

    assert response.status_code == 429
