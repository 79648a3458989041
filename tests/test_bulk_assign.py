"""Bulk assign and unassign from the queue: each screen at the version shown, all or none."""

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from assessments.models import Screen, ScreenEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

BULK = "/coordinator/bulk-assign/"
BACK = "/coordinator/?status=new&level=outpatient"


@pytest.fixture
def casey(db):
    """Another coordinator, someone to hand screens to."""
    user = User.objects.create_user("casey", "casey@example.org", PASSWORD, first_name="Casey")
    user.groups.add(Group.objects.get(name="Coordinators"))
    return user


def _pick(*screens) -> list[str]:
    return [f"{screen.reference}:{screen.version}" for screen in screens]


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_it_assigns_the_ticked_screens_to_me_and_goes_back_to_the_filtered_queue(
    alice_client, make_screen, alice
):
    first, second, untouched = make_screen(), make_screen(), make_screen()
    r = alice_client.post(
        BULK, {"screens": _pick(first, second), "action": "assign", "back": BACK}
    )
    assert r.status_code == 302 and r.url == BACK
    page = alice_client.get(r.url)
    assert "2 screens assigned to Alice Admissions." in _messages(page)
    for screen in (first, second):
        screen.refresh_from_db()
        assert screen.assigned_to == alice and screen.version == 2
        event = screen.events.get()
        assert (event.kind, event.actor, event.data) == ("assigned", alice, {"to": "alice"})
    untouched.refresh_from_db()
    assert untouched.assigned_to is None and not untouched.events.exists()


def test_it_assigns_to_another_coordinator(alice_client, make_screen, alice, casey):
    screen = make_screen()
    alice_client.post(BULK, {"screens": _pick(screen), "action": "assign", "assignee": casey.pk})
    screen.refresh_from_db()
    assert screen.assigned_to == casey
    event = screen.events.get()
    assert event.actor == alice and event.data == {"to": "casey"}


def test_it_unassigns(alice_client, make_screen, alice, casey):
    mine, theirs, nobodys = (
        make_screen(assigned_to=alice),
        make_screen(assigned_to=casey),
        make_screen(),
    )
    r = alice_client.post(
        BULK, {"screens": _pick(mine, theirs, nobodys), "action": "unassign"}, follow=True
    )
    assert "2 screens unassigned." in _messages(r)
    for screen in (mine, theirs):
        screen.refresh_from_db()
        assert screen.assigned_to is None and screen.events.get().kind == "unassigned"
    assert not nobodys.events.exists()  # already so: left alone, no event


def test_a_stale_screen_stops_the_whole_batch_with_409(alice_client, make_screen, alice):
    fresh, stale = make_screen(), make_screen()
    picks = _pick(fresh, stale)
    Screen.objects.get(pk=stale.pk).add_note(alice, 1, "Someone else was quicker.")
    r = alice_client.post(BULK, {"screens": picks, "action": "assign", "back": BACK})
    assert r.status_code == 409
    assert f"Nothing was changed: {stale.reference} changed since you loaded the list" in r.text
    for screen in (fresh, stale):
        screen.refresh_from_db()
        assert screen.assigned_to is None
    assert list(ScreenEvent.objects.values_list("kind", flat=True)) == ["note"]
    # The list as it is now, with the ticks kept and the latest versions to try again with.
    assert r.context["filtered"]  # the level filter of the queue it came from
    rows = {row["screen"].reference: row for row in r.context["screens"]}
    assert rows[stale.reference]["ticked"] and rows[fresh.reference]["ticked"]
    assert rows[stale.reference]["pick"] == f"{stale.reference}:2"


def test_a_screen_that_no_longer_exists_stops_the_batch(alice_client, make_screen):
    screen = make_screen()
    r = alice_client.post(
        BULK, {"screens": [*_pick(screen), "CG-ZZZZ-ZZZZ:1"], "action": "assign"}
    )
    assert r.status_code == 409 and "CG-ZZZZ-ZZZZ" in r.text
    screen.refresh_from_db()
    assert screen.assigned_to is None


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"screens": [], "action": "assign"}, "Tick at least one screen in the list."),
        ({"screens": ["nonsense"], "action": "assign"}, "nonsense is not a screen of this list."),
        ({"screens": ["CG-AAAA-BBBB:x"], "action": "assign"}, "is not a screen of this list"),
        ({"action": "steal"}, "Select a valid choice."),
    ],
)
def test_bad_input_changes_nothing_and_says_why(alice_client, make_screen, data, error):
    screen = make_screen()
    data = {"screens": _pick(screen), **data}
    r = alice_client.post(BULK, data)
    assert r.status_code == 400
    assert "Nothing was changed:" in r.text and error in r.text
    assert not ScreenEvent.objects.exists()


def test_a_screen_may_only_go_to_a_coordinator(alice_client, make_screen, bob):
    screen = make_screen()
    r = alice_client.post(BULK, {"screens": _pick(screen), "action": "assign", "assignee": bob.pk})
    assert r.status_code == 400
    assert f"Select a valid choice. {bob.pk} is not one of the available choices." in r.text
    screen.refresh_from_db()
    assert screen.assigned_to is None


def test_an_inactive_coordinator_is_not_offered(alice_client, make_screen, casey):
    casey.is_active = False
    casey.save()
    make_screen()
    page = alice_client.get("/coordinator/")
    assert "Casey" not in page.text.split('id="bulk-assign"')[1].split("</form>")[0]
    assert "Alice Admissions" in page.text.split('id="bulk-assign"')[1]


def test_it_takes_only_a_post_from_a_coordinator(alice_client, bob, make_screen):
    screen = make_screen()
    assert alice_client.get(BULK).status_code == 405
    bob_client = Client()
    bob_client.force_login(bob)
    assert bob_client.post(BULK, {"screens": _pick(screen), "action": "assign"}).status_code == 403
    anonymous = Client().post(BULK, {"screens": _pick(screen), "action": "assign"})
    assert anonymous.status_code == 302
    assert not ScreenEvent.objects.exists()


def test_the_queue_offers_a_tick_box_per_row_tied_to_the_form(alice_client, make_screen):
    screen = make_screen()
    page = alice_client.get("/coordinator/").text
    assert (
        f'<input class="form-check-input" type="checkbox" name="screens" '
        f'value="{screen.reference}:1" form="bulk-assign">'
    ) in page
    assert 'id="bulk-assign"' in page
