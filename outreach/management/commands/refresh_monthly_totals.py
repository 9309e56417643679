"""Compute the dashboard's monthly totals from the snapshots again."""

from django.core.management.base import BaseCommand

from outreach.services.totals import monthly_totals_rebuild


class Command(BaseCommand):
    help = (
        "Rebuild the per-platform monthly totals the dashboard reads from every snapshot. Every write in "
        "the app keeps them up to date; run this after loading snapshots by other means (SQL, COPY, a restore "
        "of the snapshots table alone)."
    )

    def handle(self, *args, **options):
        cells = monthly_totals_rebuild()
        self.stdout.write(self.style.SUCCESS(f"Rebuilt {cells} monthly totals."))
