"""A coordinator's day in a real browser: follow-ups due, a call logged with the next one set,
two screens handed to a colleague from a filtered queue that stays filtered, and a new urgent
screen showing up while the workspace is open."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.utils import timezone
from playwright.sync_api import expect

from assessments.models import Screen, ScreenEvent
from assessments.rules import recommend
from tests.answers import criteria, make_answers
from tests.conftest import PASSWORD
from tests.e2e.conftest import DESKTOP, PHONE, assert_accessible, assert_fits_a_phone, shoot
from tests.e2e.test_workspace_in_browser import log_in

pytestmark = pytest.mark.django_db(transaction=True)

# The queue with its status tab and level filter, in either order.
FILTERED = re.compile(r"\?(?=.*status=new)(?=.*level=iop)")


def _coordinator(username, first_name):
    user = User.objects.create_user(username, f"{username}@example.org", PASSWORD)
    user.first_name = first_name
    user.save()
    # A transactional test flushes the data migration's group: make it again.
    group, _created = Group.objects.get_or_create(name="Coordinators")
    group.permissions.add(Permission.objects.get(codename="review_screen"))
    user.groups.add(group)
    return user


@pytest.fixture
def day():
    alice = _coordinator("alice", "Alice")
    casey = _coordinator("casey", "Casey")
    now = timezone.now()
    screens = {}
    for name, changes, fields in [
        ("due", {}, {"next_follow_up_at": now - timedelta(hours=2), "status": "in_review"}),
        ("iop_1", criteria(4), {"created_at": now - timedelta(hours=5)}),
        ("iop_2", criteria(5), {"created_at": now - timedelta(hours=3)}),
        ("outpatient", {}, {"created_at": now - timedelta(hours=1)}),
        ("priority", criteria(4), {"priority": True, "created_at": now - timedelta(hours=30)}),
    ]:
        screen = Screen.from_recommendation(
            recommend(make_answers(**changes)),
            contact_requested=True,
            first_name="Robin",
            phone="555-0142",
            message_ok=name != "due",
            **fields,
        )
        screen.save()
        screens[name] = screen
    return {"alice": alice, "casey": casey, "screens": screens}


def _check_page(page, name):
    for width in (PHONE, DESKTOP):
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page)
    assert_fits_a_phone(page)
    shoot(page, name)
    page.set_viewport_size({"width": DESKTOP, "height": 900})


def test_a_coordinators_day_of_calls_follow_ups_and_handing_over(open_page, day):
    screens = day["screens"]
    page = open_page(None)
    log_in(page)

    # The header says one follow-up is due; the Due view lists it.
    expect(page.locator('[data-count="due"]')).to_have_text("1")
    page.get_by_role("link", name="Due").click()
    expect(page.get_by_role("heading", name="Follow-ups due")).to_be_visible()
    _check_page(page, "coordinator-due")
    page.get_by_role("link", name=screens["due"].reference).click()

    # On the screen: contact first, then log the call, with the next follow-up.
    expect(page.locator("h1")).to_contain_text(screens["due"].reference)
    expect(page.get_by_text("No: do not leave a message that names the center")).to_be_visible()
    expect(page.get_by_label("Left a message")).to_have_count(0)  # not safe for this person
    _check_page(page, "coordinator-screen-call")
    tomorrow = timezone.localdate() + timedelta(days=1)
    page.get_by_label("Reached").check()
    page.locator("#id_call_note").fill("Talked it through; wants evening groups.")
    page.get_by_label("Call again on").fill(tomorrow.isoformat())
    page.get_by_label("At", exact=True).fill("14:30")
    page.get_by_role("button", name="Log the call").click()
    expect(
        page.get_by_text("Call logged. Status changed from “In review” to “Contacted”.")
    ).to_be_visible()
    expect(page.locator(".follow-up")).to_contain_text(f"{tomorrow.isoformat()} 14:30")
    expect(page.locator(".timeline")).to_contain_text("Reached. Talked it through")
    expect(page.locator('[data-count="due"]')).to_have_text("0")  # the call cleared it

    # Back to the queue, filtered to new IOP screens; hand two of them to Casey.
    page.get_by_role("link", name="Back to follow-ups due").click()
    page.get_by_role("link", name="Queue").first.click()
    page.locator(".status-counts").get_by_role("link", name=re.compile(r"^New")).click()
    expect(page).to_have_url(re.compile(r"status=new"))
    page.locator("summary", has_text="Filters and search").click()
    page.get_by_label("Recommended level").select_option("iop")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(FILTERED)
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(3)  # the two IOP screens and the priority one
    _check_page(page, "coordinator-queue-filtered")
    page.get_by_label(f"Tick {screens['iop_1'].reference}").check()
    page.get_by_label(f"Tick {screens['iop_2'].reference}").check()
    page.get_by_label("Assign to").select_option(label="Casey")
    page.get_by_role("button", name="Assign the ticked screens", exact=True).click()
    expect(page.get_by_text("2 screens assigned to Casey.")).to_be_visible()
    expect(page).to_have_url(FILTERED)
    for name in ("iop_1", "iop_2"):
        screen = Screen.objects.get(pk=screens[name].pk)
        assert screen.assigned_to == day["casey"]
        assert ScreenEvent.objects.filter(screen=screen, kind="assigned").count() == 1

    # Open one and come back: the filter is kept.
    page.get_by_role("link", name=screens["iop_1"].reference).click()
    page.get_by_role("link", name="Back to the queue").click()
    expect(page).to_have_url(FILTERED)
    expect(page.get_by_label("Recommended level")).to_have_value("iop")
    expect(page.locator("tbody tr")).to_have_count(3)


def test_a_new_urgent_screen_shows_while_the_workspace_is_open(open_page, day, settings):
    settings.POLL_SECONDS = 1  # every 30 seconds in real use
    page = open_page(None)
    log_in(page)
    expect(page.locator("#urgent-alert")).to_be_hidden()
    urgent, _new = Screen.objects.submit(
        recommend(make_answers(self_harm_thoughts=True)), {}, idempotency_key=None
    )
    alert = page.locator("#urgent-alert")
    expect(alert).to_be_visible(timeout=30_000)
    expect(alert).to_contain_text(urgent.reference)
    expect(page.locator('[data-count="urgent_new"]')).to_have_text("1")
    alert.get_by_role("link", name=urgent.reference).click()
    expect(page.locator("h1")).to_contain_text(urgent.reference)
