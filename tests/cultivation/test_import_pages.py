"""The import pages: upload, mapping, preview, confirm, progress, errors as CSV and undo,
as the person who uploaded, another member of staff, a manager and nobody signed in.

The worker's part (`import_run`) is called directly here, as the task would; the real
worker on Redis runs in tests/browser/test_import.py.
"""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cultivation.models import (
    Contact,
    ContactEvent,
    ImportBatch,
    ImportedPerson,
    ImportRowError,
    Organisation,
    Tag,
    Touch,
)
from cultivation.models.imports import COUNTS, SavedMapping
from cultivation.services import importing
from tests import factories

LIST = "/imports/"

LINKEDIN = (
    "Notes:\n"
    '"When exporting your connection data, you may notice that some of the email addresses '
    'are missing."\n'
    "\n"
    "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
    "Priya,Shah,https://www.linkedin.com/in/priya-shah,priya@harbour.example,"
    "Harbour Logistics,Head of Freight,14 Mar 2024\n"
    "Tom,Reed,https://www.linkedin.com/in/tom-reed,,Reed & Co,Partner,02 Jan 2023\n"
    ",,https://www.linkedin.com/in/nobody,,,,30 Feb 2024\n"
    "Ann,Old,https://www.linkedin.com/in/ann-old,ann@old.example,Old Ltd,Owner,01 Feb 2022\n"
)

UNKNOWN = (
    "Person,Mail,Firm,Met at\n"
    "Priya Shah,priya@harbour.example,Harbour Logistics,Lisbon conference\n"
    "Tom Reed,tom@reed.example,Reed & Co,Dinner\n"
)


def _file(text, name="Connections.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def _upload(client, text=LINKEDIN, name="Connections.csv", **fields):
    data = {"file": _file(text, name), "owner": "unowned", **fields}
    return client.post(LIST, data)


def _batch():
    return ImportBatch.objects.get()


def _previewed(user, text=LINKEDIN, name="Connections.csv"):
    batch = importing.import_upload(by=user, owner=user, file_name=name, data=text.encode("utf-8"))
    if batch.status == ImportBatch.Status.PREVIEWED and not batch.preview:
        importing.import_preview(batch=batch)
    return ImportBatch.objects.get(pk=batch.pk)


def _done(user, text=LINKEDIN):
    batch = _previewed(user, text)
    importing.import_confirm(batch=batch, by=user, on_match="skip")
    importing.import_run(batch_id=batch.pk)
    return ImportBatch.objects.get(pk=batch.pk)


PREVIEW = {
    "total_rows": 4,
    "counts": {"new": 2, "matched": 1, "duplicates_in_file": 0, "errors": 1},
    "groups": {
        "new": [
            {"row": 5, "name": "Tom Reed", "email": "", "organisation": "Reed & Co"},
            {"row": 7, "name": "Ann Old", "email": "ann@old.example", "organisation": "Old Ltd"},
        ],
        "matched": [],
        "duplicates_in_file": [],
        "errors": [{"row": 6, "name": "", "email": "", "organisation": "", "sentence": "x"}],
    },
    "errors": ["row 6: no name and no email"],
    "buckets": {},
}


def _made(by, *, name="Connections.csv", **fields):
    """A batch as the service leaves it after a preview, without reading a file."""
    fields = {
        "data": b"-",
        "status": ImportBatch.Status.PREVIEWED,
        "total_rows": 4,
        "counts": {**dict.fromkeys(COUNTS, 0), **PREVIEW["counts"]},
        "preview": PREVIEW,
        **fields,
    }
    return ImportBatch.objects.create(created_by=by, owner=by, file_name=name, **fields)


def _people_rows():
    """Rows of everything an import writes about people (not the batch itself)."""
    models = (Contact, Organisation, Tag, Touch, ContactEvent, ImportedPerson, ImportRowError)
    return {model.__name__: model.objects.count() for model in models}


def _url(name, batch):
    return reverse(f"cultivation:{name}", args=[batch.pk])


# Upload and preview -------------------------------------------------------------------


def test_nobody_signed_in_is_sent_to_sign_in(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_staff_import_into_their_own_pool_or_nobodys(owner_client, owner, teammate):
    response = owner_client.get(LIST)
    owners = response.context["form"].fields["owner"].choices
    assert owners == [
        (str(owner.pk), "My pool (Alice Owner)"),
        ("unowned", "Nobody: unowned, everyone's to look after"),
    ]


def test_a_manager_imports_for_anyone(manager_client, owner, teammate, manager):
    response = manager_client.get(LIST)
    labels = [label for _, label in response.context["form"].fields["owner"].choices]
    assert labels == [
        "Alice Owner",
        "Bob Teammate",
        "My pool (Maria Manager)",
        "Nobody: unowned, everyone's to look after",
    ]


def test_staff_cannot_import_into_someone_elses_pool(owner_client, teammate):
    response = _upload(owner_client, owner=str(teammate.pk))
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_uploading_shows_the_preview_and_writes_nobody(owner_client, owner):
    factories.ContactFactory(name="Priya Shah", email="priya@harbour.example")
    before = _people_rows()

    response = _upload(owner_client, owner=str(owner.pk))

    batch = _batch()
    assert response.status_code == 302
    assert response["Location"] == _url("import-detail", batch)
    assert batch.status == ImportBatch.Status.PREVIEWED
    assert batch.owner == owner
    page = owner_client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-count="new"' in html
    assert batch.counts["new"] == 2
    assert batch.counts["matched"] == 1
    assert batch.counts["errors"] == 1
    assert "row 7: " in html
    assert "Confirm and import" in html
    assert _people_rows() == before


@pytest.mark.parametrize(
    ("content", "sentence"),
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, ""),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_a_sentence(owner_client, content, sentence):
    upload = SimpleUploadedFile("people.csv", content, content_type="text/csv")
    response = owner_client.post(LIST, {"file": upload, "owner": "unowned"})
    assert response.status_code == 400
    errors = response.context["form"].errors["file"]
    assert len(errors) == 1 and errors[0].endswith(".")
    assert sentence in errors[0].lower()
    assert not ImportBatch.objects.exists()


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(owner_client, settings):
    settings.IMPORT_MAX_BYTES = 1000 * 1000
    response = _upload(owner_client, LINKEDIN + "x" * 1000 * 1000)
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == [
        "This file is 1.0 MB: files up to 1 MB can be imported. Split it into smaller files "
        "and import each."
    ]
    assert not ImportBatch.objects.exists()


def test_a_nul_byte_in_a_field_is_refused(owner_client):
    response = _upload(owner_client, owner="1\x00")
    assert response.status_code == 400
    assert not ImportBatch.objects.exists()


def test_an_unknown_header_shows_the_mapping_screen_then_the_preview(owner_client, owner):
    before = _people_rows()
    response = _upload(owner_client, UNKNOWN, name="people.csv", owner=str(owner.pk))
    batch = _batch()
    assert batch.status == ImportBatch.Status.NEEDS_MAPPING

    page = owner_client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "Which column is which" in html
    assert "Detected: UTF-8" in html
    form = page.context["form"]
    columns = {column.header: column for column in form.columns}
    assert list(columns) == ["Person", "Mail", "Firm", "Met at"]
    assert columns["Mail"].samples == ["priya@harbour.example", "tom@reed.example"]
    assert columns["Mail"].guess == "email"
    assert Contact.objects.filter(name="Tom Reed").count() == 0

    choices = {"column_0": "name", "column_1": "email", "column_2": "organisation"}
    posted = owner_client.post(
        _url("import-mapping", batch), {**choices, "column_3": "how_we_know_them"}
    )

    assert posted.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEWED
    assert batch.counts["new"] == 2
    assert _people_rows() == before

    again = _upload(owner_client, UNKNOWN, name="people again.csv", owner=str(owner.pk))
    remembered = ImportBatch.objects.get(file_name="people again.csv")
    assert remembered.status == ImportBatch.Status.PREVIEWED  # the mapping was remembered
    assert again["Location"] == _url("import-detail", remembered)


def test_a_mapping_without_a_name_column_is_refused_and_the_screen_shown_again(owner_client):
    _upload(owner_client, UNKNOWN, name="people.csv")
    batch = _batch()
    response = owner_client.post(
        _url("import-mapping", batch),
        {"column_0": "", "column_1": "", "column_2": "organisation", "column_3": "notes"},
    )
    assert response.status_code == 400
    assert "Which column is which" in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.NEEDS_MAPPING


# Who may see a batch ----------------------------------------------------------------------


BATCH_PAGES = ["import-detail", "import-progress", "import-errors", "import-undo"]
POST_ONLY = ["import-mapping", "import-plans", "import-confirm"]


@pytest.mark.parametrize("name", BATCH_PAGES)
def test_another_members_batch_is_refused_with_a_sentence(teammate_client, owner, name):
    batch = _made(owner)
    response = teammate_client.get(_url(name, batch))
    assert response.status_code == 403
    assert "Only Alice Owner, who uploaded it, or a manager can see this import." in (
        response.content.decode()
    )


def test_a_manager_sees_everyones_batches(manager_client, owner, teammate):
    mine = _made(owner)
    theirs = _made(teammate, name="theirs.csv")
    response = manager_client.get(LIST)
    assert list(response.context["batches"]) == [theirs, mine]
    assert manager_client.get(_url("import-detail", mine)).status_code == 200


def test_staff_see_only_their_own_batches(teammate_client, owner, teammate):
    _made(owner)
    theirs = _made(teammate, name="theirs.csv")
    assert list(teammate_client.get(LIST).context["batches"]) == [theirs]


@pytest.mark.parametrize("name", [*POST_ONLY, "import-undo"])
def test_another_members_batch_cannot_be_changed(teammate_client, owner, name):
    batch = _previewed(owner)
    fields = {"on_match": "skip", "column_0": "name", "bucket_0": "monthly"}
    response = teammate_client.post(_url(name, batch), fields)
    assert response.status_code == 403
    assert ImportBatch.objects.filter(pk=batch.pk, status="previewed", bucket_plans={}).exists()


@pytest.mark.parametrize("path", ["/imports/abc/", "/imports/99999999999999999999999/"])
def test_an_id_that_names_no_batch_is_not_found(owner_client, path):
    assert owner_client.get(path).status_code == 404


def test_a_huge_id_says_why_it_is_not_found(owner_client):
    response = owner_client.get(f"/imports/{10**25}/")
    assert response.status_code == 404
    assert "is not one of its numbers" in response.content.decode()


# Confirm, progress, summary ---------------------------------------------------------------


def test_confirming_queues_the_import_and_shows_the_progress_bar(
    owner_client, owner, django_capture_on_commit_callbacks
):
    batch = _made(owner)
    with django_capture_on_commit_callbacks() as queued:
        response = owner_client.post(_url("import-confirm", batch), {"on_match": "fill"})
    assert response.status_code == 302
    assert len(queued) == 1
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.QUEUED
    assert batch.on_match == "fill"
    html = owner_client.get(_url("import-detail", batch)).content.decode()
    assert 'hx-trigger="every 1s"' in html
    assert f'hx-get="{_url("import-progress", batch)}"' in html


def test_confirming_twice_is_refused_and_queues_nothing(
    owner_client, owner, django_capture_on_commit_callbacks
):
    batch = _made(owner)
    owner_client.post(_url("import-confirm", batch), {"on_match": "skip"})
    with django_capture_on_commit_callbacks() as queued:
        response = owner_client.post(_url("import-confirm", batch), {"on_match": "update"})
    assert response.status_code == 409
    assert queued == []
    batch.refresh_from_db()
    assert batch.on_match == "skip"


def test_confirm_with_no_choice_is_refused(owner_client, owner):
    batch = _made(owner)
    response = owner_client.post(_url("import-confirm", batch), {"on_match": "\x00"})
    assert response.status_code == 400
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEWED


def test_get_on_a_post_only_page_is_refused(owner_client, owner):
    batch = _made(owner)
    assert owner_client.get(_url("import-confirm", batch)).status_code == 405


def test_the_preview_leads_back_to_the_mapping_screen_with_the_columns_as_read(owner_client, owner):
    batch = _previewed(owner)

    preview = owner_client.get(_url("import-detail", batch)).content.decode()
    screen = owner_client.get(_url("import-mapping", batch))

    assert f'href="{_url("import-mapping", batch)}">Change which column holds what' in preview
    assert screen.status_code == 200
    columns = {c.header: c.guess for c in screen.context["form"].columns}
    assert (columns["First Name"], columns["Email Address"]) == ("first_name", "email")


def test_a_mapping_naming_nobody_is_refused_and_not_remembered(owner_client):
    _upload(owner_client, UNKNOWN, name="people.csv")
    batch = _batch()

    response = owner_client.post(
        _url("import-mapping", batch),
        {"column_0": "", "column_1": "email", "column_2": "organisation", "column_3": ""},
    )

    assert response.status_code == 400
    assert "Say which column holds the person&#x27;s name" in response.content.decode()
    assert not SavedMapping.objects.exists()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.NEEDS_MAPPING


def test_columns_nothing_can_be_guessed_for_get_the_screen_then_import(owner_client):
    _upload(owner_client, "Foo,Bar\nhello,world@example.org\n", name="foo.csv")
    batch = _batch()

    screen = owner_client.get(_url("import-detail", batch))
    posted = owner_client.post(_url("import-mapping", batch), {"column_0": "name", "column_1": ""})

    assert screen.status_code == 200
    assert "Which column is which" in screen.content.decode()
    assert posted.status_code == 302
    batch.refresh_from_db()
    assert (batch.status, batch.counts["new"]) == (ImportBatch.Status.PREVIEWED, 1)


def test_the_progress_fragment_polls_while_running_and_stops_when_done(owner_client, owner):
    batch = _previewed(owner)
    importing.import_confirm(batch=batch, by=owner, on_match="skip")
    running = owner_client.get(_url("import-progress", batch), headers={"HX-Request": "true"})
    assert 'hx-trigger="every 1s"' in running.content.decode()
    assert "0 of 4 rows; 0 errors so far." in running.content.decode()

    importing.import_run(batch_id=batch.pk)

    finished = owner_client.get(_url("import-progress", batch), headers={"HX-Request": "true"})
    html = finished.content.decode()
    assert "hx-trigger" not in html
    assert "Imported" in html
    assert "Undo this import" in html
    assert Contact.objects.filter(name__in=["Priya Shah", "Tom Reed", "Ann Old"]).count() == 3


def test_the_errors_download_as_csv_with_formulas_defused(owner_client, owner):
    batch = _made(owner, status=ImportBatch.Status.DONE, name="my file (2).csv")
    sentences = ["no name and no email", '=HYPERLINK("http://evil.example")', "+1 555", "@x"]
    ImportRowError.objects.bulk_create(
        ImportRowError(batch=batch, row_number=n, sentence=s) for n, s in enumerate(sentences)
    )
    response = owner_client.get(_url("import-errors", batch))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="my-file--2--errors.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows == [
        ["row", "error"],
        ["0", "no name and no email"],
        ["1", '\'=HYPERLINK("http://evil.example")'],
        ["2", "'+1 555"],
        ["3", "'@x"],
    ]


def test_the_errors_of_a_finished_import_are_listed_on_its_page(owner_client, owner):
    batch = _done(owner, LINKEDIN)
    html = owner_client.get(_url("import-detail", batch)).content.decode()
    assert "<li>row 7: " in html
    assert "Download every error as CSV" in html


# Undo -----------------------------------------------------------------------------------


def test_undo_asks_first_then_removes_the_people_it_added(owner_client, owner):
    batch = _done(owner)
    added = Contact.objects.filter(name__in=["Priya Shah", "Tom Reed", "Ann Old"])
    assert added.count() == 3

    asked = owner_client.get(_url("import-undo", batch))
    assert asked.status_code == 200
    assert "Undo the import of Connections.csv?" in asked.content.decode()
    assert added.count() == 3

    response = owner_client.post(_url("import-undo", batch))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.UNDONE
    assert added.count() == 0


def test_undoing_twice_is_refused(owner_client, owner):
    batch = _done(owner)
    owner_client.post(_url("import-undo", batch))
    response = owner_client.post(_url("import-undo", batch))
    assert response.status_code == 409
    assert owner_client.get(_url("import-undo", batch)).status_code == 409


def test_another_member_cannot_undo(teammate_client, owner):
    batch = _done(owner)
    response = teammate_client.post(_url("import-undo", batch))
    assert response.status_code == 403
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE


def test_a_manager_may_undo_anyones_import(manager_client, owner):
    batch = _done(owner)
    assert manager_client.post(_url("import-undo", batch)).status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.UNDONE


def test_an_unfinished_import_cannot_be_undone(owner_client, owner):
    batch = _made(owner)
    response = owner_client.post(_url("import-undo", batch))
    assert response.status_code == 409
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEWED


# Queries ------------------------------------------------------------------------------------


@pytest.mark.parametrize("batches", [1, 20])
def test_the_list_runs_a_constant_number_of_queries(
    manager_client, owner, teammate, batches, django_assert_max_num_queries
):
    for n in range(batches):
        _made(owner if n % 2 else teammate, name=f"file-{n}.csv")
    with django_assert_max_num_queries(8):
        response = manager_client.get(LIST)
    assert len(response.context["batches"]) == batches


@pytest.mark.parametrize("errors", [3, 150])
def test_the_preview_runs_a_constant_number_of_queries(
    owner_client, owner, errors, django_assert_max_num_queries
):
    lines = [f"row {n}: no name and no email" for n in range(5, 5 + errors)]
    counts = {**dict.fromkeys(COUNTS, 0), "errors": errors}
    batch = _made(owner, counts=counts, preview={**PREVIEW, "errors": lines, "counts": counts})
    with django_assert_max_num_queries(8):
        response = owner_client.get(_url("import-detail", batch))
    html = response.content.decode()
    assert html.count("no name and no email</li>") == min(errors, 100)
    assert ("The first 100 of 150 are shown." in html) is (errors == 150)


def test_a_finished_import_cannot_be_mapped_again(owner_client, owner):
    batch = _made(owner, status=ImportBatch.Status.DONE, data=b"")
    response = owner_client.post(_url("import-mapping", batch), {"column_0": "name"})
    assert response.status_code == 409
    assert "Connections.csv is done: it is too late to change how it is read." in (
        response.content.decode()
    )


def test_a_refusal_to_htmx_is_the_sentence_alone(teammate_client, owner):
    batch = _made(owner)
    response = teammate_client.get(_url("import-progress", batch), headers={"HX-Request": "true"})
    assert response.status_code == 403
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == (
        "Only Alice Owner, who uploaded it, or a manager can see this import."
    )


@pytest.mark.parametrize("errors", [3, 150])
def test_a_finished_import_shows_its_first_errors_in_constant_queries(
    owner_client, owner, errors, django_assert_max_num_queries
):
    batch = _made(owner, status=ImportBatch.Status.DONE, counts={"errors": errors, "new": 1})
    ImportRowError.objects.bulk_create(
        ImportRowError(batch=batch, row_number=n, sentence="no name and no email")
        for n in range(errors)
    )
    with django_assert_max_num_queries(8):
        response = owner_client.get(_url("import-detail", batch))
    html = response.content.decode()
    assert html.count("no name and no email</li>") == min(errors, 100)
    assert ("The first 100 of 150 are shown." in html) is (errors == 150)


def test_a_failed_import_says_why(owner_client, owner):
    failure = (
        "This file cannot be read as utf-8: choose its encoding, or it may be damaged, or not text."
    )
    batch = _made(owner, status=ImportBatch.Status.FAILED, failure=failure)
    html = owner_client.get(_url("import-detail", batch)).content.decode()
    assert "The import stopped" in html
    assert failure in html
    assert "Undo what it wrote…" in html
    assert owner_client.get(_url("import-undo", batch)).status_code == 200


def test_an_undone_import_says_who_was_kept(owner_client, owner):
    kept = "Tom Reed (row 6) was kept: a touch was logged with them since."
    batch = _made(owner, status=ImportBatch.Status.UNDONE, undo_report=[kept], undone_by=owner)
    html = owner_client.get(_url("import-detail", batch)).content.decode()
    assert "Undone" in html and "by Alice Owner" in html
    assert f"<li>{kept}</li>" in html


CONTACTUALLY = (
    "first_name,last_name,company_name,job_title,email,bucket,tags,last_contacted_at\n"
    "Sam,Ortiz,Ortiz Partners,Founder,sam@ortiz.example,Referral Partners,golf,2021-06-30\n"
    "Kim,Park,,,kim@park.example,Prospects,,2021-06-30\n"
    "Lee,Wong,Wong Ltd,,lee@wong.example,Referral Partners,,\n"
)


def test_buckets_can_start_touch_plans_before_confirm(owner_client, owner):
    _upload(owner_client, CONTACTUALLY, name="contactually.csv", owner=str(owner.pk))
    batch = _batch()
    page = owner_client.get(_url("import-detail", batch))
    form = page.context["plans_form"]
    assert [field.label for field in form] == [
        "Prospects (1 person)",
        "Referral Partners (2 people)",
    ]
    before = _people_rows()

    response = owner_client.post(_url("import-plans", batch), {"bucket_1": "monthly"})

    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.bucket_plans == {"referral partners": "monthly"}
    assert batch.status == ImportBatch.Status.PREVIEWED
    assert _people_rows() == before
    again = owner_client.get(_url("import-detail", batch)).context["plans_form"]
    assert [field.value() for field in again] == ["", "monthly"]

    importing.import_confirm(batch=batch, by=owner, on_match="skip")
    importing.import_run(batch_id=batch.pk)
    planned = Contact.objects.exclude(touch_plan=None).values_list("name", flat=True)
    assert sorted(planned) == ["Lee Wong", "Sam Ortiz"]


def test_a_file_without_buckets_offers_no_plans(owner_client, owner):
    batch = _previewed(owner)
    page = owner_client.get(_url("import-detail", batch))
    assert page.context["plans_form"] is None
    response = owner_client.post(_url("import-plans", batch), {"bucket_0": "monthly"})
    assert response.status_code == 409
    batch.refresh_from_db()
    assert batch.bucket_plans == {}


def test_an_unknown_cadence_is_refused(owner_client, owner):
    _upload(owner_client, CONTACTUALLY, name="contactually.csv", owner=str(owner.pk))
    batch = _batch()
    response = owner_client.post(_url("import-plans", batch), {"bucket_0": "hourly"})
    assert response.status_code == 400
    batch.refresh_from_db()
    assert batch.bucket_plans == {}


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("name", BATCH_PAGES + POST_ONLY)
def test_nobody_signed_in_reaches_no_batch_page(client, owner, name, method):
    batch = _made(owner)
    response = getattr(client, method)(_url(name, batch))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEWED


def test_a_vcard_file_is_named_as_people_say_it_and_no_plan_count_without_buckets(
    owner_client, owner
):
    card = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Lee\r\nEMAIL:ann@lee.example\r\nEND:VCARD\r\n"
    batch = _previewed(owner, text=card, name="contacts.vcf")

    page = owner_client.get(_url("import-detail", batch)).content.decode()

    assert "vCard, UTF-8" in page
    assert 'data-count="without_plan_beyond_capacity"' not in page
