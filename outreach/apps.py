from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    """The outreach domain: platforms, accounts, monthly figures, and the pages built on them."""

    name = "outreach"
    default = True
    verbose_name = _("Outreach")


class OutreachAdminConfig(admin_apps.AdminConfig):
    """Django's admin, with the site that knows the roles (`outreach.admin.site.OutreachAdminSite`)."""

    default = False  # named explicitly in INSTALLED_APPS, in place of django.contrib.admin
    default_site = "outreach.admin.site.OutreachAdminSite"

    def ready(self):
        super().ready()
        # The admin's models, registered once the site exists (see `outreach/admin/__init__.py`).
        from outreach.admin import catalogue, imports, reports, snapshots, targets  # noqa: F401
