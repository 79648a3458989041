from django.urls import path, register_converter

from assessments import views


class ResultTokenConverter:
    """What a result token can be (secrets.token_urlsafe): anything else is a 404 before the
    database sees it (a NUL, for one, is an error on PostgreSQL)."""

    regex = "[A-Za-z0-9_-]{1,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ResultTokenConverter, "token")

app_name = "assessments"

urlpatterns = [
    path("", views.home, name="home"),
    path("how-it-works/", views.how_it_works, name="how_it_works"),
    path("sources/", views.sources, name="sources"),
    path("screen/", views.start, name="start"),
    path("screen/start-over/", views.start_over, name="start_over"),
    path("screen/check/", views.check, name="check"),
    path("screen/<slug:slug>/", views.step, name="step"),
    path("r/<token:token>/", views.result, name="result"),
    path("r/<token:token>/contact/", views.request_call, name="request_call"),
    path("r/<token:token>/delete/", views.delete_result, name="delete_result"),
    path("deleted/", views.deleted, name="deleted"),
    path("api/v1/screens", views.api_v1_screens, name="api_v1_screens"),
    path("api/v2/screens", views.api_screens, name="api_screens"),
    path("api/v2/schema", views.api_schema, name="api_schema"),
]
