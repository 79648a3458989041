from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from assessments.models import AuditEntry, Screen, ScreenEvent
from assessments.rules import recommend
from tests.answers import make_answers

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # cron's hour


def _screen(days_old: int) -> Screen:
    screen = Screen.from_recommendation(
        recommend(make_answers()), created_at=NOW - timedelta(days=days_old)
    )
    screen.save()
    ScreenEvent.objects.create(screen=screen, kind=ScreenEvent.Kind.NOTE, data={"text": "called"})
    return screen


def _purge():
    with time_machine.travel(NOW, tick=False):
        call_command("purge_screens", stdout=StringIO())


def test_it_deletes_screens_past_retention_with_their_events():
    old = _screen(366)
    kept = _screen(364)
    _purge()
    assert not Screen.objects.filter(pk=old.pk).exists()
    assert not ScreenEvent.objects.filter(screen_id=old.pk).exists()
    assert Screen.objects.filter(pk=kept.pk).exists()
    assert ScreenEvent.objects.filter(screen=kept).count() == 1


def test_it_clears_expired_result_links_and_keeps_the_screen():
    expired = _screen(31)
    fresh = _screen(29)
    _purge()
    expired.refresh_from_db()
    fresh.refresh_from_db()
    assert expired.result_token is None
    assert fresh.result_token is not None


def test_it_records_one_audit_entry_per_run_with_the_counts():
    _screen(400)
    _screen(366)
    _screen(100)
    _screen(31)
    _screen(1)
    _purge()
    entry = AuditEntry.objects.get()
    assert entry.action == AuditEntry.Action.PURGED
    assert entry.actor is None
    assert entry.details == {"deleted": 2, "tokens_cleared": 2}


def test_it_is_safe_to_run_again():
    _screen(366)
    _screen(31)
    _purge()
    _purge()
    assert Screen.objects.count() == 1
    second = AuditEntry.objects.order_by("-id").first()
    assert second.details == {"deleted": 0, "tokens_cleared": 0}
    assert AuditEntry.objects.count() == 2


def test_it_follows_the_settings(settings):
    settings.RETENTION_DAYS = 10
    settings.RESULT_LINK_DAYS = 2
    _screen(11)
    _screen(3)
    _purge()
    assert AuditEntry.objects.get().details == {"deleted": 1, "tokens_cleared": 1}


def test_it_reports_what_it_did(capsys):
    _screen(366)
    with time_machine.travel(NOW, tick=False):
        call_command("purge_screens")
    assert "Deleted 1 screens older than 365 days" in capsys.readouterr().out


def test_it_deletes_expired_sessions_and_the_unfinished_answers_in_them(client):
    from django.contrib.sessions.models import Session

    with time_machine.travel(NOW - timedelta(days=2), tick=False):
        client.post("/screen/about-you/", {"age_group": "65_plus"})
    with time_machine.travel(NOW - timedelta(hours=1), tick=False):
        fresh = type(client)()
        fresh.post("/screen/about-you/", {"age_group": "18_to_64"})
    assert Session.objects.count() == 2
    _purge()
    assert Session.objects.count() == 1  # the one still inside its day
