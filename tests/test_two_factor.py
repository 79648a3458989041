"""Two-factor login (TOTP, django-otp): password, then a code from the coordinator's app."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD
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


def test_a_first_login_sets_up_an_app_and_confirms_it(client, alice):
    r = _log_in(client)
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
    first = client.get(SETUP).context["secret"]
    assert client.get(SETUP).context["secret"] == first
    assert TOTPDevice.objects.filter(user=alice).count() == 1


def test_a_wrong_code_does_not_confirm_the_app(client, alice):
    _log_in(client)
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
