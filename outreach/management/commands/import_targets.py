"""Import a file of yearly targets from the command line (CSV or XLSX): all of its lines, or none."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from outreach.imports.tables import ImportFileError
from outreach.services.targets import TargetImportRefused, targets_import


class Command(BaseCommand):
    help = (
        "Check every line of a CSV (UTF-8 or GBK) or XLSX file of yearly targets (columns platform, account, year, "
        "metric, kind, value, note; kind year_end or growth) with the admin's rules and import them all, or none "
        "when any line is refused (exit code 1). A target that exists (same account, figure and year) is "
        "replaced. --dry-run only checks."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check and report; write nothing.")

    def handle(self, *args, file: Path, dry_run: bool, **options):
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}") from None
        try:
            done = targets_import(data, file_name=file.name, dry_run=dry_run)
        except ImportFileError as error:
            raise CommandError(f"{file}: {error}") from None
        except TargetImportRefused as refused:
            for row in refused.rows:
                for column, message in row.errors:
                    self.stderr.write(f"line {row.line}{f', {column}' if column else ''}: {message}")
            raise CommandError(f"{file}: nothing imported; mend the lines above and import it again.") from None
        verb = "Would import" if dry_run else "Imported"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {file.name}: {done.created} target(s) created, {done.updated} replaced, "
                f"{done.unchanged} unchanged."
            )
        )
