from django.core.management.base import BaseCommand

from coordinator.notifications import send_due


class Command(BaseCommand):
    help = (
        "Sends the emails waiting in the outbox (urgent-screen notices, password resets) "
        "that are due; failures stay for a later try. Run it every minute from cron."
    )

    def handle(self, *args, **options):
        sent = failed = 0
        while True:
            batch_sent, batch_failed = send_due()
            sent, failed = sent + batch_sent, failed + batch_failed
            if not batch_sent:  # nothing more due (what failed now waits for its next try)
                break
        self.stdout.write(f"Outbox: {sent} sent, {failed} failed (kept for a retry).")
