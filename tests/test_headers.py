"""Response headers a browser acts on: features refused, figures kept private, the language cookie."""

import json

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.pages import add_person, form_posting_to, sign_in
from tests.servers import VENV_BIN, production_env, run, secret_key


def test_every_response_refuses_the_browser_features_no_page_uses(client, db):
    for url in (reverse("healthz"), reverse("accounts:login")):
        policy = client.get(url)["Permissions-Policy"]
        assert "camera=()" in policy and "geolocation=()" in policy and "microphone=()" in policy


@pytest.mark.parametrize("name", ["dashboard", "recent_changes", "snapshots_csv", "summary_xlsx"])
def test_pages_with_figures_are_kept_by_no_shared_cache_and_asked_for_again(manager_client, seeded, name):
    response = manager_client.get(reverse(name))

    assert response.status_code == 200
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-cache"} <= directives


def test_the_language_cookie_is_secure_and_same_site_in_production():
    shown = run(
        [
            VENV_BIN / "python",
            "manage.py",
            "shell",
            "-c",
            "import json; from django.conf import settings; "
            "print(json.dumps([settings.LANGUAGE_COOKIE_SECURE, settings.LANGUAGE_COOKIE_SAMESITE]))",
        ],
        production_env(SECRET_KEY=secret_key(), ALLOWED_HOSTS="outreach.example.org"),
    )
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout.strip().splitlines()[-1]) == [True, "Lax"]


@override_settings(LANGUAGE_COOKIE_SECURE=True)
def test_the_language_a_person_chooses_is_sent_back_in_a_secure_lax_cookie(django_app, db):
    password = add_person("chooser", "manager")
    page = sign_in(django_app, reverse("dashboard"), "chooser", password)

    chosen = form_posting_to(page, reverse("set_language")).submit("language", value="zh-hans")

    cookie = next(
        value for name, value in chosen.headers.items() if name == "Set-Cookie" and "django_language" in value
    )
    assert "Secure" in cookie and "SameSite=Lax" in cookie
