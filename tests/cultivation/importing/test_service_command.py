"""`manage.py import_people`: the page's import from the command line."""

import pytest
from django.core.management import CommandError, call_command

from cultivation.models import Contact, ImportBatch
from tests.cultivation.importing.conftest import csv_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def people_file(tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(csv_file("Ann,ann@example.org,,,,,,", "Ann,ANN@example.org,,,,,,", ",,,,,,,"))
    return path


def test_dry_run_prints_the_counts_and_writes_nothing(owner, people_file, capsys):
    call_command("import_people", str(people_file), "--owner", "alice", "--dry-run")

    out = capsys.readouterr().out
    assert "people.csv: 3 rows" in out
    assert "new: 1, matched: 0, duplicates in file: 1, errors: 1, opted in: 0" in out
    assert "  row 4: no name and no email" in out
    assert not Contact.objects.exists() and not ImportBatch.objects.exists()


def test_import_prints_the_summary(owner, people_file, capsys):
    call_command("import_people", str(people_file), "--owner", "alice")

    out = capsys.readouterr().out
    assert "new: 1, matched: 0, updated: 0, skipped: 0, duplicates in file: 1, errors: 1" in out
    assert Contact.objects.get().owner == owner
    assert ImportBatch.objects.get().status == "done"


def test_a_bad_file_is_a_sentence_and_a_failure(owner, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"name,email\n")
    with pytest.raises(CommandError, match="There is no one in this file"):
        call_command("import_people", str(empty), "--by", "alice")
    with pytest.raises(CommandError, match="There is no file at"):
        call_command("import_people", str(tmp_path / "missing.csv"), "--by", "alice")
    with pytest.raises(CommandError, match="There is no user called nobody"):
        call_command("import_people", str(empty), "--by", "nobody")


def test_a_file_it_cannot_read_asks_for_a_layout(owner, tmp_path):
    odd = tmp_path / "odd.csv"
    odd.write_bytes(b"Full,Mail\nAnn,ann@example.org\n")
    with pytest.raises(CommandError, match="columns were not recognised"):
        call_command("import_people", str(odd), "--by", "alice")


def test_without_by_or_a_superuser_it_says_who_must_import(db, people_file):
    with pytest.raises(CommandError, match="Say who imports with --by"):
        call_command("import_people", str(people_file))


def test_from_a_shell_a_refusal_is_a_sentence_on_stderr_and_a_failing_exit_code(tmp_path):
    import subprocess
    import sys

    missing = tmp_path / "missing.csv"
    done = subprocess.run(
        [sys.executable, "manage.py", "import_people", str(missing), "--dry-run"],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 1
    assert done.stderr.strip() == f"CommandError: There is no file at {missing}."
    assert done.stdout == ""
