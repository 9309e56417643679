"""Whose outreach this is: the name every page's header, each report and its e-mail give."""

from django.conf import settings
from django.utils.translation import gettext as _


def organisation_name() -> str:
    """In the current language: translated by default (上海科技馆 in Chinese); a deployment for another
    museum sets its own (`ORGANISATION_NAME`)."""
    return settings.ORGANISATION_NAME or _("Shanghai Science & Technology Museum")
