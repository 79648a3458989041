"""From a person's crisis answer to a coordinator's call: both sides in one real browser."""

import pytest
from django.contrib.auth.models import Group, Permission, User

from assessments.forms import STEPS
from assessments.models import Screen, ScreenEvent
from assessments.rules import recommend
from tests.answers import criteria, make_answers
from tests.conftest import PASSWORD
from tests.e2e.conftest import assert_accessible, shoot
from tests.e2e.test_self_screen_in_browser import answer_by_pointer
from tests.e2e.test_workspace_in_browser import assign_move_and_note, log_in
from tests.screen_flow import step_data

pytestmark = pytest.mark.django_db(transaction=True)


def _coordinator():
    user = User.objects.create_user("casey", "casey@example.org", PASSWORD, first_name="Casey")
    # A transactional test flushes the data migration's group: make it again.
    group, _created = Group.objects.get_or_create(name="Coordinators")
    group.permissions.add(Permission.objects.get(codename="review_screen"))
    user.groups.add(group)
    return user


def test_a_coordinator_finds_the_crisis_screen_first_and_follows_it_up(open_page):
    coordinator = _coordinator()
    # Journey 4: a person says yes to the self-harm question and sends the screen.
    person = open_page("/screen/")
    answers = make_answers(self_harm_thoughts=True, **criteria(3))
    for step in STEPS:
        answer_by_pointer(person, step_data(step, {**answers, "contact_requested": False}))
    person.get_by_role("button", name="Send and see my result").click()
    assert person.locator(".crisis-box").is_visible()
    urgent = Screen.objects.get()
    # Newer screens that are not urgent arrive after it.
    for changes in (criteria(4), criteria(2), {}):
        Screen.objects.submit(recommend(make_answers(**changes)), {}, idempotency_key=None)

    page = open_page(None)
    log_in(page, "casey")  # password, then the code from an authenticator app
    first_row = page.locator("tbody tr").first
    assert urgent.reference in first_row.inner_text() and "Urgent" in first_row.inner_text()
    assert_accessible(page)
    first_row.get_by_role("link", name=urgent.reference).click()
    assert page.locator("h1").inner_text().strip().endswith(urgent.reference)
    assert_accessible(page)

    assign_move_and_note(page, "Called at once; safety plan agreed, 988 given.")
    assert_accessible(page)
    shoot(page, "coordinator-urgent-screen")

    urgent.refresh_from_db()
    assert urgent.assigned_to == coordinator and urgent.status == "in_review"
    kinds = list(ScreenEvent.objects.filter(screen=urgent).values_list("kind", flat=True))
    assert kinds == ["assigned", "status", "note"]
    page.get_by_role("button", name="Log out casey").click()
    page.wait_for_url("**/coordinator/login/")
    page.goto(page.base_url + "/coordinator/")
    assert "/coordinator/login/" in page.url  # logged out for real
