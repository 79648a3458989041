import json
import random
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from assessments import models, rules
from assessments.models import (
    STATUS_MOVES,
    CallOutcome,
    OverrideReason,
    Screen,
    ScreenEvent,
    Status,
    forget_status_counts,
)

RULESET_1_SCREENS = Path(__file__).resolve().parents[2] / "data" / "ruleset1_screens.json"
DEMO_USERNAME = "coordinator"
DEMO_PASSWORD = "careguide-demo-2026"  # noqa: S105 (a documented demo login, for make run)
BATCH = 2000
FIRST_NAMES = [
    "Alex",
    "Sam",
    "Jordan",
    "Taylor",
    "Morgan",
    "Casey",
    "Riley",
    "Jamie",
    "Drew",
    "Robin",
    "Avery",
    "Quinn",
    "Maria",
    "José",
    "Aisha",
    "Wei",
    "Dmitri",
    "Fatima",
]
# The share of screens that have gone at least this far along the status path.
PROGRESS = [Status.IN_REVIEW, Status.CONTACTED]
OUTCOMES = [
    Status.SCHEDULED,
    Status.SCHEDULED,
    Status.REFERRED_ELSEWHERE,
    Status.NO_RESPONSE,
    Status.WITHDRAWN,
]
# The call that moves a screen to each status (the others are moved by hand).
CALLS = {
    Status.CONTACTED: CallOutcome.REACHED,
    Status.SCHEDULED: CallOutcome.ASSESSMENT_BOOKED,
    Status.NO_RESPONSE: CallOutcome.NO_ANSWER,
    Status.WITHDRAWN: CallOutcome.DECLINED,
}
CALL_NOTES = {
    CallOutcome.REACHED: "Talked through the result.",
    CallOutcome.NO_ANSWER: "",
    CallOutcome.LEFT_MESSAGE: "Left a short message with our number.",
    CallOutcome.ASSESSMENT_BOOKED: "Assessment booked.",
    CallOutcome.DECLINED: "Not ready now; knows they can call us.",
}
NOTES = [
    "Left a voicemail.",
    "Talked through the result; wants to think it over.",
    "Asked about evening groups.",
    "Insurance details to follow.",
]
# A contacted screen's level is sometimes changed after talking to the person.
OVERRIDES = {
    rules.Level.INPATIENT: (
        rules.Level.IOP,
        OverrideReason.PREFERENCE,
        "Prefers to stay at home.",
    ),
    rules.Level.IOP: (rules.Level.OUTPATIENT, OverrideReason.PAYER, "Plan covers outpatient."),
    rules.Level.OUTPATIENT: (rules.Level.IOP, OverrideReason.CLINICAL_JUDGEMENT, "Wants more."),
}


def random_answers(rng: random.Random) -> dict:
    """Plausible schema-2 answers: one hidden 'burden' drives how heavy everything else is."""
    burden = rng.betavariate(1.2, 2.0)
    weighted = (
        ["alcohol"] * 5
        + ["opioids"] * 3
        + ["stimulants"] * 2
        + ["benzodiazepines", "other_sedatives", "cannabis", "cannabis", "other"]
    )
    substances = sorted({rng.choice(weighted) for _ in range(rng.choice([1, 1, 2, 3]))})
    on_prescription = {"opioids", "benzodiazepines"} & set(substances)
    recent_care = rng.random() < 0.1

    def yes(probability: float) -> bool:
        return rng.random() < probability

    return {
        "age_group": rng.choices(["18_to_64", "65_plus", "under_18"], [88, 8, 4])[0],
        "pregnant": yes(0.03),
        "substances": substances,
        "prescribed_as_directed": bool(on_prescription) and yes(0.1),
        "use_days": min(30, int(burden * 30 * rng.uniform(0.4, 1.2))),
        **{name: yes(0.05 + burden * 0.85) for name in rules.CRITERIA},
        "withdrawal_now": rng.choices(["none", "mild", "severe"], [1, burden, burden * 0.1])[0],
        "withdrawal_complications": yes(burden * 0.07),
        "overdose": yes(burden * 0.1),
        "injects": "opioids" in substances and yes(0.3),
        "self_harm_thoughts": yes(0.02 + burden * 0.06),
        "harm_others_thoughts": yes(0.01),
        "mental_health": rng.choices(["none", "managed", "unmanaged"], [50, 35, 15])[0],
        "medical_condition": yes(0.1),
        "housing": rng.choices(["stable", "temporary", "none"], [85, 11, 4])[0],
        "home_safe": yes(0.94),
        "others_use_at_home": yes(0.18),
        "support_person": yes(0.8),
        "readiness": rng.choices(["not_ready", "unsure", "ready"], [10, 35, 55])[0],
        "recent_higher_care": recent_care,
        "used_since_care": recent_care and yes(0.4),
        "tried_before": [t for t in ("outpatient", "iop") if yes(0.2)],
        "weekly_hours": rng.choice([choice.value for choice in rules.WeeklyHours]),
        "can_leave_home": yes(0.5),
        "transport": yes(0.8),
        "mandated": yes(0.08),
    }


def ruleset_1_screens(now) -> list[Screen]:
    """A few screens as the first release stored them (schema 1, ruleset 1), so both paths
    show in the workspace: their answers, result and trace, never re-scored."""
    stored = json.loads(RULESET_1_SCREENS.read_text())
    return [
        Screen(created_at=now - timedelta(days=60 + index), **fields)
        for index, fields in enumerate(stored)
    ]


def random_contact(rng: random.Random, created_at) -> dict:
    if rng.random() > 0.6:
        return {}
    name = rng.choice(FIRST_NAMES)
    preferred = rng.choice(["phone", "phone", "text", "email"])
    return {
        "contact_requested": True,
        "first_name": name,
        # 555-01xx numbers and example.com addresses are reserved for fiction.
        "phone": f"555-01{rng.randint(0, 99):02d}",
        "email": f"{name.lower()}{rng.randint(1, 999)}@example.com",
        "preferred_contact": preferred,
        "best_time": rng.choice(["Mornings", "After 5pm", "Any time", "Weekends", ""]),
        "consent_to_contact": True,
        "consent_at": created_at,
        "message_ok": rng.random() < 0.7,
    }


def demo_coordinator() -> User:
    """The demo login, whose password is in this file: it may review screens, never export
    contact details (that stays with createcoordinator --export)."""
    user, _ = User.objects.get_or_create(
        username=DEMO_USERNAME, defaults={"first_name": "Demo", "last_name": "Coordinator"}
    )
    user.set_password(DEMO_PASSWORD)
    user.email = "coordinator@example.org"
    user.save()
    user.groups.add(Group.objects.get(name="Coordinators"))
    return user


def unique_references(screens: list[Screen]) -> None:
    """Draws a new reference for each screen whose reference is taken, stored or in this batch
    (29^8 references: a million screens collide about once in two million draws)."""
    pending, seen = screens, set()
    while pending:
        stored = set(
            Screen.objects.filter(
                reference__in=[screen.reference for screen in pending]
            ).values_list("reference", flat=True)
        )
        again = []
        for screen in pending:
            if screen.reference in stored or screen.reference in seen:
                screen.reference = models.new_reference()
                again.append(screen)
            else:
                seen.add(screen.reference)
        pending = again


class Command(BaseCommand):
    help = (
        "Creates the demo coordinator and N realistic screens, each through recommend(). "
        "Only with DJANGO_DEBUG=True, or with --i-know-this-is-not-production."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=200)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--if-empty", action="store_true", help="add screens only when there are none"
        )
        parser.add_argument(
            "--i-know-this-is-not-production",
            action="store_true",
            dest="not_production",
            help="run with debug off (a benchmark's own database): the demo login's password "
            "is public",
        )

    def handle(self, *args, count, seed, if_empty, not_production, **options):
        if not settings.DEBUG and not not_production:
            raise CommandError(
                "seed_demo adds a login whose password is public and made-up screens: it runs "
                "only with DJANGO_DEBUG=True, or with --i-know-this-is-not-production on a "
                "database that is not production's."
            )
        if count < 0:
            raise CommandError("--count must be 0 or more")
        coordinator = demo_coordinator()
        if if_empty and Screen.objects.exists():
            count = 0
        with transaction.atomic():
            # Repeatable demo data, not secrets.
            self._create_screens(count, random.Random(seed), coordinator)  # noqa: S311
            if count and not Screen.objects.filter(ruleset_version="1").exists():
                legacy = ruleset_1_screens(timezone.now())
                unique_references(legacy)
                Screen.objects.bulk_create(legacy)
        self.stdout.write(f"{Screen.objects.count()} screens stored.")
        self.stdout.write(
            f"Demo coordinator login: username {DEMO_USERNAME!r}, password {DEMO_PASSWORD!r}"
        )

    def _create_screens(self, count, rng, coordinator):
        now = timezone.now()
        for start in range(0, count, BATCH):
            screens, pending_events = [], []
            for _ in range(min(BATCH, count - start)):
                created_at = now - timedelta(seconds=rng.randint(0, 84 * 24 * 3600))
                rec = rules.recommend(random_answers(rng))
                screen = Screen.from_recommendation(
                    rec,
                    created_at=created_at,
                    reference=models.new_reference(),
                    **random_contact(rng, created_at),
                )
                pending_events.append(self._follow_up(screen, rng, coordinator, now))
                screens.append(screen)
            unique_references(screens)
            Screen.objects.bulk_create(screens, batch_size=BATCH)
            forget_status_counts()
            if not screens[0].pk:  # SQLite before 3.35 returns no ids
                by_reference = dict(
                    Screen.objects.filter(
                        reference__in=[s.reference for s in screens]
                    ).values_list("reference", "pk")
                )
                for screen in screens:
                    screen.pk = by_reference[screen.reference]
            events = [
                ScreenEvent(screen=screen, **event)
                for screen, screen_events in zip(screens, pending_events, strict=True)
                for event in screen_events
            ]
            ScreenEvent.objects.bulk_create(events, batch_size=BATCH)

    def _follow_up(self, screen, rng, coordinator, now) -> list[dict]:
        """Moves an older screen along the status path as coordinators do, by logging calls
        (a few unanswered first) and recording each step as an event; sets follow-ups."""
        age_days = (now - screen.created_at).days
        steps = [s for s in PROGRESS if age_days >= 1 and rng.random() < 0.85]
        if Status.CONTACTED in steps and age_days > 3:
            steps.append(rng.choice(OUTCOMES))
            if age_days > 14 and rng.random() < 0.7:
                steps.append(Status.CLOSED)
        events, at, status = [], screen.created_at, Status.NEW
        if steps:
            screen.assigned_to = coordinator
            at = min(now, at + timedelta(minutes=rng.randint(5, 600)))
            events.append({"actor": coordinator, "kind": "assigned", "created_at": at})
        for step in steps:
            if step not in STATUS_MOVES[status]:
                break
            at = min(now, at + timedelta(minutes=rng.randint(10, 1440)))
            if step == Status.CONTACTED and screen.contact_requested:
                for _ in range(rng.choice([0, 0, 1, 2])):  # unanswered calls first
                    events.append(self._call(screen, rng, coordinator, at, unanswered=True))
                    at = min(now, at + timedelta(minutes=rng.randint(30, 600)))
            if step in CALLS and screen.contact_requested:
                events.append(self._call(screen, rng, coordinator, at, outcome=CALLS[step]))
            events.append(
                {
                    "actor": coordinator,
                    "kind": "status",
                    "created_at": at,
                    "data": {"from": status, "to": step},
                }
            )
            if step == Status.CONTACTED and screen.first_contacted_at is None:
                screen.first_contacted_at = at
                events.extend(self._after_contact(screen, rng, coordinator, at))
            if step == Status.SCHEDULED:
                screen.scheduled_at = at
            status = step
        screen.status = status
        waiting = status in (Status.NEW, Status.IN_REVIEW, Status.CONTACTED, Status.NO_RESPONSE)
        if screen.contact_requested and waiting and rng.random() < 0.4:
            # A call-back set by the last call: some due already, some later this week.
            at = min(now, at + timedelta(minutes=rng.randint(10, 600)))
            due = now + timedelta(minutes=15 * rng.randint(-2 * 96, 3 * 96))
            screen.next_follow_up_at = max(due, at + timedelta(hours=2))
            events.append(
                self._call(
                    screen,
                    rng,
                    coordinator,
                    at,
                    outcome=CallOutcome.REACHED if status == Status.CONTACTED else None,
                    unanswered=status != Status.CONTACTED,
                    follow_up=screen.next_follow_up_at,
                )
            )
        return events

    def _call(self, screen, rng, coordinator, at, outcome=None, unanswered=False, follow_up=None):
        if unanswered:
            outcome = rng.choice(
                [CallOutcome.NO_ANSWER, CallOutcome.NO_ANSWER]
                + ([CallOutcome.LEFT_MESSAGE] if screen.message_ok else [])
            )
        data = {
            "outcome": outcome,
            "note": CALL_NOTES[outcome],
            "follow_up": follow_up.isoformat() if follow_up else None,
        }
        return {"actor": coordinator, "kind": "call", "created_at": at, "data": data}

    def _after_contact(self, screen, rng, coordinator, at) -> list[dict]:
        """A note after some first contacts, and now and then an override of the level."""
        events = []
        if rng.random() < 0.5:
            note = {"text": rng.choice(NOTES)}
            events.append({"actor": coordinator, "kind": "note", "created_at": at, "data": note})
        if rng.random() < 0.08:
            level, reason, text = OVERRIDES[screen.level]
            screen.override_level, screen.override_reason, screen.override_note = (
                level,
                reason,
                text,
            )
            data = {"from": screen.level, "to": level, "reason": reason, "note": text}
            events.append(
                {"actor": coordinator, "kind": "override", "created_at": at, "data": data}
            )
        return events
