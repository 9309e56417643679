"""`make run` creates the first administrator, once."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db


def run_ensure_admin(capsys) -> str:
    # In English whatever an earlier test left active: `make run` prints it with no language chosen.
    with translation.override("en"):
        call_command("ensure_admin")
    return capsys.readouterr().out


def test_the_administrator_comes_from_the_environment(monkeypatch, capsys):
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "curator")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-curator-password")

    out = run_ensure_admin(capsys)

    assert "a-long-curator-password" not in out
    user = get_user_model().objects.get(username="curator")
    assert user.check_password("a-long-curator-password") and user.is_superuser and user.is_staff


def test_without_a_password_one_is_generated_and_printed_once(monkeypatch, capsys):
    monkeypatch.delenv("DJANGO_SUPERUSER_USERNAME", raising=False)
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)

    first = run_ensure_admin(capsys)
    second = run_ensure_admin(capsys)

    password = re.search(r"with the password (\S+)\. It is shown only this once", first).group(1)
    assert get_user_model().objects.get(username="admin").check_password(password)
    assert password not in second
    assert get_user_model().objects.filter(is_superuser=True).count() == 1


def test_a_password_beginning_with_a_dollar_is_the_one_that_signs_in(monkeypatch, capsys, django_app):
    # One random password in 64 begins with "$"; django-environ alone reads it as a variable's name.
    password = "$ecret-curator-password"
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "curator")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", password)

    out = run_ensure_admin(capsys)

    assert out == "Created the administrator “curator”.\n", "no password should be generated and printed"
    page = django_app.get(reverse("accounts:login"))
    form = next(form for form in page.forms.values() if "password" in form.fields)
    form["username"], form["password"] = "curator", password
    signed_in = form.submit().follow()
    assert signed_in.html.select_one(".user").get_text(strip=True) == "curator"
