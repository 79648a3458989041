from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from coordinator.models import ENROLMENT_HOURS, ENROLMENT_MAX_HOURS, EnrolmentCode


class Command(BaseCommand):
    help = (
        "Issues an enrolment code: the user needs it, after their password, to set up an "
        "authenticator app. Single use; earlier unused codes of theirs stop working."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--hours",
            type=int,
            default=ENROLMENT_HOURS,
            help=f"how long it works (default {ENROLMENT_HOURS}, at most {ENROLMENT_MAX_HOURS})",
        )

    def handle(self, *args, username, hours, **options):
        if not 1 <= hours <= ENROLMENT_MAX_HOURS:
            raise CommandError(f"--hours must be 1 to {ENROLMENT_MAX_HOURS}.")
        try:
            user = get_user_model().objects.get(username=username, is_active=True)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No active user is named {username!r}.") from None
        self.stdout.write(issue_and_describe(user, hours))


def issue_and_describe(user, hours: int = ENROLMENT_HOURS) -> str:
    enrolment = EnrolmentCode(user=user)
    code = enrolment.issue(hours=hours)
    return (
        f"Enrolment code for {user.get_username()!r}: {code}\n"
        f"It works once, until {enrolment.expires_at:%Y-%m-%d %H:%M} UTC: after their "
        "password, they enter it to set up an authenticator app. Give it to them in person "
        "or by phone, not by email."
    )
