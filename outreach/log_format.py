"""How log records are written: as JSON objects, one a line, for a log collector (LOG_FORMAT=json); and
the error mail to ADMINS, once for an error that repeats. The standard library only.

Named `log_format`, not `logging`, so that nothing inside the package ever imports it in place of the
standard library's module.
"""

import json
import logging
import threading
import time
from contextvars import ContextVar
from datetime import UTC, datetime

# The id of the request being served here, set by `outreach.request_log`: every line logged while it is
# served names it, so that one request's lines (its error, its access line) can be found together.
current_request_id: ContextVar[str | None] = ContextVar("current_request_id", default=None)

# What every log record has; any other attribute came in `extra=` and becomes a field of the line.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}
# Django's request logger passes the request object itself; the request's line already says what it was.
_LEFT_OUT = frozenset({"request"})


class JsonFormatter(logging.Formatter):
    """A record as one JSON object: time (UTC), level, logger, message, the request's id while one is being
    served, the fields given in `extra=`, and a traceback as one string (JSON escapes its line breaks)."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = current_request_id.get()
        if request_id is not None:
            line["request_id"] = request_id
        for name, value in vars(record).items():
            if name not in _RECORD_ATTRIBUTES and name not in _LEFT_OUT and name not in line:
                line[name] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        # ASCII only: whatever encoding the process's standard error has, the line stays valid JSON.
        return json.dumps(line, default=str)


class OncePerError(logging.Filter):
    """Lets the same error through once per `seconds` in this process: the mail handler's filter.

    While the database is away every request fails alike, and the health check asks every 30 seconds: one
    mail says so, a hundred an hour would bury it. The same error is the same logger, message (which names
    the path) and exception type; a different one is mailed at once. The log and the error tracker still
    get every occurrence.
    """

    def __init__(self, seconds: float = 600):
        super().__init__()
        self.seconds = seconds
        self._last_passed: dict[tuple, float] = {}
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        exception_type = record.exc_info[0] if record.exc_info else None
        key = (record.name, record.getMessage(), exception_type)
        now = time.monotonic()
        with self._lock:
            last = self._last_passed.get(key)
            if last is not None and now - last < self.seconds:
                return False
            self._last_passed[key] = now
            return True
