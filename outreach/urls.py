from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from outreach import views

admin.site.site_header = admin.site.site_title = "Outreach"

urlpatterns = [
    # Until the dashboard lands, the admin is the home page (it asks for sign-in itself).
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False), name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
