"""Load the museum's four accounts and their February 2024 figures from the seed article."""

from django.core.management.base import BaseCommand

from outreach.models import MetricSnapshot
from outreach.services.seed import seed_figures_load


class Command(BaseCommand):
    help = (
        "Create the museum's four accounts and their February 2024 figures from the seed article; safe to run "
        "twice. With --illustrative-history, also a made-up monthly history that ends at the real figures."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--illustrative-history",
            action="store_true",
            help="Also add a plausible monthly history from each opening, flagged as illustrative.",
        )
        parser.add_argument(
            "--only-if-empty",
            action="store_true",
            help="Do nothing when any figure is already recorded (what `make run` uses).",
        )

    def handle(self, *args, illustrative_history: bool, only_if_empty: bool, **options):
        if only_if_empty and MetricSnapshot.objects.exists():
            self.stdout.write("Figures are already recorded; the seed was not loaded.")
            return
        result = seed_figures_load(illustrative_history=illustrative_history)
        self.stdout.write(
            self.style.SUCCESS(
                f"Seed loaded: {result.accounts_created} accounts created, {result.real_created} real and "
                f"{result.illustrative_created} illustrative snapshots and {result.milestones_created} milestones "
                f"created, {result.kept} snapshots already there kept."
            )
        )
        for refusal in result.refused:
            self.stdout.write(self.style.WARNING(refusal))
