"""Fuzz: arbitrary input to every form and the API never gets a 5xx, nor stores a row if refused.

Each hypothesis example starts a new session (the test's client, its cookies cleared: a new
Client per example would load the middleware, and WhiteNoise's file scan, every time); the rows
are counted before and after each request, since the examples share the test's transaction.
"""

import json
from urllib.parse import quote

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from assessments import rules
from assessments.forms import STEPS
from assessments.models import Screen, ScreenEvent
from coordinator import forms as coordinator_forms
from tests.answers import BASELINE
from tests.screen_flow import form_data

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=50,
    deadline=None,
    # The fixtures (database, alice's client) are meant to be shared by the examples.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

# Any text a browser or a script could send: unicode, NUL, controls (not lone surrogates,
# which no encoding can carry).
TEXT = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=200)
TRICKY = st.sampled_from(
    ["", " ", "\x00", "yes", "no", "on", "0", "-1", "1e308", "NaN", "9" * 30, "<script>", "'--"]
)
HUGE = "x" * 100_000
VALUE = st.one_of(TEXT, TRICKY, st.lists(st.one_of(TEXT, TRICKY), max_size=4))


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    # The examples all come from one address.
    settings.SUBMISSION_RATE = settings.STEP_RATE = "1000000/1m"


def _counts():
    return Screen.objects.count(), ScreenEvent.objects.count()


def _field_values(form_class):
    """Per field: missing, one of its real choices, or anything at all; plus unknown fields."""
    fields = {}
    for name, field in form_class.base_fields.items():
        choices = [str(value) for value, _label in getattr(field, "choices", []) if value != ""]
        fields[name] = st.one_of(VALUE, st.sampled_from(choices)) if choices else VALUE
    known = st.fixed_dictionaries({}, optional=fields)
    unknown = st.dictionaries(TEXT.filter(lambda name: name not in fields), VALUE, max_size=3)
    return st.builds(lambda a, b: {**b, **a}, known, unknown)


def _valid_step_data(step) -> dict:
    values = {**BASELINE, "contact_requested": False}
    return form_data(
        {name: values[name] for name in step.form_class.base_fields if name in values}
    )


@pytest.mark.parametrize("step", STEPS, ids=[step.slug for step in STEPS])
def test_a_step_takes_anything(client, step):
    @FUZZ
    @given(data=_field_values(step.form_class), action=st.sampled_from(["next", "back", None]))
    @example(data={name: HUGE for name in step.form_class.base_fields}, action="next")
    @example(data={name: "\x00" for name in step.form_class.base_fields}, action="next")
    def run(data, action):
        if action:
            data = {**data, "action": action}
        client.cookies.clear()
        before = _counts()
        r = client.post(f"/screen/{step.slug}/", data)
        assert r.status_code < 500
        assert _counts() == before  # a step keeps its answers in the session only

    run()


@settings(FUZZ, max_examples=30)  # seven posts an example
@given(
    steps=st.lists(st.booleans(), min_size=len(STEPS), max_size=len(STEPS)),
    garbage=st.data(),
    extra=st.dictionaries(TEXT, VALUE, max_size=3),
)
def test_check_your_answers_takes_anything(client, steps, garbage, extra):
    """Some steps answered well, others with anything; then sent: stored only when all valid."""
    client.cookies.clear()
    for step, valid in zip(STEPS, steps, strict=True):
        data = _valid_step_data(step) if valid else garbage.draw(_field_values(step.form_class))
        assert client.post(f"/screen/{step.slug}/", data).status_code < 500
    before = _counts()
    r = client.post("/screen/check/", extra)
    assert r.status_code < 500
    screens, events = _counts()
    if screens != before[0]:
        assert screens == before[0] + 1 and r.status_code == 302 and r.url.startswith("/r/")
    else:
        assert not (r.status_code == 302 and r.url.startswith("/r/"))
    assert events == before[1]


# JSON can carry what a form cannot: lone UTF-16 surrogates ("\ud800"), which no database
# stores as text.
JSON_TEXT = st.one_of(TEXT, st.text(max_size=20), st.sampled_from(["\ud800", "a\udfff", "\x00"]))
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | JSON_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(JSON_TEXT, inner, max_size=4),
    max_leaves=12,
)
FIELDS = list(rules.ANSWER_NAMES) + list(rules.CONTACT_NAMES)


def _api_post(client, body: bytes, **headers):
    return client.generic(
        "POST", "/api/v2/screens", body, content_type="application/json", **headers
    )


def _check_api(r, before):
    assert r.status_code in (201, 400, 409, 413, 415, 429), r.content[:300]
    screens, events = _counts()
    assert screens == before[0] + (r.status_code == 201)
    assert events == before[1]


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@FUZZ
@given(payload=JSON)
@example(payload={**BASELINE, "contact_requested": True, "first_name": "\ud800"})
def test_the_api_takes_any_json(client, payload):
    before = _counts()
    _check_api(_api_post(client, json.dumps(payload).encode()), before)


@FUZZ
@given(changes=st.dictionaries(st.sampled_from(FIELDS) | TEXT, JSON, max_size=6))
@example(changes={"first_name": "\ud83d", "contact_requested": True, "consent_to_contact": True})
@example(changes={"best_time": "Mornings \udc00", "contact_requested": True})
def test_the_api_takes_any_value_for_any_field(client, changes):
    before = _counts()
    _check_api(_api_post(client, json.dumps({**BASELINE, **changes}).encode()), before)


@FUZZ
@given(depth=st.integers(min_value=1, max_value=30_000), field=st.sampled_from(FIELDS))
@example(depth=20_000, field="substances")
def test_the_api_takes_any_nesting(client, depth, field):
    before = _counts()
    nested = _nested(depth)
    for body in (nested, json.dumps({**BASELINE})[:-1] + f', "{field}": {nested}}}'):
        _check_api(_api_post(client, body.encode()), before)


# What a client or a proxy can put in X-Forwarded-For: headers arrive as Latin-1 text.
FORWARDED = st.one_of(
    st.text(alphabet=st.characters(max_codepoint=255, exclude_categories=["Cc"]), max_size=60),
    st.sampled_from(["not-an-ip", "999.1.1.1", "1.2.3.4:80", "fe80::1%eth0", "::1", ", ,"]),
    st.ip_addresses().map(str),
)


@FUZZ
@given(forwarded=FORWARDED)
def test_the_api_and_the_login_take_any_forwarded_address(client, settings, forwarded):
    settings.PROXY_COUNT = 1
    before = _counts()
    headers = {"HTTP_X_FORWARDED_FOR": forwarded}
    _check_api(_api_post(client, json.dumps(BASELINE).encode(), **headers), before)
    r = client.post(
        "/coordinator/login/", {"username": "nobody", "password": "wrong password"}, **headers
    )
    assert r.status_code in (200, 429)


@FUZZ
@given(body=st.binary(max_size=2000), key=st.text(alphabet="abc-", max_size=300))
@example(body=b"{" * 70_000, key="")
@example(body=b"[" * 20_000 + b"]" * 20_000, key="")
@example(body=b'{"first_name": "\\ud800"}', key="")
@example(body=json.dumps(BASELINE).encode("utf-16"), key="")
def test_the_api_takes_any_bytes(client, body, key):
    before = _counts()
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    _check_api(_api_post(client, body, **headers), before)


# --- The coordinators' forms --------------------------------------------------------------

ACTIONS = [
    ("assign", coordinator_forms.AssignForm),
    ("unassign", coordinator_forms.UnassignForm),
    ("change_status", coordinator_forms.StatusForm),
    ("add_note", coordinator_forms.NoteForm),
    ("override_level", coordinator_forms.OverrideForm),
    ("log_call", coordinator_forms.LogCallForm),
]


@pytest.mark.parametrize(("name", "form_class"), ACTIONS, ids=[name for name, _f in ACTIONS])
def test_a_workspace_action_takes_anything(alice_client, make_screen, alice, name, form_class):
    screen = make_screen(assigned_to=alice)
    url = reverse(f"coordinator:{name}", kwargs={"code": screen.reference})

    @FUZZ
    @given(data=_field_values(form_class), current_version=st.booleans())
    @example(data={"text": HUGE, "note": HUGE}, current_version=True)
    def run(data, current_version):
        screen.refresh_from_db()
        if current_version:
            data = {**data, "version": str(screen.version)}
        before, version = _counts(), screen.version
        r = alice_client.post(url, data)
        assert r.status_code in (200, 302, 409), r.status_code
        screen.refresh_from_db()
        if r.status_code == 302:  # saved: one event (a call: one per status step too)
            screens, events = _counts()
            assert screens == before[0] and screen.version == version + 1
            assert events == before[1] + 1 or (name == "log_call" and events > before[1])
        else:
            assert _counts() == before and screen.version == version

    run()


QUERY = st.dictionaries(
    st.sampled_from([*coordinator_forms.QueueFilterForm.base_fields, "page"]) | TEXT,
    st.one_of(TEXT, TRICKY, st.dates().map(str)),
    max_size=5,
)


@pytest.mark.parametrize("name", ["queue", "due", "export", "dashboard", "counts"])
def test_the_workspace_takes_any_query(alice_client, make_screen, name):
    make_screen()

    @FUZZ
    @given(query=QUERY)
    def run(query):
        before = _counts()
        r = alice_client.get(reverse(f"coordinator:{name}"), query)
        assert r.status_code == 200
        if r.streaming:
            b"".join(r.streaming_content)  # a failure while streaming counts too
        assert _counts() == before

    run()


@FUZZ
@given(code=TEXT.filter(lambda code: "/" not in code and code.strip()))
@example(code="9" * 19)
@example(code="9" * 40)
@example(code="-1")
def test_a_screen_address_takes_anything(alice_client, code):
    r = alice_client.get(f"/coordinator/screens/{quote(code, safe='')}/")
    assert r.status_code in (200, 404)


def test_ci_runs_a_fixed_set_of_examples():
    """CI (CI=true, .ci/run) draws the same examples every run and keeps none between runs."""
    import os

    ci = settings.get_profile("ci")
    assert ci.derandomize and ci.database is None
    if os.environ.get("CI") == "true":
        assert settings.default.derandomize and settings.default.database is None


BULK = st.fixed_dictionaries(
    {},
    optional={
        "screens": st.lists(st.one_of(TEXT, st.just("CG-AAAA-BBBB:1")), max_size=4),
        "assignee": st.one_of(VALUE, st.just("1")),
        "action": st.one_of(VALUE, st.sampled_from(["assign", "unassign"])),
        "back": st.one_of(VALUE, st.just("/coordinator/?status=all")),
    },
)


def test_bulk_assign_takes_anything(alice_client, make_screen):
    make_screen(reference="CG-AAAA-BBBB")

    @FUZZ
    @given(data=BULK)
    def run(data):
        before = _counts()
        r = alice_client.post(reverse("coordinator:bulk_assign"), data)
        assert r.status_code in (302, 400, 409), r.status_code
        if r.status_code != 302:
            assert _counts() == before

    run()
