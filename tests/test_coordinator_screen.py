import json
from html import escape
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models import F

from assessments.models import AuditEntry, Screen, ScreenEvent, Status
from coordinator import labels, views
from tests.answers import criteria

pytestmark = pytest.mark.django_db

CRISIS = {"self_harm_thoughts": True, **criteria(4)}  # a crisis with a disorder: inpatient


def _url(screen, action=""):
    return f"/coordinator/screens/{screen.reference}/{action + '/' if action else ''}"


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_it_shows_the_answers_in_words_grouped_by_section(alice_client, make_screen):
    screen = make_screen({"substances": ["alcohol", "opioids"], "use_days": 12})
    r = alice_client.get(_url(screen))
    assert r.status_code == 200
    for title in ("About you", "Substance use", "Withdrawal and overdose", "Health and safety"):
        assert f'<h3 class="h5">{title}</h3>' in r.text
    assert "Alcohol, Opioids (heroin, fentanyl, pain pills)" in r.text
    assert "12 of 30 days" in r.text
    assert "Hours a week they could set aside for treatment" in r.text
    assert "9 to 19 hours" in r.text
    assert "use_days" not in r.text


def test_it_shows_the_result_its_reasons_trace_and_ruleset(alice_client, make_screen):
    screen = make_screen({**CRISIS, **criteria(4)})
    r = alice_client.get(_url(screen))
    assert "Inpatient care" in r.text
    assert "Crisis" in r.text
    assert "thoughts of hurting yourself or someone else" in r.text  # the reason as read
    assert "<code>moderate_use</code>" in r.text  # fired at a lower level: in the trace
    assert "Ruleset 2 (questions: schema 2)" in r.text
    assert "an earlier ruleset" not in r.text


RULESET_1 = json.loads(
    (Path(settings.BASE_DIR) / "assessments" / "data" / "ruleset1_screens.json").read_text()
)


@pytest.mark.parametrize("stored", RULESET_1, ids=lambda stored: stored["level"])
def test_a_ruleset_1_screen_opens_as_it_was_scored(alice_client, stored):
    screen = Screen.objects.create(**stored)
    r = alice_client.get(_url(screen))
    assert r.status_code == 200
    assert "Ruleset 1 (questions: schema 1)" in r.text and "an earlier ruleset" in r.text
    assert f'<dd class="col-sm-7">{labels.level_label(stored["level"])}</dd>' in r.text
    for reason in stored["reasons"]:
        assert escape(reason["text"]) in r.text
    for note in stored["notes"]:
        assert escape(note) in r.text
    for entry in stored["trace"]:
        assert f"<code>{entry['rule']}</code>" in r.text
    # Its own questions, in its own words; never re-scored under today's rules.
    assert "Withdrawal symptoms in the past week when going without" in r.text
    assert "Tried outpatient treatment before and it wasn&#x27;t enough" in r.text
    assert r.context["drives"] is None
    assert "today's rules are not run on its answers" in r.text
    screen.refresh_from_db()
    assert (screen.level, screen.reasons, screen.trace) == (
        stored["level"],
        stored["reasons"],
        stored["trace"],
    )


def test_a_ruleset_1_result_page_and_export_show_what_was_stored(client, exporter_client):
    screens = [Screen.objects.create(**stored) for stored in RULESET_1]
    for screen, stored in zip(screens, RULESET_1, strict=True):
        page = client.get(f"/r/{screen.result_token}/").text
        assert escape(stored["reasons"][0]["text"]) in page
        for note in stored["notes"]:
            assert escape(note) in page
    export = b"".join(exporter_client.get("/coordinator/export/").streaming_content).decode()
    for screen in screens:
        assert screen.reference in export


def test_it_shows_what_drives_the_level(alice_client, make_screen):
    screen = make_screen({**CRISIS, **criteria(4)})
    r = alice_client.get(_url(screen))
    drives = r.context["drives"]
    assert [rule["rule"] for rule in drives["rules"]] == ["crisis"]
    assert drives["without_all"] == "Intensive outpatient program (IOP)"
    assert "Without the rules below, these answers would give" in r.text


def test_it_shows_contact_details_when_requested(alice_client, make_screen):
    screen = make_screen(
        contact_requested=True, first_name="Robin", phone="555-0142", preferred_contact="text"
    )
    r = alice_client.get(_url(screen))
    assert "Robin" in r.text and 'href="tel:555-0142"' in r.text and "Text message" in r.text


def test_it_finds_a_screen_by_numeric_id_too(alice_client, make_screen):
    screen = make_screen()
    r = alice_client.get(f"/coordinator/screens/{screen.pk}/")
    assert r.status_code == 200 and screen.reference in r.text


@pytest.mark.parametrize("code", ["CG-NOPE-NOPE", "999999", "9" * 40, "²", "%00", "<b>"])
def test_it_gives_404_for_an_unknown_screen(alice_client, make_screen, code):
    make_screen()
    assert alice_client.get(f"/coordinator/screens/{code}/").status_code == 404


def test_opening_a_screen_is_recorded(alice_client, make_screen, alice):
    screen = make_screen()
    alice_client.get(_url(screen))
    entry = AuditEntry.objects.get()
    assert entry.action == AuditEntry.Action.VIEWED
    assert entry.actor == alice
    assert entry.screen_reference == screen.reference


def test_it_shows_script_in_user_data_as_text(alice_client, make_screen, alice):
    screen = make_screen(contact_requested=True, first_name="<script>alert(1)</script>")
    ScreenEvent.objects.create(
        screen=screen, actor=alice, kind="note", data={"text": "<script>x()</script>"}
    )
    r = alice_client.get(_url(screen))
    assert "<script>" not in r.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text
    assert "&lt;script&gt;x()&lt;/script&gt;" in r.text


# --- Actions ---------------------------------------------------------------------------------


def test_assign_to_me_records_an_event(alice_client, make_screen, alice):
    screen = make_screen()
    r = alice_client.post(_url(screen, "assign"), {"version": 1}, follow=True)
    assert r.redirect_chain == [(_url(screen), 302)]
    assert "Assigned to you." in _messages(r)
    screen.refresh_from_db()
    assert screen.assigned_to == alice and screen.version == 2
    event = screen.events.get()
    assert (event.kind, event.actor, event.data) == ("assigned", alice, {"to": "alice"})
    assert "Alice Admissions" in r.text


def test_unassign_records_an_event(alice_client, make_screen, alice):
    screen = make_screen(assigned_to=alice)
    alice_client.post(_url(screen, "unassign"), {"version": 1})
    screen.refresh_from_db()
    assert screen.assigned_to is None
    assert screen.events.get().kind == "unassigned"


def test_an_allowed_status_move_is_saved_with_its_event(alice_client, make_screen, alice):
    screen = make_screen()
    r = alice_client.post(_url(screen, "status"), {"version": 1, "status": "in_review"})
    assert r.status_code == 302
    screen.refresh_from_db()
    assert screen.status == Status.IN_REVIEW
    event = screen.events.get()
    assert event.kind == "status" and event.data == {"from": "new", "to": "in_review"}
    assert screen.first_contacted_at is None


@pytest.mark.parametrize(
    ("start", "move"),
    [("new", "contacted"), ("new", "closed"), ("closed", "new"), ("in_review", "scheduled")],
)
def test_a_status_move_off_the_path_is_refused(alice_client, make_screen, start, move):
    screen = make_screen(status=start)
    r = alice_client.post(_url(screen, "status"), {"version": 1, "status": move})
    assert r.status_code == 200
    assert "Nothing was saved: please correct the form below." in _messages(r)
    assert "cannot move to" in r.text
    screen.refresh_from_db()
    assert screen.status == start and screen.version == 1
    assert not screen.events.exists()


def test_an_unknown_status_is_refused_with_a_message(alice_client, make_screen):
    screen = make_screen()
    r = alice_client.post(_url(screen, "status"), {"version": 1, "status": "bogus"})
    assert r.status_code == 200
    assert "Select a valid choice. bogus is not one of the available choices." in r.text
    screen.refresh_from_db()
    assert screen.status == Status.NEW


def test_first_contact_is_stamped_once(alice_client, make_screen):
    screen = make_screen(status=Status.IN_REVIEW)
    alice_client.post(_url(screen, "status"), {"version": 1, "status": "contacted"})
    screen.refresh_from_db()
    first = screen.first_contacted_at
    assert first is not None
    alice_client.post(_url(screen, "status"), {"version": 2, "status": "no_response"})
    alice_client.post(_url(screen, "status"), {"version": 3, "status": "contacted"})
    screen.refresh_from_db()
    assert screen.status == Status.CONTACTED and screen.version == 4
    assert screen.first_contacted_at == first


def test_a_note_is_added_to_the_timeline(alice_client, make_screen, alice):
    screen = make_screen()
    r = alice_client.post(
        _url(screen, "note"), {"version": 1, "text": "Left a voicemail."}, follow=True
    )
    assert "Note added." in _messages(r)
    event = screen.events.get()
    assert (event.kind, event.actor, event.data) == ("note", alice, {"text": "Left a voicemail."})
    assert "Left a voicemail." in r.text


def test_an_empty_note_is_refused(alice_client, make_screen):
    screen = make_screen()
    alice_client.post(_url(screen, "note"), {"version": 1, "text": "  "})
    assert not screen.events.exists()


def test_an_override_needs_a_coded_reason(alice_client, make_screen):
    screen = make_screen()
    r = alice_client.post(
        _url(screen, "override"), {"version": 1, "level": "iop", "note": "Asked for more."}
    )
    assert "This field is required." in r.text.split('id="div_id_override_reason"')[1]
    assert "Asked for more." in r.text  # what was typed stays in the form
    screen.refresh_from_db()
    assert screen.override_level == "" and screen.version == 1


def test_an_override_keeps_the_original_recommendation(alice_client, make_screen, alice):
    screen = make_screen()
    r = alice_client.post(
        _url(screen, "override"),
        {"version": 1, "level": "iop", "reason": "preference", "note": "Wants evening groups."},
        follow=True,
    )
    assert "Level overridden." in _messages(r)
    screen.refresh_from_db()
    assert (screen.level, screen.override_level, screen.effective_level) == (
        "outpatient",
        "iop",
        "iop",
    )
    assert screen.override_reason == "preference"
    assert screen.events.get().data == {
        "from": "outpatient",
        "to": "iop",
        "reason": "preference",
        "note": "Wants evening groups.",
    }
    assert "Recommended by the screen" in r.text and "Outpatient care" in r.text
    assert "Overridden to" in r.text and "Wants evening groups." in r.text


def test_an_override_to_the_same_level_is_refused(alice_client, make_screen):
    screen = make_screen()
    alice_client.post(
        _url(screen, "override"),
        {"version": 1, "level": "outpatient", "reason": "other", "note": "Same."},
    )
    screen.refresh_from_db()
    assert screen.override_level == "" and not screen.events.exists()


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("assign", {}),
        ("status", {"status": "in_review"}),
        ("note", {"text": "Called."}),
        ("override", {"level": "iop", "reason": "other", "note": "x"}),
    ],
)
def test_a_stale_form_changes_nothing(alice_client, make_screen, alice, action, data):
    screen = make_screen()
    # Someone else acted first: the screen is now at version 2.
    alice_client.post(_url(screen, "note"), {"version": 1, "text": "First."})
    r = alice_client.post(_url(screen, action), {"version": 1, **data})
    assert r.status_code == 409
    assert "This screen changed since you opened it." in r.text
    assert 'name="version" value="2"' in r.text  # a second try acts on what is shown now
    screen.refresh_from_db()
    assert screen.version == 2
    assert screen.assigned_to is None and screen.status == Status.NEW
    assert screen.override_level == ""
    assert screen.events.count() == 1


def test_a_missing_version_changes_nothing(alice_client, make_screen):
    screen = make_screen()
    r = alice_client.post(_url(screen, "assign"))
    assert r.status_code == 409
    assert "This screen changed since you opened it." in r.text
    assert not screen.events.exists()


def test_actions_reject_get(alice_client, make_screen):
    screen = make_screen()
    assert alice_client.get(_url(screen, "assign")).status_code == 405


def test_a_change_racing_another_changes_nothing(alice_client, make_screen, monkeypatch):
    screen = make_screen()
    read = views._get_screen_for_coordinator

    writes = []

    def read_then_someone_else_writes(request, code):
        found = read(request, code)
        if not writes:  # another coordinator saves once, between our read and our write
            writes.append(Screen.objects.filter(pk=found.pk).update(version=F("version") + 1))
        return found

    monkeypatch.setattr(views, "_get_screen_for_coordinator", read_then_someone_else_writes)
    r = alice_client.post(_url(screen, "status"), {"version": 1, "status": "in_review"})
    assert r.status_code == 409
    assert "This screen changed since you opened it." in r.text
    monkeypatch.undo()
    screen.refresh_from_db()
    assert screen.status == Status.NEW and screen.version == 2
    assert not screen.events.exists()


def test_the_timeline_says_who_did_what(alice_client, make_screen):
    screen = make_screen()
    alice_client.post(_url(screen, "assign"), {"version": 1})
    alice_client.post(_url(screen, "status"), {"version": 2, "status": "in_review"})
    alice_client.post(
        _url(screen, "override"),
        {"version": 3, "level": "iop", "reason": "payer", "note": "Plan covers IOP."},
    )
    timeline = alice_client.get(_url(screen)).text.split('id="timeline"')[1]
    assert "Alice Admissions · <strong>Assigned</strong>: <span" in timeline
    assert "to alice" in timeline
    assert "from “New” to “In review”" in timeline
    assert "from “Outpatient care” to “Intensive outpatient program (IOP)”" in timeline
    assert "Reason: Insurance or payer. Plan covers IOP." in timeline


# Session, user, the two-factor device, permissions (user's and groups', one query), the
# screen, the access record, the timeline.
SCREEN_QUERIES = 7


@pytest.mark.parametrize("events", [1, 12])
def test_a_screen_takes_the_same_number_of_queries_whatever_its_timeline(
    alice_client, make_screen, alice, django_assert_num_queries, events
):
    screen = make_screen(assigned_to=alice)
    for index in range(events):
        ScreenEvent.objects.create(screen=screen, actor=alice, kind="note", data={"n": index})
    alice_client.get("/coordinator/")  # a session already seen this minute: no session write
    with django_assert_num_queries(SCREEN_QUERIES):
        assert alice_client.get(_url(screen)).status_code == 200


def test_a_stale_note_keeps_what_was_typed(alice_client, make_screen):
    screen = make_screen()
    alice_client.post(_url(screen, "assign"), {"version": 1})
    r = alice_client.post(_url(screen, "note"), {"version": 1, "text": "A long call summary."})
    assert r.status_code == 409
    assert "A long call summary.</textarea>" in r.text
    r = alice_client.post(_url(screen, "note"), {"version": 2, "text": "A long call summary."})
    assert r.status_code == 302
    assert screen.events.filter(kind="note").exists()


def test_a_level_the_centre_does_not_offer_says_refer_out(alice_client, make_screen, settings):
    settings.CENTRE_LEVELS = ["iop", "outpatient"]
    screen = make_screen({"housing": "none", **criteria(4)})  # inpatient
    r = alice_client.get(_url(screen))
    assert screen.level == "inpatient"
    assert '<span class="badge text-bg-warning refer-out-badge">Refer out</span>' in r.text
    assert "Refer out" in alice_client.get("/coordinator/").text


def test_an_offered_level_does_not_say_refer_out(alice_client, make_screen, settings):
    settings.CENTRE_LEVELS = ["iop", "outpatient"]
    screen = make_screen(criteria(4))  # iop
    assert "Refer out" not in alice_client.get(_url(screen)).text
    assert "Refer out" not in alice_client.get("/coordinator/").text


def test_an_override_to_an_offered_level_ends_the_refer_out(alice_client, make_screen, settings):
    settings.CENTRE_LEVELS = ["iop", "outpatient"]
    screen = make_screen(
        {"housing": "none"}, override_level="iop", override_reason="not_available"
    )
    assert "Refer out" not in alice_client.get(_url(screen)).text
