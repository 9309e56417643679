"""Production: `check --deploy` is clean, error pages are the app's own, and a database away is a 503."""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from outreach.views import server_error
from tests.servers import VENV_BIN, collect_static, gunicorn_command, production_env, run, secret_key, started_server

PRODUCTION = {
    "ALLOWED_HOSTS": "outreach.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://outreach.example.org",
    "DATABASE_URL": "sqlite:////tmp/outreach-check-deploy.sqlite3",
}


def retry_after_of(url: str) -> str | None:
    """The Retry-After header of a 503 at `url`."""
    import urllib.error
    import urllib.request

    try:
        urllib.request.urlopen(url, timeout=30)  # noqa: S310 (a loopback http URL)
    except urllib.error.HTTPError as error:
        return error.headers.get("Retry-After")
    return None


def check_deploy(**variables: str):
    return run(
        [VENV_BIN / "python", "manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env(**variables)
    )


def test_check_deploy_reports_nothing_with_production_settings():
    result = check_deploy(SECRET_KEY=secret_key(), **PRODUCTION)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_on_a_weak_secret_key():
    result = check_deploy(SECRET_KEY="django-insecure-short", **PRODUCTION)

    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


@pytest.mark.django_db
def test_a_missing_page_is_the_apps_own_404():
    response = Client().get("/no-such-page/")

    assert response.status_code == 404
    page = response.content.decode()
    assert "There is no such page" in page and "Traceback" not in page


@pytest.mark.django_db
def test_a_bad_host_is_the_apps_own_400():
    response = Client().get("/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert "This request could not be understood" in response.content.decode()


@pytest.mark.django_db
def test_a_form_without_its_csrf_token_is_refused_with_the_apps_own_page(django_user_model):
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("accounts:login"), {"username": "x", "password": "y"})

    assert response.status_code == 403
    assert "The form could not be checked" in response.content.decode()


def test_an_unexpected_error_is_the_apps_own_500_without_a_traceback():
    request = RequestFactory().get("/")
    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(request)

    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong on our side" in page
    assert "a bug" not in page and "Traceback" not in page


def test_a_request_while_the_database_is_away_gets_a_clear_503(tmp_path):
    collect_static(tmp_path / "static")
    environment = production_env(
        SECRET_KEY=secret_key(),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL="postgres://postgres@127.0.0.1:1/nothing",  # nothing listens on port 1
        SECURE_SSL_REDIRECT="false",
        STATIC_ROOT=str(tmp_path / "static"),
    )

    with started_server(gunicorn_command(), environment, tmp_path / "web.log", path="/") as server:
        status, page = server.status, server.body.decode()
        retry_after = retry_after_of(f"{server.base_url}/")

    assert status == 503, server.log_text()
    assert "The service is temporarily unavailable" in page
    assert "Traceback" not in page and "OperationalError" not in page
    assert retry_after == "30"  # when a browser or a monitor may ask again
