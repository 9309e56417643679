"""The admin site: open to whoever enters figures or administers, by role rather than by a flag."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from outreach.models import MetricSnapshot
from outreach.selectors.deliveries import latest_report_failures

# How many months of what is still missing the front page lists (the rest are counted).
FRONT_PAGE_MISSING_MONTHS = 6


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
        """One sign-in page for every role: the admin's own (staff flag only) hands over to it, keeping `next`."""
        next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index", current_app=self.name)
        return redirect_to_login(next_url, resolve_url(settings.LOGIN_URL))

    def index(self, request, extra_context=None):
        """The admin's front page, with the month's routine (the month grid, the import) one click away, and
        what staff have still to enter."""
        snapshots = self._registry[MetricSnapshot]
        context = {"may_enter_figures": snapshots.may_enter_figures(request)}
        if context["may_enter_figures"]:
            context["missing_reports"] = snapshots.missing_reports_shown(months_at_most=FRONT_PAGE_MISSING_MONTHS)
        if request.user.has_perm("outreach.view_reportdelivery"):
            # A delivery that failed is said where administrators look first, not only in its list.
            context["report_month"], context["report_failures"] = latest_report_failures(timezone.now())
        return super().index(request, {**context, **(extra_context or {})})

    def admin_view(self, view, cacheable=False):
        """Signed-in people without access get 403 and a page that says why; others are sent to sign in."""
        guarded = super().admin_view(view, cacheable)

        def inner(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), resolve_url(settings.LOGIN_URL))
            if not self.has_permission(request):
                raise PermissionDenied(_("Only staff who enter figures and administrators use the admin."))
            return guarded(request, *args, **kwargs)

        inner.__dict__.update(guarded.__dict__)
        return inner
