"""Two-factor login (TOTP, django-otp): password, then a code from the coordinator's app."""

import io
import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from coordinator.models import EnrolmentCode
from tests.conftest import PASSWORD, log_in_verified
from tests.test_settings import PRODUCTION_ENV, _load_settings

QUEUE, VERIFY, SETUP = (
    "/coordinator/",
    "/coordinator/two-factor/",
    "/coordinator/two-factor/setup/",
)


@pytest.fixture(autouse=True)
def _required(settings):
    settings.COORDINATOR_2FA_REQUIRED = True


def _code(device: TOTPDevice) -> str:
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return str(totp.token()).zfill(device.digits)  # an int: 012345 would lose its 0


def _wrong(device: TOTPDevice) -> str:
    return str((int(_code(device)) + 500_000) % 1_000_000).zfill(6)


def _log_in(client):
    r = client.post("/coordinator/login/", {"username": "alice", "password": PASSWORD})
    assert r.status_code == 302
    return client.get(r.url)


@pytest.fixture
def device(alice):
    return TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)


@pytest.mark.parametrize(
    ("env", "expected"),
    [(PRODUCTION_ENV, "True"), ({"DJANGO_DEBUG": "True"}, "False")],
)
def test_it_is_required_unless_debug(env, expected):
    result = _load_settings(
        env, "import careguide.settings as s; print(s.COORDINATOR_2FA_REQUIRED)"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_it_can_be_turned_off():
    env = {**PRODUCTION_ENV, "COORDINATOR_2FA_REQUIRED": "False"}
    result = _load_settings(
        env, "import careguide.settings as s; print(s.COORDINATOR_2FA_REQUIRED)"
    )
    assert result.stdout.strip() == "False"


def _enrol(client, user) -> None:
    """Enters an enrolment code an administrator issued for user (after the password)."""
    code = EnrolmentCode(user=user).issue()
    r = client.post(SETUP, {"code": code})
    assert r.status_code == 302 and r.url.startswith(SETUP), r.content[:500]


def test_a_first_login_sets_up_an_app_and_confirms_it(client, alice):
    r = _log_in(client)
    assert r.status_code == 302 and r.url == f"{SETUP}?next=%2Fcoordinator%2F"
    r = client.get(r.url)
    assert "Enrolment code" in r.text and not TOTPDevice.objects.exists()
    code = EnrolmentCode(user=alice).issue()
    r = client.post(f"{SETUP}?next=%2Fcoordinator%2F", {"code": code.lower()})  # as typed
    assert r.status_code == 302 and r.url == f"{SETUP}?next=%2Fcoordinator%2F"
    r = client.get(r.url)
    device = TOTPDevice.objects.get(user=alice)
    assert not device.confirmed
    assert "no-store" in r["Cache-Control"]
    secret = r.context["secret"]
    assert secret in r.text and len(secret) == 32  # 20 bytes in base32
    assert f"otpauth://totp/CareGuide%3Aalice?secret={secret}" in r.text.replace("&amp;", "&")
    # The QR code is inline SVG drawn without style= (the Content-Security-Policy forbids it).
    assert '<svg width="' in r.text and "<title>QR code of the setup link</title>" in r.text
    assert "style=" not in r.text

    r = client.post(f"{SETUP}?next=%2Fcoordinator%2F", {"code": _code(device)})
    assert r.status_code == 302 and r.url == QUEUE
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(QUEUE).status_code == 200


def test_the_setup_page_keeps_one_secret_until_it_is_confirmed(client, alice):
    _log_in(client)
    _enrol(client, alice)
    first = client.get(SETUP).context["secret"]
    assert client.get(SETUP).context["secret"] == first
    assert TOTPDevice.objects.filter(user=alice).count() == 1


def test_a_wrong_code_does_not_confirm_the_app(client, alice):
    _log_in(client)
    _enrol(client, alice)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=alice)
    r = client.post(SETUP, {"code": _wrong(device)})
    assert r.status_code == 200
    assert "That code is not right" in r.text
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get(QUEUE).status_code == 302


@pytest.mark.parametrize("code", ["", "12345", "abcdef", "1234567", "１２３４５６"])
def test_it_rejects_a_code_that_is_not_six_digits(client, device, code):
    _log_in(client)
    r = client.post(VERIFY, {"code": code})
    assert r.status_code == 200
    assert "is-invalid" in r.text
    assert client.get(QUEUE).status_code == 302


def test_a_password_alone_cannot_replace_a_confirmed_app(client, alice, device):
    _log_in(client)
    r = client.get(SETUP)
    assert r.status_code == 302 and r.url.startswith(VERIFY)
    client.post(SETUP, {"code": "123456"})
    assert list(TOTPDevice.objects.filter(user=alice)) == [device]


def test_a_login_asks_for_the_code_then_goes_on(client, device):
    client.get("/coordinator/dashboard/")  # anonymous: to the login page, and back after
    r = client.post(
        "/coordinator/login/?next=/coordinator/dashboard/",
        {"username": "alice", "password": PASSWORD},
    )
    r = client.get(r.url)
    assert r.status_code == 302 and r.url == f"{VERIFY}?next=%2Fcoordinator%2Fdashboard%2F"
    page = client.get(r.url)
    assert page.status_code == 200 and "Code from your authenticator app" in page.text
    key = client.session.session_key

    r = client.post(r.url, {"code": _code(device)})
    assert r.status_code == 302 and r.url == "/coordinator/dashboard/"
    assert client.session.session_key != key  # more rights: a new session key
    assert client.get("/coordinator/dashboard/").status_code == 200


def test_a_wrong_code_is_refused(client, device):
    _log_in(client)
    r = client.post(VERIFY, {"code": _wrong(device)})
    assert r.status_code == 200
    assert "That code is not right, or it has expired." in r.text
    assert client.get(QUEUE).status_code == 302


def test_guesses_are_throttled(client, device):
    _log_in(client)
    with time_machine.travel(timezone.now(), tick=False):
        client.post(VERIFY, {"code": _wrong(device)})
        # Right after a wrong code even the right one is refused: 1, 2, 4 ... seconds apart.
        r = client.post(VERIFY, {"code": _code(device)})
        assert "Too many wrong codes in a row." in r.text
        device.refresh_from_db()
        assert device.throttling_failure_count == 1  # a refused try is not a guess checked
        assert client.get(QUEUE).status_code == 302
    with time_machine.travel(timezone.now() + timedelta(seconds=2), tick=False):
        assert client.post(VERIFY, {"code": _code(device)}).status_code == 302


def test_a_code_works_once(client, alice, device):
    _log_in(client)
    code = _code(device)
    assert client.post(VERIFY, {"code": code}).status_code == 302
    client.post("/coordinator/logout/")
    _log_in(client)
    r = client.post(VERIFY, {"code": code})
    assert r.status_code == 200 and "That code is not right" in r.text


def test_it_goes_on_only_to_this_site(client, device):
    _log_in(client)
    r = client.post(f"{VERIFY}?next=https://evil.example/", {"code": _code(device)})
    assert r.status_code == 302 and r.url == QUEUE


def test_logout_clears_the_second_factor(alice_client):
    assert alice_client.get(QUEUE).status_code == 200
    alice_client.post("/coordinator/logout/")
    _log_in(alice_client)
    r = alice_client.get(QUEUE)
    assert r.status_code == 302 and r.url.startswith(VERIFY)


def test_it_is_not_asked_when_turned_off(unverified_client, settings):
    settings.COORDINATOR_2FA_REQUIRED = False
    assert unverified_client.get(QUEUE).status_code == 200
    assert unverified_client.get("/coordinator/export/").status_code == 200


def test_the_two_factor_pages_need_a_login(client):
    for url in (VERIFY, SETUP):
        r = client.get(url)
        assert r.status_code == 302 and r.url.startswith("/coordinator/login/")


# --- Enrolment: a password alone never sets up an app ------------------------------------


def test_a_password_alone_cannot_enrol_an_app(client, alice):
    """Finding 1: whoever had the password could set up their own app and get in."""
    _log_in(client)
    r = client.get(SETUP)
    assert r.status_code == 200
    assert "enter the enrolment code your administrator gave you" in r.text
    assert "otpauth://" not in r.text and "secret" not in r.context
    # A made-up code, or a TOTP-looking one, is refused; nothing is created.
    for code in ("123456", "2345-6789-ABCD-EFGH", ""):
        r = client.post(SETUP, {"code": code})
        assert r.status_code == 200 and "is-invalid" in r.text
    assert not TOTPDevice.objects.exists()
    assert client.get(QUEUE).status_code == 302


def test_an_enrolment_code_works_once(client, alice):
    code = EnrolmentCode(user=alice).issue()
    _log_in(client)
    assert client.post(SETUP, {"code": code}).status_code == 302
    client.post("/coordinator/logout/")
    _log_in(client)  # another session, the same code: refused
    r = client.post(SETUP, {"code": code})
    assert r.status_code == 200 and "was already used or has expired" in r.text


def test_an_enrolment_code_expires(client, alice):
    with time_machine.travel("2026-12-01 09:00Z", tick=False):
        code = EnrolmentCode(user=alice).issue(hours=1)
    with time_machine.travel("2026-12-01 10:00Z", tick=False):
        _log_in(client)
        r = client.post(SETUP, {"code": code})
    assert r.status_code == 200 and "has expired" in r.text
    assert not TOTPDevice.objects.exists()


def test_an_enrolment_code_is_for_one_person(client, alice, bob):
    code = EnrolmentCode(user=bob).issue()
    _log_in(client)
    r = client.post(SETUP, {"code": code})
    assert r.status_code == 200 and "is-invalid" in r.text


def test_a_new_code_replaces_the_unused_one(client, alice):
    first = EnrolmentCode(user=alice).issue()
    second = EnrolmentCode(user=alice).issue()
    _log_in(client)
    assert client.post(SETUP, {"code": first}).status_code == 200
    assert client.post(SETUP, {"code": second}).status_code == 302


def test_enrolment_code_guesses_are_throttled(client, alice):
    code = EnrolmentCode(user=alice).issue()
    _log_in(client)
    for _ in range(5):
        client.post(SETUP, {"code": "2345-6789-ABCD-EFGH"})
    r = client.post(SETUP, {"code": code})  # even the right one, until the wait is over
    assert r.status_code == 200 and "Too many tries" in r.text
    assert EnrolmentCode.objects.get().used_at is None


def test_only_the_hash_of_a_code_is_stored(alice):
    code = EnrolmentCode(user=alice).issue()
    stored = EnrolmentCode.objects.get()
    assert code not in stored.digest and len(stored.digest) == 64


def test_the_secret_made_before_a_code_is_not_kept(client, alice):
    # An app set up, but not confirmed, under the old flow: its secret is not trusted.
    old = TOTPDevice.objects.create(user=alice, name="old", confirmed=False)
    _log_in(client)
    _enrol(client, alice)
    client.get(SETUP)
    assert list(TOTPDevice.objects.filter(user=alice)) != [old]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()


def test_the_enrolment_command_prints_a_code_that_works(client, alice):
    out = io.StringIO()
    call_command("enrolment_code", "alice", "--hours", "2", stdout=out)
    code = re.search(r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}", out.getvalue()).group()
    _log_in(client)
    assert client.post(SETUP, {"code": code}).status_code == 302


def test_the_enrolment_command_refuses_an_unknown_user(db):
    with pytest.raises(CommandError, match="No active user"):
        call_command("enrolment_code", "nobody")


def test_an_administrator_issues_a_code_in_the_admin(client, alice):
    root = User.objects.create_superuser("root", "root@example.org", "x")
    log_in_verified(client, root)
    r = client.post(
        "/admin/coordinator/enrolmentcode/add/", {"user": alice.pk, "hours": 24}, follow=True
    )
    assert r.status_code == 200
    shown = [str(message) for message in r.context["messages"]]
    code = re.search(r"[2-9A-Z]{4}(-[2-9A-Z]{4}){3}", shown[0]).group()
    issued = EnrolmentCode.objects.get()
    assert issued.user == alice and issued.issued_by == root
    assert code not in r.text.replace(shown[0], "")  # shown once, in the message only
    client.post("/coordinator/logout/")
    _log_in(client)
    assert client.post(SETUP, {"code": code}).status_code == 302


def test_staff_who_are_not_coordinators_reach_the_admin_with_two_factors(client, staff):
    """Finding 10: the two-factor pages answered them 403, so the admin was out of reach."""
    device = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    credentials = {"username": "sam", "password": "a long enough passphrase", "next": "/admin/"}
    r = client.post("/admin/login/", credentials)
    assert r.url == "/admin/"
    r = client.get(r.url)
    r = client.get(r.url)  # the admin's login page sends staff to the code page
    assert r.status_code == 302 and r.url.startswith(VERIFY)
    assert client.get(r.url).status_code == 200
    r = client.post(r.url, {"code": _code(device)})
    assert r.status_code == 302 and r.url == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get(QUEUE).status_code == 403  # still not a coordinator


def test_without_next_staff_go_on_to_the_admin(client, staff):
    device = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    client.force_login(staff)
    r = client.post(VERIFY, {"code": _code(device)})
    assert r.status_code == 302 and r.url == "/admin/"


def test_staff_without_an_app_enrol_with_a_code_too(client, staff):
    client.force_login(staff)
    assert "Enrolment code" in client.get(SETUP).text
    _enrol(client, staff)
    assert client.get(SETUP).status_code == 200
    device = TOTPDevice.objects.get(user=staff)
    assert client.post(SETUP, {"code": _code(device)}).url == "/admin/"


def test_someone_neither_staff_nor_coordinator_gets_no_two_factor_page(bob_client):
    for url in (VERIFY, SETUP):
        assert bob_client.get(url).status_code == 403
