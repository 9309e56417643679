"""What every page's header shows."""

from django.conf import settings
from django.utils.translation import gettext as _


def organisation(request) -> dict:
    # Translated by default (上海科技馆 in Chinese); a deployment for another museum sets its own name.
    return {"organisation_name": settings.ORGANISATION_NAME or _("Shanghai Science & Technology Museum")}
