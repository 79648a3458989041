import pytest
from django.core import mail

from coordinator.notifications import notify_urgent

pytestmark = pytest.mark.django_db


def test_it_emails_the_coordinators_a_reference_and_a_link(settings, make_screen):
    settings.COORDINATORS_EMAIL = "intake@example.org"
    settings.SITE_URL = "https://screen.example.org"
    screen = make_screen({"self_harm_thoughts": True})
    notify_urgent(screen)
    message = mail.outbox[0]
    assert message.to == ["intake@example.org"]
    assert screen.reference in message.subject
    assert f"https://screen.example.org/coordinator/screens/{screen.reference}/" in message.body


def test_it_never_carries_answers_or_contact_details(make_screen):
    screen = make_screen(
        {"self_harm_thoughts": True, "substances": ["opioids"]},
        contact_requested=True,
        first_name="Robin",
        phone="555-0142",
        email="robin@example.com",
        best_time="Mornings",
    )
    notify_urgent(screen)
    message = mail.outbox[0]
    text = (message.subject + message.body).lower()
    for secret in ("robin", "555-0142", "mornings", "opioid", "crisis", "self", "inpatient"):
        assert secret not in text
