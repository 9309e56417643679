"""A forgotten password, reset by e-mail: from the sign-in page's link, through a real SMTP server, to the
new password working and the old one not, in English and in Chinese.

The mail goes to an aiosmtpd server on a loopback port; the link is read from the mail's body and opened as a
person would; every form is the one the page rendered (django-webtest).
"""

import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from tests.mail_server import running_mail_server
from tests.pages import form_posting_to, sign_in, text_of

pytestmark = pytest.mark.django_db

OLD_PASSWORD = "the-old-long-password"
NEW_PASSWORD = "a-brand-new-long-password-2024"
ADDRESS = "ling@museum.example"
RESET_LINK = re.compile(r"http://testserver(/accounts/reset/[^/\s]+/[^/\s]+/)")

# What each language shows and writes (the Chinese as locale/zh_Hans has it).
SPOKEN = {
    "en": {
        "accept": "en-US,en;q=0.9",
        "forgot": "Forgot your password?",
        "sent": "Check your e-mail",
        "subject": "Choose a new password for Outreach",
        "body": "To choose a new password, open this link within 3 days:",
        "username": "Your username, to sign in with: ling",
        "choose": "Choose a new password",
        "done": "Your new password is set",
        "sign_in": "Sign in with it",
        "mismatch": "The two password fields didn’t match.",
    },
    "zh-hans": {
        "accept": "zh-CN,zh;q=0.9",
        "forgot": "忘记密码？",
        "sent": "请查收电子邮件",
        "subject": "设置科普传播看板的新密码",
        "body": "请在 3 天内打开以下链接，设置新密码：",
        "username": "您登录用的用户名：ling",
        "choose": "设置新密码",
        "done": "新密码已设置",
        "sign_in": "用新密码登录",
        "mismatch": "输入的两个密码不一致。",
    },
}


@pytest.fixture
def mail(settings):
    """A real SMTP server, and the site sending to it."""
    with running_mail_server() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        yield server


@pytest.fixture
def ling(django_user_model):
    """A manager with an e-mail address (people who reset a password need one)."""
    user = django_user_model.objects.create_user(username="ling", email=ADDRESS, password=OLD_PASSWORD)
    user.groups.add(Group.objects.get(name="Managers"))
    return user


def ask_for_a_link(app, language: str, address: str):
    """Signed out, from the sign-in page: click "Forgot your password?", type the address, send."""
    page = app.get(reverse("accounts:login"))
    page = page.click(description=re.escape(SPOKEN[language]["forgot"]))
    form = form_posting_to(page, reverse("accounts:password_reset"))
    form["email"] = address
    return form.submit().follow()


def open_the_link(app, mail_received):
    """The link in the mail, opened: a good one moves on at once to the form for the new password, so that
    the token leaves the address bar."""
    found = RESET_LINK.search(mail_received.body)
    assert found, mail_received.body
    page = app.get(found[1])
    return page.follow() if page.status_code == 302 else page


def sign_in_on(page, username: str, password: str):
    """Type into the sign-in form this page shows, and sign in (a lockout's 429 included)."""
    form = form_posting_to(page, reverse("accounts:login"))
    form["username"] = username
    form["password"] = password
    answer = form.submit(expect_errors=True)
    return answer.follow() if answer.status_code == 302 else answer


def set_new_password(page, first: str, second: str):
    form = form_posting_to(page)
    form["new_password1"] = first
    form["new_password2"] = second
    return form.submit()


@pytest.mark.parametrize(
    ("person_speaks", "browser_speaks", "mail_speaks"),
    [
        ("", "en", "en"),
        ("", "zh-hans", "zh-hans"),  # no language kept: the mail speaks the page's
        ("zh-hans", "en", "zh-hans"),  # the person's own language, whatever the browser asked
        ("en", "zh-hans", "en"),
    ],
)
def test_a_forgotten_password_is_reset_from_the_link_in_the_mail(
    django_app, mail, ling, person_speaks, browser_speaks, mail_speaks
):
    ling.language = person_speaks
    ling.save(update_fields=["language"])
    django_app.extra_environ["HTTP_ACCEPT_LANGUAGE"] = SPOKEN[browser_speaks]["accept"]
    page_words, mail_words = SPOKEN[browser_speaks], SPOKEN[mail_speaks]

    sent = ask_for_a_link(django_app, browser_speaks, ADDRESS)
    assert page_words["sent"] in text_of(sent)

    [received] = mail.wait_for(1)
    assert received.recipients == [ADDRESS]
    assert received.sender == "outreach@localhost"
    assert received.subject == mail_words["subject"]
    assert mail_words["body"] in received.body
    assert mail_words["username"] in received.body

    form_page = open_the_link(django_app, received)
    assert form_page.request.path.endswith("/set-password/")
    assert page_words["choose"] in text_of(form_page)
    refused = set_new_password(form_page, NEW_PASSWORD, NEW_PASSWORD + "x")
    assert page_words["mismatch"] in text_of(refused)
    done = set_new_password(refused, NEW_PASSWORD, NEW_PASSWORD).follow()
    assert page_words["done"] in text_of(done)

    signed_in = sign_in_on(done.click(description=page_words["sign_in"]), "ling", NEW_PASSWORD)
    assert signed_in.request.path == reverse("dashboard")
    assert signed_in.html.select_one(".user").get_text(strip=True) == "ling"


def test_the_old_password_no_longer_signs_in_and_the_link_works_once(django_app, mail, ling):
    django_app.extra_environ["HTTP_ACCEPT_LANGUAGE"] = SPOKEN["en"]["accept"]
    ask_for_a_link(django_app, "en", ADDRESS)
    [received] = mail.wait_for(1)
    set_new_password(open_the_link(django_app, received), NEW_PASSWORD, NEW_PASSWORD).follow()

    refused = sign_in(django_app, reverse("dashboard"), "ling", OLD_PASSWORD)
    again = open_the_link(django_app, received)

    assert "Please enter a correct username and password." in text_of(refused)
    assert refused.html.select_one(".user") is None
    assert "This link no longer works" in text_of(again)
    assert again.click(description="Ask for a new link").request.path == reverse("accounts:password_reset")


def test_an_address_without_an_account_gets_the_same_page_and_no_mail(django_app, mail, ling):
    django_app.extra_environ["HTTP_ACCEPT_LANGUAGE"] = SPOKEN["en"]["accept"]

    unknown = ask_for_a_link(django_app, "en", "nobody@museum.example")
    known = ask_for_a_link(django_app, "en", ADDRESS.upper())  # the address as someone may type it

    assert text_of(unknown) == text_of(known)
    assert unknown.request.path == known.request.path
    [received] = mail.wait_for(1)
    assert received.recipients == [ADDRESS]
    assert [mail_received.recipients for mail_received in mail.received] == [[ADDRESS]]


def test_a_mistyped_address_is_a_clear_message(django_app, mail, ling):
    django_app.extra_environ["HTTP_ACCEPT_LANGUAGE"] = SPOKEN["en"]["accept"]
    page = django_app.get(reverse("accounts:password_reset"))
    form = form_posting_to(page, reverse("accounts:password_reset"))
    form["email"] = "ling at museum"

    refused = form.submit()

    assert refused.status_code == 200
    assert "Enter a valid email address." in text_of(refused)
    assert refused.html.select_one("#id_email")["aria-describedby"] == "id_email_error"


def test_a_locked_out_person_resets_and_signs_in_at_once(django_app, browser_of, mail, ling, settings):
    django_app.extra_environ["HTTP_ACCEPT_LANGUAGE"] = SPOKEN["en"]["accept"]
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        locked = sign_in_on(django_app.get(reverse("accounts:login")), "ling", "not-my-password")
    assert locked.status_code == 429
    elsewhere = browser_of(None)
    elsewhere.extra_environ["REMOTE_ADDR"] = "10.0.0.9"
    still_locked = sign_in_on(elsewhere.get(reverse("accounts:login")), "ling", OLD_PASSWORD)
    assert still_locked.status_code == 429, "the account is locked, even with the right password"

    page = locked.click(description="Choose a new one by e-mail")
    form = form_posting_to(page, reverse("accounts:password_reset"))
    form["email"] = ADDRESS
    form.submit().follow()
    [received] = mail.wait_for(1)
    set_new_password(open_the_link(django_app, received), NEW_PASSWORD, NEW_PASSWORD).follow()

    signed_in = sign_in_on(django_app.get(reverse("accounts:login")), "ling", NEW_PASSWORD)
    assert signed_in.request.path == reverse("dashboard")
    assert signed_in.html.select_one(".user").get_text(strip=True) == "ling"


def test_the_admin_sign_in_offers_the_reset_too(django_app):
    page = django_app.get(reverse("admin:login")).follow()

    assert page.request.path == reverse("accounts:login")
    assert page.click(description="Forgot your password?").request.path == reverse("accounts:password_reset")
