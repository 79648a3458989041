"""The CSV export imports: the header first, words with codes beside them, the notice last."""

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from assessments import questions
from assessments.models import AuditEntry, Screen, ScreenEvent, Status
from coordinator import export
from coordinator.views import NOTICE

pytestmark = pytest.mark.django_db
RULESET_1 = Path(questions.__file__).parent / "data" / "ruleset1_screens.json"

EXPORT = "/coordinator/export/"
ALL = {"status": "all"}
CRISIS = {"self_harm_thoughts": True}


def _download(client, query=None):
    r = client.get(EXPORT, query or {})
    assert r.status_code == 200
    assert r.streaming
    return r, b"".join(r.streaming_content).decode()


def _records(body: str) -> list[dict]:
    """The rows as a spreadsheet or a script reads them; the notice row is checked and left."""
    *records, notice = csv.DictReader(io.StringIO(body))
    assert list(notice.values())[0] == str(NOTICE)
    assert [value for value in list(notice.values())[1:] if value] == []
    return records


def test_it_loads_with_dictreader_header_first_and_the_notice_last(alice_client, make_screen):
    screen = make_screen()
    r, body = _download(alice_client)
    assert r["Content-Type"] == "text/csv; charset=utf-8"
    assert r["Content-Disposition"] == (
        'attachment; filename="careguide-screens-'
        f'{timezone.localdate():%Y-%m-%d}-confidential-42-CFR-part-2.csv"'
    )
    assert "no-store" in r["Cache-Control"]
    reader = csv.DictReader(io.StringIO(body))
    assert reader.fieldnames[:4] == [
        "Reference",
        "Received",
        "Recommended level",
        "Override level",
    ]
    assert "Status (code)" in reader.fieldnames and "Phone" not in reader.fieldnames
    assert [record["Reference"] for record in _records(body)] == [screen.reference]
    assert body.splitlines()[-1] == str(NOTICE)  # one cell, nothing a spreadsheet splits


def test_it_exports_the_queues_view_in_the_queues_order(alice_client, make_screen):
    urgent = make_screen(CRISIS)
    plain = make_screen(status=Status.IN_REVIEW)
    priority = make_screen(priority=True)
    closed = make_screen(status=Status.CLOSED)
    _r, body = _download(alice_client)  # open work, as the queue shows by default
    assert [r["Reference"] for r in _records(body)] == [
        urgent.reference,
        priority.reference,
        plain.reference,
    ]
    _r, body = _download(alice_client, {"status": "new"})
    assert [r["Reference"] for r in _records(body)] == [urgent.reference, priority.reference]
    _r, body = _download(alice_client, ALL)
    assert len(_records(body)) == 4 and closed.reference in body


def test_it_leaves_out_contact_details_without_the_export_permission(alice_client, make_screen):
    make_screen(contact_requested=True, first_name="Robin", phone="555-0142")
    _r, body = _download(alice_client)
    assert "Phone" not in next(csv.reader(io.StringIO(body)))
    assert "Robin" not in body and "555-0142" not in body


def test_it_includes_contact_details_with_the_export_permission(exporter_client, make_screen):
    make_screen(
        contact_requested=True,
        first_name="Robin",
        phone="555-0142",
        preferred_contact="text",
        message_ok=True,
    )
    [record] = _records(_download(exporter_client)[1])
    assert record["Phone"] == "555-0142" and record["First name"] == "Robin"
    assert record["Preferred contact"] == "Text message"
    assert record["Preferred contact (code)"] == "text"
    assert record["Message OK"] == "Yes"


def test_it_defuses_spreadsheet_formulas(exporter_client, make_screen, alice):
    alice.first_name, alice.last_name = "=cmd", "x"
    alice.save()
    make_screen(
        contact_requested=True,
        first_name="=HYPERLINK(1)",
        best_time="+1 call",
        phone="-5",
        email="@x",
        assigned_to=alice,
    )
    [record] = _records(_download(exporter_client)[1])
    assert record["First name"] == "'=HYPERLINK(1)"
    assert record["Best time"] == "'+1 call"
    assert record["Phone"] == "'-5" and record["Email"] == "'@x"
    assert record["Assigned to"] == "'=cmd x"


def test_each_export_is_recorded(alice_client, make_screen, alice):
    make_screen(CRISIS)
    make_screen()
    _download(alice_client, {"urgent": "on", "level": "nonsense"})
    _download(alice_client, ALL)
    first, second = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORTED).order_by("id")
    assert first.actor == alice
    assert first.details == {
        "filters": {"urgent": "True"},
        "rows": 1,
        "contact_details": False,
        "notes": False,
        "answers": False,
    }
    assert second.details["rows"] == 2  # from the kept status counts: no COUNT over the table


def test_the_python_path_yields_many_rows_per_chunk(exporter_client, make_screen, monkeypatch):
    monkeypatch.setattr(export, "EXPORT_CHUNK_ROWS", 2)
    for _ in range(5):
        make_screen()
    r = exporter_client.get(EXPORT, {"include": "notes"})  # read in Python on both databases
    chunks = list(r.streaming_content)
    assert len(chunks) == 5  # the header, rows 1-2, 3-4, 5, the notice
    assert len(_records(b"".join(chunks).decode())) == 5


def test_every_column_comes_out_in_words_with_codes_beside_them(
    exporter_client, make_screen, alice
):
    at = datetime(2026, 11, 2, 15, 4, 5, tzinfo=UTC)
    make_screen(
        {"self_harm_thoughts": True, "withdrawal_complications": True},
        created_at=at,
        contact_requested=True,
        priority=True,
        first_name="=Robin",
        email="r@example.com",
        preferred_contact="email",
        best_time="",
        consent_at=at,
        status=Status.NO_RESPONSE,
        assigned_to=alice,
        override_level="iop",
        override_reason="payer",
        next_follow_up_at=datetime(2026, 11, 3, 14, 0, tzinfo=UTC),
    )
    [got] = _records(_download(exporter_client)[1])
    assert got["Received"] == "2026-11-02 10:04"  # the centre's time zone, as the workspace
    assert got["Received (UTC)"] == "2026-11-02T15:04:05Z"
    assert got["Consent given"] == "2026-11-02 10:04"
    assert got["Next follow-up"] == "2026-11-03 09:00"
    assert got["First contacted"] == "" and got["Assessment booked"] == ""
    assert got["Recommended level"] == "Inpatient care"
    assert got["Recommended level (code)"] == "inpatient"
    assert got["Override level"] == "Intensive outpatient program (IOP)"
    assert got["Override level (code)"] == "iop"
    assert got["Override reason"] == "Insurance or payer"
    assert got["Override reason (code)"] == "payer"
    assert got["Flags"] == "Crisis; Detox first"
    assert got["Flags (codes)"] == "crisis;detox_first"
    assert got["Severity"] == "Few or no signs" and got["Severity (code)"] == "none"
    assert got["Detox need"] == "Medical" and got["Detox need (code)"] == "medical"
    assert got["Home stability"] == "Stable" and got["Home stability (code)"] == "stable"
    assert got["Status"] == "No response" and got["Status (code)"] == "no_response"
    assert got["Assigned to"] == "Alice Admissions"  # the name the workspace shows
    assert got["Assigned to (username)"] == "alice"
    assert got["Urgent"] == "Yes" and got["Priority population"] == "Yes"
    assert got["Contact requested"] == "Yes" and got["Message OK"] == "No"
    assert got["First name"] == "'=Robin"  # never a formula
    assert got["Phone"] == "" and got["Best time"] == ""
    assert got["Preferred contact"] == "Email" and got["Preferred contact (code)"] == "email"


def test_an_unassigned_screen_and_a_user_without_a_name(exporter_client, make_screen):
    nameless = User.objects.create_user("robin-ops")
    make_screen(assigned_to=nameless)
    make_screen()
    records = _records(_download(exporter_client)[1])
    assert sorted(record["Assigned to"] for record in records) == ["", "robin-ops"]


def test_notes_and_calls_come_with_include_notes(exporter_client, make_screen, exporter):
    screen = make_screen(contact_requested=True, message_ok=True)
    other = make_screen()
    screen.add_note(exporter, 1, "First note.")
    screen.log_call(exporter, 2, "left_message", note="=Said we'd call back")
    screen.assign(exporter, 3, exporter)  # not a note or a call: left out
    _r, body = _download(exporter_client, {"include": "notes"})
    records = {record["Reference"]: record for record in _records(body)}
    lines = records[screen.reference]["Notes and calls"].split("\n")
    assert len(lines) == 2
    assert lines[0].endswith(" · Alice Admissions · Note: First note.")
    assert lines[1].endswith(" · Alice Admissions · Call: Left a message. =Said we'd call back")
    assert records[other.reference]["Notes and calls"] == ""
    assert _download(exporter_client)[1].count("First note.") == 0  # only when asked


def test_notes_need_the_contact_export_permission(alice_client, make_screen, alice):
    screen = make_screen()
    screen.add_note(alice, 1, "Private.")
    r = alice_client.get(EXPORT, {"include": "notes"})
    assert r.status_code == 403
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORTED).exists()


def test_it_requires_a_coordinator(bob_client, make_screen):
    make_screen()
    assert bob_client.get(EXPORT).status_code == 403
    assert Client().get(EXPORT).status_code == 302


def test_the_export_changes_nothing(exporter_client, make_screen):
    screen = make_screen()
    _download(exporter_client, {"include": "notes", **ALL})
    screen.refresh_from_db()
    assert screen.version == 1 and not ScreenEvent.objects.exists()


def test_every_answer_goes_out_in_words_and_as_codes_made_from_the_questions(
    alice_client, make_screen
):
    make_screen(
        {
            "substances": ["opioids", "other_sedatives", "other"],
            "prescribed_as_directed": True,
            "use_days": 12,
            "withdrawal_now": "mild",
            "tried_before": [],
            "pregnant": True,
        },
        status=Status.NEW,
    )
    [lean] = _records(_download(alice_client)[1])
    assert "substances" not in lean  # the answers come when asked for
    [got] = _records(_download(alice_client, {"include": "answers"})[1])
    for question in questions.ANSWER_QUESTIONS:  # a column each, in words and as codes
        assert question.staff in got and question.name in got
    assert got["Substances used in the past 12 months"] == (
        "Opioids (heroin, fentanyl, pain pills); Other sedatives (sleeping pills, barbiturates, "
        "GHB, gabapentin, phenibut); Other"
    )
    assert got["substances"] == "opioids;other_sedatives;other"
    assert got["Pregnant now"] == "Yes" and got["pregnant"] == "true"
    assert got["Every opioid or benzodiazepine is prescribed and taken as directed"] == "Yes"
    assert got["Days of use in the past 30 days"] == "12" == got["use_days"]
    assert got["Withdrawal in the past week when going without"] == (
        "Mild: shakes, sweats, nausea, anxiety, racing heart, poor sleep"
    )
    assert got["withdrawal_now"] == "mild"
    assert got["Tried before and it was not enough"] == "None" and got["tried_before"] == ""
    assert got["Has used again since that care"] == "No"  # not asked: stored as no
    assert got["Withdrawal symptoms in the past week when going without (schema 1)"] == ""
    assert (got["Ruleset"], got["Questions (schema)"]) == ("2", "2")


def test_a_ruleset_1_screen_goes_out_with_its_own_answers(alice_client):
    stored = json.loads(RULESET_1.read_text())[0]
    Screen.objects.create(**stored)
    [got] = _records(_download(alice_client, {"status": "all", "include": "answers"})[1])
    assert (got["Ruleset"], got["Questions (schema)"]) == ("1", "1")
    assert got["Withdrawal symptoms in the past week when going without (schema 1)"] == "Yes"
    assert got["withdrawal_symptoms"] == "true"
    assert got["Tried outpatient treatment before and it wasn't enough (schema 1)"] == "No"
    assert got["Pregnant now"] == "" and got["pregnant"] == ""  # never asked
    assert got["Substances used in the past 12 months"] == "Alcohol"
    assert got["Recommended level (code)"] == stored["level"]
