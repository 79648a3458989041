import pytest


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Tests do not run collectstatic: serve static files by name, not by manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # Argon2 is slow on purpose; tests that need it (test_passwords.py) ask for it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def staff(django_user_model):
    # Personas: sam may log in to the admin (the protected page of the security tests, standing
    # in for the coordinators' workspace); no other permission.
    return django_user_model.objects.create_user(
        "sam", password="a long enough passphrase", is_staff=True
    )
