"""Load a small, realistic demo firm, or (with --scale N) a large one for benchmarks."""

import random
from datetime import timedelta

import factory.random
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from opportunities.demo import DEMO_PASSWORD, DEMO_USERS, build_demo_firm, build_scale


class Command(BaseCommand):
    help = "Create the demo firm (idempotent). --scale N adds N cards and 3N contacts in bulk."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=0, help="Add N cards and 3N contacts.")
        parser.add_argument("--seed", default="convivio", help="Random seed (deterministic data).")
        parser.add_argument(
            "--even-with-debug-off",
            action="store_true",
            help="Seed although DEBUG is off (a smoke test's throwaway database, never a firm's).",
        )

    def handle(self, *args, scale, seed, even_with_debug_off, **options):
        if not settings.DEBUG and not even_with_debug_off:
            raise CommandError(
                "DEBUG is off: this looks like production, and the demo firm's accounts share "
                f"a published password ({DEMO_PASSWORD}). Nothing was created. For a throwaway "
                "database, add --even-with-debug-off."
            )
        factory.random.reseed_random(seed)
        rng = random.Random(seed)
        with transaction.atomic():
            if scale:
                created = build_scale(scale, rng=rng, now=timezone.now())
                self.stdout.write(
                    f"Added {created['cards']} cards and {created['contacts']} contacts."
                )
            elif build_demo_firm(rng=rng, now=timezone.now() - timedelta(minutes=1)):
                self.stdout.write(self.style.SUCCESS("Demo firm created."))
            else:
                self.stdout.write("Demo firm already present: nothing added.")
        self.stdout.write(f"Sign in with any of these (password for all: {DEMO_PASSWORD}):")
        for username, role in DEMO_USERS:
            self.stdout.write(f"  {username:<8} {role}")
