"""Remove every illustrative (made-up) snapshot, leaving the real figures."""

from django.core.management.base import BaseCommand

from outreach.services.seed import illustrative_snapshots_remove


class Command(BaseCommand):
    help = "Delete every snapshot flagged as illustrative; real figures stay."

    def handle(self, *args, **options):
        removed = illustrative_snapshots_remove()
        self.stdout.write(self.style.SUCCESS(f"Removed {removed} illustrative snapshots."))
