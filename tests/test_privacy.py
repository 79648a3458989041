"""No personal data in URLs, logs or emails, along a screen's whole life.

A person sends unique markers (first name, phone, email, best time) through the form and
through the API with an urgent answer, so the coordinators' email goes out; a coordinator opens
the screen, adds a note with a marker and exports. No log record, no email and no address the
app sends a browser to may hold any of them.
"""

import pytest
from django.urls import reverse

from assessments.forms import STEPS
from assessments.models import Screen
from tests.answers import make_answers
from tests.screen_flow import step_data, step_url

pytestmark = pytest.mark.django_db

URGENT = make_answers(self_harm_thoughts=True)


def _markers(tag: str) -> dict:
    return {
        "first_name": f"Zelda{tag}",
        "phone": f"555 01{tag[:2]} 7{tag[2:]}",  # a phone number is personal data too
        "email": f"zelda.{tag}@example.org",
        "best_time": f"Mornings-{tag}",
    }


def _contact(markers: dict) -> dict:
    return {
        "contact_requested": True,
        "preferred_contact": "phone",
        "message_ok": True,
        "consent_to_contact": True,
        **markers,
    }


def _redirect(response, followed: list[str]) -> str:
    assert response.status_code == 302, response.status_code
    followed.append(response.url)
    return response.url


def _assert_nowhere(assert_not_leaked, markers, urls):
    for marker in markers:
        assert_not_leaked(marker)
        assert not any(marker in url for url in urls), f"{marker} in a URL"


def test_a_screen_sent_through_the_form_leaks_nothing(
    client, exporter_client, mailoutbox, assert_not_leaked, django_capture_on_commit_callbacks
):
    markers = _markers("4821")
    values = {**URGENT, **_contact(markers)}
    followed = []
    client.get("/screen/")
    for step in STEPS:
        _redirect(client.post(step_url(step), step_data(step, values)), followed)
    assert client.get("/screen/check/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        result_url = _redirect(client.post("/screen/check/"), followed)
    assert client.get(result_url).status_code == 200
    screen = Screen.objects.get()
    assert screen.first_name == markers["first_name"] and screen.urgent
    assert len(mailoutbox) == 1  # the urgent notice went out, and is checked below

    followed += _work_the_screen(exporter_client, screen, note_marker="NoteZelda4821")
    _assert_nowhere(assert_not_leaked, [*markers.values(), "NoteZelda4821"], followed)


def test_a_screen_sent_through_the_api_leaks_nothing(
    client, exporter_client, mailoutbox, assert_not_leaked, django_capture_on_commit_callbacks
):
    markers = _markers("9317")
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            "/api/v2/screens", {**URGENT, **_contact(markers)}, content_type="application/json"
        )
    assert r.status_code == 201, r.content
    followed = [r.json()["result_url"]]
    # The result page: the next request, which also sends the urgent notice from the outbox.
    assert client.get(r.json()["result_url"].removeprefix("http://testserver")).status_code == 200
    screen = Screen.objects.get()
    assert screen.phone == markers["phone"]
    assert len(mailoutbox) == 1

    followed += _work_the_screen(exporter_client, screen, note_marker="NoteZelda9317")
    _assert_nowhere(assert_not_leaked, [*markers.values(), "NoteZelda9317"], followed)


def test_a_call_requested_on_the_result_page_leaks_nothing(client, make_screen, assert_not_leaked):
    screen = make_screen()
    markers = _markers("5560")
    data = {**_contact(markers), "consent_to_contact": "on", "message_ok": "yes"}
    del data["contact_requested"]
    followed = []
    url = reverse("assessments:request_call", args=[screen.result_token])
    _redirect(client.post(url, data), followed)
    screen.refresh_from_db()
    assert screen.first_name == markers["first_name"]
    _assert_nowhere(assert_not_leaked, markers.values(), followed)


def _work_the_screen(client, screen, note_marker: str) -> list[str]:
    """What a coordinator does: the queue, the screen, a note, the export; the URLs seen."""
    followed = []
    assert client.get("/coordinator/").status_code == 200
    page = client.get(f"/coordinator/screens/{screen.reference}/")
    assert page.status_code == 200 and screen.first_name in page.text
    r = client.post(
        f"/coordinator/screens/{screen.reference}/note/",
        {"version": screen.version, "text": f"Called {note_marker}"},
    )
    _redirect(r, followed)
    r = client.post(
        f"/coordinator/screens/{screen.reference}/call/",
        {"version": screen.version + 1, "outcome": "reached", "note": f"Spoke {note_marker}"},
    )
    _redirect(r, followed)
    r = client.get("/coordinator/export/")
    assert screen.first_name in b"".join(r.streaming_content).decode()
    r = client.get("/coordinator/export/", {"status": "all", "include": "notes"})
    assert f"Spoke {note_marker}" in b"".join(r.streaming_content).decode()
    return followed
