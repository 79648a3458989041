"""CSRF: every POST of the self-screen and the workspace needs the token and this site's Origin.

The URLs are found by walking the resolver, so a new form is covered the day it is added. The
API is the one exception (tests/test_api.py: no cookies, so nothing to forge). The admin's login
is tested in tests/test_security.py.
"""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from assessments.forms import STEPS
from assessments.models import Screen
from tests.answers import BASELINE
from tests.conftest import log_in_verified
from tests.screen_flow import NO_CONTACT, form_data, step_data, step_url
from tests.test_coordinator_access import PUBLIC, _coordinator_url_names, _url

pytestmark = pytest.mark.django_db

SELF_SCREEN = [
    "home",
    "how_it_works",
    "sources",
    "start",
    "start_over",
    "check",
    *[("step", step.slug) for step in STEPS],
    ("result", "token"),
    ("request_call", "token"),
    ("delete_result", "token"),
    "deleted",
]
WORKSPACE = sorted({name for name, _kwargs in _coordinator_url_names()})
FOREIGN = {"Origin": "https://evil.example"}


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


def _token(client, page: str) -> str:
    """The CSRF token a page with a form hands out."""
    client.get(page, secure=True)
    return client.cookies[settings.CSRF_COOKIE_NAME].value


def _self_screen_url(entry, screen) -> str:
    name, arg = entry if isinstance(entry, tuple) else (entry, None)
    args = [screen.result_token if arg == "token" else arg] if arg else []
    return reverse(f"assessments:{name}", args=args)


def test_the_walk_covers_every_form():
    assert {"two_factor_verify", "add_note", "login", "logout", "password_reset"} <= set(WORKSPACE)
    assert len(WORKSPACE) == len(list(_coordinator_url_names()))


@pytest.mark.parametrize("entry", SELF_SCREEN, ids=str)
def test_a_self_screen_post_without_the_token_is_refused(csrf_client, make_screen, entry):
    screen = make_screen()
    csrf_client.get("/screen/", secure=True)  # a draft in the session, as a person has
    r = csrf_client.post(_self_screen_url(entry, screen), {"contact_requested": "no"}, secure=True)
    assert r.status_code == 403
    assert "go back, reload the page" in r.text  # our page, not Django's
    assert Screen.objects.count() == 1


@pytest.mark.parametrize("name", WORKSPACE)
def test_a_workspace_post_without_the_token_is_refused(csrf_client, alice, make_screen, name):
    screen = make_screen()
    log_in_verified(csrf_client, alice)
    kwargs = dict(_coordinator_url_names())[name]
    r = csrf_client.post(_url(name, kwargs, screen), {"version": 1, "text": "x"}, secure=True)
    assert r.status_code == 403
    screen.refresh_from_db()
    assert screen.version == 1 and not screen.events.exists()
    if name not in PUBLIC:
        assert csrf_client.get(reverse("coordinator:queue"), secure=True).status_code == 200


def test_a_step_with_the_token_from_this_site_is_taken(csrf_client):
    csrf_client.get("/screen/", secure=True)
    step = STEPS[0]
    token = _token(csrf_client, f"/screen/{step.slug}/")
    data = {
        **form_data({"age_group": "18_to_64", "pregnant": False}),
        "csrfmiddlewaretoken": token,
    }
    foreign = csrf_client.post(f"/screen/{step.slug}/", data, secure=True, headers=FOREIGN)
    assert foreign.status_code == 403
    assert "about-you" not in csrf_client.session.get("screen_draft", {}).get("steps", {})
    same = csrf_client.post(
        f"/screen/{step.slug}/", data, secure=True, headers={"Origin": "https://testserver"}
    )
    assert same.status_code == 302


def test_a_note_with_the_token_from_this_site_is_taken(csrf_client, alice, make_screen):
    screen = make_screen()
    log_in_verified(csrf_client, alice)
    token = _token(csrf_client, reverse("coordinator:screen", kwargs={"code": screen.reference}))
    data = {"version": 1, "text": "Called.", "csrfmiddlewaretoken": token}
    url = reverse("coordinator:add_note", kwargs={"code": screen.reference})
    assert csrf_client.post(url, data, secure=True, headers=FOREIGN).status_code == 403
    assert not screen.events.exists()
    same = csrf_client.post(url, data, secure=True, headers={"Origin": "https://testserver"})
    assert same.status_code == 302
    assert screen.events.count() == 1


def test_a_screen_sent_from_a_foreign_origin_is_refused(csrf_client):
    token = _token(csrf_client, f"/screen/{STEPS[0].slug}/")
    same = {"Origin": "https://testserver"}
    values = {**BASELINE, **NO_CONTACT}
    for step in STEPS:
        data = {**step_data(step, values), "csrfmiddlewaretoken": token}
        assert csrf_client.post(step_url(step), data, secure=True, headers=same).status_code == 302
    data = {"csrfmiddlewaretoken": token}
    r = csrf_client.post("/screen/check/", data, secure=True, headers=FOREIGN)
    assert r.status_code == 403
    assert not Screen.objects.exists()
    r = csrf_client.post("/screen/check/", data, secure=True, headers=same)
    assert r.status_code == 302 and Screen.objects.count() == 1
