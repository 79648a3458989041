from datetime import timedelta

import pytest
from django.utils import timezone

from assessments.models import OPEN_STATUSES, Screen, Status
from assessments.rules import recommend
from tests.answers import criteria, make_answers

pytestmark = pytest.mark.django_db

CRISIS = {"self_harm_thoughts": True, **criteria(4)}  # a crisis with a disorder: inpatient
MODERATE = criteria(4)
QUEUE = "/coordinator/"


def _references(response) -> list[str]:
    return [row["screen"].reference for row in response.context["screens"]]


def test_it_lists_urgent_first_then_priority_then_the_longest_waiting(alice_client, make_screen):
    now = timezone.now()
    newest = make_screen(created_at=now - timedelta(minutes=5))
    new_urgent = make_screen(CRISIS, created_at=now - timedelta(minutes=1))
    older = make_screen(created_at=now - timedelta(days=1))
    old_urgent = make_screen(CRISIS, created_at=now - timedelta(days=5))
    priority = make_screen(created_at=now - timedelta(hours=1), priority=True)
    urgent_priority = make_screen(CRISIS, created_at=now, priority=True)
    r = alice_client.get(QUEUE)
    assert r.status_code == 200
    assert _references(r) == [
        urgent_priority.reference,
        old_urgent.reference,
        new_urgent.reference,
        priority.reference,
        older.reference,
        newest.reference,
    ]


@pytest.mark.parametrize("done", ["closed", "referred_elsewhere", "withdrawn"])
def test_the_default_view_is_open_work(alice_client, make_screen, done):
    finished = make_screen(CRISIS, status=done)
    waiting = [make_screen(status=status) for status in OPEN_STATUSES]
    r = alice_client.get(QUEUE)
    assert finished.reference not in _references(r)
    assert sorted(_references(r)) == sorted(screen.reference for screen in waiting)
    everything = alice_client.get(QUEUE, {"status": "all"})
    assert _references(everything)[0] == finished.reference  # urgent first, whatever status
    assert len(_references(everything)) == len(OPEN_STATUSES) + 1
    assert _references(alice_client.get(QUEUE, {"status": done})) == [finished.reference]


def test_each_row_shows_what_a_coordinator_needs(alice_client, make_screen, alice):
    make_screen(CRISIS, assigned_to=alice, contact_requested=True, status=Status.IN_REVIEW)
    r = alice_client.get(QUEUE)
    row = r.text.split("<tbody>")[1]
    for text in ("Urgent", "Inpatient care", "Crisis", "In review", "Alice Admissions"):
        assert text in row
    assert "Requested" in row
    assert "<time datetime=" in row


def test_it_filters_by_status_level_urgency_contact_and_assignee(alice_client, make_screen, alice):
    crisis = make_screen(CRISIS)
    iop = make_screen(MODERATE, status=Status.IN_REVIEW)
    mine = make_screen(assigned_to=alice, contact_requested=True)
    assert _references(alice_client.get(QUEUE, {"status": "in_review"})) == [iop.reference]
    assert _references(alice_client.get(QUEUE, {"level": "iop"})) == [iop.reference]
    assert _references(alice_client.get(QUEUE, {"urgent": "on"})) == [crisis.reference]
    assert _references(alice_client.get(QUEUE, {"contact": "on"})) == [mine.reference]
    assert _references(alice_client.get(QUEUE, {"mine": "on"})) == [mine.reference]


def test_it_filters_by_date_received(alice_client, make_screen):
    now = timezone.now()
    make_screen(created_at=now - timedelta(days=10))
    recent = make_screen(created_at=now - timedelta(days=2))
    make_screen(created_at=now)
    start = timezone.localdate(now - timedelta(days=3))
    end = timezone.localdate(now - timedelta(days=1))
    r = alice_client.get(QUEUE, {"received_from": start, "received_to": end})
    assert _references(r) == [recent.reference]


@pytest.mark.parametrize(
    "query",
    [
        "cg-aaaa-bbbb",
        " CG-AAAA-BBBB ",
        "aaaa-b",
        "Robin",
        "robin@example",
        "555-0142",
        "(555) 0142",
    ],
)
def test_it_finds_a_screen_by_reference_name_email_or_phone(alice_client, make_screen, query):
    wanted = make_screen(
        reference="CG-AAAA-BBBB",  # a valid reference shape
        contact_requested=True,
        first_name="Robin",
        email="robin@example.com",
        phone="5550142",
    )
    make_screen(contact_requested=True, first_name="Sam", phone="5550199")
    assert _references(alice_client.get(QUEUE, {"q": query})) == [wanted.reference]


def test_it_counts_screens_per_status_within_the_other_filters(alice_client, make_screen):
    make_screen(status=Status.NEW)
    make_screen(status=Status.NEW)
    make_screen(status=Status.CONTACTED)
    make_screen(CRISIS, status=Status.CONTACTED)
    make_screen(status=Status.CLOSED)
    r = alice_client.get(QUEUE, {"status": "new"})
    counts = {link["label"]: link["count"] for link in r.context["status_links"]}
    assert counts["New"] == 2 and counts["Contacted"] == 2 and counts["Closed"] == 1
    assert counts["Open work"] == 4 and counts["All"] == 5
    urgent = alice_client.get(QUEUE, {"urgent": "on"})
    assert {link["label"]: link["count"] for link in urgent.context["status_links"]}[
        "Contacted"
    ] == 1


def test_it_pages_by_fifty(alice_client, make_screen):
    now = timezone.now()
    for minutes in range(51):
        make_screen(created_at=now - timedelta(minutes=minutes))
    first = alice_client.get(QUEUE, {"level": "outpatient"})
    assert len(first.context["screens"]) == 50
    assert first.context["previous_url"] is None
    assert first.context["next_url"] == "?level=outpatient&page=2"
    second = alice_client.get(QUEUE + first.context["next_url"])
    assert len(second.context["screens"]) == 1
    assert second.context["next_url"] is None
    assert 'rel="prev"' in second.text


@pytest.mark.parametrize(
    ("query", "label"),
    [
        ({"level": "nonsense"}, "Recommended level"),
        ({"status": "bogus"}, "Status"),
        ({"received_from": "not-a-date"}, "Received from"),
        ({"received_from": "0001-01-01"}, "Received from"),
        ({"received_to": "9999-12-31"}, "Received up to"),
        ({"q": "x" * 101}, "Search"),
        ({"q": "robin\x00"}, "Search"),
        ({"received_from": "2026-05-02", "received_to": "2026-05-01"}, "Received up to"),
    ],
)
def test_it_ignores_a_bad_filter_with_a_message(alice_client, make_screen, query, label):
    screen = make_screen()
    r = alice_client.get(QUEUE, query)
    assert r.status_code == 200
    assert "Some filters were not understood and were ignored" in r.text
    assert label in r.text
    assert _references(r) == [screen.reference]


@pytest.mark.parametrize("page", ["abc", "-3", "0", "99999", "9" * 30, "²"])
def test_it_survives_a_bad_page_number(alice_client, make_screen, page):
    make_screen()
    assert alice_client.get(QUEUE, {"page": page}).status_code == 200


def _screens(make_screen, alice, count):
    for index in range(count):
        make_screen(CRISIS if index % 3 == 0 else {}, assigned_to=alice if index % 2 else None)


# Session, user, the two-factor device, the permissions (the user's and their groups', one
# query), the page of rows; the whole queue's counts (and the header's) and the assign form
# (with the coordinators to assign to) come from the cache once made, a filtered queue's
# status counts are counted each time.
QUEUE_QUERIES = 5
FILTERED_QUEUE_QUERIES = 6


@pytest.mark.parametrize("count", [3, 60])
@pytest.mark.parametrize(
    ("query", "expected"), [("", QUEUE_QUERIES), ("?urgent=on", FILTERED_QUEUE_QUERIES)]
)
def test_it_takes_the_same_number_of_queries_whatever_the_size(
    alice_client, make_screen, alice, django_assert_num_queries, count, query, expected
):
    _screens(make_screen, alice, count)
    alice_client.get(QUEUE + query)  # a session seen this minute, counts cached: as all day
    with django_assert_num_queries(expected):
        r = alice_client.get(QUEUE + query)
    assert len(r.context["screens"]) == min(count if not query else (count + 2) // 3, 50)


def _count(response, status: str) -> int:
    return next(
        link["count"] for link in response.context["status_links"] if link["label"] == status
    )


def test_the_cached_counts_follow_every_change(
    alice_client, make_screen, django_capture_on_commit_callbacks
):
    screen = make_screen()
    assert _count(alice_client.get(QUEUE), "New") == 1
    with django_capture_on_commit_callbacks(execute=True):
        Screen.objects.submit(recommend(make_answers()), {}, idempotency_key=None)  # one more
    assert _count(alice_client.get(QUEUE), "New") == 2
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(
            f"/coordinator/screens/{screen.reference}/status/",
            {"version": screen.version, "status": "in_review"},
        )
    r = alice_client.get(QUEUE)
    assert (_count(r, "New"), _count(r, "In review")) == (1, 1)


def test_it_never_loads_the_answers_for_the_list(alice_client, make_screen):
    make_screen()
    r = alice_client.get(QUEUE)
    assert "answers" in r.context["screens"][0]["screen"].get_deferred_fields()
    assert Screen.objects.count() == 1


def test_the_export_link_carries_the_current_filters(alice_client, make_screen):
    make_screen()
    r = alice_client.get(QUEUE, {"level": "iop", "urgent": "on", "page": "2"})
    assert 'href="/coordinator/export/?level=iop&amp;urgent=on"' in r.text


def test_each_row_links_to_its_screen_with_its_time_and_status(alice_client, make_screen):
    screen = make_screen(status="in_review")
    r = alice_client.get(QUEUE)
    link = f"/coordinator/screens/{screen.reference}/?back=%2Fcoordinator%2F%3F"
    assert f'<a href="{link}">{screen.reference}</a>' in r.text
    received = timezone.localtime(screen.created_at)
    assert f'<time datetime="{received.isoformat(timespec="seconds")}"' in r.text
    assert "<td>In review</td>" in r.text
