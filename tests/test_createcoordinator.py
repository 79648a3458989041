import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_it_creates_a_coordinator_from_the_environment(monkeypatch, capsys):
    monkeypatch.setenv("COORDINATOR_PASSWORD", PASSWORD)
    call_command("createcoordinator", "carol", "--email", "carol@example.org")
    carol = User.objects.get(username="carol")
    # With the enrolment code they need to set up two-factor login (one, unused).
    assert "Enrolment code for 'carol'" in capsys.readouterr().out
    assert carol.enrolment_codes.get().used_at is None
    assert carol.email == "carol@example.org"
    assert carol.check_password(PASSWORD)
    assert carol.has_perm("assessments.review_screen")
    assert not carol.has_perm("assessments.export_contact")


def test_it_asks_for_the_password_twice(monkeypatch):
    monkeypatch.delenv("COORDINATOR_PASSWORD", raising=False)
    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    call_command("createcoordinator", "carol", "--export")
    carol = User.objects.get(username="carol")
    assert carol.check_password(PASSWORD)
    assert carol.has_perm("assessments.export_contact")


def test_it_rejects_two_different_passwords(monkeypatch):
    monkeypatch.delenv("COORDINATOR_PASSWORD", raising=False)
    answers = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    with pytest.raises(CommandError, match="differ"):
        call_command("createcoordinator", "carol")
    assert not User.objects.filter(username="carol").exists()


@pytest.mark.parametrize("password", ["short", "password1234", "carolcarol12"])
def test_it_rejects_a_weak_password(monkeypatch, password):
    monkeypatch.setenv("COORDINATOR_PASSWORD", password)
    with pytest.raises(CommandError):
        call_command("createcoordinator", "carolcarol12")
    assert not User.objects.exists()


def test_it_refuses_an_existing_username(monkeypatch, bob):
    monkeypatch.setenv("COORDINATOR_PASSWORD", PASSWORD)
    with pytest.raises(CommandError, match="already exists"):
        call_command("createcoordinator", "bob")
