"""Import a CSV or XLSX file of figures from the command line: the admin's import, for large backfills."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from outreach.imports.tables import ImportFileError
from outreach.services.imports import ImportRefused, snapshot_import_file


class Command(BaseCommand):
    help = (
        "Check every row of a CSV or XLSX file of snapshots with the entry forms' rules and import them all, or "
        "none when any row is refused (exit code 1). --dry-run only checks."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The CSV (UTF-8 or GBK) or XLSX file, with an export's columns.")
        parser.add_argument("--dry-run", action="store_true", help="Check and report; write nothing.")

    def handle(self, *args, file: Path, dry_run: bool, **options):
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}") from None
        try:
            plan, _source = snapshot_import_file(
                data=data, file_name=file.name, dry_run=dry_run, progress=self._progress
            )
        except ImportFileError as error:
            raise CommandError(f"{file}: {error}") from None
        except ImportRefused as refused:
            self.stderr.write("")
            for row in refused.plan.refused:
                for column, message in row.errors:
                    self.stdout.write(f"line {row.line}" + (f", {column}" if column else "") + f": {message}")
            summary = self._summary(refused.plan)
            raise CommandError(f"{summary} Nothing was imported: correct the refused rows and run again.") from None
        self.stderr.write("")
        if dry_run:
            self.stdout.write(self.style.SUCCESS(f"{self._summary(plan)} Dry run: nothing was written."))
        else:
            self.stdout.write(self.style.SUCCESS(f"{self._summary(plan)} Imported."))

    def _summary(self, plan) -> str:
        counts = {status: plan.count(status) for status in ("create", "update", "unchanged", "error")}
        return (
            f"{len(plan.rows):,} rows: {counts['create']:,} to create, {counts['update']:,} to update, "
            f"{counts['unchanged']:,} unchanged, {counts['error']:,} refused."
        )

    def _progress(self, done: int, total: int) -> None:
        width = 30
        filled = width * done // total if total else width
        bar = f"Checking [{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} rows"
        if sys.stderr.isatty():
            self.stderr.write("\r" + bar, ending="")
        elif done == total or done % (max(total // 10, 1000)) < 1000:
            self.stderr.write(bar)
