"""The site's URLs, and /fail/, a page whose view raises."""

from django.urls import path

from outreach.urls import handler500  # noqa: F401 (handler500 serves here too)
from outreach.urls import urlpatterns as site_urlpatterns


class DeliberateFailure(Exception):
    """What the failing page raises: a name the reports must carry."""


def failing_view(request):
    raise DeliberateFailure("the operations test's page failed on purpose")


urlpatterns = [*site_urlpatterns, path("fail/", failing_view, name="fail")]
