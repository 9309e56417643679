from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    """The outreach domain: platforms, accounts, monthly figures, and the pages built on them."""

    name = "outreach"
    verbose_name = _("Outreach")
