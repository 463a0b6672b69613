"""The import itself (confirm, then the worker's part, called directly here), and undo."""

import datetime

import pytest
from django.utils import timezone

from convivio.errors import PermissionRefused, RuleViolation
from cultivation.import_selectors import batch_errors_csv, batch_progress, batches_for
from cultivation.models import (
    Contact,
    ContactEvent,
    ImportBatch,
    ImportedPerson,
    ImportRowError,
    Method,
    PlanItem,
    Tag,
    Touch,
    TouchPlan,
)
from cultivation.services import (
    import_confirm,
    import_run,
    import_undo,
    import_upload,
    touch_log,
)
from tests import factories
from tests.cultivation.importing.conftest import HEADER, csv_file

pytestmark = pytest.mark.django_db


def imported(by, data, *, owner=None, on_match="skip", bucket_plans=None):
    batch = import_upload(by=by, owner=owner, file_name="people.csv", data=data)
    import_confirm(batch=batch, by=by, on_match=on_match, bucket_plans=bucket_plans, enqueue=False)
    assert import_run(batch_id=batch.pk) is True
    batch.refresh_from_db()
    return batch


def test_new_people_are_added_with_history_organisations_tags_and_a_record(owner):
    factories.OrganisationFactory(name="ACME")
    batch = imported(
        owner,
        csv_file("Ann New,ann@example.org,acme,Partner,,,Board;golf,A-list"),
        owner=owner,
    )

    ann = Contact.objects.get(email="ann@example.org")
    assert (ann.owner, ann.organisation.name, ann.role) == (owner, "ACME", "Partner")
    assert sorted(ann.tags.values_list("name", flat=True)) == ["A-list", "Board", "golf"]
    assert list(ann.events.values_list("action", "by")) == [("created", owner.pk)]
    assert batch.status == ImportBatch.Status.DONE
    assert (batch.rows_done, batch.counts["new"]) == (1, 1)
    assert bytes(batch.data) == b""
    assert list(batch.people.values_list("contact", "action")) == [(ann.pk, "created")]
    assert not ann.has_opted_in


def test_skip_fill_and_update_treat_people_we_have_as_chosen(owner):
    def person():
        Contact.objects.all().delete()
        return factories.ContactFactory(
            name="Ann", email="ann@example.org", role="", phone="01", owner=owner, organisation=None
        )

    row = csv_file(
        "Ann,ANN@example.org,Acme,Partner,,,,", "Ann,,Acme,Partner,https://x.example/ann,,,"
    )
    ann = person()
    skipped = imported(owner, row, on_match="skip")
    ann.refresh_from_db()
    assert (ann.role, skipped.counts["matched"], skipped.counts["skipped"]) == ("", 1, 1)

    ann = person()
    ann.role = "Associate"
    ann.save()
    filled = imported(owner, row, on_match="fill")
    ann.refresh_from_db()
    assert (ann.role, ann.organisation.name, filled.counts["updated"]) == ("Associate", "Acme", 1)
    assert ann.email == "ann@example.org"

    ann = person()
    ann.role = "Associate"
    ann.save()
    updated = imported(owner, row, on_match="update")
    ann.refresh_from_db()
    assert (ann.role, ann.email, updated.counts["updated"]) == ("Partner", "ann@example.org", 1)
    event = ann.events.get(action="updated")
    assert [(c["field"], c["from"], c["to"]) for c in event.changes] == [
        ("organisation", "", "Acme"),
        ("role", "Associate", "Partner"),
    ]
    assert updated.counts["duplicates_in_file"] == 1


def test_a_staff_import_leaves_others_people_as_they_are(owner, teammate):
    bobs = factories.ContactFactory(name="Zed", email="zed@example.org", role="", owner=teammate)

    batch = imported(owner, csv_file("Zed,zed@example.org,,Partner,,,,"), on_match="update")

    bobs.refresh_from_db()
    assert (bobs.role, batch.counts["skipped"], batch.counts["updated"]) == ("", 1, 0)


def test_opted_in_only_from_a_consent_column_with_how(owner):
    header = HEADER + ",opted_in"
    batch = imported(
        owner,
        csv_file("Ann,ann@example.org,,,,,,,yes", "Ben,ben@example.org,,,,,,,", header=header),
    )

    ann, ben = Contact.objects.get(name="Ann"), Contact.objects.get(name="Ben")
    assert (ann.has_opted_in, ann.opt_in_how) == (
        True,
        "imported from people.csv (column opted_in)",
    )
    assert ann.opted_in_at is not None
    assert ann.events.filter(action="opted_in").count() == 1
    assert not ben.has_opted_in
    assert batch.counts["opted_in"] == 1


def test_last_contacted_becomes_an_imported_touch_and_starts_the_plan_clock(owner):
    last = timezone.localdate() - datetime.timedelta(days=30)
    imported(
        owner,
        csv_file(f"Ann,ann@example.org,,,,{last.isoformat()},,A-list"),
        owner=owner,
        bucket_plans={"A-list": "quarterly"},
    )

    ann = Contact.objects.get(name="Ann")
    touch = Touch.objects.get(contact=ann)
    assert (touch.method, timezone.localdate(touch.at)) == (Method.IMPORTED, last)
    item = PlanItem.objects.get(plan__contact=ann)
    assert (item.method, item.interval_days) == ("call", 90)
    assert item.next_due_on == last + datetime.timedelta(days=90)


def test_a_touch_cannot_be_logged_as_imported_by_hand(owner):
    ann = factories.ContactFactory(owner=owner)
    with pytest.raises(RuleViolation, match="is not a kind of touch"):
        touch_log(contact=ann, method=Method.IMPORTED, by=owner, note="")


def test_beyond_capacity_people_come_in_without_a_plan(owner, settings):
    settings.CONVIVIO = {**settings.CONVIVIO, "CAPACITY_MAX": 2}
    kept = factories.ContactFactory(owner=owner)
    factories.PlanItemFactory(plan=factories.TouchPlanFactory(contact=kept))
    data = csv_file(*(f"P{n},p{n}@example.org,,,,,,A-list" for n in range(3)))

    upload = import_upload(by=owner, owner=owner, file_name="p.csv", data=data)
    batch = imported(owner, data, owner=owner, bucket_plans={"a-list": "monthly"})

    assert TouchPlan.objects.pool_of(owner).count() == 2
    assert batch.counts["without_plan_beyond_capacity"] == 2
    assert upload.counts["without_plan_beyond_capacity"] == 0  # no bucket mapped yet
    assert PlanItem.objects.filter(interval_days=30).count() == 1


def test_errors_are_kept_per_row_and_downloadable(owner):
    batch = imported(owner, csv_file("Ann,ann@example.org,,,,,,", ",,,,,,,"))

    assert list(ImportRowError.objects.values_list("row_number", "sentence")) == [
        (3, "no name and no email")
    ]
    assert list(batch_errors_csv(batch)) == [("row", "error"), (3, "no name and no email")]
    progress = batch_progress(batch)
    assert (progress.rows_done, progress.total_rows, progress.errors, progress.percent) == (
        2,
        2,
        1,
        100,
    )
    assert progress.is_finished


def test_run_twice_writes_each_person_once(owner):
    batch = imported(owner, csv_file("Ann,ann@example.org,,,,,,"))
    assert import_run(batch_id=batch.pk) is True
    assert Contact.objects.filter(name="Ann").count() == 1


def test_a_resumed_run_continues_after_the_last_chunk_without_duplicates(owner, settings):
    settings.IMPORT_CHUNK_ROWS = 2
    data = csv_file(
        *(f"P{n},p{n}@example.org,,,,,," for n in range(5)), "P0 again,P0@example.org,,,,,,"
    )
    batch = import_upload(by=owner, owner=None, file_name="p.csv", data=data)
    import_confirm(batch=batch, by=owner, on_match="skip", enqueue=False)

    assert import_run(batch_id=batch.pk, time_budget=0) is False  # one chunk, then stops
    batch.refresh_from_db()
    assert (batch.status, batch.rows_done) == ("running", 2)
    assert import_run(batch_id=batch.pk) is True

    batch.refresh_from_db()
    assert Contact.objects.filter(name__startswith="P").count() == 5
    assert (batch.counts["new"], batch.counts["duplicates_in_file"]) == (5, 1)


def test_undo_removes_untouched_people_keeps_touched_ones_and_restores_fields(owner):
    had = factories.ContactFactory(name="Had", email="had@example.org", role="Old", owner=owner)
    batch = imported(
        owner,
        csv_file(
            "Had,had@example.org,,New,,,,",
            "Ann,ann@example.org,,,,,golf,",
            "Ben,ben@example.org,,,,,,",
        ),
        on_match="update",
    )
    ann = Contact.objects.get(name="Ann")
    factories.PromiseFactory(contact=ann, owner=owner)

    report = import_undo(batch=batch, by=owner)

    assert report == ["Ann (row 3) was kept: a promise refers to them."]
    assert not Contact.objects.filter(name="Ben").exists()
    had.refresh_from_db()
    assert had.role == "Old"
    batch.refresh_from_db()
    assert (batch.status, batch.undo_report) == ("undone", report)
    assert ImportedPerson.objects.filter(batch=batch, contact=None).count() == 1


def test_undo_keeps_a_field_changed_again_and_says_so(owner):
    had = factories.ContactFactory(name="Had", email="had@example.org", role="Old", owner=owner)
    batch = imported(owner, csv_file("Had,had@example.org,,New,,,,"), on_match="update")
    Contact.objects.filter(pk=had.pk).update(role="Newer")

    report = import_undo(batch=batch, by=owner)

    assert report == [
        "Had's role (row 2) was changed again since the import: it stays as it is now."
    ]
    had.refresh_from_db()
    assert had.role == "Newer"


def test_undo_twice_is_refused(owner):
    batch = imported(owner, csv_file("Ann,ann@example.org,,,,,,"))
    import_undo(batch=batch, by=owner)
    with pytest.raises(RuleViolation, match="too late to undo it"):
        import_undo(batch=batch, by=owner)


def test_permission_matrix(owner, teammate, manager):
    data = csv_file("Ann,ann@example.org,,,,,,")
    with pytest.raises(PermissionRefused, match="Only a manager can import people for Alice Owner"):
        import_upload(by=teammate, owner=owner, file_name="p.csv", data=data)
    batch = import_upload(by=manager, owner=owner, file_name="p.csv", data=data)  # for anyone
    assert batch.owner == owner
    own = import_upload(by=owner, owner=owner, file_name="p.csv", data=data)
    with pytest.raises(PermissionRefused, match="who imported p.csv, or a manager"):
        import_confirm(batch=own, by=teammate, on_match="skip", enqueue=False)
    import_confirm(batch=own, by=manager, on_match="skip", enqueue=False)
    assert list(batches_for(teammate)) == []
    assert list(batches_for(owner)) == [own]
    assert set(batches_for(manager)) == {own, batch}
    with pytest.raises(PermissionRefused):
        import_upload(by=None, owner=None, file_name="p.csv", data=data)
    assert Tag.objects.count() == 0 and ContactEvent.objects.count() == 0


def test_a_worker_with_another_chunk_size_resumes_mid_chunk(owner, settings):
    settings.IMPORT_CHUNK_ROWS = 2
    data = csv_file(*(f"P{n},p{n}@example.org,,,,,," for n in range(5)))
    batch = import_upload(by=owner, owner=None, file_name="p.csv", data=data)
    import_confirm(batch=batch, by=owner, on_match="skip", enqueue=False)
    assert import_run(batch_id=batch.pk, time_budget=0) is False

    settings.IMPORT_CHUNK_ROWS = 3  # rows 1-2 written; this worker's first chunk is rows 1-3
    assert import_run(batch_id=batch.pk) is True

    batch.refresh_from_db()
    assert (batch.status, batch.rows_done, batch.counts["new"]) == ("done", 5, 5)
    assert Contact.objects.filter(name__startswith="P").count() == 5


def test_an_unexpected_error_fails_the_batch_with_a_sentence(owner, monkeypatch):
    batch = import_upload(by=owner, owner=None, file_name="p.csv", data=csv_file("A,a@x.org,,,,,,"))
    import_confirm(batch=batch, by=owner, on_match="skip", enqueue=False)
    from cultivation.services import importing

    def broken(*args, **kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr(importing.Run, "write", broken)
    with pytest.raises(ValueError):
        import_run(batch_id=batch.pk)

    batch.refresh_from_db()
    assert (batch.status, batch.failure) == ("failed", importing.UNEXPECTED)
    assert import_undo(batch=batch, by=owner) == []


def test_the_task_runs_the_import(owner):
    from cultivation import tasks

    batch = import_upload(by=owner, owner=None, file_name="p.csv", data=csv_file("A,a@x.org,,,,,,"))
    import_confirm(batch=batch, by=owner, on_match="skip", enqueue=False)

    tasks.import_people(batch.pk)  # the task's body, in this process

    batch.refresh_from_db()
    assert (batch.status, batch.counts["new"]) == ("done", 1)


def test_undo_removes_people_with_what_the_import_gave_them(owner):
    header = HEADER + ",opted_in"
    line = "Ann,ann@example.org,Acme,,,2026-01-05,golf,A-list,yes"
    batch = imported(
        owner, csv_file(line, header=header), owner=owner, bucket_plans={"A-list": "quarterly"}
    )
    ann = Contact.objects.get(name="Ann")
    assert (
        ann.touches.count(),
        ann.has_opted_in,
        TouchPlan.objects.filter(contact=ann).count(),
    ) == (
        1,
        True,
        1,
    )

    assert import_undo(batch=batch, by=owner) == []
    assert not Contact.objects.filter(name="Ann").exists()


def test_undo_keeps_someone_edited_since(owner):
    from cultivation.services import contact_update

    batch = imported(owner, csv_file("Ann,ann@example.org,,,,,,"), owner=owner)
    ann = Contact.objects.get(name="Ann")
    contact_update(contact=ann, by=owner, role="Partner")

    report = import_undo(batch=batch, by=owner)

    assert report == ["Ann (row 2) was kept: their history has changed since (updated)."]
    assert Contact.objects.filter(name="Ann").exists()


def test_confirm_refuses_what_it_cannot_do(owner):
    batch = import_upload(by=owner, owner=None, file_name="p.csv", data=csv_file("A,a@x.org,,,,,,"))
    with pytest.raises(RuleViolation, match="Choose what to do with people we already have"):
        import_confirm(batch=batch, by=owner, on_match="merge", enqueue=False)
    with pytest.raises(RuleViolation, match="“weekly” is not a cadence"):
        import_confirm(batch=batch, by=owner, on_match="skip", bucket_plans={"A": "weekly"})
    with pytest.raises(RuleViolation, match="Say for each bucket how often"):
        import_confirm(batch=batch, by=owner, on_match="skip", bucket_plans=["A"])
    import_confirm(batch=batch, by=owner, on_match="skip", enqueue=False)
    with pytest.raises(RuleViolation, match="p.csv is queued: it is too late to start it again"):
        import_confirm(batch=batch, by=owner, on_match="skip", enqueue=False)
