from django.contrib import admin
from django.urls import include, path

from careguide import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("", include("assessments.urls")),
    # set_language: the language choice's POST (a cookie, then back to the page).
    path("i18n/", include("django.conf.urls.i18n")),
    path("coordinator/", include("coordinator.urls")),
    path("admin/", admin.site.urls),
]

handler500 = "careguide.views.server_error"
