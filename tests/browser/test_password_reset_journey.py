"""A person who forgot their password, in a real Chromium: from the sign-in page's link to signing in with a
new password, the link read from the mail a real SMTP server received."""

import re

import pytest
from django.contrib.auth.models import Group

from tests.browser.conftest import assert_accessible, screenshot
from tests.conftest import restore_migrated_data
from tests.mail_server import running_mail_server

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADDRESS = "ling@museum.example"
NEW_PASSWORD = "a-brand-new-long-password-2024"
WORDS = {
    "en-US": {"forgot": "Forgot your password?", "sent": "Check your e-mail", "sign_in": "Sign in with it"},
    "zh-CN": {"forgot": "忘记密码？", "sent": "请查收电子邮件", "sign_in": "用新密码登录"},
}


@pytest.fixture
def mail(settings):
    """A real SMTP server, and the site (served by live_server in this process) sending to it."""
    with running_mail_server() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        yield server


@pytest.fixture
def ling(django_user_model):
    restore_migrated_data()
    user = django_user_model.objects.create_user(username="ling", email=ADDRESS, password="forgotten-long-password")
    user.groups.add(Group.objects.get(name="Managers"))
    return user


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_a_forgotten_password_is_set_again_from_the_mail_and_signs_in(new_page, live_server, mail, ling, locale):
    words = WORDS[locale]
    page = new_page(locale=locale)
    page.goto(f"{live_server.url}/")
    page.wait_for_url("**/accounts/login/**")

    page.get_by_role("link", name=words["forgot"]).click()
    page.wait_for_url("**/accounts/password-reset/")
    assert_accessible(page)
    screenshot(page, f"password-reset-ask-{locale}")
    page.fill("#id_email", ADDRESS)
    page.click("button.primary")
    page.wait_for_url("**/accounts/password-reset/sent/")
    assert words["sent"] in page.inner_text("main")
    assert_accessible(page)

    [received] = mail.wait_for(1)
    link = re.search(r"http://\S+/accounts/reset/\S+/", received.body)[0]
    assert link.startswith(live_server.url)
    page.goto(link)
    page.wait_for_url("**/set-password/")
    assert_accessible(page)
    screenshot(page, f"password-reset-choose-{locale}")
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    page.click("button.primary")
    page.wait_for_url("**/accounts/reset/done/")
    assert_accessible(page)

    page.get_by_role("link", name=words["sign_in"]).click()
    page.wait_for_url("**/accounts/login/")
    page.fill("#id_username", "ling")
    page.fill("#id_password", NEW_PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{live_server.url}/")
    assert page.inner_text(".user") == "ling"
