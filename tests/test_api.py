import json

import pytest
from django.db import IntegrityError

from assessments import rules
from assessments.models import OutboxMessage, Screen
from tests.answers import BASELINE, criteria, make_answers

pytestmark = pytest.mark.django_db

URL = "/api/v2/screens"


def post(client, body, content_type="application/json", **headers):
    if not isinstance(body, str | bytes):
        body = json.dumps(body)
    return client.post(URL, body, content_type=content_type, headers=headers)


def test_it_stores_a_screen_and_answers_201_with_the_result(client):
    answers = make_answers(**criteria(5))
    r = post(client, answers)
    assert r.status_code == 201
    body = r.json()
    screen = Screen.objects.get()
    rec = rules.recommend(answers)
    assert body == {
        "reference": screen.reference,
        "level": "iop",
        "level_label": "Intensive outpatient program (IOP)",
        "flags": [],
        "reasons": [reason.as_dict() for reason in rec.reasons],
        "notes": [note.as_dict() for note in rec.notes],
        "profile": {
            "severity": "moderate",
            "criteria_count": 5,
            "detox_need": "none",
            "home_stability": "stable",
            "weekly_hours": "9_to_19",
            "age_group": "18_to_64",
            "using": True,
            "withdrawal_signs": False,
            "relapse_after_care": False,
            "priority_population": False,
        },
        "schema_version": 2,
        "ruleset_version": "2",
        "result_url": f"http://testserver/r/{screen.result_token}/",
    }
    assert body["reasons"][0]["sources"][0].keys() == {"id", "title", "publisher"}
    assert screen.answers == rec.answers and screen.trace == [e.as_dict() for e in rec.trace]
    assert client.get(f"/r/{screen.result_token}/").status_code == 200


def test_an_urgent_screen_is_marked_urgent(client):
    r = post(client, make_answers(self_harm_thoughts=True))
    assert r.status_code == 201 and "crisis" in r.json()["flags"]
    assert Screen.objects.get().urgent


def test_it_lists_every_missing_field_at_once(client):
    r = post(client, {})
    assert r.status_code == 400
    conditional = {"prescribed_as_directed", "used_since_care"}  # asked only when they apply
    assert set(r.json()["errors"]) == set(rules.ANSWER_NAMES) - conditional
    assert not Screen.objects.exists()


@pytest.mark.parametrize(
    "field, value",
    [
        ("self_harm_thoughts", "true"),
        ("use_days", "5"),
        ("use_days", 31),
        ("use_days", True),
        ("age_group", "adult"),
        ("substances", []),
        ("substances", ["alcohol", "alcohol"]),
        ("substances", "alcohol"),
        ("housing", None),
    ],
)
def test_it_names_each_bad_field(client, field, value):
    r = post(client, make_answers(**{field: value}))
    assert r.status_code == 400
    assert list(r.json()["errors"]) == [field]
    assert r.json()["errors"][field]
    assert not Screen.objects.exists()


def test_it_rejects_unknown_fields(client):
    r = post(client, {**BASELINE, "phone_number": "555 123 4567"})
    assert r.status_code == 400
    assert r.json()["errors"] == {"phone_number": ["Unknown field."]}


@pytest.mark.parametrize("body", ["not json", "[1, 2]", '"a string"', " ", "\xff", '{"a": NaN'])
def test_a_body_that_is_not_a_json_object_is_400(client, body):
    r = post(client, body)
    assert r.status_code == 400
    assert "__all__" in r.json()["errors"]
    assert not Screen.objects.exists()


def test_another_content_type_is_415(client):
    r = client.post(URL, {"age_group": "18_to_64"})  # a form post
    assert r.status_code == 415
    assert not Screen.objects.exists()


def test_an_oversized_body_is_413(client):
    r = post(client, {**BASELINE, "best_time": "x" * 70_000})
    assert r.status_code == 413
    assert not Screen.objects.exists()


def test_it_rejects_get(client):
    assert client.get(URL).status_code == 405


def test_it_needs_no_csrf_token(client):
    from django.test import Client

    r = post(Client(enforce_csrf_checks=True), BASELINE)
    assert r.status_code == 201


CONTACT = {
    "contact_requested": True,
    "first_name": "Sam",
    "email": "sam@example.com",
    "preferred_contact": "email",
    "consent_to_contact": True,
}


def test_it_stores_contact_details_with_consent(client):
    r = post(client, {**BASELINE, **CONTACT})
    assert r.status_code == 201
    screen = Screen.objects.get()
    assert screen.contact_requested and screen.consent_at is not None
    assert (screen.first_name, screen.email, screen.preferred_contact) == (
        "Sam",
        "sam@example.com",
        "email",
    )


def test_contact_details_without_a_request_are_not_stored(client):
    r = post(client, {**BASELINE, **CONTACT, "contact_requested": False})
    assert r.status_code == 201
    screen = Screen.objects.get()
    assert not screen.contact_requested and screen.email == "" and screen.first_name == ""


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"consent_to_contact": False}, "consent_to_contact"),
        ({"email": "", "phone": ""}, "__all__"),
        ({"email": "not-an-email"}, "email"),
        ({"phone": "12"}, "phone"),
        ({"contact_requested": "yes"}, "contact_requested"),
        ({"first_name": 42}, "first_name"),
        ({"preferred_contact": "fax"}, "preferred_contact"),
    ],
)
def test_it_rejects_bad_contact_details(client, changes, field):
    r = post(client, {**BASELINE, **CONTACT, **changes})
    assert r.status_code == 400
    assert field in r.json()["errors"]
    assert not Screen.objects.exists()


@pytest.mark.parametrize(
    "sent, field",
    [
        ({"email": "not-an-email"}, "email"),
        ({"first_name": 42}, "first_name"),
        ({"message_ok": True}, "message_ok"),
        ({"consent_to_contact": "yes"}, "consent_to_contact"),
    ],
)
def test_a_contact_field_sent_alone_is_checked_too(client, sent, field):
    r = post(client, {**BASELINE, **sent})
    assert r.status_code == 400 and set(r.json()["errors"]) == {field}
    assert not Screen.objects.exists()


def test_a_screen_without_contact_fields_stores_no_contact_details(client):
    assert post(client, BASELINE).status_code == 201
    screen = Screen.objects.get()
    assert not screen.contact_requested and screen.consent_at is None
    assert (screen.first_name, screen.phone, screen.email) == ("", "", "")


def test_answer_and_contact_errors_come_together(client):
    r = post(client, {**make_answers(use_days=99), **CONTACT, "consent_to_contact": False})
    assert set(r.json()["errors"]) == {"use_days", "consent_to_contact"}


def test_an_idempotency_key_returns_the_first_result_on_retry(client):
    first = post(client, BASELINE, **{"Idempotency-Key": "retry-1"})
    again = post(client, BASELINE, **{"Idempotency-Key": "retry-1"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Screen.objects.count() == 1
    other = post(client, BASELINE, **{"Idempotency-Key": "retry-2"})
    assert other.json()["reference"] != first.json()["reference"]
    assert Screen.objects.count() == 2


def test_an_idempotency_key_reused_for_other_answers_is_a_conflict(client):
    post(client, BASELINE, **{"Idempotency-Key": "k"})
    r = post(client, make_answers(use_days=9), **{"Idempotency-Key": "k"})
    assert r.status_code == 409
    assert Screen.objects.count() == 1


def test_an_idempotency_key_is_the_clients_own(client):
    """Finding 4: another client reusing a key got the first client's result link."""
    first = post(client, {**BASELINE, **CONTACT}, **{"Idempotency-Key": "k"})
    other = client.post(
        URL,
        json.dumps({**BASELINE, **CONTACT}),
        content_type="application/json",
        headers={"Idempotency-Key": "k"},
        REMOTE_ADDR="198.51.100.9",
    )
    assert first.status_code == other.status_code == 201
    assert "Idempotent-Replayed" not in other
    assert other.json()["result_url"] != first.json()["result_url"]
    assert Screen.objects.count() == 2


def test_behind_a_proxy_the_key_is_scoped_to_the_forwarded_client(client, settings):
    settings.PROXY_COUNT = 1
    first = post(client, BASELINE, **{"Idempotency-Key": "k", "X-Forwarded-For": "203.0.113.7"})
    again = post(client, BASELINE, **{"Idempotency-Key": "k", "X-Forwarded-For": "203.0.113.7"})
    other = post(client, BASELINE, **{"Idempotency-Key": "k", "X-Forwarded-For": "203.0.113.8"})
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert other.json()["reference"] != first.json()["reference"]


@pytest.mark.parametrize(
    "changes",
    [
        {"phone": "555 987 6543"},  # a corrected phone number
        {"email": "sam@example.net"},
        {"first_name": "Samuel"},
        {"preferred_contact": "text", "phone": "555 123 4567"},
        {"contact_requested": False},
    ],
)
def test_a_replay_with_other_contact_details_is_a_conflict(client, changes):
    """Finding 4: a retry with a corrected phone number was answered with the old one."""
    first = post(client, {**BASELINE, **CONTACT}, **{"Idempotency-Key": "k"})
    assert first.status_code == 201
    r = post(client, {**BASELINE, **CONTACT, **changes}, **{"Idempotency-Key": "k"})
    assert r.status_code == 409
    assert "different answers or contact details" in r.json()["errors"]["__all__"][0]
    screen = Screen.objects.get()
    assert (screen.phone, screen.email, screen.first_name) == ("", "sam@example.com", "Sam")


def test_without_a_key_each_request_is_a_new_screen(client):
    post(client, BASELINE)
    post(client, BASELINE)
    assert Screen.objects.count() == 2


def test_an_overlong_idempotency_key_is_400(client):
    r = post(client, BASELINE, **{"Idempotency-Key": "k" * 256})
    assert r.status_code == 400 and not Screen.objects.exists()


def test_it_is_rate_limited_per_address(client, settings):
    settings.SUBMISSION_RATE = "3/10m"
    assert [post(client, BASELINE).status_code for _ in range(3)] == [201] * 3
    r = post(client, BASELINE)
    assert r.status_code == 429
    assert 0 < int(r["Retry-After"]) <= 600
    assert Screen.objects.count() == 3


def test_behind_a_proxy_the_limit_is_per_client_not_per_proxy(client, settings):
    settings.SUBMISSION_RATE = "1/10m"
    settings.PROXY_COUNT = 1
    first = {"X-Forwarded-For": "203.0.113.7"}
    assert post(client, BASELINE, **first).status_code == 201
    assert post(client, BASELINE, **first).status_code == 429
    assert post(client, BASELINE, **{"X-Forwarded-For": "203.0.113.8"}).status_code == 201


def test_an_urgent_screen_leaves_a_notice_in_the_outbox_and_the_next_request_sends_it(
    client, mailoutbox, django_capture_on_commit_callbacks, assert_not_leaked
):
    answers = {**make_answers(self_harm_thoughts=True), **CONTACT, "first_name": "Zebulon"}
    with django_capture_on_commit_callbacks(execute=True):
        r = post(client, answers, **{"Idempotency-Key": "urgent-1"})
    reference = r.json()["reference"]
    assert list(OutboxMessage.objects.values_list("kind", "reference")) == [
        ("urgent_screen", reference)
    ]
    assert mailoutbox == []  # not in the person's request
    client.get("/how-it-works/")  # anyone's next request
    assert [m.subject for m in mailoutbox] == [f"Urgent screen {reference}"]
    assert f"/coordinator/screens/{reference}/" in mailoutbox[0].body
    assert not OutboxMessage.objects.exists()
    assert_not_leaked("Zebulon")
    assert_not_leaked("sam@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        post(client, answers, **{"Idempotency-Key": "urgent-1"})  # a replay sends nothing
    client.get("/how-it-works/")
    assert len(mailoutbox) == 1 and not OutboxMessage.objects.exists()


def test_a_screen_that_is_not_urgent_sends_no_email(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post(client, BASELINE)
    client.get("/how-it-works/")
    assert mailoutbox == [] and not OutboxMessage.objects.exists()


def test_the_answer_is_never_stored_by_a_browser_or_proxy(client):
    """Finding 8: the 201 carries the result link (which opens and deletes the screen)."""
    for body in (BASELINE, {}):
        assert "no-store" in post(client, body)["Cache-Control"]


def test_a_taken_reference_is_drawn_again(client, make_screen, monkeypatch):
    """Finding 12: a reference drawn twice was a 500, and the person's answers were gone."""
    taken = make_screen().reference
    draws = iter([taken, taken, "CG-2345-6789"])
    monkeypatch.setattr("assessments.models.new_reference", lambda: next(draws))
    r = post(client, BASELINE)
    assert r.status_code == 201
    assert r.json()["reference"] == "CG-2345-6789"
    assert Screen.objects.count() == 2


def test_a_reference_that_stays_taken_is_an_error_not_a_loop(client, make_screen, monkeypatch):
    taken = make_screen().reference
    monkeypatch.setattr("assessments.models.new_reference", lambda: taken)
    with pytest.raises(IntegrityError):
        post(client, BASELINE)


# --- Input that cannot be stored is a 400, never a 500 --------------------------------------


@pytest.mark.parametrize("depth", [5_000, 20_000])
def test_json_nested_too_deep_is_400(client, depth):
    r = post(client, "[" * depth + "]" * depth)
    assert r.status_code == 400
    assert r.json() == {"errors": {"__all__": ["The body is nested too deeply."]}}


def test_a_deeply_nested_value_is_a_400_for_its_field(client):
    r = post(client, '{"substances": ' + "[" * 900 + "]" * 900 + "}")
    assert r.status_code == 400 and "substances" in r.json()["errors"]


@pytest.mark.parametrize("field", ["first_name", "best_time", "phone", "email"])
@pytest.mark.parametrize("text", ["\\ud800", "Sam\\udfff", "\\u0000"])
def test_text_that_cannot_be_stored_is_a_400(client, field, text):
    body = json.dumps({**BASELINE, **CONTACT})[:-1] + f', "{field}": "{text}"}}'
    r = post(client, body)
    assert r.status_code == 400
    assert list(r.json()["errors"]) == [field]
    assert not Screen.objects.exists()


def test_a_field_name_that_cannot_be_stored_is_a_400(client):
    r = post(client, '{"\\ud83d": 1}')
    assert r.status_code == 400 and list(r.json()["errors"]) == ["__all__"]


@pytest.mark.parametrize("forwarded", ["not-an-ip", "999.1.1.1", "203.0.113.7:443", ""])
def test_a_forwarded_address_that_is_not_one_is_the_proxys(client, settings, forwarded):
    settings.PROXY_COUNT = 1
    settings.SUBMISSION_RATE = "1/10m"
    assert post(client, BASELINE, **{"X-Forwarded-For": forwarded}).status_code == 201
    # Counted for the peer (REMOTE_ADDR), like any other request without a usable address.
    assert post(client, BASELINE).status_code == 429


# --- Schema 2: the retired version, the schema, conditional answers ------------------------


@pytest.mark.parametrize("method", ["post", "get", "put"])
def test_version_1_is_gone_and_names_version_2(client, method):
    if method == "get":
        r = client.get("/api/v1/screens")
    else:
        body = json.dumps(BASELINE)
        r = getattr(client, method)("/api/v1/screens", body, content_type="application/json")
    assert r.status_code == 410
    body = r.json()
    assert "/api/v2/screens" in body["errors"]["__all__"][0]
    assert body["successor"] == "/api/v2/screens"
    assert r["Link"] == '</api/v2/screens>; rel="successor-version"'
    assert not Screen.objects.exists()


def test_the_schema_is_json_schema_2020_12_made_from_the_questions(client):
    import jsonschema

    from assessments import questions

    r = client.get("/api/v2/schema")
    assert r.status_code == 200 and r["Content-Type"] == "application/json"
    schema = r.json()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$id"] == "http://testserver/api/v2/schema"
    assert list(schema["properties"]) == [q.name for q in questions.QUESTIONS]
    assert jsonschema.Draft202012Validator(schema).is_valid(make_answers())
    assert client.post("/api/v2/schema").status_code == 405


def test_the_201_says_which_schema_and_ruleset(client):
    body = post(client, make_answers()).json()
    assert (body["schema_version"], body["ruleset_version"]) == (2, "2")


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"prescribed_as_directed": True}, "prescribed_as_directed"),
        ({"used_since_care": True}, "used_since_care"),
        ({"message_ok": True}, "message_ok"),
    ],
)
def test_a_conditional_answer_sent_when_it_is_not_asked_is_a_400_naming_it(client, changes, field):
    r = post(client, {**make_answers(), **changes})
    assert r.status_code == 400
    assert list(r.json()["errors"]) == [field]
    assert "Not asked with these answers" in r.json()["errors"][field][0]
    assert not Screen.objects.exists()


def test_a_conditional_answer_is_required_when_it_is_asked(client):
    answers = make_answers(substances=["opioids"])
    del answers["prescribed_as_directed"]
    r = post(client, answers)
    assert r.status_code == 400 and list(r.json()["errors"]) == ["prescribed_as_directed"]
    r = post(client, {**make_answers(), **CONTACT, "message_ok": "yes"})
    assert r.status_code == 400 and list(r.json()["errors"]) == ["message_ok"]


def test_message_ok_is_stored_with_the_contact_details(client):
    assert post(client, {**make_answers(), **CONTACT, "message_ok": True}).status_code == 201
    assert Screen.objects.get().message_ok is True
