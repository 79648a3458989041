from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("assessments.urls")),
    path("coordinator/", include("coordinator.urls")),
    path("admin/", admin.site.urls),
]
