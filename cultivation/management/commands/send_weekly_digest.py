"""Send this week's reminder emails by hand: `send_weekly_digest [--dry-run] [--user NAME]`."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from cultivation import jobs
from cultivation.models import Preferences


def users_named(usernames):
    """The users with these usernames (None for everyone); an unknown name is an error."""
    if not usernames:
        return None
    users = list(get_user_model().objects.filter(username__in=usernames))
    missing = set(usernames) - {user.username for user in users}
    if missing:
        raise CommandError(f"No such user: {', '.join(sorted(missing))}.")
    return users


class Command(BaseCommand):
    help = (
        "Send this week's reminder email now to everyone with something due who has not had "
        "it yet, whatever day and hour they chose (at most one per person per week of their "
        "own; none to people who turned it off). --dry-run prints the emails instead."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Print the emails; send and record nothing."
        )
        parser.add_argument(
            "--user",
            action="append",
            dest="usernames",
            metavar="USERNAME",
            help="Only this person (repeatable).",
        )
        parser.add_argument(
            "--resend",
            action="store_true",
            help="With --user: first release this week's claim if it was never sent "
            "(the process died between claiming and sending).",
        )

    def handle(self, *args, dry_run, usernames, resend, **options):
        users_named(usernames)
        if dry_run:
            return self._print(usernames)
        if resend:
            if not usernames:
                raise CommandError("--resend needs --user: release claims one person at a time.")
            released = jobs.weekly_digest_release_unsent(usernames=usernames)
            self.stdout.write(f"Released {released} unsent claim(s).")
        result = jobs.weekly_digest_send(usernames=usernames)
        self.stdout.write(
            f"Sent {len(result.sent)} email(s); {result.nothing_due} with nothing due."
        )
        if result.turned_off:
            self.stdout.write(
                f"Weekly email turned off, nothing sent: {', '.join(result.turned_off)}."
            )
        for username, error in result.failed:
            self.stderr.write(f"Not sent to {username}: {error}")
        if result.failed:
            raise CommandError(f"{len(result.failed)} email(s) not sent.")

    def _print(self, usernames):
        for user, message in jobs.weekly_digest_preview(usernames=usernames):
            if not Preferences.of(user).weekly_email:
                self.stdout.write(f"{user.username}: weekly email turned off, no email.\n")
                continue
            if message is None:
                self.stdout.write(f"{user.username}: nothing due, no email.\n")
                continue
            self.stdout.write(f"To: {', '.join(message.to)}")
            self.stdout.write(f"Subject: {message.subject}\n")
            self.stdout.write(message.body)
            self.stdout.write(f"[HTML part: {len(message.alternatives[0][0])} characters]\n")
