from django.contrib import admin
from django.urls import include, path

from careguide import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("", include("assessments.urls")),
    path("coordinator/", include("coordinator.urls")),
    path("admin/", admin.site.urls),
]

handler500 = "careguide.views.server_error"
