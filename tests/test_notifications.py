"""Emails go through the outbox: a mail server that is down loses none of them (finding 9)."""

import io
import logging
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from assessments.models import OutboxMessage, Screen
from coordinator.notifications import RETRY_MAX_SECONDS, notify_urgent, send_due
from tests.answers import make_answers
from tests.screen_flow import submit

pytestmark = pytest.mark.django_db

URGENT = make_answers(self_harm_thoughts=True)


@pytest.fixture
def smtp_down(monkeypatch):
    """The mail server refuses every connection until `smtp_down.up()`."""

    class Switch:
        down = True

        def up(self):
            self.down = False

    switch = Switch()
    send = mail.EmailMessage.send

    def refusing(message, *args, **kwargs):
        if switch.down:
            raise ConnectionRefusedError("[Errno 111] Connection refused")
        return send(message, *args, **kwargs)

    monkeypatch.setattr(mail.EmailMessage, "send", refusing)
    return switch


def test_it_emails_the_coordinators_a_reference_and_a_link(settings, make_screen):
    settings.COORDINATORS_EMAIL = "intake@example.org"
    settings.SITE_URL = "https://screen.example.org"
    screen = make_screen({"self_harm_thoughts": True})
    notify_urgent(screen.reference)
    message = mail.outbox[0]
    assert message.to == ["intake@example.org"]
    assert screen.reference in message.subject
    assert f"https://screen.example.org/coordinator/screens/{screen.reference}/" in message.body


def test_it_never_carries_answers_or_contact_details(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    contact = {
        "contact_requested": True,
        "first_name": "Robin",
        "phone": "555 123 0142",
        "email": "robin@example.com",
        "preferred_contact": "phone",
        "best_time": "Mornings",
        "message_ok": False,
        "consent_to_contact": True,
    }
    answers = {**URGENT, "substances": ["opioids"], "prescribed_as_directed": False}
    with django_capture_on_commit_callbacks(execute=True):
        submit(client, answers, contact)
    call_command("send_outbox", stdout=io.StringIO())
    message = mailoutbox[0]
    text = (message.subject + message.body).lower()
    for secret in ("robin", "123 0142", "mornings", "opioid", "crisis", "self", "inpatient"):
        assert secret not in text


def test_a_notice_is_kept_while_the_mail_server_is_down_and_sent_when_it_is_back(
    client, smtp_down, mailoutbox, caplog, django_capture_on_commit_callbacks
):
    """The screen is stored, the notice waits in the outbox with the reference in the log,
    and the next run after the mail server is back sends it."""
    with time_machine.travel("2026-12-01 09:00Z", tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            r = submit(client, URGENT)
        assert r.status_code == 302 and r.url.startswith("/r/")
        assert client.get(r.url).status_code == 200  # the next request tries, and fails
        screen = Screen.objects.get()
        message = OutboxMessage.objects.get()
        assert (message.reference, message.attempts) == (screen.reference, 1)
        assert message.last_error == "ConnectionRefusedError"
        assert [
            record.getMessage() for record in caplog.records if record.name == "careguide.outbox"
        ] == [
            f"Urgent screen notice for screen {screen.reference} not sent (attempt 1, "
            "ConnectionRefusedError); next try in 60 seconds"
        ]
        client.get("/")  # not due yet: no second try at once
        assert OutboxMessage.objects.get().attempts == 1

    with time_machine.travel("2026-12-01 09:01:01Z", tick=False):
        out = io.StringIO()
        call_command("send_outbox", stdout=out)  # cron, a minute later: still down
        assert "0 sent, 1 failed" in out.getvalue()
        assert OutboxMessage.objects.get().attempts == 2  # next try 2 minutes on

    smtp_down.up()
    with time_machine.travel("2026-12-01 09:03:02Z", tick=False):
        call_command("send_outbox", stdout=out)
    assert [m.subject for m in mailoutbox] == [f"Urgent screen {screen.reference}"]
    assert not OutboxMessage.objects.exists()


def test_the_wait_between_tries_grows_to_an_hour(smtp_down, make_screen):
    screen = make_screen({"self_harm_thoughts": True})
    OutboxMessage.objects.add("urgent_screen", reference=screen.reference)
    waits = []
    now = timezone.now()
    for _ in range(9):
        with time_machine.travel(now, tick=False):
            assert send_due() == (0, 1)
        message = OutboxMessage.objects.get()
        waits.append(round((message.next_attempt_at - now).total_seconds()))
        now = message.next_attempt_at
    assert waits == [60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]
    assert RETRY_MAX_SECONDS == 3600


def test_a_message_being_sent_is_not_sent_twice(make_screen, mailoutbox):
    screen = make_screen({"self_harm_thoughts": True})
    OutboxMessage.objects.add("urgent_screen", reference=screen.reference)
    message = OutboxMessage.objects.get()
    # Another process took it a moment ago (its lease moved the time it is due).
    OutboxMessage.objects.filter(pk=message.pk).update(
        next_attempt_at=timezone.now() + timedelta(minutes=5)
    )
    assert send_due() == (0, 0)
    assert mailoutbox == []


def test_a_notice_for_a_screen_deleted_since_is_dropped(client, mailoutbox, make_screen):
    OutboxMessage.objects.add("urgent_screen", reference="CG-2345-6789")
    assert send_due() == (1, 0)
    assert mailoutbox == [] and not OutboxMessage.objects.exists()


def test_the_outbox_middleware_asks_the_database_nothing_when_nothing_is_due(
    client, django_assert_num_queries
):
    with django_assert_num_queries(0):
        assert client.get("/sources/").status_code == 200


def test_a_database_that_is_down_does_not_fail_the_request(client, monkeypatch, caplog):
    from django.db import OperationalError

    from assessments.models import OUTBOX_DUE_KEY

    def broken(*args, **kwargs):
        raise OperationalError("could not connect")

    from django.core.cache import cache

    cache.set(OUTBOX_DUE_KEY, 0, None)
    monkeypatch.setattr("coordinator.notifications.send_due", broken)
    with caplog.at_level(logging.WARNING):
        assert client.get("/sources/").status_code == 200
    assert "Outbox not read: OperationalError" in caplog.text


def test_the_health_checks_send_nothing(
    client, make_screen, mailoutbox, django_assert_num_queries
):
    from django.core.cache import cache

    from assessments.models import OUTBOX_DUE_KEY

    screen = make_screen({"self_harm_thoughts": True})
    OutboxMessage.objects.add("urgent_screen", reference=screen.reference)
    cache.set(OUTBOX_DUE_KEY, 0, None)
    with django_assert_num_queries(0):
        assert client.get("/healthz").status_code == 200
    assert mailoutbox == []
    client.get("/")
    assert len(mailoutbox) == 1
