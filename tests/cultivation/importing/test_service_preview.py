"""The preview: a dry run that counts, shows the first rows of each group and every error,
and writes no one."""

import pytest

from cultivation.importing.rows import FileRefused
from cultivation.models import Contact, ContactEvent, ImportBatch
from cultivation.models.privacy import ERASED_EMAIL_REFUSAL
from cultivation.services import contact_erase, import_upload
from cultivation.services.importing import import_preview
from tests import factories
from tests.cultivation.importing.conftest import csv_file

pytestmark = pytest.mark.django_db


def upload(by, data, owner=None):
    return import_upload(by=by, owner=owner, file_name="people.csv", data=data)


def test_preview_counts_each_group_exactly_and_writes_no_one(owner):
    factories.ContactFactory(name="Ann Known", email="ann@known.example", owner=owner)
    data = csv_file(
        "Ann Known,ANN@known.example,,,,,,",  # matched: email in another case
        "Ben New,ben@new.example,Acme,,,,,",  # new
        "Ben Again,  BEN@new.example ,,,,,,",  # duplicate in the file: padded, other case
        ",,,,,,,",  # error: no name and no email
        "Cat New,not-an-email,,,,,,",  # error: the email's form
    )
    people = Contact.objects.count()

    batch = upload(owner, data, owner=owner)

    assert batch.status == ImportBatch.Status.PREVIEWED
    assert batch.total_rows == 5
    counts = batch.counts
    assert (counts["new"], counts["matched"], counts["duplicates_in_file"], counts["errors"]) == (
        1,
        1,
        1,
        2,
    )
    assert batch.preview["errors"] == [
        "row 5: no name and no email",
        "row 6: Enter a valid email address.",
    ]
    matched = batch.preview["groups"]["matched"][0]
    assert (matched["row"], matched["reason"], matched["match"]["name"]) == (
        2,
        "same email",
        "Ann Known",
    )
    assert (
        batch.preview["groups"]["duplicates_in_file"][0]["sentence"] == "the same person as row 3"
    )
    assert Contact.objects.count() == people


def test_matching_by_linkedin_then_name_at_the_same_organisation(owner):
    acme = factories.OrganisationFactory(name="Acme")
    by_url = factories.ContactFactory(name="Dee", linkedin_url="https://www.linkedin.com/in/dee/")
    by_name = factories.ContactFactory(name="José Núñez", organisation=acme, email="")
    data = csv_file(
        "Dee Other,,,,linkedin.com/in/DEE,,,",
        "jose nunez,,ACME,,,,,",
        "jose nunez,,Elsewhere Ltd,,,,,",
    )

    batch = upload(owner, data)

    groups = batch.preview["groups"]
    assert [(row["row"], row["match"]["id"], row["reason"]) for row in groups["matched"]] == [
        (2, by_url.pk, "same LinkedIn profile"),
        (3, by_name.pk, "same name and organisation"),
    ]
    assert [row["row"] for row in groups["new"]] == [4]


def test_an_erased_persons_email_is_refused(owner, manager):
    gone = factories.ContactFactory(email="gone@example.org")
    contact_erase(contact=gone, by=manager, reason="asked to be forgotten")

    batch = upload(owner, csv_file("Gone Again, Gone@Example.org ,,,,,,"))

    assert batch.counts["errors"] == 1
    assert batch.preview["errors"] == [f"row 2: {ERASED_EMAIL_REFUSAL}"]


def test_opted_in_counted_only_from_a_consent_column(owner):
    with_column = csv_file(
        "Ann,ann@example.org,,,,,,,yes",
        "Ben,ben@example.org,,,,,,,no",
        header="name,email,organisation,role,linkedin_url,last_contacted,tags,buckets,opted_in",
    )
    without_column = csv_file("Ann,ann@example.org,,,,,,", "Ben,ben@example.org,,,,,,")

    assert upload(owner, with_column).counts["opted_in"] == 1
    assert upload(owner, without_column).counts["opted_in"] == 0


def test_nul_bytes_and_long_values_are_row_errors_not_failures(owner):
    data = csv_file("Nul\x00Name,,,,,,,", f"{'x' * 201},,,,,,,", "Ann,,Nul\x00Org,,,,,")

    batch = upload(owner, data)

    assert batch.preview["errors"] == [
        "row 2: Text cannot contain a NUL character: type it again.",
        "row 3: Ensure this value has at most 200 characters (it has 201).",
        "row 4: Text cannot contain a NUL character: type it again.",
    ]
    assert batch.preview["groups"]["errors"][0]["name"] == "NulName"


def test_a_file_with_no_one_in_it_writes_no_batch(owner):
    with pytest.raises(FileRefused, match="There is no one in this file"):
        upload(owner, b"name,email\n")
    assert not ImportBatch.objects.exists()


def test_a_header_it_cannot_read_needs_a_mapping_which_is_remembered(owner):
    data = b"Full,Mail\nAnn,ann@example.org\n"

    batch = upload(owner, data)
    assert batch.status == ImportBatch.Status.NEEDS_MAPPING
    from cultivation.services import import_set_mapping

    batch = import_set_mapping(batch=batch, by=owner, mapping={"Full": "name", "Mail": "email"})
    assert (batch.status, batch.counts["new"]) == (ImportBatch.Status.PREVIEWED, 1)

    again = upload(owner, data)
    assert (again.status, again.mapping) == (
        ImportBatch.Status.PREVIEWED,
        {"Full": "name", "Mail": "email"},
    )


def test_preview_again_gives_the_same_counts_and_no_history(owner):
    batch = upload(owner, csv_file("Ann,ann@example.org,,,,,,"))

    preview = import_preview(batch=batch)

    assert preview.counts == batch.counts
    assert not ContactEvent.objects.exists()


def test_before_the_import_the_errors_csv_lists_the_previews_errors(owner):
    from django.contrib.auth.models import AnonymousUser

    from cultivation.import_selectors import batch_errors_csv, batch_progress, batches_for

    batch = upload(owner, csv_file("Ann,ann@example.org,,,,,,", ",,,,,,,"))

    assert list(batch_errors_csv(batch)) == [("row", "error"), (3, "no name and no email")]
    assert (batch_progress(batch).rows_done, batch_progress(batch).is_finished) == (0, False)
    assert list(batches_for(AnonymousUser())) == []


def test_nul_characters_in_buckets_and_readers_sentences_are_not_kept(owner):
    from cultivation.importing.rows import PersonRow
    from cultivation.services.importing import Seen, judge_alone

    refused = judge_alone(
        PersonRow(number=7, errors=["the date “3\x000 Feb” is impossible"]), Seen()
    )
    batch = upload(owner, csv_file("Ann,ann@example.org,,,,,,A\x00list"))

    assert refused.sentence == "the date “30 Feb” is impossible"
    assert batch.preview["buckets"] == {"Alist": 1}
