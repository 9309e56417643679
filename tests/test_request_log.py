"""Each request's log line, as JSON, from requests a person makes: who asked, and no secret from the URL.

The lines are formatted by the JSON formatter as they are logged, while the request is being served, as the
console handler does with LOG_FORMAT=json (tests/test_operations.py runs the same through gunicorn).
"""

import io
import json
import logging

import pytest
from django.urls import reverse

from outreach.log_format import JsonFormatter

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_log():
    """The JSON lines logged from here on, as a function returning them parsed."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logging.getLogger().addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()], stream
    logging.getLogger().removeHandler(handler)


def the_request_line(records: list[dict]) -> dict:
    [line] = [record for record in records if record["logger"] == "outreach.requests"]
    return line


def test_a_signed_in_persons_request_names_them(manager_client, django_user_model, json_log):
    records, _stream = json_log

    response = manager_client.get(reverse("recent_changes"), headers={"X-Request-ID": "from-the-proxy-42"})

    line = the_request_line(records())
    assert response.status_code == 200
    assert response["X-Request-ID"] == "from-the-proxy-42"
    assert line["request_id"] == "from-the-proxy-42"
    assert line["user_id"] == django_user_model.objects.get(username="manager").pk
    assert (line["method"], line["path"], line["status"]) == ("GET", "/changes/", 200)
    assert line["message"].startswith("GET /changes/ 200 ")


def test_a_reset_links_token_is_not_written_down(client, json_log):
    records, stream = json_log
    token = "c4u5ue-0123456789abcdef0123456789abcdef"

    client.get(reverse("accounts:password_reset_confirm", kwargs={"uidb64": "MQ", "token": token}))

    assert the_request_line(records())["path"] == "/accounts/reset/MQ/[redacted]/"
    assert token not in stream.getvalue()


def test_a_secret_in_the_query_string_is_not_written_down_and_the_rest_is(client, json_log):
    records, stream = json_log

    client.get("/accounts/login/?next=/%3Fmetric%3Dviews&api_key=k-123456&signature=abc987")

    line = the_request_line(records())
    assert line["query"] == "next=/%3Fmetric%3Dviews&api_key=[redacted]&signature=[redacted]"
    assert "k-123456" not in stream.getvalue()
    assert "abc987" not in stream.getvalue()


def test_what_django_logs_about_a_request_names_the_same_request(client, json_log):
    records, _stream = json_log

    client.get("/no-such-page/")

    line = the_request_line(records())
    [not_found] = [record for record in records() if record["logger"] == "django.request"]
    assert line["status"] == 404
    assert not_found["message"] == "Not Found: /no-such-page/"
    assert not_found["request_id"] == line["request_id"]
