"""The emails CareGuide sends, from the outbox: nothing is lost while the mail server is down.

The self-screen and the password-reset page leave an OutboxMessage (in the same transaction as
what caused it); `send_due()` sends what is due, from `manage.py send_outbox` (cron, every
minute) and, for urgent notices, from OutboxMiddleware on the next request. A message that fails
stays, and is tried again after 1, 2, 4 ... minutes (at most an hour apart); a sent one is
deleted.
"""

import logging
import time
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives, send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from assessments.models import OUTBOX_DUE_KEY, OutboxMessage, Screen

logger = logging.getLogger("careguide.outbox")

RETRY_FIRST_SECONDS = 60
RETRY_MAX_SECONDS = 3600
# A message being sent is not taken up by another process for this long.
LEASE_SECONDS = 300
BATCH = 50
# Sent on the next request as well as by the command. Not password resets: sent during a
# request, how long that request took would tell whether the address has an account.
SENT_ON_REQUEST = (OutboxMessage.Kind.URGENT_SCREEN,)
SENDING_LOCK_KEY = "outbox:sending"
HEALTH_CHECKS = ("/healthz", "/readyz")


def screen_url(reference: str) -> str:
    """The screen's absolute address, from SITE_URL: an email has no request to ask."""
    return settings.SITE_URL + reverse("coordinator:screen", kwargs={"code": reference})


def notify_urgent(reference: str) -> None:
    """Tells the coordinators that an urgent screen came in: its reference and a link only.

    Never the answers or the contact details: email is not a confidential channel.
    """
    context = {"reference": reference, "url": screen_url(reference)}
    send_mail(
        _("Urgent screen %(reference)s") % context,
        render_to_string("coordinator/notify_urgent.txt", context),
        None,
        [settings.COORDINATORS_EMAIL],
    )


class _ResetForm(PasswordResetForm):
    def send_mail(
        self, subject_template_name, email_template_name, context, from_email, to_email, **kwargs
    ):
        # Django's own logs a failure and goes on; here it must fail, so the message is kept.
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        EmailMultiAlternatives(subject, body, from_email, [to_email]).send()


def send_password_reset(email: str) -> None:
    """The reset link to every active account with this address (none: nothing is sent)."""
    form = _ResetForm({"email": email})
    if form.is_valid():
        form.save(
            domain_override=urlsplit(settings.SITE_URL).netloc,
            use_https=settings.SITE_URL.startswith("https:"),
            subject_template_name="coordinator/password_reset_subject.txt",
            email_template_name="coordinator/password_reset_email.txt",
            # The link is built from SITE_URL, never from a request's Host header.
            extra_email_context={"site_url": settings.SITE_URL},
        )


def _send(message: OutboxMessage) -> None:
    # Staff emails are in English, whatever the request that happens to send them (a Spanish
    # speaker's screen, say) was answered in.
    with translation.override(settings.LANGUAGE_CODE):
        _send_in_english(message)


def _send_in_english(message: OutboxMessage) -> None:
    if message.kind == OutboxMessage.Kind.URGENT_SCREEN:
        if Screen.objects.filter(reference=message.reference).exists():
            notify_urgent(message.reference)
        # else: the person deleted their answers before it went out; nothing to look at.
    elif message.kind == OutboxMessage.Kind.PASSWORD_RESET:
        send_password_reset(message.payload["email"])
    else:
        raise ValueError(f"unknown outbox message kind {message.kind!r}")


def _describe(message: OutboxMessage) -> str:
    if message.reference:
        return f"{message.get_kind_display()} for screen {message.reference}"
    return message.get_kind_display()


def send_due(kinds=None, limit: int = BATCH) -> tuple[int, int]:
    """Sends the messages that are due; returns how many were sent and how many failed."""
    sent = failed = 0
    now = timezone.now()
    due = OutboxMessage.objects.due(now)
    if kinds is not None:
        due = due.filter(kind__in=kinds)
    for message in due[:limit]:
        # Taken for LEASE_SECONDS: another process sending at the same time skips it.
        taken = OutboxMessage.objects.filter(
            pk=message.pk, next_attempt_at=message.next_attempt_at
        ).update(next_attempt_at=now + timedelta(seconds=LEASE_SECONDS))
        if not taken:
            continue
        try:
            _send(message)
        except Exception as error:  # any failure keeps the message, for a retry
            failed += 1
            attempts = message.attempts + 1
            wait = min(RETRY_FIRST_SECONDS * 2 ** (attempts - 1), RETRY_MAX_SECONDS)
            OutboxMessage.objects.filter(pk=message.pk).update(
                attempts=attempts,
                next_attempt_at=timezone.now() + timedelta(seconds=wait),
                last_error=type(error).__name__[:200],
            )
            # The class of the error only: a mail server's message may quote an address.
            logger.warning(
                "%s not sent (attempt %d, %s); next try in %d seconds",
                _describe(message),
                attempts,
                type(error).__name__,
                wait,
            )
        else:
            sent += 1
            message.delete()
    _remember_next_due()
    return sent, failed


def _remember_next_due() -> None:
    """Tells OutboxMiddleware when the next urgent notice is due (nothing: it asks nothing)."""
    first = (
        OutboxMessage.objects.filter(kind__in=SENT_ON_REQUEST)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    if first is None:
        cache.delete(OUTBOX_DUE_KEY)
    else:
        cache.set(OUTBOX_DUE_KEY, first.timestamp(), None)


class OutboxMiddleware:
    """Sends waiting urgent notices at the start of a request, once they are due.

    Whether any is due is in the cache (OUTBOX_DUE_KEY): most requests ask nothing of the
    database. One request at a time sends; a database or cache that is down leaves them for
    later (send_outbox); the health checks are left alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info not in HEALTH_CHECKS:
            try:
                self._send_due()
            except Exception as error:  # the request goes on; cron's send_outbox retries
                logger.warning("Outbox not read: %s", type(error).__name__)
        return self.get_response(request)

    def _send_due(self) -> None:
        due_at = cache.get(OUTBOX_DUE_KEY)
        if due_at is not None and due_at <= time.time() and cache.add(SENDING_LOCK_KEY, 1, 60):
            try:
                send_due(kinds=SENT_ON_REQUEST)
            finally:
                cache.delete(SENDING_LOCK_KEY)
