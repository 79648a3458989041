"""Retention, run daily from cron: delete old screens, expired result links and sessions.

Deleted means gone: the screen row and its events (cascade), not a flag. One audit entry per run
records the counts, so a run that found nothing is on record too.
"""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from assessments.models import AuditEntry, Screen, forget_status_counts


class Command(BaseCommand):
    help = "Delete screens past RETENTION_DAYS; clear result links past RESULT_LINK_DAYS."

    def handle(self, *args, **options):
        with transaction.atomic():
            _, per_model = Screen.objects.older_than(settings.RETENTION_DAYS).delete()
            deleted = per_model.get(Screen._meta.label, 0)
            forget_status_counts()
            tokens_cleared = (
                Screen.objects.older_than(settings.RESULT_LINK_DAYS)
                .filter(result_token__isnull=False)
                .update(result_token=None)
            )
            AuditEntry.objects.create(
                action=AuditEntry.Action.PURGED,
                details={"deleted": deleted, "tokens_cleared": tokens_cleared},
            )
        # Expired sessions hold unfinished answers nobody sent: gone with the rest.
        call_command("clearsessions")
        self.stdout.write(
            f"Deleted {deleted} screens older than {settings.RETENTION_DAYS} days; "
            f"cleared {tokens_cleared} result links older than {settings.RESULT_LINK_DAYS} days."
        )
