import pytest
from django.contrib.auth.models import User

from assessments.models import AuditEntry, ScreenEvent
from tests.conftest import log_in_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    log_in_verified(client, User.objects.create_superuser("root", "root@example.org", "x"))
    return client


def test_screens_are_listed_and_opening_one_is_recorded(admin_client, make_screen):
    screen = make_screen()
    assert admin_client.get("/admin/assessments/screen/").status_code == 200
    r = admin_client.get(f"/admin/assessments/screen/{screen.pk}/change/")
    assert r.status_code == 200
    assert 'name="_save"' not in r.text
    entry = AuditEntry.objects.get()
    assert entry.action == "viewed" and entry.screen_reference == screen.reference


@pytest.mark.parametrize("model", ["screen", "screenevent", "auditentry"])
def test_nothing_can_be_changed_or_deleted(admin_client, make_screen, model):
    screen = make_screen()
    event = ScreenEvent.objects.create(screen=screen, kind="note", data={"text": "x"})
    entry = AuditEntry.objects.create(action="viewed", screen_reference=screen.reference)
    pk = {"screen": screen.pk, "screenevent": event.pk, "auditentry": entry.pk}[model]
    base = f"/admin/assessments/{model}/"
    assert admin_client.post(f"{base}{pk}/change/", {}).status_code == 403
    assert admin_client.post(f"{base}{pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin_client.get(f"{base}add/").status_code == 403
    assert ScreenEvent.objects.count() == 1


def test_a_password_alone_does_not_open_the_admin(client, settings):
    settings.COORDINATOR_2FA_REQUIRED = True
    client.force_login(User.objects.create_superuser("root", "root@example.org", "x"))
    r = client.get("/admin/assessments/screen/")
    assert r.status_code == 302
    login = client.get(r.url)  # the admin's login page sends a staff member to the code page
    assert login.status_code == 302 and login.url.startswith("/coordinator/two-factor/?next=")


def test_without_required_two_factor_a_password_is_enough(client, settings):
    settings.COORDINATOR_2FA_REQUIRED = False
    client.force_login(User.objects.create_superuser("root", "root@example.org", "x"))
    assert client.get("/admin/assessments/screen/").status_code == 200
