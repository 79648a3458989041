"""En español (issue 16): every patient-facing word has a Spanish translation, the pages say
no English sentence in Spanish, the language is chosen, remembered and shown to coordinators."""

import ast
import csv
import html
import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.utils import translation

from assessments import engine, policy, questions, rules
from assessments.models import OutboxMessage, Screen
from assessments.sources import SOURCES
from coordinator.notifications import send_due
from tests.answers import criteria, make_answers
from tests.screen_flow import CONTACT, answer_all_steps, step_url, submit

PO = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.po"
ES = {"HTTP_ACCEPT_LANGUAGE": "es"}
CRISIS = {"self_harm_thoughts": True}


# --- The catalogue: every patient-facing message has a Spanish translation ----------------


def _po_entries() -> list[dict]:
    """The .po file's entries: msgid, msgid_plural, msgstr (a list of forms), flags."""
    entries = []
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        entry, key = {"flags": set()}, None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            elif match := re.match(
                r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?) (\".*\")$", line
            ):
                key = match[1]
                entry.setdefault(key, "")
                entry[key] += ast.literal_eval(match[2])
            elif line.startswith('"') and key:
                entry[key] += ast.literal_eval(line)
        forms = [entry[k] for k in sorted(entry) if k.startswith("msgstr") and k != "msgstr"]
        entry["msgstr"] = forms or [entry.get("msgstr", "")]
        if entry.get("msgid"):
            entries.append(entry)
    return entries


def _patient_facing() -> list[str]:
    """Every string a person may read, from the question catalogue, the policy, the sources'
    summaries and the engine's messages (the API's 400s)."""
    texts = []
    for step in questions.STEPS:
        texts += [step.title, step.intro]
    for q in questions.ANSWER_QUESTIONS + questions.CONTACT_QUESTIONS:
        texts += [q.text, q.hint, q.error, q.none_text]
        texts += [choice.text for choice in q.choices]
        texts += [c.text for c in (q.asked_when, q.revealed_when) if c]
    for rule in policy.RULES:
        texts += [rule.reason, rule.fires_when]
    for note in policy.NOTES:
        texts += [note.text, note.shown_when]
    for info in policy.LEVELS.values():
        texts += [info.label, info.summary, info.hours, info.days, info.length, info.living]
    texts += [info.text for info in policy.FLAGS.values()]
    texts += [policy.NOT_AN_ASSESSMENT]
    texts += [
        getattr(policy, name).text
        for name in dir(policy)
        if callable(getattr(policy, name))
        and isinstance(getattr(getattr(policy, name), "text", None), str)
    ]
    texts += [source.says for source in SOURCES.values()]
    texts += [value for name, value in vars(engine).items() if name.startswith("MSG_")]
    return sorted({text for text in texts if text})


def test_the_walk_finds_the_catalogue_and_the_policy():
    texts = _patient_facing()
    assert policy.RULES[0].reason in texts and policy.counted_criteria.text in texts
    assert questions.BY_NAME["withdrawal_now"].choices[2].text in texts
    assert len(texts) > 250


@pytest.mark.parametrize("text", _patient_facing())
def test_every_patient_facing_message_has_a_spanish_translation(text):
    entries = {entry["msgid"]: entry for entry in _po_entries() if "msgctxt" not in entry}
    assert text in entries, "not extracted: run makemessages (see README)"
    entry = entries[text]
    assert "fuzzy" not in entry["flags"]
    assert all(entry["msgstr"])
    with translation.override("es"):
        # The compiled catalogue says it too (make install compiles the .po).
        assert translation.gettext(text) == entry["msgstr"][0]


def test_the_po_file_has_no_empty_or_fuzzy_entry_and_keeps_every_placeholder():
    entries = _po_entries()
    assert len(entries) > 500
    placeholder = re.compile(r"%\(\w+\)[sd]|\{\w*\}")
    for entry in entries:
        assert "fuzzy" not in entry["flags"], entry["msgid"]
        assert all(entry["msgstr"]), entry["msgid"]
        wanted = sorted(placeholder.findall(entry["msgid"]))
        for form in entry["msgstr"]:
            assert sorted(placeholder.findall(form)) == wanted, entry["msgid"]


def test_the_glossary_terms_are_used_as_chosen():
    spanish = " ".join(form for entry in _po_entries() for form in entry["msgstr"])
    for term in (
        "programa ambulatorio intensivo (IOP)",
        "desintoxicación con atención médica",
        "línea de crisis 988",
        "Línea Nacional de Ayuda de SAMHSA",
    ):
        assert term in spanish
    # usted, never tú: no informal imperatives or pronouns.
    for informal in (" tú ", " tienes ", " puedes ", " llama al", " eres "):
        assert informal not in f" {spanish.lower()} "


# --- Every public page in Spanish: no English sentence left --------------------------------


def _english_sentences() -> list[str]:
    """Our English strings of three words or more whose Spanish is different."""
    return sorted(
        {
            entry["msgid"]
            for entry in _po_entries()
            if len(entry["msgid"].split()) >= 3
            and entry["msgstr"][0] != entry["msgid"]
            and not placeholder_only(entry["msgid"])
        }
    )


def placeholder_only(text: str) -> bool:
    return not re.sub(r"%\(\w+\)[sd]|\{\w*\}|[\W\d]", "", text)


def _words(page) -> str:
    # Source titles stay as published (<cite>): English is expected there.
    text = re.sub(r"<cite>.*?</cite>|<[^>]+>", " ", page.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(text))


def _attributes(page) -> str:
    return " ".join(
        html.unescape(v)
        for v in re.findall(r'(?:aria-label|title|data-[\w-]+)="([^"]*)"', page.content.decode())
    )


def _assert_spanish(page):
    assert page.status_code in (200, 404, 410, 429), page.status_code
    assert '<html lang="es">' in page.content.decode()
    text = _words(page) + " " + _attributes(page)
    # Each English sentence, and each part of one around its placeholders.
    for sentence in _english_sentences():
        for part in re.split(r"%\(\w+\)[sd]|\{\w*\}", sentence):
            part = part.strip(" .,:;()")
            if len(part.split()) >= 3:
                assert part not in text, part


def _public_pages(client, make_screen) -> dict:
    screens = {
        "result": make_screen(criteria(5), language="es"),
        "crisis": make_screen({**criteria(7), **CRISIS}, language="es"),
        "few_signs": make_screen(language="es"),
        "inpatient": make_screen({**criteria(7), "housing": "none"}, language="es"),
    }
    pages = {name: f"/r/{screen.result_token}/" for name, screen in screens.items()}
    pages["delete"] = f"/r/{screens['result'].result_token}/delete/"
    pages |= {
        "home": "/",
        "how_it_works": "/how-it-works/",
        "sources": "/sources/",
        "not_found": "/no-such-page/",
        "deleted": "/deleted/",
    }
    return pages


@pytest.mark.django_db
def test_every_public_page_is_in_spanish(client, make_screen):
    for name, url in _public_pages(client, make_screen).items():
        page = client.get(url, **ES)
        assert page.status_code in (200, 404), (name, page.status_code)
        _assert_spanish(page)


@pytest.mark.django_db
def test_every_step_check_your_answers_and_start_over_are_in_spanish(client):
    client.get("/", **ES)
    answers = {**make_answers(**criteria(5)), **CRISIS}
    answer_all_steps(client, answers, CONTACT)
    for step in questions.STEPS:
        _assert_spanish(client.get(step_url(step), **ES))
    _assert_spanish(client.get("/screen/check/", **ES))
    _assert_spanish(client.get("/screen/start-over/", **ES))


@pytest.mark.django_db
def test_a_step_with_errors_says_them_in_spanish(client):
    page = client.post(step_url(questions.STEPS[0]), {}, **ES)
    assert page.status_code == 200
    _assert_spanish(page)
    assert "Elija su grupo de edad" in page.content.decode()


@pytest.mark.django_db
def test_an_expired_link_and_the_rate_limit_page_are_in_spanish(client, make_screen, settings):
    settings.SUBMISSION_RATE = "1/10m"
    expired = make_screen(language="es")
    Screen.objects.filter(pk=expired.pk).update(created_at="2020-01-01T00:00:00Z")
    _assert_spanish(client.get(f"/r/{expired.result_token}/", **ES))
    submit(client, make_answers())
    answer_all_steps(client, make_answers())
    page = client.post("/screen/check/", **ES)
    assert page.status_code == 429
    _assert_spanish(page)


# --- Choosing the language -----------------------------------------------------------------


@pytest.mark.django_db
def test_the_first_visit_follows_accept_language(client):
    assert '<html lang="es">' in client.get("/", **ES).content.decode()
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="en">' in english


@pytest.mark.django_db
def test_every_public_page_offers_the_other_language_as_a_post_form(client, make_screen):
    for url in _public_pages(client, make_screen).values():
        page = client.get(url, **ES).content.decode()
        form = re.search(r'<form class="language-choice[^>]*>.*?</form>', page, re.S)
        assert form, url
        assert 'action="/i18n/setlang/" method="post"' in form[0]
        assert 'name="csrfmiddlewaretoken"' in form[0]
        assert f'name="next" value="{url}"' in form[0]
        assert '<button type="submit"' in form[0] and 'value="en" lang="en">English<' in form[0]


@pytest.mark.django_db
def test_choosing_a_language_keeps_it_and_comes_back_to_the_page(client):
    r = client.post("/i18n/setlang/", {"language": "es", "next": "/how-it-works/"})
    assert r.status_code == 302 and r["Location"] == "/how-it-works/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    page = client.get("/how-it-works/", HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="es">' in page.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert '<html lang="en">' in client.get("/", **ES).content.decode()


@pytest.mark.django_db
def test_it_refuses_to_send_the_person_to_another_site(client):
    r = client.post("/i18n/setlang/", {"language": "es", "next": "https://evil.example/"})
    assert r.status_code == 302 and r["Location"] == "/"


@pytest.mark.django_db
def test_the_workspace_stays_english(alice_client, make_screen):
    screen = make_screen(criteria(5), language="es")
    alice_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    for url in ("/coordinator/", f"/coordinator/screens/{screen.reference}/"):
        page = alice_client.get(url, **ES)
        assert page.status_code == 200
        text = page.content.decode()
        assert '<html lang="en">' in text and "language-choice" not in text
    # Spanish answers, in English: the stored answers are codes, the catalogue words them.
    assert "Used more, or for longer, than meant to" in text
    assert "Consumió más" not in text
    assert '<dd class="col-sm-7" id="answered-in">Spanish</dd>' in text


# --- The screen remembers its language -----------------------------------------------------


@pytest.mark.django_db
def test_a_screen_sent_in_spanish_remembers_it_and_its_link_opens_in_it(client):
    client.get("/", **ES)
    client.post("/i18n/setlang/", {"language": "es", "next": "/"})
    r = submit(client, make_answers(**criteria(5)))
    screen = Screen.objects.get()
    assert screen.language == "es"
    # Stored in English (the msgids), said in Spanish at display.
    assert (
        screen.reasons[0]["text"] == next(r for r in policy.RULES if r.id == "moderate_use").reason
    )
    # A new browser, in English, without a choice of its own: the result opens in Spanish.
    from django.test import Client

    page = Client().get(r["Location"], HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert '<html lang="es">' in text
    with translation.override("es"):
        assert html.escape(translation.gettext(screen.reasons[0]["text"])) in text


@pytest.mark.django_db
def test_a_chosen_language_wins_over_the_screens(client, make_screen):
    screen = make_screen(criteria(5), language="es")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(f"/r/{screen.result_token}/")
    assert '<html lang="en">' in page.content.decode()
    assert "Intensive outpatient program (IOP)" in page.content.decode()


@pytest.mark.django_db
def test_a_screen_sent_in_english_says_so(client):
    submit(client, make_answers())
    assert Screen.objects.get().language == "en"


@pytest.mark.django_db
def test_a_call_request_in_spanish_thanks_in_spanish(client):
    client.post("/i18n/setlang/", {"language": "es", "next": "/"})
    r = submit(client, make_answers(**criteria(5)))
    data = {k: v for k, v in {**CONTACT, "message_ok": "yes", "contact_requested": "yes"}.items()}
    data["consent_to_contact"] = "on"
    r = client.post(r["Location"] + "contact/", data, follow=True)
    assert "Gracias. Alguien de nuestro equipo de admisiones" in r.content.decode()
    assert Screen.objects.get().contact_requested


# --- The API -------------------------------------------------------------------------------


def _api(client, body, **headers):
    import json

    return client.post(
        "/api/v2/screens", json.dumps(body), content_type="application/json", headers=headers
    )


@pytest.mark.django_db
def test_the_api_answers_in_spanish_when_asked(client):
    r = _api(
        client,
        make_answers(**criteria(5), withdrawal_now="severe", substances=["benzodiazepines"]),
        **{"Accept-Language": "es"},
    )
    assert r.status_code == 201
    body = r.json()
    screen = Screen.objects.get()
    assert screen.language == "es"
    assert body["level_label"] == "Tratamiento con internación"
    with translation.override("es"):
        assert body["reasons"] == [
            {**reason, "text": translation.gettext(reason["text"])} for reason in screen.reasons
        ]
    assert body["reasons"][0]["text"].startswith("Sus respuestas indican")
    assert body["notes"] and len(body["notes"]) == len(screen.notes)
    for note, stored in zip(body["notes"], screen.notes, strict=True):
        assert note["text"] != stored["text"]


@pytest.mark.django_db
def test_the_api_stays_english_without_accept_language(client):
    r = _api(client, make_answers(**criteria(5)))
    assert r.json()["level_label"] == "Intensive outpatient program (IOP)"
    assert Screen.objects.get().language == "en"


@pytest.mark.django_db
def test_the_apis_400_messages_are_in_spanish_when_asked(client):
    answers = make_answers(use_days=99, substances=["alcohol", "alcohol"])
    del answers["pregnant"]
    r = _api(client, {**answers, "surprise": 1, "phone": 5}, **{"Accept-Language": "es"})
    assert r.status_code == 400
    errors = r.json()["errors"]
    assert errors["use_days"] == ["Debe ser un número entero de 0 a 30."]
    assert errors["pregnant"] == ["Este campo es obligatorio."]
    assert errors["substances"] == ["“alcohol” aparece más de una vez."]
    assert errors["surprise"] == ["Campo desconocido."]
    assert errors["phone"] == ["Debe ser texto."]
    answers = make_answers(substances=["alcohol"], prescribed_as_directed=True)
    r = _api(client, answers, **{"Accept-Language": "es"})
    assert r.json()["errors"] == {
        "prescribed_as_directed": [
            "Con estas respuestas no se pregunta, así que no lo incluya. "
            "Solo si eligió opioides o benzodiazepinas."
        ]
    }
    r = client.post(
        "/api/v2/screens", "[1", content_type="application/json", headers={"Accept-Language": "es"}
    )
    assert r.json()["errors"]["__all__"] == ["El cuerpo del mensaje no es JSON válido."]
    assert not Screen.objects.exists()


def test_engine_messages_are_english_strings_that_can_be_said_in_spanish():
    with pytest.raises(rules.InvalidAnswers) as invalid:
        rules.recommend(make_answers(use_days=31))
    [message] = invalid.value.errors["use_days"]
    assert message == "Must be a whole number from 0 to 30."
    with translation.override("es"):
        assert message.translate(translation.gettext) == "Debe ser un número entero de 0 a 30."


# --- The workspace: the language shown, filtered, exported, counted ------------------------


@pytest.mark.django_db
def test_the_queue_shows_and_filters_by_language(alice_client, make_screen):
    spanish = make_screen(criteria(5), language="es")
    english = make_screen(criteria(5))
    page = alice_client.get("/coordinator/").content.decode()
    assert re.search(rf"{spanish.reference}</a>.*?language-badge\">Spanish<", page, re.S)
    row = re.search(rf"{english.reference}</a>.*?</th>", page, re.S)[0]
    assert "language-badge" not in row
    page = alice_client.get("/coordinator/", {"language": "es"}).content.decode()
    assert spanish.reference in page and english.reference not in page
    page = alice_client.get("/coordinator/", {"language": "en"}).content.decode()
    assert english.reference in page and spanish.reference not in page
    assert '<option value="es">Spanish</option>' in page


@pytest.mark.django_db
def test_an_unknown_language_filter_is_ignored_with_a_message(alice_client, make_screen):
    screen = make_screen()
    page = alice_client.get("/coordinator/", {"language": "xx"}).content.decode()
    assert screen.reference in page
    assert "Some filters were not understood and were ignored: Answered in." in page


@pytest.mark.django_db
def test_the_csv_has_the_language(alice_client, make_screen):
    make_screen(language="es")
    r = alice_client.get("/coordinator/export/", {"status": "all"})
    *records, _notice = csv.DictReader(io.StringIO(b"".join(r.streaming_content).decode()))
    assert records[0]["Answered in"] == "Spanish"
    assert records[0]["Answered in (code)"] == "es"


@pytest.mark.django_db
def test_the_dashboard_counts_screens_by_language(alice_client, make_screen):
    make_screen(language="es")
    make_screen(language="es")
    make_screen()
    page = alice_client.get("/coordinator/dashboard/").content.decode()
    table = re.search(r'<table[^>]*id="by-language-table".*?</table>', page, re.S)[0]
    assert re.search(r"<th scope=\"row\">Spanish</th><td>2</td>", table)
    assert re.search(r"<th scope=\"row\">English</th><td>1</td>", table)


@pytest.mark.django_db
def test_staff_emails_are_english_whatever_the_request(make_screen, mailoutbox):
    screen = make_screen({**criteria(7), **CRISIS}, language="es")
    OutboxMessage.objects.add(OutboxMessage.Kind.URGENT_SCREEN, reference=screen.reference)
    with translation.override("es"):
        assert send_due() == (1, 0)
    [message] = mail.outbox
    assert "Please review it as soon as you can" in message.body
