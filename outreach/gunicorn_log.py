"""gunicorn's own lines (starting, workers booting and timing out) in the app's format:
`gunicorn --logger-class outreach.gunicorn_log.Logger`.

gunicorn's master process never loads Django, so it reads LOG_FORMAT itself. With LOG_FORMAT=json its
lines are JSON objects like the app's, and its access log is off: the app writes one line per request,
with more in it (the request's id, who asked, the time taken), and a second line for the same request
would count it twice.
"""

from gunicorn import glogging

from outreach.environment import Env
from outreach.log_format import JsonFormatter


class Logger(glogging.Logger):
    """gunicorn's logger, JSON when LOG_FORMAT=json and otherwise exactly gunicorn's."""

    def setup(self, cfg):
        self.json = Env()("LOG_FORMAT", default="text") == "json"
        super().setup(cfg)
        if self.json:
            for handler in self.error_log.handlers:
                handler.setFormatter(JsonFormatter())

    def access(self, resp, req, environ, request_time):
        if not self.json:
            super().access(resp, req, environ, request_time)
