"""Import people from a file, as the import page does: `import_people FILE [--owner USERNAME]
[--layout NAME] [--dry-run] [--on-match skip|fill|update] [--encoding X] [--by USERNAME]`."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from convivio.errors import RuleViolation
from cultivation.models import ImportBatch
from cultivation.services import import_confirm, import_run, import_upload

PREVIEW_COUNTS = ("new", "matched", "duplicates_in_file", "errors", "opted_in")
SUMMARY_COUNTS = (*PREVIEW_COUNTS[:2], "updated", "skipped", *PREVIEW_COUNTS[2:])


class Command(BaseCommand):
    help = (
        "Import people from a CSV, vCard or .xlsx file by the import page's rules: "
        "--dry-run prints the preview's counts and writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--owner", help="Who keeps the people added (default: nobody).")
        parser.add_argument("--by", help="Who imports (default: the owner, else a superuser).")
        parser.add_argument("--layout", help="The file's layout, if not recognised.")
        parser.add_argument("--encoding", help="The file's encoding, if not detected.")
        parser.add_argument("--on-match", default="skip", choices=ImportBatch.OnMatch.values)
        parser.add_argument("--dry-run", action="store_true", help="Preview only.")

    def handle(self, *args, file, owner, by, layout, encoding, on_match, dry_run, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"There is no file at {file}.")
        owner = _user(owner) if owner else None
        by = _user(by) if by else owner or _superuser()
        try:
            with transaction.atomic():
                batch = import_upload(
                    by=by,
                    owner=owner,
                    file_name=path.name,
                    data=path.read_bytes(),
                    encoding=encoding,
                    layout=layout,
                )
                self._preview(batch)
                if dry_run:
                    transaction.set_rollback(True)  # a dry run leaves nothing behind
                    return
                import_confirm(batch=batch, by=by, on_match=on_match, enqueue=False)
            while not import_run(batch_id=batch.pk):
                pass
        except RuleViolation as error:
            raise CommandError(str(error)) from error
        self._summary(ImportBatch.objects.get(pk=batch.pk))

    def _preview(self, batch):
        if batch.status == ImportBatch.Status.NEEDS_MAPPING:
            raise RuleViolation(
                f"{batch.file_name}'s columns were not recognised: give --layout, or map its "
                "columns once on the import page (the mapping is remembered)."
            )
        self.stdout.write(
            f"{batch.file_name}: {batch.total_rows} rows ({batch.layout or batch.format})."
        )
        self.stdout.write(_counts(batch.counts, PREVIEW_COUNTS))
        for line in batch.preview.get("errors", []):
            self.stdout.write(f"  {line}")

    def _summary(self, batch):
        if batch.status != ImportBatch.Status.DONE:
            raise CommandError(f"The import {batch.get_status_display().lower()}: {batch.failure}")
        self.stdout.write(f"Imported batch #{batch.pk}: " + _counts(batch.counts, SUMMARY_COUNTS))
        beyond = batch.counts["without_plan_beyond_capacity"]
        if beyond:
            self.stdout.write(
                f"{beyond} people came in without a touch plan: {batch.owner}'s pool is full."
            )


def _counts(counts, names):
    return ", ".join(f"{name.replace('_', ' ')}: {counts[name]}" for name in names)


def _user(username):
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"There is no user called {username}.")
    return user


def _superuser():
    user = get_user_model().objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if user is None:
        raise CommandError("Say who imports with --by USERNAME (there is no superuser).")
    return user
