"""Send the monthly report to its subscribers: the one command a scheduler runs, alone from a host's cron,
or with `--every` as the compose file's `scheduler` service."""

import logging
import signal
import threading

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connections
from django.utils import timezone

from outreach.months import month_label
from outreach.reports.delivery import Run, send_due_reports

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Send the due monthly report by e-mail to every subscriber who has not had it, and try again the "
        "deliveries that failed once their wait is over. A month's report is due when every active account has "
        "reported it, or from MONTHLY_REPORT_DAY of the month after. Safe to run often, and twice at once: "
        "each subscriber gets each month's report once. Exits with 1 when a delivery failed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=int,
            metavar="SECONDS",
            help="Run again every SECONDS (at least 10) until stopped (SIGTERM or SIGINT ends it once the delivery "
            "under way is sent and recorded): the compose file's scheduler. Without it, run once, as from cron.",
        )

    def handle(self, *args, every: int | None = None, **options):
        if every is None:
            run = send_due_reports()
            self._report(run)
            if run.due is not None and not (run.waiting or run.made_due or run.sent or run.failed or run.cancelled):
                self.stdout.write(f"Nothing to send now; {month_label(run.due)}'s report is the one due.")
            if run.failed:
                failed = "1 delivery" if len(run.failed) == 1 else f"{len(run.failed)} deliveries"
                raise CommandError(f"{failed} failed; the admin's Monthly report deliveries list them.")
            return
        if every < 10:
            raise CommandError(f"--every {every}: give at least 10 seconds between runs.")
        stopping = threading.Event()
        for stop_signal in (signal.SIGTERM, signal.SIGINT):
            signal.signal(stop_signal, lambda *_: stopping.set())
        self.stdout.write(f"Sending the due monthly reports every {every} s until stopped.")
        while not stopping.is_set():
            close_old_connections()
            try:
                self._report(send_due_reports(stop=stopping))
            except Exception:
                # The database or the disk away for a while: said, and tried again at the next run.
                logger.exception("The run of send_monthly_reports failed; trying again in %d s", every)
            finally:
                connections.close_all()  # a connection idle for minutes may be dropped by the server meanwhile
            stopping.wait(every)
        self.stdout.write("Stopped.")

    def _report(self, run: Run) -> None:
        if run.due is None:
            self.stdout.write("No month has figures yet: no report is due.")
        elif run.waiting:
            self.stdout.write(
                f"{month_label(run.due)}'s report waits: the month is incomplete and its figures were changed "
                "less than an hour ago (still being entered)."
            )
        elif run.made_due:
            deliveries = "delivery" if run.made_due == 1 else "deliveries"
            self.stdout.write(f"{month_label(run.due)}'s report is due: {run.made_due} new {deliveries}.")
        for delivery in run.sent:
            self.stdout.write(
                self.style.SUCCESS(f"Sent {month_label(delivery.period)} to {delivery.address} ({delivery.language}).")
            )
        for delivery in run.cancelled:
            self.stdout.write(
                f"Not sent {month_label(delivery.period)} to {delivery.username}: {delivery.get_not_sent_display()}"
            )
        if run.taken_by_another_run:
            self.stdout.write(f"Being sent by another run: {run.taken_by_another_run}.")
        for delivery, retry_at in run.failed:
            when = (
                f"will be tried again after {timezone.localtime(retry_at):%Y-%m-%d %H:%M} "
                f"({timezone.get_current_timezone_name()})"
                if retry_at
                else 'given up after its last try (the admin\'s "Try the selected deliveries again" sends it again)'
            )
            self.stderr.write(
                self.style.ERROR(
                    f"Failed {month_label(delivery.period)} to {delivery.address}: {delivery.last_error}; {when}."
                )
            )
