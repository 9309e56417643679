"""outreach.settings, every variable read from the environment as in production, and the failing page's URLs."""

from outreach.settings import *  # noqa: F403

ROOT_URLCONF = "tests.failing_site.urls"
# Static files by their plain names: production's hashed names need `collectstatic` first (a minute and a
# half on a busy machine), and how an error is reported does not depend on them.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
