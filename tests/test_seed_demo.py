from itertools import chain

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.utils import timezone

from assessments import models
from assessments.management.commands.seed_demo import DEMO_PASSWORD, DEMO_USERNAME
from assessments.models import Screen, ScreenEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def debug(settings):
    settings.DEBUG = True  # make run's seed_demo


def test_it_creates_a_demo_coordinator_and_screens_with_follow_up(debug, capsys):
    call_command("seed_demo", "--count", "300", "--seed", "3")
    assert Screen.objects.filter(ruleset_version="2", schema_version=2).count() == 300
    # ... and a few as the first release stored them, so both paths show in the workspace.
    assert Screen.objects.filter(ruleset_version="1", schema_version=1).count() == 3
    assert Screen.objects.filter(priority=True).exists()
    assert any(
        "overdose_risk" in flags for flags in Screen.objects.values_list("flags", flat=True)
    )
    user = User.objects.get(username=DEMO_USERNAME)
    assert user.check_password(DEMO_PASSWORD)
    assert user.has_perm("assessments.review_screen")
    assert DEMO_PASSWORD in capsys.readouterr().out
    assert ScreenEvent.objects.filter(kind="note").exists()
    assert Screen.objects.exclude(override_level="").exists()
    assert not Screen.objects.filter(first_contacted_at__gt=timezone.now()).exists()
    assert not ScreenEvent.objects.filter(created_at__gt=timezone.now()).exists()


def test_it_refuses_to_run_without_debug():
    """Finding 1: on a production database it made a login whose password is in the source."""
    with pytest.raises(CommandError, match="--i-know-this-is-not-production"):
        call_command("seed_demo", "--count", "1")
    assert not User.objects.exists() and not Screen.objects.exists()


def test_without_debug_it_runs_only_when_told_this_is_not_production():
    call_command("seed_demo", "--count", "2", "--i-know-this-is-not-production")
    assert Screen.objects.filter(ruleset_version="2").count() == 2


def test_the_demo_login_may_never_export_contact_details(debug, exporter):
    # Even a demo user left from an older seed_demo that could: the permission is not given.
    call_command("seed_demo", "--count", "0")
    user = User.objects.get(username=DEMO_USERNAME)
    assert not user.has_perm("assessments.export_contact")
    assert not user.user_permissions.exists()


def test_a_reference_already_taken_is_drawn_again(debug, make_screen, monkeypatch):
    """Finding 12: one taken reference stopped seed_demo with a duplicate key error."""
    taken = make_screen().reference
    fresh = (f"CG-AAAA-{a}{b}{c}{d}" for a in "2345" for b in "2345" for c in "67" for d in "89")
    # The first screen draws the stored reference, the next two draw the same one as each
    # other; every draw after that is new.
    draws = chain([taken, "CG-BBBB-BBBB", "CG-BBBB-BBBB"], fresh)
    monkeypatch.setattr(models, "new_reference", lambda: next(draws))
    call_command("seed_demo", "--count", "5", "--seed", "4")
    references = list(Screen.objects.values_list("reference", flat=True))
    assert len(references) == len(set(references)) == 6 + 3  # and the three ruleset-1 ones
    assert "CG-BBBB-BBBB" in references


def test_a_negative_count_is_refused(debug):
    with pytest.raises(CommandError, match="--count must be 0 or more"):
        call_command("seed_demo", "--count", "-1")


def test_it_creates_calls_follow_ups_and_priority_screens(debug):
    call_command("seed_demo", "--count", "400", "--seed", "5")
    calls = ScreenEvent.objects.filter(kind="call")
    outcomes = set(calls.values_list("data__outcome", flat=True))
    assert {"reached", "no_answer", "assessment_booked"} <= outcomes
    assert Screen.objects.filter(priority=True).exists()
    assert Screen.objects.due().exists()  # some follow-ups are due already, so Due shows some
    assert Screen.objects.filter(next_follow_up_at__gt=timezone.now()).exists()
    # A left message only where the person said it is safe.
    left = calls.filter(data__outcome="left_message").values_list("screen__message_ok", flat=True)
    assert set(left) <= {True}
    # A follow-up is on an open screen that asked for contact, and its last call set it.
    for screen in Screen.objects.filter(next_follow_up_at__isnull=False)[:20]:
        assert screen.contact_requested and screen.is_open()
        last_call = screen.events.filter(kind="call").order_by("created_at", "id").last()
        assert last_call.data["follow_up"] == screen.next_follow_up_at.isoformat()
    assert not Screen.objects.filter(scheduled_at__isnull=False, status="new").exists()
