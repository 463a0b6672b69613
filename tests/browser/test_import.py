"""Importing in a real browser: upload, preview, confirm, the progress bar polled by htmx
while a real Celery worker on Redis imports, and the finished summary; and the mapping
screen for a file whose header Convivio does not know.

The worker is the integration tests' fixture (a `celery worker` process on this test's
own queue, reading the test database): it needs PostgreSQL and Redis, so locally on
SQLite that test skips (in CI it fails instead). The mapping screen needs no worker.
"""

import pytest

from convivio.celery import app as celery_app
from cultivation.models import Contact, ImportBatch
from tests import factories
from tests.browser.test_csp import violations  # noqa: F401 (a fixture: CSP refusals seen)
from tests.integration.conftest import (  # noqa: F401 (fixtures)
    celery_worker,
    queue,
    redis_url,
    shared_database,
)

CONNECTIONS = (
    "Notes:\n"
    '"When exporting your connection data, you may notice that some of the email addresses '
    'are missing."\n'
    "\n"
    "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
    "Priya,Shah,https://www.linkedin.com/in/priya-shah,priya@harbour.example,"
    "Harbour Logistics,Head of Freight,14 Mar 2024\n"
    "Tom,Reed,https://www.linkedin.com/in/tom-reed,,Reed & Co,Partner,02 Jan 2023\n"
    "Sam,O'Neill,https://www.linkedin.com/in/sam-oneill,SAM@harbour.example ,"
    '"Harbour Logistics, Ltd",Director,28 Feb 2024\n'
    ",,https://www.linkedin.com/in/nobody,,,,30 Feb 2024\n"
)

UNKNOWN = (
    "Person,Mail,Firm,Met at\n"
    "Priya Shah,priya@harbour.example,Harbour Logistics,Lisbon conference\n"
    "Tom Reed,tom@reed.example,Reed & Co,Dinner\n"
)


@pytest.fixture
def imports_on_queue(queue):  # noqa: F811 (the fixture imported above)
    """The web side (the live server, in this process) sends import tasks to this test's
    queue, the one its worker reads."""
    conf = celery_app.conf
    before = conf.task_routes
    conf.task_routes = {"cultivation.tasks.import_people": {"queue": queue}}
    _reroute()
    yield queue
    conf.task_routes = before
    _reroute()


def _reroute():
    celery_app.amqp.flush_routes()
    celery_app.amqp.__dict__.pop("router", None)  # a cached property: built again


def _upload(page, name, text):
    page.get_by_role("link", name="Import", exact=True).click()
    page.wait_for_url("**/imports/")
    page.locator("input[type=file][name=file]").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": text.encode("utf-8")}]
    )
    page.get_by_role("button", name="Upload and preview").click()


def _count(page, key):
    return page.locator(f'tr[data-count="{key}"] td').inner_text()


@pytest.mark.django_db(transaction=True)
def test_a_linkedin_file_is_previewed_confirmed_and_imported_by_the_worker(
    page,
    login,
    screenshot,
    celery_worker,  # noqa: F811
    imports_on_queue,
    violations,  # noqa: F811
):
    alice = factories.UserFactory(username="alice", first_name="Alice", last_name="Owner")
    factories.ContactFactory(name="Priya Shah", email="priya@harbour.example", owner=alice)
    login(page, alice)

    _upload(page, "Connections.csv", CONNECTIONS)

    page.wait_for_url("**/imports/*/")
    assert page.get_by_role("heading", name="What the import would do").is_visible()
    assert [_count(page, key) for key in ("new", "matched", "errors")] == ["2", "1", "1"]
    assert page.get_by_text("row 8: ").is_visible()
    screenshot(page, "import-preview")
    assert Contact.objects.count() == 1  # nothing written before Confirm

    page.get_by_label("Fill only their empty fields").check()
    page.get_by_role("button", name="Confirm and import").click()
    progress = page.locator("#import-state progress")
    progress.wait_for()
    assert page.get_by_text("You may leave this page: the import carries on.").is_visible()
    screenshot(page, "import-progress")

    celery_worker()
    page.get_by_role("heading", name="Imported").wait_for(timeout=60_000)

    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.DONE
    assert [_count(page, key) for key in ("new", "matched", "errors")] == ["2", "1", "1"]
    assert page.get_by_role("link", name="Undo this import…").is_visible()
    assert page.locator("#import-state[hx-trigger]").count() == 0  # polling stopped
    assert page.locator("#import-status").inner_text() == "Done"
    screenshot(page, "import-done")
    names = sorted(Contact.objects.values_list("name", flat=True))
    assert names == ["Priya Shah", "Sam O'Neill", "Tom Reed"]

    page.get_by_role("link", name="All imports").click()
    page.wait_for_url("**/imports/")
    row = page.locator(f'tr[data-batch="{batch.pk}"]')
    row.wait_for()  # all_inner_texts() does not wait: without this it may read the old page
    assert row.locator("td").all_inner_texts()[1:5] == ["Done", "2", "1", "1"]
    screenshot(page, "import-list")
    assert violations == []


@pytest.mark.django_db(transaction=True)
def test_a_file_with_an_unknown_header_is_mapped_column_by_column(
    page,
    login,
    screenshot,
    violations,  # noqa: F811
):
    alice = factories.UserFactory(username="alice", first_name="Alice", last_name="Owner")
    login(page, alice)

    _upload(page, "people.csv", UNKNOWN)

    page.get_by_role("heading", name="Which column is which: people.csv").wait_for()
    assert page.get_by_text("Detected: UTF-8").is_visible()
    assert page.get_by_label("Mail is").input_value() == "email"
    screenshot(page, "import-mapping")
    page.get_by_label("Person is").select_option("name")
    page.get_by_label("Firm is").select_option("organisation")
    page.get_by_label("Met at is").select_option("how_we_know_them")
    page.get_by_role("button", name="Preview").click()

    page.get_by_role("heading", name="What the import would do").wait_for()
    assert _count(page, "new") == "2"
    screenshot(page, "import-mapped-preview")
    assert not Contact.objects.exists()
    assert violations == []


CONTACTUALLY = (
    "first_name,last_name,company_name,job_title,email,bucket,tags,last_contacted_at\n"
    "Sam,Ortiz,Ortiz Partners,Founder,sam@ortiz.example,Referral Partners,golf,2021-06-30\n"
    "Kim,Park,,,kim@park.example,Prospects,,2021-06-30\n"
)


@pytest.mark.django_db(transaction=True)
def test_a_bucket_is_given_a_touch_plan_on_the_preview(
    page,
    login,
    screenshot,
    violations,  # noqa: F811
):
    alice = factories.UserFactory(username="alice", first_name="Alice", last_name="Owner")
    login(page, alice)

    _upload(page, "contactually.csv", CONTACTUALLY)

    page.get_by_label("Referral Partners (1 person)").select_option("quarterly")
    page.get_by_role("button", name="Preview again with these plans").click()
    page.get_by_text("Previewed again with those plans.").wait_for()
    assert page.get_by_label("Referral Partners (1 person)").input_value() == "quarterly"
    screenshot(page, "import-bucket-plans")
    assert ImportBatch.objects.get().bucket_plans == {"referral partners": "quarterly"}
    assert violations == []
