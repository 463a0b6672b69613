"""Run the daily due scan by hand: `run_due_scan [--dry-run]`."""

from django.core.management.base import BaseCommand

from cultivation import jobs


class Command(BaseCommand):
    help = (
        "Mark exhausted the follow-ups whose third attempt went unanswered (what the beat "
        "runs daily). Safe to run again: nothing is marked twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count, write nothing.")

    def handle(self, *args, dry_run, **options):
        if dry_run:
            count = jobs.due_scan_preview()
            self.stdout.write(f"{count} follow-up(s) would be marked exhausted.")
            return
        result = jobs.due_scan()
        self.stdout.write(f"Marked {result.exhausted} follow-up(s) exhausted.")
