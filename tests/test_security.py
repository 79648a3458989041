"""Headers, cookies, the https redirect and the Content-Security-Policy."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import get_resolver
from django.urls.resolvers import URLResolver

from tests.conftest import log_in_verified

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"
SAMPLE_UUID = "00000000-0000-4000-8000-000000000000"


def test_it_sends_the_security_headers(client):
    r = client.get("/", secure=True)
    assert r.status_code == 200
    assert r["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert r["X-Frame-Options"] == "DENY"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Referrer-Policy"] == "same-origin"
    assert r["Cross-Origin-Opener-Policy"] == "same-origin"


def _every_path(patterns=None, prefix=""):
    """Every URL the resolver knows, with a sample value in each <converter:name>."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _every_path(pattern.url_patterns, route)
        elif "(?P" not in route:  # the admin's few regex catch-alls: covered by their siblings
            yield "/" + re.sub(
                r"<(?:(\w+):)?\w+>",
                lambda m: SAMPLE_UUID if m.group(1) == "uuid" else "1",
                route.lstrip("^").rstrip("$"),
            )


def test_the_walk_finds_the_urls():
    paths = list(_every_path())
    assert {"/", "/healthz", "/how-it-works/", "/admin/auth/user/1/change/"} <= set(paths)


@pytest.mark.parametrize("logged_in", [False, True], ids=["anonymous", "logged-in"])
def test_every_url_sends_the_security_headers(admin_user, logged_in):
    client = Client(raise_request_exception=False)
    if logged_in:
        log_in_verified(client, admin_user)
    for path in _every_path():
        r = client.get(path, secure=True)
        assert "default-src 'self'" in r["Content-Security-Policy"], path
        assert r["Strict-Transport-Security"].startswith("max-age=31536000"), path
        assert r["X-Frame-Options"] == "DENY", path
        assert r["X-Content-Type-Options"] == "nosniff", path
        assert r["Referrer-Policy"] == "same-origin", path
        assert r["Cross-Origin-Opener-Policy"] == "same-origin", path
        if logged_in:
            assert "no-store" in r["Cache-Control"], path


def test_it_sends_a_strict_content_security_policy(client):
    r = client.get("/")
    policy = dict(
        directive.strip().split(" ", 1) for directive in r["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["form-action"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'none'"
    assert "unsafe-inline" not in r["Content-Security-Policy"]
    assert "unsafe-eval" not in r["Content-Security-Policy"]


def test_it_redirects_http_to_https_with_production_defaults(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    r = client.get("/how-it-works/")
    assert r.status_code == 301
    assert r["Location"] == "https://testserver/how-it-works/"


def test_it_trusts_the_proxys_https_header(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    r = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert r.status_code == 200
    assert "Strict-Transport-Security" in r


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_health_checks_are_not_redirected(client, settings, path):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get(path).status_code == 200


def test_the_csrf_cookie_is_secure_and_http_only(client):
    r = client.get("/admin/login/", secure=True)
    cookie = r.cookies["__Host-csrftoken"]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["path"] == "/"
    assert not cookie["domain"]


def test_the_session_cookie_is_secure_and_http_only(client, staff):
    r = client.post(
        "/admin/login/",
        {"username": "sam", "password": "a long enough passphrase"},
        secure=True,
    )
    assert r.status_code == 302
    cookie = r.cookies["__Host-sessionid"]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["path"] == "/"
    assert not cookie["domain"]


# What the Content-Security-Policy would block: inline scripts, styles and event handlers.
INLINE = {
    "inline <script>": re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "<style> element": re.compile(r"<style\b", re.IGNORECASE),
    "style= attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


def test_templates_have_no_inline_script_style_or_event_handler():
    found = [
        f"{path.relative_to(TEMPLATES)}: {what}"
        for path in sorted(TEMPLATES.rglob("*"))
        if path.is_file()
        for what, pattern in INLINE.items()
        if pattern.search(path.read_text())
    ]
    assert found == []


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        '<p style="color: red">',
        '<button onclick="go()">',
        "<style>p {}</style>",
        '<a href="javascript:go()">',
    ],
)
def test_the_template_scan_catches_inline_code(html):
    assert any(pattern.search(html) for pattern in INLINE.values())


def test_the_template_scan_allows_script_files():
    html = '<script src="/static/js/app.js" defer></script>'
    assert not any(pattern.search(html) for pattern in INLINE.values())


def test_a_login_without_the_csrf_token_is_refused(staff):
    client = Client(enforce_csrf_checks=True)
    r = client.post(
        "/admin/login/", {"username": "sam", "password": "a long enough passphrase"}, secure=True
    )
    assert r.status_code == 403
    assert "CareGuide" in r.text
    assert "go back, reload the page" in r.text


def test_a_login_from_a_foreign_origin_is_refused(staff):
    client = Client(enforce_csrf_checks=True)
    client.get("/admin/login/", secure=True)
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    data = {
        "username": "sam",
        "password": "a long enough passphrase",
        "csrfmiddlewaretoken": token,
    }
    foreign = client.post(
        "/admin/login/", data, secure=True, headers={"Origin": "https://evil.example"}
    )
    assert foreign.status_code == 403
    same = client.post(
        "/admin/login/", data, secure=True, headers={"Origin": "https://testserver"}
    )
    assert same.status_code == 302
