import pytest


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Tests do not run collectstatic: serve static files by name, not by manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
