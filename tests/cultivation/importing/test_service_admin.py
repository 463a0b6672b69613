"""Import batches in the admin: listed read-only, undone through the service."""

import pytest
from django.urls import reverse

from cultivation.models import Contact, ImportBatch
from cultivation.services import import_confirm, import_run, import_upload
from tests.cultivation.importing.conftest import csv_file

pytestmark = pytest.mark.django_db


def done_batch(by):
    data = csv_file("Ann,ann@example.org,,,,,,", ",,,,,,,")
    batch = import_upload(by=by, owner=None, file_name="people.csv", data=data)
    import_confirm(batch=batch, by=by, on_match="skip", enqueue=False)
    import_run(batch_id=batch.pk)
    return batch


def test_batches_are_listed_and_shown_read_only(manager, manager_client):
    batch = done_batch(manager)

    listed = manager_client.get(reverse("admin:cultivation_importbatch_changelist"))
    shown = manager_client.get(reverse("admin:cultivation_importbatch_change", args=[batch.pk]))

    assert listed.status_code == 200 and b"people.csv" in listed.content
    assert shown.status_code == 200 and b"no name and no email" in shown.content
    assert b'name="_save"' not in shown.content


def test_the_undo_action_goes_through_the_service(manager, manager_client):
    batch = done_batch(manager)

    response = manager_client.post(
        reverse("admin:cultivation_importbatch_changelist"),
        {"action": "undo", "_selected_action": [batch.pk]},
        follow=True,
    )

    assert "1 import(s) undone." in response.content.decode()
    assert not Contact.objects.exists()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.UNDONE


def test_undo_refused_is_a_message(manager, manager_client):
    batch = done_batch(manager)
    manager_client.post(
        reverse("admin:cultivation_importbatch_changelist"),
        {"action": "undo", "_selected_action": [batch.pk]},
    )
    response = manager_client.post(
        reverse("admin:cultivation_importbatch_changelist"),
        {"action": "undo", "_selected_action": [batch.pk]},
        follow=True,
    )
    assert "it is too late to undo it" in response.content.decode()
