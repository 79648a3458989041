import hashlib
import re
import secrets
from collections import deque
from datetime import UTC, datetime, time, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, NotSupportedError, models, transaction
from django.db.models import Count, F, Q
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
    WITHDRAWN = "withdrawn", _("Withdrawn")
    CLOSED = "closed", _("Closed")


# new → in_review → contacted → scheduled / referred_elsewhere / no_response → closed.
# A person who did not answer may still call back, so no_response can go to contacted.
# A person may withdraw (decline help) at any point before the end, and may come back.
STATUS_MOVES: dict[str, tuple[str, ...]] = {
    Status.NEW: (Status.IN_REVIEW, Status.WITHDRAWN),
    Status.IN_REVIEW: (Status.CONTACTED, Status.WITHDRAWN),
    Status.CONTACTED: (
        Status.SCHEDULED,
        Status.REFERRED_ELSEWHERE,
        Status.NO_RESPONSE,
        Status.WITHDRAWN,
    ),
    Status.SCHEDULED: (Status.CLOSED, Status.WITHDRAWN),
    Status.REFERRED_ELSEWHERE: (Status.CLOSED,),
    Status.NO_RESPONSE: (Status.CONTACTED, Status.WITHDRAWN, Status.CLOSED),
    Status.WITHDRAWN: (Status.CONTACTED, Status.CLOSED),
    Status.CLOSED: (),
}
# Work that is finished as far as admissions go; everything else is open work, the queue's
# default view (a list, not "not in", so PostgreSQL matches it to the partial index).
DONE_STATUSES = (Status.REFERRED_ELSEWHERE, Status.WITHDRAWN, Status.CLOSED)
OPEN_STATUSES = tuple(status for status in Status.values if status not in DONE_STATUSES)
# Moves a call may walk through on the way to the status its outcome implies: only forward
# along new → in review → contacted, never through withdrawn or closed.
PASSING_STATUSES = (Status.IN_REVIEW, Status.CONTACTED)


class CallOutcome(models.TextChoices):
    REACHED = "reached", _("Reached")
    NO_ANSWER = "no_answer", _("No answer")
    LEFT_MESSAGE = "left_message", _("Left a message")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    DECLINED = "declined", _("Declined")
    ASSESSMENT_BOOKED = "assessment_booked", _("Assessment booked")


# The status an outcome implies; the other outcomes leave the status as it is.
OUTCOME_STATUS = {
    CallOutcome.REACHED: Status.CONTACTED,
    CallOutcome.ASSESSMENT_BOOKED: Status.SCHEDULED,
    CallOutcome.DECLINED: Status.WITHDRAWN,
}
# Outcomes where the person was spoken to: the first of them is the first contact.
SPOKEN_TO = frozenset({CallOutcome.REACHED, CallOutcome.ASSESSMENT_BOOKED, CallOutcome.DECLINED})
# A follow-up waits for nobody once the screen is closed or the person withdrew.
ENDS_FOLLOW_UP = frozenset({Status.WITHDRAWN, Status.CLOSED})

# Priority populations (45 CFR 96.126, 96.131): interim services within 48 hours of the
# request, admission within 14 days. The 48 hours are elapsed time; the 14 days are calendar
# days in the centre's time zone (same wall-clock time, whatever a DST change does).
INTERIM_DEADLINE = timedelta(hours=48)
ADMISSION_DEADLINE_DAYS = 14


def _utc(when: datetime) -> datetime:
    """In UTC: Python adds to and compares two times of the same zone by their wall clocks,
    which is wrong across a DST change; in UTC it is elapsed time."""
    return when.astimezone(UTC)


class StaleScreen(Exception):
    """A screen changed since the coordinator saw it: nothing was saved."""

    def __init__(self, references: list[str]):
        super().__init__(", ".join(references))
        self.references = references


class OverrideReason(models.TextChoices):
    CLINICAL_JUDGEMENT = "clinical_judgement", _("Clinical judgment")
    PREFERENCE = "preference", _("The person's preference")
    NOT_AVAILABLE = "not_available", _("Level not available")
    PAYER = "payer", _("Insurance or payer")
    OTHER = "other", _("Other")


# What a list row shows (for_list): a column missing here would cost a query per row.
LIST_COLUMNS = (
    "reference", "version", "created_at", "status", "urgent", "priority", "level",
    "override_level", "flags", "severity", "language", "contact_requested", "first_name",
    "best_time", "first_contacted_at", "scheduled_at", "next_follow_up_at",
    "assigned_to__first_name", "assigned_to__last_name", "assigned_to__username",
)  # fmt: skip


class ScreenQuerySet(models.QuerySet):
    def queue(self):
        """Urgent first, then priority populations, then the longest waiting: the order
        coordinators work in (indexes screen_queue, screen_open_queue and the filtered ones)."""
        return self.order_by("-urgent", "-priority", "created_at", "id")

    def pending(self):
        return self.exclude(status=Status.CLOSED)

    def open(self):
        """Open work: not closed, referred elsewhere or withdrawn."""
        return self.filter(status__in=OPEN_STATUSES)

    def due(self, now=None):
        """Follow-ups due today (the centre's day) or overdue, the oldest first."""
        return self.filter(next_follow_up_at__lt=start_of_tomorrow(now)).order_by(
            "next_follow_up_at", "id"
        )

    def urgent(self):
        return self.filter(urgent=True)

    def older_than(self, days: int):
        return self.filter(created_at__lt=timezone.now() - timedelta(days=days))

    def submit(
        self,
        rec: rules.Recommendation,
        contact: dict,
        idempotency_key: str | None,
        language: str = settings.LANGUAGE_CODE,
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
            language=language,
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

    def for_list(self):
        """Rows for a list of screens (the queue, follow-ups due): the columns a row shows and
        the assignee's name, not the answers, result and contact details (only one screen's page
        shows them; a third fewer columns made the queue's rows 1.5 ms cheaper to build)."""
        return self.select_related("assigned_to").only(*LIST_COLUMNS)

    def for_queue(self):
        return self.queue().for_list()

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
        """Screens per status, in one grouped query (for a filtered set: the whole table's
        counts are kept by the database, see StatusCount).

        COUNT(*), not COUNT(id): PostgreSQL can then answer from the status index alone.
        """
        rows = self.order_by().values_list("status").annotate(n=Count("*"))
        return {status: 0 for status in Status.values} | dict(rows)

    def bulk_assign(self, actor, versions: dict[str, int], to) -> int:
        """Assigns (to=None: unassigns) the screens `versions` names, each only if still at the
        version the coordinator saw: all of them or, if any changed, none (StaleScreen).

        Returns how many changed; a screen already as asked is left alone.
        """
        stale, changed = [], 0
        with transaction.atomic():
            screens = {s.reference: s for s in self.filter(reference__in=list(versions))}
            for reference in sorted(versions):
                screen = screens.get(reference)
                if screen is None or screen.version != versions[reference]:
                    stale.append(reference)
                elif screen.assigned_to_id != (to.pk if to else None):
                    try:
                        screen.assign(actor, versions[reference], to)
                        changed += 1
                    except StaleScreen:
                        stale.append(reference)
            if stale:
                transaction.set_rollback(True)
        if stale:
            raise StaleScreen(stale)
        return changed


def start_of_tomorrow(now=None) -> datetime:
    """Midnight at the end of today, in the centre's time zone."""
    today = timezone.localdate(now or timezone.now())
    return timezone.make_aware(datetime.combine(today + timedelta(days=1), time.min))


class StatusCount(models.Model):
    """Screens per status over the whole table, kept by the database itself.

    Triggers (migration 0006) add and take away on every INSERT, UPDATE and DELETE of a screen,
    whoever sends it (bulk_create, purge, the admin), so reading the counts is a look-up of a
    few rows instead of a count over every screen: at 1,000,000 screens that count took about
    a second each time its cache expired, the first page's p95 rose 4.6 x (issue 15).
    """

    status = models.CharField(max_length=24, primary_key=True)
    screens = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.status}: {self.screens}"


# What every workspace page shows in its header (and the poll asks for): cached for a few
# seconds and forgotten after every committed write (forget_status_counts), so a page costs no
# query for them. COUNTS_SECONDS bounds what a change made by another process can take to show.
COUNTS_KEY = "screens:counts"
COUNTS_SECONDS = 20


def _counts_key(now=None) -> str:
    # The due count rolls over at the centre's midnight.
    return f"{COUNTS_KEY}:{timezone.localdate(now or timezone.now()).isoformat()}"


def workspace_counts(now=None) -> dict:
    """{"statuses": {status: n}, "open": n, "all": n, "due": n, "urgent_new": n,
    "latest_urgent": reference or None}."""
    key = _counts_key(now)
    counts = cache.get(key)
    if counts is None:
        counts = _count(now)
        cache.set(key, counts, COUNTS_SECONDS)
    return counts


def _count(now=None) -> dict:
    statuses = {status: 0 for status in Status.values}
    statuses |= dict(StatusCount.objects.values_list("status", "screens"))
    urgent_new = Q(status=Status.NEW, urgent=True)
    # Two small index ranges (the follow-up index, the status index); one query OR-ing them
    # was planned as a scan of the table (150-320 ms at 100,000 screens).
    waiting = {
        "due": Screen.objects.due(now).order_by().count(),
        "urgent_new": Screen.objects.filter(urgent_new).count(),
    }
    latest = (
        Screen.objects.filter(urgent_new)
        .order_by("-created_at", "-id")
        .values_list("reference", flat=True)
        .first()
    )
    return {
        "statuses": statuses,
        "open": sum(statuses[status] for status in OPEN_STATUSES),
        "all": sum(statuses.values()),
        **waiting,
        "latest_urgent": latest,
    }


def all_status_counts() -> dict[str, int]:
    return workspace_counts()["statuses"]


def forget_status_counts() -> None:
    """Forgets the workspace's cached counts once the current transaction commits: every write
    that changes a status, a follow-up or adds a screen calls it (the model's writes do)."""
    transaction.on_commit(lambda: cache.delete(_counts_key()))


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
    # The language the person answered in (a code of settings.LANGUAGES): their result opens
    # in it, and the coordinators see it (so a Spanish speaker gets a call in Spanish).
    language = models.CharField(max_length=8, default="en")

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
    # When an assessment was first booked (status scheduled): the priority deadline's proof.
    scheduled_at = models.DateTimeField(null=True, blank=True)
    # The next call-back a coordinator set when logging a call; the next logged call clears it.
    next_follow_up_at = models.DateTimeField(null=True, blank=True)
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
        # The queue's order (ScreenQuerySet.queue) behind each of its views and filters, so a
        # page is an index range whatever the table's size.
        indexes = [
            models.Index(
                fields=["-urgent", "-priority", "created_at", "id"],
                condition=Q(status__in=OPEN_STATUSES),
                name="screen_open_queue",
            ),
            models.Index(fields=["-urgent", "-priority", "created_at", "id"], name="screen_queue"),
            models.Index(
                fields=["status", "-urgent", "-priority", "created_at", "id"],
                name="screen_status_queue",
            ),
            models.Index(
                fields=["level", "-urgent", "-priority", "created_at"], name="screen_level_queue"
            ),
            models.Index(fields=["created_at"], name="screen_created"),
            models.Index(
                fields=["assigned_to", "-urgent", "-priority", "created_at"],
                name="screen_assignee_queue",
            ),
            models.Index(
                fields=["-urgent", "-priority", "created_at", "id"],
                condition=Q(contact_requested=True),
                name="screen_contact_queue",
            ),
            models.Index(
                fields=["next_follow_up_at", "id"],
                condition=Q(next_follow_up_at__isnull=False),
                name="screen_follow_up",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @classmethod
    def from_recommendation(cls, rec: rules.Recommendation, **fields) -> "Screen":
        """An unsaved screen holding the answers and the result exactly as computed; other
        fields (contact, or a test's own values) override the result's."""
        result = {
            "answers": rec.answers,
            "schema_version": rules.SCHEMA_VERSION,
            "ruleset_version": rec.ruleset_version,
            "level": rec.level,
            "flags": sorted(rec.flags),
            "reasons": [reason.as_dict() for reason in rec.reasons],
            "notes": [note.as_dict() for note in rec.notes],
            "profile": rec.profile.as_dict(),
            "trace": [entry.as_dict() for entry in rec.trace],
            "severity": rec.profile.severity,
            "detox_need": rec.profile.detox_need,
            "home_stability": rec.profile.home_stability,
            "urgent": rec.urgent,
            "priority": rules.Flag.PRIORITY in rec.flags,
        }
        return cls(**(result | fields))

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

    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def path_to(self, target: str) -> list[str] | None:
        """The moves that take this screen to `target` along the allowed path, passing only
        through in review and contacted ([] if already there; None if it cannot get there)."""
        paths = deque([[self.status]])
        while paths:
            path = paths.popleft()
            if path[-1] == target:
                return path[1:]
            if len(path) > 1 and path[-1] not in PASSING_STATUSES:
                continue
            paths.extend(
                [*path, status] for status in STATUS_MOVES[path[-1]] if status not in path
            )
        return None

    # --- Deadlines: elapsed time for the response targets and the 48 hours; calendar days in
    # the centre's time zone for the 14 days. Every `now` is an aware datetime.

    def response_target(self) -> timedelta:
        """How soon the centre means to reach a person who asked for contact."""
        if self.urgent:
            return timedelta(minutes=settings.URGENT_RESPONSE_MINUTES)
        return timedelta(hours=settings.RESPONSE_HOURS)

    def response_due_at(self) -> datetime:
        return _utc(self.created_at) + self.response_target()

    def is_overdue(self, now: datetime) -> bool:
        """Open, asked for contact, nobody has reached them yet, and past the target."""
        return (
            self.contact_requested
            and self.first_contacted_at is None
            and self.is_open()
            and now > self.response_due_at()
        )

    def interim_deadline(self) -> datetime:
        return _utc(self.created_at) + INTERIM_DEADLINE

    def admission_deadline(self) -> datetime:
        # Wall-clock arithmetic on the local time (zoneinfo gives that day's own UTC offset
        # back), then UTC again.
        local = timezone.localtime(self.created_at)
        return _utc(local + timedelta(days=ADMISSION_DEADLINE_DAYS))

    def priority_deadlines(self) -> list[dict]:
        """For a priority population: each deadline, when it falls and when it was met
        (reached for the 48 hours, an assessment booked for the 14 days), or None.

        Only for a person who asked for contact: without a way to reach them, the request
        for treatment the deadlines count from was never made."""
        if not (self.priority and self.contact_requested):
            return []
        return [
            {"name": "interim", "due": self.interim_deadline(), "met": self.first_contacted_at},
            {"name": "admission", "due": self.admission_deadline(), "met": self.scheduled_at},
        ]

    def next_deadline(self) -> dict | None:
        """The first priority deadline still to meet while the screen is open, or None."""
        if not self.is_open():
            return None
        return next((d for d in self.priority_deadlines() if d["met"] is None), None)

    # --- Writes: each checks the version the coordinator saw, records its events and forgets
    # the cached counts, in one transaction. A stale version raises StaleScreen, saving nothing.

    def _write(self, actor, version: int, fields: dict, events: list[tuple[str, dict]]) -> None:
        with transaction.atomic():
            updated = Screen.objects.filter(pk=self.pk, version=version).update(
                version=F("version") + 1, **fields
            )
            if not updated:
                raise StaleScreen([self.reference])
            now = timezone.now()
            ScreenEvent.objects.bulk_create(
                ScreenEvent(screen=self, actor=actor, kind=kind, data=data, created_at=now)
                for kind, data in events
            )
            forget_status_counts()
        for name, value in fields.items():
            setattr(self, name, value)
        self.version = version + 1

    def _moves(self, path: list[str], now: datetime) -> tuple[dict, list[tuple[str, dict]]]:
        """The fields and events of walking `path` from the current status."""
        fields: dict = {}
        events = []
        status = self.status
        for step in path:
            events.append((ScreenEvent.Kind.STATUS, {"from": status, "to": step}))
            status = step
        if path:
            fields["status"] = status
            if Status.CONTACTED in path and self.first_contacted_at is None:
                fields["first_contacted_at"] = now
            if Status.SCHEDULED in path and self.scheduled_at is None:
                fields["scheduled_at"] = now
            if status in ENDS_FOLLOW_UP:
                fields["next_follow_up_at"] = None
        return fields, events

    def assign(self, actor, version: int, to) -> None:
        """Assigns the screen to `to`, or unassigns it when `to` is None."""
        if to is None:
            before = self.assigned_to.get_username() if self.assigned_to_id else ""
            events = [(ScreenEvent.Kind.UNASSIGNED, {"from": before})]
        else:
            events = [(ScreenEvent.Kind.ASSIGNED, {"to": to.get_username()})]
        self._write(actor, version, {"assigned_to": to}, events)

    def change_status(self, actor, version: int, status: str) -> None:
        if not self.can_move_to(status):
            raise ValueError(f"{self.status} cannot move to {status}")
        fields, events = self._moves([status], timezone.now())
        self._write(actor, version, fields, events)

    def add_note(self, actor, version: int, text: str) -> None:
        self._write(actor, version, {}, [(ScreenEvent.Kind.NOTE, {"text": text})])

    def override(self, actor, version: int, level: str, reason: str, note: str) -> None:
        fields = {"override_level": level, "override_reason": reason, "override_note": note}
        event = {"from": self.effective_level, "to": level, "reason": reason, "note": note}
        self._write(actor, version, fields, [(ScreenEvent.Kind.OVERRIDE, event)])

    def log_call(
        self, actor, version: int, outcome: str, note: str = "", follow_up_at=None
    ) -> list[str]:
        """Records a call: its outcome and note, the next follow-up (none clears the last
        one), and the status the outcome implies, walked to along the allowed path with an
        event per step. Returns the statuses walked through ([] when the status stays)."""
        if outcome == CallOutcome.LEFT_MESSAGE and not self.message_ok:
            raise ValueError("the person did not say a message is safe")
        now = timezone.now()
        target = OUTCOME_STATUS.get(outcome)
        path = (self.path_to(target) if target else None) or []
        fields, moves = self._moves(path, now)
        if outcome in SPOKEN_TO and self.first_contacted_at is None:
            fields["first_contacted_at"] = now
        fields.setdefault("next_follow_up_at", follow_up_at)
        call = {
            "outcome": outcome,
            "note": note,
            "follow_up": follow_up_at.isoformat() if follow_up_at else None,
        }
        self._write(actor, version, fields, [(ScreenEvent.Kind.CALL, call), *moves])
        return path

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
        CALL = "call", _("Call")
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
