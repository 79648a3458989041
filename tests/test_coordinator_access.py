"""Every URL under /coordinator/ obeys the one access rule, found by walking the resolver."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from assessments.models import AuditEntry

pytestmark = pytest.mark.django_db

# Signing in, out and resetting a password must work before anyone is logged in.
PUBLIC = {
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}


def _coordinator_url_names(patterns=None, namespace=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _coordinator_url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and namespace == "coordinator:":
            yield pattern.name, tuple(pattern.pattern.converters)


# Logged in and a coordinator, but before the second factor: where it is set up or given.
SECOND_FACTOR = {"two_factor_setup", "two_factor_verify"}
PROTECTED = sorted(
    (name, kwargs) for name, kwargs in _coordinator_url_names() if name not in PUBLIC
)


def _url(name, kwargs, screen):
    values = {"code": screen.reference, "uidb64": "MQ", "token": "set-password"}
    return reverse(f"coordinator:{name}", kwargs={kwarg: values[kwarg] for kwarg in kwargs})


def test_the_walk_finds_every_workspace_view():
    names = {name for name, _kwargs in PROTECTED}
    assert {"queue", "screen", "export", "dashboard", "change_status"} <= names
    assert {name for name, _kwargs in _coordinator_url_names()} >= PUBLIC
    assert names >= SECOND_FACTOR


@pytest.mark.parametrize(("name", "kwargs"), [pytest.param(*url, id=url[0]) for url in PROTECTED])
@pytest.mark.parametrize("persona", ["client", "bob_client", "alice_client"])
def test_every_workspace_url_obeys_the_access_rule(request, make_screen, persona, name, kwargs):
    client = request.getfixturevalue(persona)  # anonymous, logged in without access, alice
    screen = make_screen()
    url = _url(name, kwargs, screen)
    if persona == "alice_client":
        r = client.get(url)
        if name in SECOND_FACTOR:  # already verified: on to the queue
            assert r.status_code == 302
            assert r.url == reverse("coordinator:queue")
            return
        assert r.status_code in (200, 405)  # 405: an action, which only takes a POST
        assert "no-store" in r["Cache-Control"]
        if r.status_code == 200 and not r.streaming:
            # The Content-Security-Policy allows no inline style or script.
            assert "style=" not in r.text
            assert not re.search(r"<script(?![^>]*\bsrc=)", r.text)  # our own files only
        return
    for method in (client.get, client.post):
        r = method(url, {"version": screen.version})
        if persona == "client":
            assert r.status_code == 302
            assert r.url.startswith(f"{reverse('coordinator:login')}?next=")
            assert "no-store" in r["Cache-Control"]
        else:
            assert r.status_code == 403
    screen.refresh_from_db()
    assert screen.version == 1 and not screen.events.exists()


@pytest.mark.parametrize(("name", "kwargs"), [pytest.param(*url, id=url[0]) for url in PROTECTED])
@pytest.mark.parametrize("has_device", [False, True])
def test_an_unverified_coordinator_is_sent_to_the_second_factor(
    unverified_client, alice, settings, make_screen, has_device, name, kwargs
):
    settings.COORDINATOR_2FA_REQUIRED = True
    if has_device:
        TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)
    screen = make_screen()
    url = _url(name, kwargs, screen)
    expected = reverse(
        "coordinator:two_factor_verify" if has_device else "coordinator:two_factor_setup"
    )
    if name in SECOND_FACTOR:
        r = unverified_client.get(url)
        if name == ("two_factor_verify" if has_device else "two_factor_setup"):
            assert r.status_code == 200
        else:  # the other of the two pages sends on to this one
            assert r.status_code == 302 and r.url.startswith(expected)
        assert "no-store" in r["Cache-Control"]
        return
    for method in (unverified_client.get, unverified_client.post):
        r = method(url, {"version": screen.version})
        assert r.status_code == 302
        assert r.url.startswith(expected)
        assert "no-store" in r["Cache-Control"]
    screen.refresh_from_db()
    assert screen.version == 1 and not screen.events.exists()
    assert not AuditEntry.objects.exists()  # not even "viewed"


@pytest.mark.parametrize("name", ["login", "password_reset", "password_reset_done"])
def test_public_pages_open_to_anyone(client, name):
    assert client.get(reverse(f"coordinator:{name}")).status_code == 200
