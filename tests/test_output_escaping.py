"""Markup typed by a person or a coordinator shows as text on every page; inert in the CSV."""

import csv
import io

import pytest
from django.contrib.auth.models import Group

from assessments.models import OverrideReason
from tests.conftest import log_in_verified

pytestmark = pytest.mark.django_db

PAYLOADS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']
ESCAPED = {
    PAYLOADS[0]: "&lt;script&gt;alert(1)&lt;/script&gt;",
    PAYLOADS[1]: "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;",
}


@pytest.fixture(params=PAYLOADS, ids=["script", "attribute"])
def payload(request):
    return request.param


@pytest.fixture
def worked_screen(client, exporter, make_screen, payload, django_user_model):
    """A screen with the payload in every free text: from the person, in a note, in an
    override, and in the name of the coordinator it is assigned to."""
    mallory = django_user_model.objects.create_user("mallory", first_name=payload)
    mallory.groups.add(Group.objects.get(name="Coordinators"))
    screen = make_screen(
        contact_requested=True,
        first_name=payload,
        phone="555 010 0123",
        best_time=payload,
        assigned_to=mallory,
    )
    log_in_verified(client, exporter)
    base = f"/coordinator/screens/{screen.reference}"
    r = client.post(f"{base}/note/", {"version": 1, "text": payload})
    assert r.status_code == 302
    r = client.post(
        f"{base}/override/",
        {"version": 2, "level": "inpatient", "reason": OverrideReason.values[0], "note": payload},
    )
    assert r.status_code == 302
    return screen


def _assert_shown_as_text(html: str, payload: str, times: int):
    assert payload not in html
    assert "<img src=x" not in html and "<script>alert" not in html
    assert html.count(ESCAPED[payload]) == times


def test_the_screen_page_shows_it_as_text(client, worked_screen, payload):
    r = client.get(f"/coordinator/screens/{worked_screen.reference}/")
    assert r.status_code == 200
    # first name, best time, the note, the override's note (twice: the level and the
    # timeline), the assignee's name (header and timeline)
    _assert_shown_as_text(r.text, payload, times=6)


def test_the_queue_shows_it_as_text(client, worked_screen, payload):
    r = client.get("/coordinator/", {"q": payload})  # the search box echoes it, too
    assert r.status_code == 200
    # The assignee's name (in the row and among those to assign to) and the search box.
    _assert_shown_as_text(r.text, payload, times=3)


def test_the_dashboard_shows_none_of_it(client, worked_screen, payload):
    r = client.get("/coordinator/dashboard/")
    assert r.status_code == 200
    assert payload not in r.text and ESCAPED[payload] not in r.text


def test_the_export_carries_it_as_inert_text(client, worked_screen, payload):
    r = client.get("/coordinator/export/", {"status": "all"})
    # A download (never shown as a page: no sniffing) of plain text cells, no formula.
    assert r["Content-Type"] == "text/csv; charset=utf-8"
    assert r["Content-Disposition"].startswith("attachment;")
    assert r["X-Content-Type-Options"] == "nosniff"
    rows = list(csv.reader(io.StringIO(b"".join(r.streaming_content).decode())))
    fields = dict(zip(rows[0], rows[1], strict=True))
    assert fields["First name"] == payload
    assert fields["Best time"] == payload
