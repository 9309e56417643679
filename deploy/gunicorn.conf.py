"""gunicorn's settings for bin/start-web (the image's CMD and docker-compose.yml's `web`).

gunicorn executes this file in its master process before it forks the workers, so what it changes in
gunicorn's modules holds in every worker, those a restart spawns included.
"""

import os

from gunicorn.http import wsgi

# Loopback unless told otherwise: outside a container, a bare `bin/start-web` must not serve the network.
# The container sets BIND=0.0.0.0 so that the proxy (another container) reaches it.
bind = [f"{os.environ.get('BIND', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"]
# Sync workers, each busy for the whole of one request: a slow client would hold one, which is why the
# proxy in front reads whole requests before passing them on (deploy/Caddyfile).
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
accesslog = "-"
# gunicorn's own lines in the app's format (JSON with LOG_FORMAT=json, when the app's one line per request
# replaces gunicorn's access line: see outreach/gunicorn_log.py).
logger_class = "outreach.gunicorn_log.Logger"
# The client's address first: behind the proxy the peer is always the proxy, and the address it read
# from the connection is the X-Forwarded-For it sends ("-" when no proxy is in front).
access_log_format = '%({x-forwarded-for}i)s %(h)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
# gunicorn's runtime control socket (worker counts, reloads) defaults to one path under $HOME for every
# gunicorn on the machine; nothing here uses it, so no process should listen on it.
control_socket_disable = True


def _default_headers_without_server(response):
    """gunicorn's own status line and headers, less its `Server: gunicorn` banner."""
    return [line for line in _default_headers(response) if not line.lower().startswith("server:")]


# gunicorn has no setting for its Server header: it writes it with the status line, in
# Response.default_headers. Filtering that method's output keeps working whatever the banner says; if a
# gunicorn release renames the method, this line fails at start-up instead of the banner coming back.
_default_headers = wsgi.Response.default_headers
wsgi.Response.default_headers = _default_headers_without_server
