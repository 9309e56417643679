from django.contrib import admin
from django.urls import include, path, re_path

from accounts import views as account_views
from outreach import views

urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path("changes/", views.recent_changes_view, name="recent_changes"),
    re_path(r"^reports/monthly/(?P<month>\d{4}-\d{2})/$", views.monthly_report_view, name="monthly_report"),
    path("reports/yearly/<int:year>/", views.yearly_report_view, name="yearly_report"),
    re_path(
        r"^reports/monthly/(?P<month>\d{4}-\d{2})\.pdf$",
        views.monthly_report_view,
        {"as_pdf": True},
        name="monthly_report_pdf",
    ),
    path("reports/yearly/<int:year>.pdf", views.yearly_report_view, {"as_pdf": True}, name="yearly_report_pdf"),
    path("reports/subscription/", views.report_subscription_view, name="report_subscription"),
    path("reports/unsubscribe/<str:token>/", views.report_unsubscribe_view, name="report_unsubscribe"),
    path("reports/snapshots.csv", views.snapshots_report, {"file_format": "csv"}, name="snapshots_csv"),
    path("reports/snapshots.xlsx", views.snapshots_report, {"file_format": "xlsx"}, name="snapshots_xlsx"),
    path("reports/summary.csv", views.summary_report, {"file_format": "csv"}, name="summary_csv"),
    path("reports/summary.xlsx", views.summary_report, {"file_format": "xlsx"}, name="summary_xlsx"),
    path("accounts/", include("accounts.urls")),
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("admin/", admin.site.urls),
]

handler500 = "outreach.views.server_error"
