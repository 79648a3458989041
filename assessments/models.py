import hashlib
import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, NotSupportedError, models, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments import questions, rules

LEVEL_CHOICES = [(level.value, info.label) for level, info in rules.LEVELS.items()]
SEVERITY_CHOICES = [(value.value, value.value) for value in rules.Severity]
DETOX_CHOICES = [(value.value, value.value) for value in rules.DetoxNeed]
HOME_CHOICES = [(value.value, value.value) for value in rules.HomeStability]
PREFERRED_CONTACT_CHOICES = [
    (choice.value, choice.text) for choice in questions.BY_NAME["preferred_contact"].choices
]

# No 0/O, 1/I/L or U/V pairs: a reference is read out over the phone.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
REFERENCE_PATTERN = re.compile(rf"CG-[{REFERENCE_ALPHABET}]{{4}}-[{REFERENCE_ALPHABET}]{{4}}")


def offered_here(level: str) -> bool:
    """Whether this centre offers the level of care (CENTRE_LEVELS); if not, it refers out."""
    return level in settings.CENTRE_LEVELS


def new_reference() -> str:
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"CG-{chars[:4]}-{chars[4:]}"


def new_result_token() -> str:
    return secrets.token_urlsafe(24)  # 192 bits


def idempotency_digest(origin: str, key: str, client: str = "") -> str:
    """What is stored for an idempotency key: its sha256, namespaced by where it came from and
    scoped to the client that sent it (an API client's address), so a key another client
    happens to use, or guesses, never answers with someone else's screen."""
    return hashlib.sha256(f"{origin}:{client}:{key}".encode()).hexdigest()


class IdempotencyConflict(Exception):
    """The idempotency key was used before for a different screen: answers or contact."""


# A new reference is drawn this many times when the one drawn is taken (29^8 references: one
# submission in 500,000 collides at a million stored screens).
REFERENCE_TRIES = 5


class Status(models.TextChoices):
    NEW = "new", _("New")
    IN_REVIEW = "in_review", _("In review")
    CONTACTED = "contacted", _("Contacted")
    SCHEDULED = "scheduled", _("Scheduled")
    REFERRED_ELSEWHERE = "referred_elsewhere", _("Referred elsewhere")
    NO_RESPONSE = "no_response", _("No response")
    CLOSED = "closed", _("Closed")


# new → in_review → contacted → scheduled / referred_elsewhere / no_response → closed.
# A person who did not answer may still call back, so no_response can go to contacted.
STATUS_MOVES: dict[str, tuple[str, ...]] = {
    Status.NEW: (Status.IN_REVIEW,),
    Status.IN_REVIEW: (Status.CONTACTED,),
    Status.CONTACTED: (Status.SCHEDULED, Status.REFERRED_ELSEWHERE, Status.NO_RESPONSE),
    Status.SCHEDULED: (Status.CLOSED,),
    Status.REFERRED_ELSEWHERE: (Status.CLOSED,),
    Status.NO_RESPONSE: (Status.CONTACTED, Status.CLOSED),
    Status.CLOSED: (),
}


class OverrideReason(models.TextChoices):
    CLINICAL_JUDGEMENT = "clinical_judgement", _("Clinical judgment")
    PREFERENCE = "preference", _("The person's preference")
    NOT_AVAILABLE = "not_available", _("Level not available")
    PAYER = "payer", _("Insurance or payer")
    OTHER = "other", _("Other")


class ScreenQuerySet(models.QuerySet):
    def queue(self):
        """Urgent first, then newest first: the order coordinators work in."""
        return self.order_by("-urgent", "-created_at", "-id")

    def pending(self):
        return self.exclude(status=Status.CLOSED)

    def urgent(self):
        return self.filter(urgent=True)

    def older_than(self, days: int):
        return self.filter(created_at__lt=timezone.now() - timedelta(days=days))

    def submit(
        self, rec: rules.Recommendation, contact: dict, idempotency_key: str | None
    ) -> tuple["Screen", bool]:
        """Stores a screen whole, in one transaction, once per idempotency key.

        Returns the screen and whether it is new; a repeat returns the first screen, and a
        repeat with other answers or contact details raises IdempotencyConflict. An urgent
        screen leaves its notice in the outbox in the same transaction.
        """
        screen = Screen.from_recommendation(
            rec,
            idempotency_key=idempotency_key,
            consent_at=timezone.now() if contact else None,
            **contact,
        )
        for attempt in range(REFERENCE_TRIES):
            if idempotency_key and (existing := self._replay(idempotency_key, screen)):
                return existing, False
            screen.reference = new_reference()
            try:
                with transaction.atomic():
                    screen.save(force_insert=True)
                    forget_status_counts()
                    if screen.urgent:
                        OutboxMessage.objects.add(
                            OutboxMessage.Kind.URGENT_SCREEN, reference=screen.reference
                        )
                return screen, True
            except IntegrityError:
                # A double click raced us to the same key (the first one wins: _replay), or the
                # reference drawn is taken: draw another one and try again.
                if attempt == REFERENCE_TRIES - 1:
                    raise
                screen.pk = None
                screen.result_token = new_result_token()
        raise AssertionError("unreachable")  # pragma: no cover

    def _replay(self, idempotency_key: str, screen: "Screen") -> "Screen | None":
        existing = self.filter(idempotency_key=idempotency_key).first()
        if existing and not existing.same_submission(screen):
            raise IdempotencyConflict
        return existing

    def for_queue(self):
        """The queue's rows: urgent first, without the heavy answer and result columns."""
        return (
            self.queue()
            .select_related("assigned_to")
            .defer("answers", "reasons", "notes", "profile", "trace")
        )

    def search(self, text: str):
        """By reference, first name, phone or email."""
        text = text.strip()
        if REFERENCE_PATTERN.fullmatch(text.upper()):
            return self.filter(reference=text.upper())  # the unique index, not a scan
        digits = "".join(char for char in text if char.isdigit())
        match = (
            Q(reference__contains=text.upper())
            | Q(first_name__icontains=text)
            | Q(email__icontains=text)
            | Q(phone__icontains=text)
        )
        if len(digits) >= 3:
            match |= Q(phone__icontains=digits)
        return self.filter(match)

    def status_counts(self) -> dict[str, int]:
        """Screens per status, in one grouped query.

        COUNT(*), not COUNT(id): PostgreSQL can then answer from the status index alone.
        """
        rows = self.order_by().values_list("status").annotate(n=Count("*"))
        return {status: 0 for status in Status.values} | dict(rows)


# The whole queue's counts per status, shown on every queue page: cached, because counting
# 100,000 rows on every page costs more than the page itself. Every write that changes them
# forgets the cache once committed; the timeout bounds what a change made elsewhere can cost.
STATUS_COUNTS_KEY = "screens:status-counts"
STATUS_COUNTS_SECONDS = 30


def all_status_counts() -> dict[str, int]:
    counts = cache.get(STATUS_COUNTS_KEY)
    if counts is None:
        counts = Screen.objects.status_counts()
        cache.set(STATUS_COUNTS_KEY, counts, STATUS_COUNTS_SECONDS)
    return counts


def forget_status_counts() -> None:
    transaction.on_commit(lambda: cache.delete(STATUS_COUNTS_KEY))


class Screen(models.Model):
    """One submitted self-screen, with its result exactly as computed at submission."""

    reference = models.CharField(max_length=12, unique=True, default=new_reference)
    # Null once the result link has expired and been purged.
    result_token = models.CharField(
        max_length=64, unique=True, null=True, blank=True, default=new_result_token
    )
    # sha256 of the form flow's or the API client's idempotency key.
    idempotency_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    # What the person answered and what the rules made of it, as they were then.
    answers = models.JSONField()
    schema_version = models.PositiveSmallIntegerField(default=rules.SCHEMA_VERSION)
    ruleset_version = models.CharField(max_length=16)
    level = models.CharField(max_length=16, choices=LEVEL_CHOICES)
    flags = models.JSONField(default=list)
    reasons = models.JSONField(default=list)
    notes = models.JSONField(default=list)
    profile = models.JSONField(default=dict)
    trace = models.JSONField(default=list)

    # Denormalised from the result, for the coordinators' filters.
    severity = models.CharField(max_length=16, choices=SEVERITY_CHOICES)
    detox_need = models.CharField(max_length=16, choices=DETOX_CHOICES)
    home_stability = models.CharField(max_length=16, choices=HOME_CHOICES)
    urgent = models.BooleanField(default=False)
    # A priority population (pregnant, or injects drugs): admitted first under US block-grant
    # rules (45 CFR 96.126, 96.131); from the result's `priority` flag.
    priority = models.BooleanField(default=False)

    # Contact: stored only when the person asked to be contacted and consented.
    contact_requested = models.BooleanField(default=False)
    first_name = models.CharField(max_length=60, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    email = models.EmailField(blank=True)
    preferred_contact = models.CharField(
        max_length=8, choices=PREFERRED_CONTACT_CHOICES, blank=True
    )
    best_time = models.CharField(max_length=100, blank=True)
    # Safe to leave a voicemail or text that names the center.
    message_ok = models.BooleanField(default=False)
    consent_to_contact = models.BooleanField(default=False)
    consent_at = models.DateTimeField(null=True, blank=True)

    # The coordinators' follow-up.
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.NEW)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_screens",
    )
    first_contacted_at = models.DateTimeField(null=True, blank=True)
    override_level = models.CharField(max_length=16, choices=LEVEL_CHOICES, blank=True)
    override_reason = models.CharField(max_length=24, choices=OverrideReason.choices, blank=True)
    override_note = models.TextField(blank=True)
    # Bumped on every coordinator change: a stale form is refused, never applied.
    version = models.PositiveIntegerField(default=1)

    objects = ScreenQuerySet.as_manager()

    class Meta:
        permissions = [
            ("review_screen", "Can review screens in the coordinators' workspace"),
            ("export_contact", "Can export screens with contact details"),
        ]
        indexes = [
            models.Index(fields=["-urgent", "-created_at", "-id"], name="screen_queue"),
            models.Index(fields=["status", "-urgent", "-created_at"], name="screen_status_queue"),
            models.Index(fields=["level", "-urgent", "-created_at"], name="screen_level_queue"),
            models.Index(fields=["created_at"], name="screen_created"),
            models.Index(
                fields=["assigned_to", "-urgent", "-created_at"], name="screen_assignee_queue"
            ),
            models.Index(
                fields=["-urgent", "-created_at", "-id"],
                condition=Q(contact_requested=True),
                name="screen_contact_queue",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @classmethod
    def from_recommendation(cls, rec: rules.Recommendation, **fields) -> "Screen":
        """An unsaved screen holding the answers and the result exactly as computed."""
        return cls(
            answers=rec.answers,
            schema_version=rules.SCHEMA_VERSION,
            ruleset_version=rec.ruleset_version,
            level=rec.level,
            flags=sorted(rec.flags),
            reasons=[reason.as_dict() for reason in rec.reasons],
            notes=[note.as_dict() for note in rec.notes],
            profile=rec.profile.as_dict(),
            trace=[entry.as_dict() for entry in rec.trace],
            severity=rec.profile.severity,
            detox_need=rec.profile.detox_need,
            home_stability=rec.profile.home_stability,
            urgent=rec.urgent,
            priority=rules.Flag.PRIORITY in rec.flags,
            **fields,
        )

    def same_submission(self, other: "Screen") -> bool:
        """Whether `other` holds the same answers and contact details as this screen."""
        return all(getattr(self, name) == getattr(other, name) for name in SUBMITTED_FIELDS)

    @property
    def effective_level(self) -> str:
        return self.override_level or self.level

    def get_level_display_label(self) -> str:
        return rules.LEVELS[rules.Level(self.level)].label

    @property
    def note_items(self) -> list[dict]:
        """The stored notes as {"text", "sources"}: ruleset 1 stored each as its text alone."""
        return [note if isinstance(note, dict) else {"text": note} for note in self.notes]

    def allowed_moves(self) -> tuple[str, ...]:
        return STATUS_MOVES[self.status]

    def can_move_to(self, status: str) -> bool:
        return status in STATUS_MOVES[self.status]

    def result_expires_at(self):
        return self.created_at + timedelta(days=settings.RESULT_LINK_DAYS)

    def result_link_expired(self, now=None) -> bool:
        return (now or timezone.now()) >= self.result_expires_at()

    def as_api_dict(self, result_url: str) -> dict:
        """The API's answer for this screen (screen.md section 3), from what was stored."""
        return {
            "reference": self.reference,
            "level": self.level,
            "level_label": str(self.get_level_display_label()),
            "flags": list(self.flags),
            "reasons": list(self.reasons),
            "notes": list(self.notes),
            "profile": dict(self.profile),
            "schema_version": self.schema_version,
            "ruleset_version": self.ruleset_version,
            "result_url": result_url,
        }


# What a submission is made of: a repeat with the same idempotency key must match all of them.
SUBMITTED_FIELDS = ("answers", *rules.CONTACT_NAMES)


class ScreenEvent(models.Model):
    """The timeline of one screen: append-only, gone with the screen."""

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", _("Assigned")
        UNASSIGNED = "unassigned", _("Unassigned")
        STATUS = "status", _("Status changed")
        NOTE = "note", _("Note")
        OVERRIDE = "override", _("Level overridden")
        CONTACT_REQUESTED = "contact_requested", _("Contact requested")

    screen = models.ForeignKey(Screen, models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True)
    kind = models.CharField(max_length=24, choices=Kind.choices)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["screen", "created_at"], name="event_timeline")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.created_at:%Y-%m-%d %H:%M}"


class AuditEntryQuerySet(models.QuerySet):
    """Audit entries are only ever added: bulk changes fail loudly, on every database.

    On PostgreSQL a trigger (migration 0003) refuses any UPDATE or DELETE as well.
    """

    def update(self, **kwargs):
        raise NotSupportedError("audit entries are append-only: they cannot be changed")

    def delete(self):
        raise NotSupportedError("audit entries are append-only: they cannot be deleted")


class AuditEntry(models.Model):
    """Who saw or took what: append-only, and kept after the screen itself is gone."""

    class Action(models.TextChoices):
        VIEWED = "viewed", _("Viewed a screen")
        EXPORTED = "exported", _("Exported screens")
        DELETED_BY_PERSON = "deleted_by_person", _("The person deleted their answers")
        PURGED = "purged", _("Old screens purged")

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True)
    action = models.CharField(max_length=24, choices=Action.choices)
    # A plain reference, not a foreign key: the record outlives the screen.
    screen_reference = models.CharField(max_length=12, blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["created_at"], name="audit_created"),
            models.Index(fields=["screen_reference"], name="audit_screen"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} at {self.created_at:%Y-%m-%d %H:%M}"


# Set once an outbox message is waiting: the coordinator app's middleware sends what is due on
# the next request without asking the database every time. The value is the Unix time the
# earliest message is due.
OUTBOX_DUE_KEY = "outbox:due-at"


class OutboxMessageQuerySet(models.QuerySet):
    def add(self, kind: str, reference: str = "", payload: dict | None = None):
        """Leaves a message for the coordinator app to send, in the caller's transaction."""
        message = self.create(kind=kind, reference=reference, payload=payload or {})
        transaction.on_commit(lambda: cache.set(OUTBOX_DUE_KEY, 0, None))
        return message

    def due(self, now=None):
        return self.filter(next_attempt_at__lte=now or timezone.now()).order_by(
            "next_attempt_at", "id"
        )


class OutboxMessage(models.Model):
    """An email to send, kept until it is sent: a mail server that is down loses nothing.

    The self-screen leaves these (it never imports the workspace's code); the coordinator app
    sends them (coordinator.outbox) and retries what failed with a growing wait.
    """

    class Kind(models.TextChoices):
        URGENT_SCREEN = "urgent_screen", _("Urgent screen notice")
        PASSWORD_RESET = "password_reset", _("Password reset link")

    kind = models.CharField(max_length=24, choices=Kind.choices)
    # The screen's reference, for the log and the coordinators; never its answers.
    reference = models.CharField(max_length=12, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)

    objects = OutboxMessageQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["next_attempt_at", "id"], name="outbox_due")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference}".strip()
