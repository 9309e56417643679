from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """People: who signs in, and what they may do."""

    name = "accounts"
    verbose_name = _("People")
    # The module holds another AppConfig (django-axes', below): this is the one `"accounts"` installs.
    default = True


class AxesConfig(AxesAppConfig):
    """django-axes, the sign-in lockout, under a name the admin's sidebar can show in either language."""

    verbose_name = _("Sign-in lockouts")


# django-axes ships no Chinese catalog. These are its own names (the lockout records and their fields,
# exactly as it marks them), here so that `make messages` keeps their Chinese in our catalog, which
# Django reads first (LOCALE_PATHS).
AXES_MESSAGES = (
    _("access attempt"),
    _("access attempts"),
    _("access failure"),
    _("access failures"),
    _("access log"),
    _("access logs"),
    _("access attempt expiration"),
    _("access attempt expirations"),
    _("Access Attempt"),
    _("User Agent"),
    _("IP Address"),
    _("Username"),
    _("HTTP Accept"),
    _("Path"),
    _("Attempt Time"),
    _("Access lock out"),
    _("GET Data"),
    _("POST Data"),
    _("Failed Logins"),
    _("Expires At"),
    _("The time when access attempt expires and is no longer valid."),
    _("Logout Time"),
    _("Session key hash (sha256)"),
    _("Locked Out"),
    _("Form Data"),
    _("Meta Data"),
    _("Clean up expired attempts"),
    _("Not set"),
    _("Attempt Remaining"),
)
