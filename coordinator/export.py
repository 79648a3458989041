"""The CSV export: one row per screen of the queue's current view, in its order.

The header is the first line (a spreadsheet takes it as the column names); values are in
words as the workspace shows them, with the codes in extra columns for systems that want
them; the 42 CFR part 2 notice is the last row and part of the file's name. Notes and the
call log come with ?include=notes, for coordinators who may export contact details; every
answer of the screen, a column per question of the catalogue in words and as codes, with
?include=answers (70 more columns: 22.8 s instead of about 4 s for 100,000 screens, so asked
for, not always sent).

Every value is worked out in SQL (labels with CASE, names, flags, local times), so on
PostgreSQL the rows come straight from `COPY ... TO STDOUT`: issue 15 asked for the export of
100,000 screens within 5 x a bare COPY of the same columns (6.5 x when Python built each row).
"""

import contextlib
import csv
import io
import queue
import threading
from datetime import UTC, datetime

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Case, CharField, F, Func, TextField, Value, When
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, Concat, Left, NullIf, Replace, Trim
from django.db.models.lookups import Exact, In
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments import questions
from assessments.models import (
    LEVEL_CHOICES,
    OPEN_STATUSES,
    PREFERRED_CONTACT_CHOICES,
    AuditEntry,
    OverrideReason,
    Screen,
    ScreenEvent,
    Status,
    workspace_counts,
)
from coordinator import forms, labels
from coordinator.views import (
    EXPORT_CONTACT,
    NOTICE,
    _describe,
    _filtered,
    _filters,
    _person,
    coordinator_required,
)

EXPORT_CHUNK_ROWS = 2000
COPY_CHUNK_BYTES = 1 << 16
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NOTES, ANSWERS = "notes", "answers"
TEXT = TextField()


# --- Values in words, as SQL -------------------------------------------------------------


class LocalTime(Func):
    """A time as the workspace shows it: "2026-11-02 10:04" in the centre's time zone.

    PostgreSQL formats it; SQLite has no time zones, so there the value is formatted in Python
    as it is read (a converter), with the same result.
    """

    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        zone = timezone.get_current_timezone_name()
        return f"to_char({sql} AT TIME ZONE %s, 'YYYY-MM-DD HH24:MI')", (*params, zone)

    def as_sql(self, compiler, connection, **extra):
        return compiler.compile(self.source_expressions[0])

    def get_db_converters(self, connection):
        converters = super().get_db_converters(connection)
        return converters if connection.vendor == "postgresql" else [*converters, _local_text]


def _local_text(value, expression, connection):
    if value is None:
        return None
    when = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    return timezone.localtime(when).strftime("%Y-%m-%d %H:%M")


class UTCTime(Func):
    """A time in ISO 8601, UTC, to the second: "2026-11-02T15:04:05Z" (for other systems)."""

    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"""to_char({sql} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')""", params

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ', {sql})", params


def _words(field: str, choices) -> Case:
    """A stored code in the workspace's words; a code this version does not know, as it is."""
    return Case(
        *[When(**{field: value}, then=Value(str(label))) for value, label in choices],
        default=Cast(field, CharField()),
        output_field=CharField(),
    )


def _yes_no(field: str) -> Case:
    return Case(
        When(**{field: True}, then=Value(str(_("Yes")))),
        default=Value(str(_("No"))),
        output_field=CharField(),
    )


def _defused(expression):
    """Free text, with a quote before a leading = + - @ tab or return: never a formula."""
    return Case(
        When(
            In(Left(expression, 1), FORMULA_STARTS),
            then=Concat(Value("'"), expression, output_field=TextField()),
        ),
        default=expression,
        output_field=TextField(),
    )


def _flags(words: bool):
    """The flags list, from its JSON text ["crisis", "detox_first"]: "Crisis; Detox first",
    or with words=False the codes "crisis;detox_first"."""
    text = Cast("flags", TextField())
    if words:
        for flag, label in labels.FLAG_LABELS.items():
            text = Replace(text, Value(f'"{flag}"'), Value(str(label)), output_field=TEXT)
    for old, new in (('"', ""), ("[", ""), ("]", ""), (", ", "; " if words else ";")):
        text = Replace(text, Value(old), Value(new), output_field=TEXT)
    return text


# --- The answers, from the stored JSON, a column per question of the catalogue -------------

_TRUE, _FALSE = ("true", "1"), ("false", "0")  # PostgreSQL's ->> and SQLite's ->> (1 or 0)


def _stored(name: str):
    """One stored answer as text, as the database's JSON operator reads it."""
    return Cast(KT(f"answers__{name}"), TextField())


def _list_text(raw, words: dict[str, str], separator: str):
    """A stored list ["alcohol", "opioids"] as "Alcohol; Opioids (...)" or "alcohol;opioids":
    each item replaced with its quotes on, so "other" never matches "other_sedatives"."""
    text = raw
    # Between items first (PostgreSQL writes ", ", SQLite ","), before words with commas in.
    for between in ('", "', '","'):
        text = Replace(text, Value(between), Value('"\x1f"'), output_field=TEXT)
    for code, word in words.items():
        text = Replace(text, Value(f'"{code}"'), Value(word), output_field=TEXT)
    for old, new in (('"', ""), ("[", ""), ("]", ""), ("\x1f", separator)):
        text = Replace(text, Value(old), Value(new), output_field=TEXT)
    return text


def _answer_words(question: questions.Question):
    """A question's stored answer in a coordinator's words; blank when it was not asked."""
    raw = _stored(question.name)
    if question.kind == questions.Kind.BOOL:
        return Case(
            When(In(raw, _TRUE), then=Value(str(_("Yes")))),
            When(In(raw, _FALSE), then=Value(str(_("No")))),
            default=Value(""),
            output_field=TextField(),
        )
    if question.kind == questions.Kind.CHOICE:
        return Case(
            *[
                When(Exact(raw, choice.value), then=Value(str(_(choice.staff_text))))
                for choice in question.choices
            ],
            default=Coalesce(raw, Value("")),
            output_field=TextField(),
        )
    if question.kind == questions.Kind.CHOICES:
        words = {choice.value: str(_(choice.staff_text)) for choice in question.choices}
        return Case(
            When(In(raw, ("[]",)), then=Value(str(_("None")))),
            default=Coalesce(_list_text(raw, words, "; "), Value("")),
            output_field=TextField(),
        )
    return Coalesce(raw, Value(""), output_field=TextField())


def _answer_code(question: questions.Question):
    raw = _stored(question.name)
    if question.kind == questions.Kind.BOOL:
        return Case(
            When(In(raw, _TRUE), then=Value("true")),
            When(In(raw, _FALSE), then=Value("false")),
            default=Value(""),
            output_field=TextField(),
        )
    if question.kind == questions.Kind.CHOICES:
        return Coalesce(_list_text(raw, {}, ";"), Value(""), output_field=TextField())
    return Coalesce(raw, Value(""), output_field=TextField())


def _answer_columns() -> tuple[list, list]:
    """(in words, as codes): every question of schema 2, then schema 1's retired ones (blank
    for a schema-2 screen), so a ruleset-1 screen goes out with its own answers."""
    retired = [
        questions.Question(name, questions.Kind.BOOL, "", text, text)
        for name, text in questions.RETIRED.items()
    ]
    words = [(str(_(q.staff)), _answer_words(q)) for q in questions.ANSWER_QUESTIONS]
    words += [(str(_("%s (schema 1)") % _(q.staff)), _answer_words(q)) for q in retired]
    codes = [(q.name, _answer_code(q)) for q in (*questions.ANSWER_QUESTIONS, *retired)]
    return words, codes


def _assignee_name():
    """The assignee's name as the workspace shows it: full name, else username."""
    full = Trim(
        Concat(
            "assigned_to__first_name",
            Value(" "),
            "assigned_to__last_name",
            output_field=TextField(),
        )
    )
    name = Coalesce(
        NullIf(full, Value(""), output_field=TEXT), "assigned_to__username", output_field=TEXT
    )
    return _defused(name)


def _profile(name: str):
    return [(value, label) for value, label in labels.PROFILE_LABELS[name].items()]


LEVELS = [(value, labels.level_label(value)) for value, _label in LEVEL_CHOICES]


def _columns(with_contact: bool, with_answers: bool) -> list[tuple[str, object]]:
    """(header, expression) of every column, words first, then the codes."""
    words = [
        (_("Reference"), F("reference")),
        (_("Received"), LocalTime("created_at")),
        (_("Recommended level"), _words("level", LEVELS)),
        (_("Override level"), _words("override_level", LEVELS)),
        (_("Override reason"), _words("override_reason", OverrideReason.choices)),
        (_("Urgent"), _yes_no("urgent")),
        (_("Priority population"), _yes_no("priority")),
        (_("Flags"), _flags(words=True)),
        (_("Severity"), _words("severity", _profile("severity"))),
        (_("Detox need"), _words("detox_need", _profile("detox_need"))),
        (_("Home stability"), _words("home_stability", _profile("home_stability"))),
        (_("Status"), _words("status", Status.choices)),
        (_("Assigned to"), _assignee_name()),
        (_("Contact requested"), _yes_no("contact_requested")),
        (_("First contacted"), LocalTime("first_contacted_at")),
        (_("Assessment booked"), LocalTime("scheduled_at")),
        (_("Next follow-up"), LocalTime("next_follow_up_at")),
        (_("Ruleset"), F("ruleset_version")),
        (_("Questions (schema)"), Cast("schema_version", TextField())),
        (_("Answered in"), _words("language", labels.LANGUAGE_CHOICES)),
    ]
    contact = [
        (_("First name"), _defused(F("first_name"))),
        (_("Phone"), _defused(F("phone"))),
        (_("Email"), _defused(F("email"))),
        (_("Preferred contact"), _words("preferred_contact", PREFERRED_CONTACT_CHOICES)),
        (_("Best time"), _defused(F("best_time"))),
        (_("Message OK"), _yes_no("message_ok")),
        (_("Consent given"), LocalTime("consent_at")),
    ]
    codes = [
        (_("Received (UTC)"), UTCTime("created_at")),
        (_("Recommended level (code)"), F("level")),
        (_("Override level (code)"), F("override_level")),
        (_("Override reason (code)"), F("override_reason")),
        (_("Flags (codes)"), _flags(words=False)),
        (_("Severity (code)"), F("severity")),
        (_("Detox need (code)"), F("detox_need")),
        (_("Home stability (code)"), F("home_stability")),
        (_("Status (code)"), F("status")),
        (_("Assigned to (username)"), _defused(F("assigned_to__username"))),
        (_("Answered in (code)"), F("language")),
    ]
    if with_contact:
        words += contact
        codes.append((_("Preferred contact (code)"), F("preferred_contact")))
    if not with_answers:
        return words + codes
    answer_words, answer_codes = _answer_columns()
    return words + answer_words + codes + answer_codes


def export_rows(screens, with_contact: bool, with_answers: bool = False, with_pk: bool = False):
    """The export's header and its rows as a values_list of text (one query); with_pk adds
    each screen's pk as a last value."""
    columns = _columns(with_contact, with_answers)
    names = {f"c{index}": expression for index, (_h, expression) in enumerate(columns)}
    rows = screens.annotate(**names).values_list(*names, *(["pk"] if with_pk else []))
    return [header for header, _e in columns], rows


# --- Writing it out ------------------------------------------------------------------------


def _csv_lines(rows) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


def _python_chunks(rows, notes: bool):
    """The rows read in Python, EXPORT_CHUNK_ROWS at a time (the last column is the pk when
    notes are asked for: it is replaced by the screen's notes and calls)."""
    batch = []
    for row in rows.iterator(chunk_size=EXPORT_CHUNK_ROWS):
        batch.append(row)
        if len(batch) == EXPORT_CHUNK_ROWS:
            yield _csv_lines(_with_notes(batch) if notes else batch)
            batch = []
    yield _csv_lines(_with_notes(batch) if notes else batch)


def _with_notes(batch: list) -> list:
    """Replaces each row's last value (its pk) with the screen's notes and calls, one a line."""
    events = (
        ScreenEvent.objects.filter(
            screen__in=[row[-1] for row in batch],
            kind__in=[ScreenEvent.Kind.NOTE, ScreenEvent.Kind.CALL],
        )
        .select_related("actor")
        .order_by("screen", "created_at", "id")
    )
    lines: dict[int, list[str]] = {}
    for event in events:
        when = timezone.localtime(event.created_at).strftime("%Y-%m-%d %H:%M")
        line = f"{when} · {_person(event.actor)} · {event.get_kind_display()}: {_describe(event)}"
        lines.setdefault(event.screen_id, []).append(line)
    return [[*row[:-1], _defused_text("\n".join(lines.get(row[-1], [])))] for row in batch]


def _defused_text(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _copy_chunks(rows):
    """PostgreSQL's COPY of the rows' query as CSV, streamed as it comes.

    psycopg2's copy_expert() blocks until the COPY ends, so it runs in a thread on this
    request's connection (nothing else uses it meanwhile) and hands chunks over through a
    small queue: memory stays flat whatever the size. If the download is abandoned, the COPY
    runs to its end into nothing, which leaves the connection as clean as it found it.
    """
    sql, params = rows.query.sql_with_params()
    connection.ensure_connection()
    raw = connection.connection
    chunks: queue.Queue = queue.Queue(maxsize=8)
    cancelled = threading.Event()

    class Sink:
        def __init__(self):
            self.parts: list[bytes] = []
            self.size = 0

        def write(self, data):
            if cancelled.is_set():
                return
            self.parts.append(data)
            self.size += len(data)
            if self.size >= COPY_CHUNK_BYTES:
                self.flush()

        def flush(self):
            data, self.parts, self.size = b"".join(self.parts), [], 0
            while data and not cancelled.is_set():
                try:
                    chunks.put(data, timeout=0.5)
                    return
                except queue.Full:
                    continue

    def copy():
        sink = Sink()
        try:
            with raw.cursor() as cursor:
                select = cursor.mogrify(sql, params).decode()
                cursor.copy_expert(f"COPY ({select}) TO STDOUT WITH (FORMAT csv)", sink)
            sink.flush()
        except Exception as error:  # handed to the request's thread, which raises it
            chunks.put(error)
        else:
            chunks.put(None)

    thread = threading.Thread(target=copy, name="careguide-export", daemon=True)
    thread.start()
    try:
        while (chunk := chunks.get()) is not None:
            if isinstance(chunk, Exception):
                raise chunk
            yield chunk
    finally:
        cancelled.set()
        while thread.is_alive():  # take what the thread still hands over, so it can end
            with contextlib.suppress(queue.Empty):
                chunks.get(timeout=0.1)
        thread.join()


def _stream(header: list[str], rows, notes: bool):
    yield _csv_lines([header])
    if connection.vendor == "postgresql" and not notes:
        yield from _copy_chunks(rows)
    else:
        yield from _python_chunks(rows, notes)
    yield _csv_lines([[str(NOTICE)]])


def _row_count(screens, filters: dict) -> int:
    """How many rows go out, for the audit entry: from the kept status counts when the view
    is a plain status view (no COUNT over the table), else counted."""
    if filters.keys() <= {"status"}:
        statuses = workspace_counts()["statuses"]
        view = filters.get("status", forms.OPEN)
        if view == forms.OPEN:
            return sum(statuses[status] for status in OPEN_STATUSES)
        return sum(statuses.values()) if view == forms.ALL else statuses[view]
    return screens.count()


@coordinator_required
def export(request: HttpRequest) -> StreamingHttpResponse:
    _form, filters = _filters(request, warn=False)
    screens = _filtered(Screen.objects.queue(), filters, request.user)
    with_contact = request.user.has_perm(EXPORT_CONTACT)
    include = request.GET.getlist("include")
    notes, answers = NOTES in include, ANSWERS in include
    if notes and not with_contact:
        # Notes and calls hold contact details in words: the same permission guards them.
        raise PermissionDenied
    header, rows = export_rows(screens, with_contact, with_answers=answers, with_pk=notes)
    if notes:
        header.append(_("Notes and calls"))
    AuditEntry.objects.create(
        actor=request.user,
        action=AuditEntry.Action.EXPORTED,
        details={
            "filters": {name: str(value) for name, value in filters.items()},
            "rows": _row_count(screens, filters),
            "contact_details": with_contact,
            "notes": notes,
            "answers": answers,
        },
    )
    response = StreamingHttpResponse(
        _stream(header, rows, notes), content_type="text/csv; charset=utf-8"
    )
    # The notice travels in the name too: a spreadsheet may drop the last row, not the name.
    filename = f"careguide-screens-{timezone.localdate():%Y-%m-%d}-confidential-42-CFR-part-2.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
