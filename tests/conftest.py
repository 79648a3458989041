import pytest
from django.contrib.auth.models import Group, Permission, User

from assessments.models import Screen
from assessments.rules import recommend
from tests.answers import make_answers

PASSWORD = "a-long-test-password-2026"


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Tests do not run collectstatic: serve static files by name, not by manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Hashing strength is not what tests measure.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- Personas: who may see what in the coordinators' workspace -----------------------------


@pytest.fixture
def alice(db):
    """A coordinator: in the Coordinators group, may review every screen, not export contacts."""
    user = User.objects.create_user(
        "alice", "alice@example.org", PASSWORD, first_name="Alice", last_name="Admissions"
    )
    user.groups.add(Group.objects.get(name="Coordinators"))
    return user


@pytest.fixture
def exporter(alice):
    """Alice, who may also export contact details."""
    alice.user_permissions.add(Permission.objects.get(codename="export_contact"))
    return User.objects.get(pk=alice.pk)  # a fresh object: permissions are cached per object


@pytest.fixture
def bob(db):
    """Logged in but not a coordinator (say, a website editor): every workspace page is 403."""
    return User.objects.create_user("bob", "bob@example.org", PASSWORD)


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def bob_client(client, bob):
    client.force_login(bob)
    return client


# The anonymous visitor is pytest-django's plain `client`: sent to the login page.


@pytest.fixture
def make_screen(db):
    """Stores a screen for answers changed from the quiet baseline; other kwargs are fields."""

    def make(answers: dict | None = None, **fields) -> Screen:
        rec = recommend(make_answers(**(answers or {})))
        screen = Screen.from_recommendation(rec, **fields)
        screen.save()
        return screen

    return make
