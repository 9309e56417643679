from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """People: who signs in, and what they may do."""

    name = "accounts"
    verbose_name = _("People")
