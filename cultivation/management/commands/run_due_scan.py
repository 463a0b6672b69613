"""Run the daily due scan by hand: `run_due_scan [--dry-run] [--user USERNAME ...]`."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from cultivation import jobs


class Command(BaseCommand):
    help = (
        "Create reminders for everything due today and mark exhausted follow-ups "
        "(what the beat runs daily). Safe to run again: nothing is created twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count, write nothing.")
        parser.add_argument(
            "--user",
            action="append",
            dest="usernames",
            metavar="USERNAME",
            help="Only this person's reminders (repeatable).",
        )

    def handle(self, *args, dry_run, usernames, **options):
        owners = users_named(usernames)
        if dry_run:
            counts = jobs.due_scan_preview(owners=owners)
            for kind, count in counts.items():
                self.stdout.write(f"{kind}: {count} reminder(s) would be created")
            return
        result = jobs.due_scan(owners=owners)
        for kind, count in result.created.items():
            self.stdout.write(f"{kind}: {count} reminder(s) created")
        self.stdout.write(
            f"Closed {result.closed} reminder(s) no longer due; "
            f"marked {result.exhausted} follow-up(s) exhausted."
        )
        for kind, subject_id, error in result.skipped:
            self.stderr.write(f"Skipped {kind} {subject_id}: {error}")


def users_named(usernames):
    """The users with these usernames (None for everyone); an unknown name is an error."""
    if not usernames:
        return None
    users = list(get_user_model().objects.filter(username__in=usernames))
    missing = set(usernames) - {user.username for user in users}
    if missing:
        raise CommandError(f"No such user: {', '.join(sorted(missing))}.")
    return users
