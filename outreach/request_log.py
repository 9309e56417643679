"""One log line per request, and an id for each request, returned in the X-Request-ID header.

The line says the method, the path (a reset link's token and the values of secret-looking query
parameters replaced by "[redacted]"), the status, the time taken, who asked (the signed-in person's id,
or none) and the request's id; with LOG_FORMAT=json these are the line's fields. Every other line logged
while the request is served names the same id (see `outreach.log_format.current_request_id`).
"""

import logging
import re
import time
import uuid
from urllib.parse import parse_qsl, urlencode

from django.core.signals import request_finished
from django.utils.functional import empty

from outreach.log_format import current_request_id

logger = logging.getLogger("outreach.requests")

HEADER = "X-Request-ID"
# An id a proxy in front gave (nginx's $request_id, a load balancer's trace id) is kept, so that both logs
# name the request alike; anything else (long, spaces, quotes, line breaks) could forge or break a log line
# or a header, and is replaced by a new id.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:;=+/-]{0,127}")
REDACTED = "[redacted]"
# Query parameters whose values are secrets in a link (a token, a key, a signature) are not written down.
SECRET_PARAMETER = re.compile(r"token|key|secret|pass|sig|auth|code|session|csrf", re.IGNORECASE)
# URL arguments that are secrets in the path: the token of a password reset link (accounts/urls.py), which
# would let whoever reads the log set the person's password.
SECRET_URL_ARGUMENTS = ("token",)


def request_id_of(request) -> str:
    """The id the request came with, if it looks like one, else a new one."""
    given = request.headers.get(HEADER, "")
    return given if SANE_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def logged_path(request) -> str:
    """The request's path, with the secret arguments of the URL it matched redacted."""
    path = request.path
    match = getattr(request, "resolver_match", None)
    for name in SECRET_URL_ARGUMENTS:
        secret = match.kwargs.get(name) if match else None
        if secret:
            path = path.replace(f"/{secret}/", f"/{REDACTED}/")
    return path


def logged_query(request) -> str:
    """The query string, each secret-looking parameter's value redacted."""
    pairs = parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True)
    return urlencode(
        [(name, REDACTED if SECRET_PARAMETER.search(name) else value) for name, value in pairs], safe="[]/,"
    )


def signed_in_id(request) -> int | None:
    """The signed-in person's id, if the request looked them up: looking them up here would add a query
    or two to requests that never needed to know (static files, the health check)."""
    user = getattr(request, "user", None)  # none when a middleware before sign-in answered (static files)
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    return user.pk if user.is_authenticated else None


def forget_request_id(**kwargs) -> None:
    current_request_id.set(None)


# The id stays until the response is closed, after its body is sent, not only while the middleware runs:
# Django logs a 4xx ("Not Found: ...") once the middleware has returned, and a streamed body (the CSV export)
# is written after that too.
request_finished.connect(forget_request_id, dispatch_uid="outreach.request_log.forget_request_id")


def request_log(get_response):
    """The middleware: first in MIDDLEWARE, so that it times everything and every response has the header.

    A streamed response (the CSV export) is timed to its first byte: the rest streams after the line."""

    def middleware(request):
        request_id = request.request_id = request_id_of(request)
        current_request_id.set(request_id)
        started = time.perf_counter()
        response = get_response(request)
        response[HEADER] = request_id
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        path, query, user_id = logged_path(request), logged_query(request), signed_in_id(request)
        logger.info(
            "%s %s%s %s %s ms (user %s, request %s)",
            request.method,
            path,
            f"?{query}" if query else "",
            response.status_code,
            duration_ms,
            user_id if user_id is not None else "none",
            request_id,
            extra={
                "method": request.method,
                "path": path,
                "query": query,
                "status": response.status_code,
                "duration_ms": duration_ms,
                "user_id": user_id,
            },
        )
        return response

    return middleware
