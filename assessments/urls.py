from django.urls import path

from assessments import views

app_name = "assessments"

urlpatterns = [
    path("", views.home, name="home"),
    path("how-it-works/", views.how_it_works, name="how_it_works"),
    path("sources/", views.sources, name="sources"),
    path("screen/", views.start, name="start"),
    path("screen/start-over/", views.start_over, name="start_over"),
    path("screen/check/", views.check, name="check"),
    path("screen/<slug:slug>/", views.step, name="step"),
    path("r/<str:token>/", views.result, name="result"),
    path("r/<str:token>/contact/", views.request_call, name="request_call"),
    path("r/<str:token>/delete/", views.delete_result, name="delete_result"),
    path("deleted/", views.deleted, name="deleted"),
    path("api/v1/screens", views.api_v1_screens, name="api_v1_screens"),
    path("api/v2/screens", views.api_screens, name="api_screens"),
    path("api/v2/schema", views.api_schema, name="api_schema"),
]
