import getpass
import os

from django.contrib.auth.models import Group, Permission, User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from coordinator.management.commands.enrolment_code import issue_and_describe

GROUP = "Coordinators"
PASSWORD_VARIABLE = "COORDINATOR_PASSWORD"  # noqa: S105 (the variable's name, not a password)


class Command(BaseCommand):
    help = (
        "Creates a coordinator: a user in the Coordinators group. The password is asked for "
        f"twice, or read from ${PASSWORD_VARIABLE}."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--export", action="store_true", help="may also export contact details"
        )

    def handle(self, *args, username, email, export, **options):
        if User.objects.filter(username=username).exists():
            raise CommandError(f"A user named {username!r} already exists.")
        user = User(username=username, email=email)
        password = os.environ.get(PASSWORD_VARIABLE) or self._ask_password()
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        user.set_password(password)
        with transaction.atomic():
            user.save()
            user.groups.add(Group.objects.get(name=GROUP))
            if export:
                user.user_permissions.add(
                    Permission.objects.get(
                        codename="export_contact", content_type__app_label="assessments"
                    )
                )
        extra = " who may export contact details" if export else ""
        self.stdout.write(f"Coordinator {username!r} created{extra}.")
        self.stdout.write(issue_and_describe(user))

    def _ask_password(self) -> str:
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        return password
