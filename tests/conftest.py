import logging
import os

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.http import HttpRequest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import settings as hypothesis_settings

from assessments.models import Screen
from assessments.rules import recommend
from tests.answers import make_answers

PASSWORD = "a-long-test-password-2026"

# CI (.ci/run sets CI=true) runs the same examples every time and keeps none between runs: a
# failure there is one anybody can reproduce, not one a random draw or an old example found.
hypothesis_settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
hypothesis_settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") == "true" else "default")
)


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Tests do not run collectstatic: serve static files by name, not by manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The rate limits count in the cache: each test starts with none used, and with no
    # rendered fragment of an earlier test.
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()
    yield
    for cache in caches.all():
        cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # Argon2 is slow on purpose; tests that need it (test_passwords.py) ask for it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _client_login_through_axes(monkeypatch):
    # django-axes refuses authenticate() without a request, and Client.login() passes none:
    # give it one, as axes' docs advise, so client.login(username=..., password=...) works.
    # (force_login needs nothing; the real login views always pass the request.)
    login = Client.login

    def login_with_request(self, **credentials):
        credentials.setdefault("request", HttpRequest())
        return login(self, **credentials)

    monkeypatch.setattr(Client, "login", login_with_request)


@pytest.fixture
def staff(django_user_model):
    # Personas: sam may log in to the admin (the protected page of the security tests, standing
    # in for the coordinators' workspace); no other permission.
    return django_user_model.objects.create_user(
        "sam", password="a long enough passphrase", is_staff=True
    )


@pytest.fixture
def assert_not_leaked(caplog, mailoutbox):
    """assert_not_leaked(marker): fails if marker is in any log record or sent email so far.

    Submit a unique value (a first name, a phone number), then call it: personal data must not
    reach the logs (messages, arguments, tracebacks, the request a record carries) or an email.
    """
    caplog.set_level(logging.DEBUG)
    formatter = logging.Formatter()

    def check(marker: str) -> None:
        for record in caplog.records:
            seen = formatter.format(record) + repr(vars(record))
            assert marker not in seen, f"logged by {record.name}: {record.getMessage()[:200]}"
        for message in mailoutbox:
            parts = [message.subject, message.body, message.from_email, *message.to]
            parts += [*message.cc, *message.bcc, *message.reply_to]
            parts += [str(content) for content, _ in getattr(message, "alternatives", [])]
            parts += [str(attachment) for attachment in message.attachments]
            parts += [str(value) for value in message.extra_headers.values()]
            assert not any(marker in part for part in parts), f"emailed: {message.subject}"

    return check


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


def log_in_verified(client, user) -> TOTPDevice:
    """Logs user in with both factors passed, as the two-factor pages leave a session."""
    client.force_login(user)
    device = TOTPDevice.objects.devices_for_user(user, confirmed=True).first()
    device = device or TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


@pytest.fixture
def alice_client(client, alice):
    log_in_verified(client, alice)
    return client


@pytest.fixture
def exporter_client(client, exporter):
    log_in_verified(client, exporter)
    return client


@pytest.fixture
def unverified_client(client, alice):
    """Alice after her password only: with COORDINATOR_2FA_REQUIRED, sent to the code page."""
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
