import csv
import io
from datetime import UTC

import pytest

from assessments.models import AuditEntry, Status
from coordinator import export

pytestmark = pytest.mark.django_db

EXPORT = "/coordinator/export/"


def _download(client, query=None):
    r = client.get(EXPORT, query or {})
    assert r.status_code == 200
    assert r.streaming
    return r, b"".join(r.streaming_content).decode()


def _rows(body: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body)))


def test_it_streams_a_csv_attachment_that_opens_with_the_notice(alice_client, make_screen):
    screen = make_screen()
    r, body = _download(alice_client)
    assert r["Content-Type"] == "text/csv; charset=utf-8"
    assert r["Content-Disposition"].startswith('attachment; filename="careguide-screens-')
    assert "no-store" in r["Cache-Control"]
    notice, header, *rows = _rows(body)
    assert len(notice) == 1 and "42 CFR part 2" in notice[0]
    assert header[:3] == ["Reference", "Received", "Recommended level"]
    assert [row[0] for row in rows] == [screen.reference]


def test_it_exports_the_filtered_queue_in_queue_order(alice_client, make_screen):
    urgent = make_screen({"self_harm_thoughts": True})
    plain = make_screen()
    make_screen(status=Status.CLOSED)
    _r, body = _download(alice_client, {"status": "new"})
    assert [row[0] for row in _rows(body)[2:]] == [urgent.reference, plain.reference]


def test_it_leaves_out_contact_details_without_the_export_permission(alice_client, make_screen):
    make_screen(contact_requested=True, first_name="Robin", phone="555-0142")
    _r, body = _download(alice_client)
    assert "Phone" not in _rows(body)[1]
    assert "Robin" not in body and "555-0142" not in body


def test_it_includes_contact_details_with_the_export_permission(exporter_client, make_screen):
    make_screen(contact_requested=True, first_name="Robin", phone="555-0142")
    _r, body = _download(exporter_client)
    header, row = _rows(body)[1:]
    assert dict(zip(header, row, strict=True))["Phone"] == "555-0142"
    assert dict(zip(header, row, strict=True))["First name"] == "Robin"


def test_it_defuses_spreadsheet_formulas(exporter_client, make_screen):
    make_screen(contact_requested=True, first_name="=HYPERLINK(1)", best_time="+1 call")
    _r, body = _download(exporter_client)
    header, row = _rows(body)[1:]
    fields = dict(zip(header, row, strict=True))
    assert fields["First name"] == "'=HYPERLINK(1)"
    assert fields["Best time"] == "'+1 call"


def test_each_export_is_recorded(alice_client, make_screen, alice):
    make_screen({"self_harm_thoughts": True})
    make_screen()
    _download(alice_client, {"urgent": "on", "level": "nonsense"})
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORTED)
    assert entry.actor == alice
    assert entry.details == {"filters": {"urgent": "True"}, "rows": 1, "contact_details": False}


def test_it_yields_many_rows_per_chunk(alice_client, make_screen, monkeypatch):
    monkeypatch.setattr(export, "EXPORT_CHUNK_ROWS", 2)
    for _ in range(5):
        make_screen()
    r = alice_client.get(EXPORT)
    chunks = list(r.streaming_content)
    assert len(chunks) == 3  # rows 1-2 (with the notice and header), 3-4, then 5
    assert len(_rows(b"".join(chunks).decode())) == 7


def test_every_column_comes_out_in_words_people_can_read(exporter_client, make_screen):
    from datetime import datetime

    client = exporter_client
    at = datetime(2026, 11, 2, 15, 4, 5, tzinfo=UTC)
    make_screen(
        {"self_harm_thoughts": True, "withdrawal_complications": True},
        created_at=at,
        contact_requested=True,
        first_name="=Robin",
        email="r@example.com",
        preferred_contact="email",
        best_time="",
        consent_at=at,
    )
    _r, body = _download(client)
    header, row = _rows(body)[1:]
    got = dict(zip(header, row, strict=True))
    assert got["Received"] == "2026-11-02T10:04:05-05:00"  # the centre's time zone
    assert got["Consent given"] == "2026-11-02T10:04:05-05:00"
    assert got["First contacted"] == ""
    assert got["Flags"] == "crisis;detox_first;low_signs"
    assert got["Urgent"] == "yes" and got["Contact requested"] == "yes"
    assert got["First name"] == "'=Robin"  # never a formula
    assert got["Recommended level"] == "inpatient" and got["Status"] == "new"
    assert got["Assigned to"] == "" and got["Phone"] == "" and got["Best time"] == ""
    assert got["Preferred contact"] == "email"
