"""Import a file of figures from the command line: the admin's import, for large backfills. A standard file
(the export's columns, CSV or XLSX) or a platform's back-office export, with the account it is of."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from outreach.imports.tables import ImportFileError
from outreach.models import Account
from outreach.months import format_month
from outreach.services.imports import AccountNeeded, ImportRefused, snapshot_import_file


class Command(BaseCommand):
    help = (
        "Check every row of a CSV or XLSX file of snapshots (or of a WeChat or Douyin back-office export, with "
        "--account) with the entry forms' rules and import them all, or none when any row is refused (exit code "
        "1). --dry-run only checks."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The CSV (UTF-8 or GBK) or XLSX file, with an export's columns.")
        parser.add_argument("--dry-run", action="store_true", help="Check and report; write nothing.")
        parser.add_argument(
            "--account",
            help="For a back-office export, which names no account: the account's number, or its name (in either "
            "language) on the export's platform.",
        )

    def handle(self, *args, file: Path, dry_run: bool, account: str | None = None, **options):
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}") from None
        try:
            plan, _source = snapshot_import_file(
                data=data,
                file_name=file.name,
                dry_run=dry_run,
                progress=self._progress,
                account=self._account(account) if account else None,
            )
        except AccountNeeded as needed:
            choices = Account.objects.filter(platform__slug=needed.format.platform).order_by("name")[:20]
            listed = "; ".join(f"{choice.pk} ({choice.name})" for choice in choices)
            raise CommandError(f"{file}: {needed} --account takes its number or name: {listed}.") from None
        except ImportFileError as error:
            raise CommandError(f"{file}: {error}") from None
        except ImportRefused as refused:
            self.stderr.write("")
            self._explain(refused.plan)
            for row in refused.plan.refused:
                # A back-office file's rows are months, not its lines.
                where = f"line {row.line}" if row.given is None else format_month(row.period)
                for column, message in row.errors:
                    self.stdout.write(where + (f", {column}" if column else "") + f": {message}")
            summary = self._summary(refused.plan)
            raise CommandError(f"{summary} Nothing was imported: correct the refused rows and run again.") from None
        self.stderr.write("")
        self._explain(plan)
        if dry_run:
            self.stdout.write(self.style.SUCCESS(f"{self._summary(plan)} Dry run: nothing was written."))
        else:
            self.stdout.write(self.style.SUCCESS(f"{self._summary(plan)} Imported."))

    def _explain(self, plan) -> None:
        """A back-office file's format, account and every figure's reading, as its preview shows them."""
        if not plan.format_name:
            return
        accounts = {str(row.account) for row in plan.rows if row.account is not None}
        self.stdout.write(f"{plan.format_name}: {', '.join(sorted(accounts))}")
        for row in plan.rows:
            for explanation in row.explanations:
                self.stdout.write(f"  {explanation}")
        for note in plan.notes:
            self.stdout.write(note)

    def _account(self, given: str) -> list[Account]:
        """The accounts --account may mean: the one of that number, or those of that name (in English or
        Chinese; one name may be on several platforms, and the export's platform picks among them)."""
        if given.isdigit():
            found = list(Account.objects.filter(pk=int(given)).select_related("platform"))
        else:
            found = list(
                Account.objects.filter(name=given).select_related("platform")
                | Account.objects.filter(name_zh=given).select_related("platform")
            )
        if not found:
            raise CommandError(f"No account is numbered or named “{given}”.")
        return found

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
