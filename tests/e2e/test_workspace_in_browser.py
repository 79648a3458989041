import pytest
from django.contrib.auth.models import Group, Permission, User
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from assessments.models import Screen
from assessments.rules import recommend
from coordinator.models import EnrolmentCode
from tests.answers import criteria, make_answers
from tests.conftest import PASSWORD
from tests.e2e.conftest import assert_accessible, assert_fits_a_phone, shoot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def screens():
    user = User.objects.create_user("alice", "alice@example.org", PASSWORD, first_name="Alice")
    # A transactional test flushes the data migration's group: make it again.
    group, _created = Group.objects.get_or_create(name="Coordinators")
    group.permissions.add(Permission.objects.get(codename="review_screen"))
    user.groups.add(group)
    made = []
    for index, changes in enumerate(
        # A crisis with a disorder (inpatient, urgent), IOP twice, and few signs (outpatient).
        [{"self_harm_thoughts": True, **criteria(4)}, criteria(4), {}, criteria(7)] * 5
    ):
        screen = Screen.from_recommendation(
            recommend(make_answers(**changes)),
            contact_requested=index % 2 == 0,
            first_name="Robin" if index % 2 == 0 else "",
            phone="555-0142" if index % 2 == 0 else "",
        )
        screen.save()
        made.append(screen)
    return made


def log_in(page, username="alice"):
    """Password, then the code from the user's authenticator app (tests run with 2FA on)."""
    device, _created = TOTPDevice.objects.get_or_create(
        user=User.objects.get(username=username), defaults={"name": "phone", "confirmed": True}
    )
    page.goto(page.base_url + "/coordinator/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    page.wait_for_url("**/coordinator/two-factor/?next=*")
    code = str(TOTP(device.bin_key).token()).zfill(6)
    page.get_by_label("Code from your authenticator app").fill(code)
    page.get_by_label("Code from your authenticator app").press("Enter")
    page.wait_for_url("**/coordinator/")


def test_a_first_login_sets_up_two_factor_in_the_browser(open_page, screens):
    code = EnrolmentCode(user=User.objects.get(username="alice")).issue()
    page = open_page("/coordinator/login/", width=375)
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    page.wait_for_url("**/coordinator/two-factor/setup/?next=*")
    # First the administrator's enrolment code: a password alone sets up nothing.
    expect(page.get_by_label("Enrolment code")).to_be_focused()
    assert_accessible(page)
    assert_fits_a_phone(page)
    shoot(page, "coordinator-two-factor-enrolment")
    page.get_by_label("Enrolment code").fill(code.lower())
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".otp-qr svg")).to_be_visible()  # inline SVG: no CSP violation
    assert_accessible(page)
    assert_fits_a_phone(page)
    shoot(page, "coordinator-two-factor-setup")
    device = TOTPDevice.objects.get(user__username="alice")
    page.get_by_label("Code from your authenticator app").fill(
        str(TOTP(device.bin_key).token()).zfill(6)
    )
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/coordinator/")
    expect(page.get_by_text("Two-factor login is set up.")).to_be_visible()


def test_the_login_page_is_accessible_and_fits_a_phone(open_page):
    page = open_page("/coordinator/login/")
    assert_accessible(page)
    assert_fits_a_phone(page)
    shoot(page, "coordinator-login")


@pytest.mark.parametrize(
    ("path", "name"),
    [("/coordinator/", "queue"), ("/coordinator/dashboard/", "dashboard"), (None, "screen")],
)
def test_workspace_pages_are_accessible_and_fit_a_phone(open_page, screens, path, name):
    page = open_page(None)
    log_in(page)
    page.goto(page.base_url + (path or f"/coordinator/screens/{screens[0].reference}/"))
    assert page.locator("h1").count() == 1
    assert_accessible(page)
    assert_fits_a_phone(page)
    shoot(page, f"coordinator-{name}")


def assign_move_and_note(page, note: str) -> None:
    """On a screen's page: assign it to me, move it to In review, add a note; each one seen."""
    page.get_by_role("button", name="Assign to me").click()
    assert page.get_by_text("Assigned to you.").is_visible()
    page.get_by_label("New status").select_option("in_review")
    page.get_by_role("button", name="Change status").click()
    assert page.get_by_text("Status changed to “In review”.").is_visible()
    page.locator("#id_note_text").fill(note)
    page.get_by_role("button", name="Add note").click()
    assert page.locator(".timeline").get_by_text(note).is_visible()


def test_a_coordinator_works_a_screen_without_javascript(open_page, screens):
    page = open_page(None, js=False, width=375)
    log_in(page)
    page.get_by_role("link", name=screens[0].reference).click()
    assign_move_and_note(page, "Called, no answer.")
    page.get_by_role("button", name="Log out alice").click()
    page.wait_for_url("**/coordinator/login/")
