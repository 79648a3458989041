import pytest
from django.contrib.auth.models import User

from assessments.models import AuditEntry, ScreenEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(User.objects.create_superuser("root", "root@example.org", "x"))
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
