"""The admin site: open to whoever enters figures or administers, by role rather than by a flag."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from accounts.views import remember_language


class OutreachAdminSite(admin.AdminSite):
    site_header = _("Outreach")
    site_title = _("Outreach")
    index_title = _("Figures and settings")

    def has_permission(self, request) -> bool:
        """Staff (who enter figures) and Administrators; Managers see the dashboard, not the admin."""
        user = request.user
        return user.is_active and (
            user.is_staff or user.has_perm("outreach.add_metricsnapshot") or user.has_perm("accounts.change_user")
        )

    def login(self, request, extra_context=None):
        """The admin's sign-in, which then switches to the person's own language, as the site's does."""
        response = super().login(request, extra_context)
        language = getattr(request.user, "language", "")
        if request.method == "POST" and request.user.is_authenticated and language:
            remember_language(response, language)
        return response

    def admin_view(self, view, cacheable=False):
        """Signed-in people without access get 403 and a page that says why; others are sent to sign in."""
        guarded = super().admin_view(view, cacheable)

        def inner(request, *args, **kwargs):
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied(_("Only staff who enter figures and administrators use the admin."))
            return guarded(request, *args, **kwargs)

        inner.__dict__.update(guarded.__dict__)
        return inner
