import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone

from assessments.management.commands.seed_demo import DEMO_PASSWORD, DEMO_USERNAME
from assessments.models import Screen, ScreenEvent

pytestmark = pytest.mark.django_db


def test_it_creates_a_demo_coordinator_and_screens_with_follow_up(capsys):
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
