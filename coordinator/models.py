"""Enrolment codes: how a coordinator without an authenticator app gets to set one up.

A password alone never enrols an app (whoever has the password could enrol theirs): an
administrator issues a code, single-use and expiring, and gives it to the person directly.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from assessments.models import REFERENCE_ALPHABET

ENROLMENT_HOURS = 72
ENROLMENT_MAX_HOURS = 7 * 24
CODE_GROUPS, CODE_GROUP_LENGTH = 4, 4  # XXXX-XXXX-XXXX-XXXX: 29^16, about 2^77


def _digest(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def normalise_code(code: str) -> str:
    """As typed or read out: any case, with or without dashes and spaces."""
    return "".join(char for char in code.upper() if char not in "- ")


def _new_code() -> str:
    chars = "".join(
        secrets.choice(REFERENCE_ALPHABET) for _ in range(CODE_GROUPS * CODE_GROUP_LENGTH)
    )
    return "-".join(
        chars[start : start + CODE_GROUP_LENGTH]
        for start in range(0, len(chars), CODE_GROUP_LENGTH)
    )


class EnrolmentCodeQuerySet(models.QuerySet):
    def claim(self, user, code: str) -> bool:
        """Uses up the user's code if it is right, unused and unexpired: once, even if two
        requests bring it at the same moment (one conditional UPDATE)."""
        now = timezone.now()
        claimed = self.filter(
            user=user, digest=_digest(code), used_at=None, expires_at__gt=now
        ).update(used_at=now)
        return claimed == 1


class EnrolmentCode(models.Model):
    """One code that lets one user set up one authenticator app. Only its sha256 is kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="enrolment_codes"
    )
    digest = models.CharField(max_length=64, unique=True, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(editable=False)
    used_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = EnrolmentCodeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Enrolment code for {self.user} until {self.expires_at:%Y-%m-%d %H:%M}"

    def issue(self, hours: int = ENROLMENT_HOURS) -> str:
        """Stores this new code (the user's earlier unused ones stop working); returns the
        code itself, which is shown once and never stored."""
        code = _new_code()
        self.digest = _digest(code)
        self.created_at = timezone.now()
        self.expires_at = self.created_at + timedelta(hours=hours)
        with transaction.atomic():
            EnrolmentCode.objects.filter(
                user=self.user, used_at=None, expires_at__gt=self.created_at
            ).update(expires_at=self.created_at)
            self.save(force_insert=True)
        return code
