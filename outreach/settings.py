"""Settings for Outreach, all read from the environment through one `environ.Env`.

With no `DATABASE_URL` the app runs on an embedded SQLite file; production (DEBUG off) has no
default for `SECRET_KEY` or `ALLOWED_HOSTS` and refuses to start without them. Every variable read
here is listed in the README's table; a test keeps the two and docker-compose.yml in step.
"""

from datetime import timedelta
from email.utils import getaddresses
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from outreach.environment import Env

BASE_DIR = Path(__file__).resolve().parent.parent


env = Env()
# A development checkout keeps its settings in `.env` (`make` writes one with DEBUG=true; git ignores it).
# Variables already in the environment win, so production and tests are never overridden by it.
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)

if DEBUG:
    # Development only: a fixed, clearly unsafe key so that `make run` works with no set-up.
    SECRET_KEY = env("SECRET_KEY", default="django-insecure-development-only-key-never-use-in-production")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
else:
    try:
        SECRET_KEY = env("SECRET_KEY")
        ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
    except ImproperlyConfigured as missing:
        raise ImproperlyConfigured(
            f"{missing}. With DEBUG off (production), SECRET_KEY and ALLOWED_HOSTS must be set; "
            "for development set DEBUG=true, as `make run` does."
        ) from None
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS is empty: list the host names this site answers to.")

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "outreach.apps.OutreachAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "accounts.apps.AxesConfig",  # django-axes, its sidebar name translated
    "accounts",
    "outreach",
]

MIDDLEWARE = [
    # First: it times the whole request and names it (X-Request-ID) in every line logged meanwhile.
    "outreach.request_log.request_log",
    "django.middleware.security.SecurityMiddleware",
    "outreach.middleware.permissions_policy",
    "outreach.middleware.content_security_policy",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages carry their figures as JSON: compressed, a dashboard is a tenth of its size. (CSRF tokens
    # are masked per response, which is Django's defence against BREACH.)
    "outreach.compression.FastGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Who changed a figure, for the audit trail.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out account or address is refused before its password is checked.
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.RoleBackend",
]

# Sign-in protection: after AXES_FAILURE_LIMIT failed attempts, the account and, separately, the address
# are locked for AXES_COOLOFF_MINUTES.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# The address axes locks (read by django-ipware): X-Forwarded-For's, else the connection's. Caddy
# (deploy/Caddyfile) replaces any X-Forwarded-For a client sends with the one address it connected from, so
# behind it PROXY_COUNT stays 0 and that address is the client's. The count is for proxies that append to the
# header ("client, proxy1, ..."): one in front of Caddy, trusted by it, makes it 1. Set to 1 behind Caddy alone,
# ipware finds no address in a one-address header, and every client then shares one lockout.
AXES_IPWARE_PROXY_COUNT = env.int("PROXY_COUNT", default=0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

ROOT_URLCONF = "outreach.urls"
WSGI_APPLICATION = "outreach.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "outreach.context_processors.organisation",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # One writer at a time, taken when a transaction begins: two people saving at once queue instead of
    # the second failing with "database is locked" on figures it read before the first one's save.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# The cache keeps built dashboards under the data version (`models.DataVersion`), so it is never stale;
# each process's own memory by default, Redis shared by every worker in the compose file
# (CACHE_URL=redis://redis:6379/0).
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
CACHES["default"].setdefault("KEY_PREFIX", "outreach")
# Signed-in pages read the session on every request: from the cache, the database only on a miss.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"
# Who the dashboard is about, shown in its header.
ORGANISATION_NAME = env("ORGANISATION_NAME", default="")

# E-mail (password resets, errors to ADMINS), as a URL: smtp://user:password@host:587 (smtp+tls:// for
# STARTTLS, smtp+ssl:// for TLS from the first byte; a password's own @ or : written %40, %3A), or
# consolemail:// to print them. Development prints them; production hands them to a mail server on the
# host itself, as Django does, unless told where, and never prints them by default: in a log, a password
# reset link is a key to the account.
email_config = env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
vars().update({name: value for name, value in email_config.items() if name.startswith("EMAIL_") and value})
# A mail server that stops answering must not hold a worker for longer than a request may take.
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Outreach <outreach@localhost>")
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
EMAIL_SUBJECT_PREFIX = "[Outreach] "
# The site's own address, for the links in mail sent without a request (the monthly report's, its
# unsubscribe link): by default the first host the site answers to, over HTTPS in production.
SITE_URL = (
    env("SITE_URL", default="")
    or (f"http://127.0.0.1:{env('PORT', default='8000')}" if DEBUG else f"https://{ALLOWED_HOSTS[0].lstrip('.')}")
).rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(
        f"SITE_URL is {SITE_URL!r}: it is the site's address, e.g. https://outreach.example.org."
    )
# The monthly report goes out when its month is complete, or on this day of the next month (1 to 28) with
# what is missing stated, whichever comes first (`manage.py send_monthly_reports`).
MONTHLY_REPORT_DAY = env.int("MONTHLY_REPORT_DAY", default=10)
if not 1 <= MONTHLY_REPORT_DAY <= 28:
    raise ImproperlyConfigured(
        f"MONTHLY_REPORT_DAY is {MONTHLY_REPORT_DAY}: a day every month has, from 1 to 28 (the day of the month "
        "after a report's month on which it goes out even if some accounts have not reported)."
    )
# Who is mailed a server error's traceback: "Ops <ops@museum.example>,b@museum.example".
ADMINS = getaddresses([env("ADMINS", default="")])
if any("@" not in address for _name, address in ADMINS):
    raise ImproperlyConfigured(
        f"ADMINS is {env('ADMINS')!r}: it lists e-mail addresses separated by commas, each alone or as "
        'Name <address>, e.g. ADMINS="Ops <ops@museum.example>,b@museum.example".'
    )

# An error tracker, only when one is named: without SENTRY_DSN its SDK is not even imported.
if sentry_dsn := env("SENTRY_DSN", default=""):
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=sentry_dsn,
        integrations=[DjangoIntegration()],
        # No names, addresses or cookies, and no request bodies (passwords, figures being typed), leave the site.
        send_default_pii=False,
        max_request_body_size="never",
        environment=env("SENTRY_ENVIRONMENT", default=None),
        release=env("SENTRY_RELEASE", default=None),
    )

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The museum is in Shanghai: months begin and end there.
TIME_ZONE = env("TIME_ZONE", default="Asia/Shanghai")
USE_TZ = True
USE_I18N = True
LANGUAGE_CODE = env("LANGUAGE_CODE", default="en")
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
# The Chromium that prints the reports as PDF (`outreach.printing`): Debian's, here and in the image.
CHROMIUM_PATH = env("CHROMIUM_PATH", default="/usr/bin/chromium")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed names let browsers cache assets for a year; DEBUG serves the plain files.
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Behind a reverse proxy (docker-compose, nginx) that terminates TLS and says so in this header.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
# The language a person chose: sent over HTTPS only in production, and not on other sites' requests.
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_REFERRER_POLICY = "same-origin"
# The health check answers plain HTTP to the container's probe, whatever the proxy does.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# The log on standard error: lines for people, or with LOG_FORMAT=json one JSON object a line for a log
# collector (outreach/log_format.py), each request's own line included (outreach/request_log.py).
LOG_FORMAT = env("LOG_FORMAT", default="text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT is {LOG_FORMAT!r}: it is text (the default) or json.")
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        "once_per_error": {"()": "outreach.log_format.OncePerError"},
    },
    "formatters": {"json": {"()": "outreach.log_format.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", **({"formatter": "json"} if LOG_FORMAT == "json" else {})},
        # The traceback of a server error, mailed to ADMINS (the same error once in ten minutes); in
        # development it is on the page instead.
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false", "once_per_error"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Replaces Django's own default, which prints Django's lines a second time in development.
        "django": {"handlers": ["mail_admins"], "level": LOG_LEVEL},
        # A request naming a host not in ALLOWED_HOSTS is a scanner's, daily: logged, never mailed.
        "django.security.DisallowedHost": {"handlers": ["console"], "propagate": False},
        # Sign-in attempts are recorded in the database (admin → Access attempts); the log keeps lockouts.
        "axes": {"level": "WARNING"},
        # `runserver`'s own request lines, in JSON too when asked (its default format is text).
        **({"django.server": {"handlers": ["console"], "propagate": False}} if LOG_FORMAT == "json" else {}),
    },
}
if LOG_FORMAT == "json":
    import logging

    # Python's warnings are written to standard error around the log; as log records they are JSON lines too.
    logging.captureWarnings(True)
