"""Logging a call: one action for the outcome, the note, the next follow-up and the status."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from assessments.models import CallOutcome, Screen, ScreenEvent, Status

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 6, 17, 12, 0, tzinfo=NEW_YORK)


def _url(screen, action="call"):
    return f"/coordinator/screens/{screen.reference}/{action}/"


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def _call(client, screen, outcome, **extra):
    data = {"version": screen.version, "outcome": outcome, "note": "", **extra}
    return client.post(_url(screen), data, follow=True)


def _kinds(screen) -> list[str]:
    return list(screen.events.values_list("kind", flat=True))


def test_reached_walks_a_new_screen_to_contacted_with_an_event_per_step(
    alice_client, make_screen, alice
):
    screen = make_screen(contact_requested=True, phone="555-0142")
    r = _call(alice_client, screen, "reached", note="Talked it through.")
    assert r.redirect_chain == [(f"/coordinator/screens/{screen.reference}/", 302)]
    assert "Call logged. Status changed from “New” to “Contacted”." in _messages(r)
    screen.refresh_from_db()
    assert screen.status == Status.CONTACTED and screen.version == 2
    assert screen.first_contacted_at is not None
    events = list(screen.events.order_by("created_at", "id"))
    assert [(e.kind, e.data.get("to")) for e in events] == [
        ("call", None),
        ("status", "in_review"),
        ("status", "contacted"),
    ]
    assert events[0].data == {
        "outcome": "reached",
        "note": "Talked it through.",
        "follow_up": None,
    }
    assert all(event.actor == alice for event in events)
    assert "Reached. Talked it through." in r.text  # in the timeline, in words


def test_assessment_booked_walks_to_scheduled_and_stamps_it(alice_client, make_screen):
    screen = make_screen(contact_requested=True)
    r = _call(alice_client, screen, "assessment_booked")
    assert "Call logged. Status changed from “New” to “Scheduled”." in _messages(r)
    screen.refresh_from_db()
    assert screen.status == Status.SCHEDULED
    assert screen.scheduled_at is not None and screen.first_contacted_at is not None
    moves = [e.data["to"] for e in screen.events.filter(kind="status")]
    assert moves == ["in_review", "contacted", "scheduled"]


def test_a_person_who_did_not_answer_before_can_be_booked(alice_client, make_screen):
    screen = make_screen(contact_requested=True, status=Status.NO_RESPONSE)
    _call(alice_client, screen, "assessment_booked")
    screen.refresh_from_db()
    assert screen.status == Status.SCHEDULED
    assert [e.data["to"] for e in screen.events.filter(kind="status")] == [
        "contacted",
        "scheduled",
    ]


def test_declined_withdraws_the_screen(alice_client, make_screen):
    screen = make_screen(contact_requested=True, status=Status.IN_REVIEW)
    _call(alice_client, screen, "declined", note="Not ready.")
    screen.refresh_from_db()
    assert screen.status == Status.WITHDRAWN and screen.first_contacted_at is not None


@pytest.mark.parametrize("outcome", ["no_answer", "wrong_number"])
def test_an_unanswered_call_leaves_the_status_and_first_contact(
    alice_client, make_screen, outcome
):
    screen = make_screen(contact_requested=True)
    r = _call(alice_client, screen, outcome)
    assert _messages(r) == ["Call logged."]
    screen.refresh_from_db()
    assert screen.status == Status.NEW and screen.first_contacted_at is None
    assert _kinds(screen) == ["call"] and screen.version == 2


def test_a_call_does_not_move_a_screen_back(alice_client, make_screen):
    screen = make_screen(contact_requested=True, status=Status.SCHEDULED)
    r = _call(alice_client, screen, "reached")
    assert "Call logged. The status stays “Scheduled”." in _messages(r)
    screen.refresh_from_db()
    assert screen.status == Status.SCHEDULED and _kinds(screen) == ["call"]


def test_a_closed_screen_can_still_have_a_call_logged(alice_client, make_screen):
    screen = make_screen(contact_requested=True, status=Status.CLOSED)
    _call(alice_client, screen, "reached")
    screen.refresh_from_db()
    assert screen.status == Status.CLOSED and _kinds(screen) == ["call"]


def test_left_message_is_offered_only_when_a_message_is_safe(alice_client, make_screen):
    unsafe = make_screen(contact_requested=True, message_ok=False)
    safe = make_screen(contact_requested=True, message_ok=True)
    page = alice_client.get(f"/coordinator/screens/{unsafe.reference}/").text
    assert 'value="left_message"' not in page
    assert "do not leave a voicemail or text" in page
    assert (
        'value="left_message"' in alice_client.get(f"/coordinator/screens/{safe.reference}/").text
    )
    r = _call(alice_client, unsafe, "left_message")
    assert r.status_code == 200
    assert "Nothing was saved: please correct the form below." in _messages(r)
    assert "left_message is not one of the available choices" in r.text
    unsafe.refresh_from_db()
    assert unsafe.version == 1 and not unsafe.events.exists()
    _call(alice_client, safe, "left_message")
    assert _kinds(safe) == ["call"]


def test_the_model_refuses_a_message_that_is_not_safe(make_screen, alice):
    screen = make_screen(contact_requested=True, message_ok=False)
    with pytest.raises(ValueError, match="message is safe"):
        screen.log_call(alice, 1, CallOutcome.LEFT_MESSAGE)
    assert not screen.events.exists()


@time_machine.travel(NOW, tick=False)
def test_a_follow_up_is_set_in_the_centres_time_zone(alice_client, make_screen):
    screen = make_screen(contact_requested=True)
    r = _call(
        alice_client,
        screen,
        "no_answer",
        follow_up_date="2026-06-18",
        follow_up_time="14:30",
    )
    assert "Call logged. Next follow-up: 2026-06-18 14:30." in _messages(r)
    screen.refresh_from_db()
    assert screen.next_follow_up_at == datetime(2026, 6, 18, 14, 30, tzinfo=NEW_YORK)
    assert screen.events.get().data["follow_up"] == "2026-06-18T14:30:00-04:00"
    assert "Follow-up set for 2026-06-18 14:30" in r.text


@time_machine.travel(NOW, tick=False)
def test_a_follow_up_without_a_time_is_at_nine(alice_client, make_screen):
    screen = make_screen(contact_requested=True)
    _call(alice_client, screen, "no_answer", follow_up_date="2026-06-19")
    screen.refresh_from_db()
    assert screen.next_follow_up_at == datetime(2026, 6, 19, 9, 0, tzinfo=NEW_YORK)


@time_machine.travel(NOW, tick=False)
def test_the_next_call_clears_the_follow_up_or_replaces_it(alice_client, make_screen):
    screen = make_screen(contact_requested=True)
    _call(alice_client, screen, "no_answer", follow_up_date="2026-06-18")
    screen.refresh_from_db()
    _call(alice_client, screen, "no_answer", follow_up_date="2026-06-20", follow_up_time="10:00")
    screen.refresh_from_db()
    assert screen.next_follow_up_at == datetime(2026, 6, 20, 10, 0, tzinfo=NEW_YORK)
    _call(alice_client, screen, "reached")
    screen.refresh_from_db()
    assert screen.next_follow_up_at is None


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("extra", "error"),
    [
        ({"follow_up_date": "2026-06-17", "follow_up_time": "11:59"}, "must be in the future"),
        ({"follow_up_date": "2026-06-16"}, "must be in the future"),
        ({"follow_up_time": "10:00"}, "Choose the day of the follow-up"),
        ({"follow_up_date": "2027-06-18"}, "within a year"),
        ({"follow_up_date": "not a date"}, "Enter a valid date."),
        ({"follow_up_date": "2026-06-18", "follow_up_time": "25:00"}, "Enter a valid time."),
        ({"outcome": "declined", "follow_up_date": "2026-06-18"}, "who declined is not called"),
        ({"outcome": ""}, "This field is required."),
        ({"outcome": "busy"}, "busy is not one of the available choices"),
        ({"note": "x" * 4001}, "at most 4000 characters"),
    ],
)
def test_a_bad_call_is_refused_with_a_message_and_nothing_saved(
    alice_client, make_screen, extra, error
):
    screen = make_screen(contact_requested=True)
    data = {"note": "Typed.", **extra}
    r = _call(alice_client, screen, data.pop("outcome", "no_answer"), **data)
    assert r.status_code == 200
    assert "Nothing was saved: please correct the form below." in _messages(r)
    assert error in r.text
    assert data["note"] + "</textarea>" in r.text  # what was typed stays
    screen.refresh_from_db()
    assert screen.version == 1 and screen.status == Status.NEW
    assert screen.next_follow_up_at is None and not screen.events.exists()


def test_a_stale_call_is_refused_with_409_and_keeps_what_was_typed(alice_client, make_screen):
    screen = make_screen(contact_requested=True)
    alice_client.post(_url(screen, "note"), {"version": 1, "text": "Someone else first."})
    r = alice_client.post(
        _url(screen), {"version": 1, "outcome": "reached", "note": "A long call summary."}
    )
    assert r.status_code == 409
    assert "This screen changed since you opened it." in r.text
    assert "A long call summary.</textarea>" in r.text
    assert 'name="version" value="2"' in r.text
    screen.refresh_from_db()
    assert screen.status == Status.NEW and screen.first_contacted_at is None
    assert _kinds(screen) == ["note"]


def test_the_model_refuses_a_stale_version_and_saves_nothing(make_screen, alice):
    from assessments.models import StaleScreen

    screen = make_screen(contact_requested=True)
    Screen.objects.filter(pk=screen.pk).update(version=5)
    with pytest.raises(StaleScreen):
        screen.log_call(alice, 1, CallOutcome.ASSESSMENT_BOOKED, follow_up_at=None)
    screen.refresh_from_db()
    assert screen.status == Status.NEW and not screen.events.exists()


def test_only_a_coordinator_may_log_a_call(bob_client, make_screen):
    screen = make_screen(contact_requested=True)
    assert bob_client.post(_url(screen), {"version": 1, "outcome": "reached"}).status_code == 403
    anonymous = Client().post(_url(screen), {"version": 1, "outcome": "reached"})
    assert anonymous.status_code == 302 and anonymous.url.startswith("/coordinator/login/")
    assert not ScreenEvent.objects.exists()


def test_a_call_keeps_the_way_back_to_the_filtered_queue(alice_client, make_screen):
    screen = make_screen(contact_requested=True)
    back = "/coordinator/?status=new&level=outpatient&page=2"
    r = alice_client.post(
        _url(screen), {"version": 1, "outcome": "no_answer", "note": "", "back": back}
    )
    assert r.status_code == 302
    assert r.url == f"/coordinator/screens/{screen.reference}/?back=" + (
        "%2Fcoordinator%2F%3Fstatus%3Dnew%26level%3Doutpatient%26page%3D2"
    )
    page = alice_client.get(r.url)
    assert f'href="{back.replace("&", "&amp;")}">Back to the queue</a>' in page.text


@pytest.mark.parametrize(
    "back",
    [
        "https://evil.example/coordinator/",
        "//evil.example/coordinator/",
        "/admin/",
        "/coordinator/screens/CG-AAAA-BBBB/",
        "javascript:alert(1)",
        "/coordinator/\x00",
    ],
)
def test_the_way_back_only_leads_to_one_of_our_lists(alice_client, make_screen, back):
    screen = make_screen()
    page = alice_client.get(f"/coordinator/screens/{screen.reference}/", {"back": back})
    assert page.status_code == 200
    assert page.context["back_url"] == "/coordinator/"


def test_the_way_back_to_the_due_list_says_so(alice_client, make_screen):
    screen = make_screen()
    page = alice_client.get(
        f"/coordinator/screens/{screen.reference}/", {"back": "/coordinator/due/?page=2"}
    )
    assert 'href="/coordinator/due/?page=2">Back to follow-ups due</a>' in page.text


def test_path_to_walks_forward_only(make_screen):
    screen = Screen(status=Status.NEW)
    assert screen.path_to(Status.CONTACTED) == [Status.IN_REVIEW, Status.CONTACTED]
    assert screen.path_to(Status.WITHDRAWN) == [Status.WITHDRAWN]
    assert screen.path_to(Status.NEW) == []
    assert Screen(status=Status.SCHEDULED).path_to(Status.CONTACTED) is None
    assert Screen(status=Status.CLOSED).path_to(Status.CONTACTED) is None
    assert Screen(status=Status.WITHDRAWN).path_to(Status.SCHEDULED) == [
        Status.CONTACTED,
        Status.SCHEDULED,
    ]
    assert Screen(status=Status.REFERRED_ELSEWHERE).path_to(Status.SCHEDULED) is None


def test_the_call_form_comes_first_among_the_actions(alice_client, make_screen):
    screen = make_screen(contact_requested=True)
    page = alice_client.get(f"/coordinator/screens/{screen.reference}/").text
    actions = page.split('id="actions"')[1]
    assert actions.index("Log a call") < actions.index("Assign to me")
