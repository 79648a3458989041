import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone

from assessments.management.commands.seed_demo import DEMO_PASSWORD, DEMO_USERNAME
from assessments.models import Screen, ScreenEvent

pytestmark = pytest.mark.django_db


def test_it_creates_a_demo_coordinator_and_screens_with_follow_up(capsys):
    call_command("seed_demo", "--count", "300", "--seed", "3")
    assert Screen.objects.count() == 300
    user = User.objects.get(username=DEMO_USERNAME)
    assert user.check_password(DEMO_PASSWORD)
    assert user.has_perm("assessments.review_screen")
    assert DEMO_PASSWORD in capsys.readouterr().out
    assert ScreenEvent.objects.filter(kind="note").exists()
    assert Screen.objects.exclude(override_level="").exists()
    assert not Screen.objects.filter(first_contacted_at__gt=timezone.now()).exists()
    assert not ScreenEvent.objects.filter(created_at__gt=timezone.now()).exists()


def test_it_creates_calls_follow_ups_and_priority_screens():
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
