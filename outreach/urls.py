from django.contrib import admin
from django.urls import include, path

from outreach import views

urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
